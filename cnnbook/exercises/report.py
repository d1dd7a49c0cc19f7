"""What :func:`cnnbook.exercises.check` returns and prints: :class:`CheckResult`, with the
first failing case as a :class:`FailedCase` to rerun and print."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .diagnose import Hint, across_cases, known_mistake, pattern_hints, reorder_hint

__all__ = ["CheckResult", "FailedCase", "report", "HINT_MODES"]

#: ``hint="principle"`` (default) names what is wrong; ``hint="code"`` adds the line of code.
HINT_MODES = ("principle", "code")


@dataclass(frozen=True, eq=False)
class FailedCase:
    """The first failing case: ``inputs`` (every argument of the call, by the parameter
    names of the exercise's call, copies), ``expected`` and ``got`` (the outputs by name;
    ``got`` holds what could be read of the function's answer)."""
    label: str
    inputs: dict
    expected: dict
    got: dict
    positional: tuple   # the names passed positionally, in order; the rest by keyword

    def call(self, fn):
        """Call ``fn`` on copies of the inputs, as the check did: ``result.case.call(fn)``."""
        args = [np.array(self.inputs[k], copy=True) for k in self.positional]
        kwargs = {k: v for k, v in self.inputs.items() if k not in self.positional}
        return fn(*args, **kwargs)

    def __repr__(self) -> str:
        shapes = ", ".join(f"{k} {np.shape(v)}" if np.ndim(v) else f"{k}={v!r}"
                           for k, v in self.inputs.items())
        return f"FailedCase({self.label!r}: {shapes}; outputs {', '.join(self.expected)})"


@dataclass(frozen=True)
class CheckResult:
    """``passed``: every case right; ``message``: the report :func:`check` printed;
    ``case``: the first failing case (:class:`FailedCase`, None when all pass);
    ``hints``: the hints printed; ``mistake``: the key of the catalogued mistake the answer
    reproduces (None when no catalogued mistake matched)."""
    name: str
    passed: bool
    message: str
    case: FailedCase | None = field(default=None, compare=False, repr=False)
    hints: tuple = ()
    mistake: str | None = None

    def __bool__(self) -> bool:
        return self.passed

    def _ipython_display_(self):
        """Show nothing in Jupyter: :func:`check` has already printed the report."""


def failed(name, message, hints=()) -> CheckResult:
    """A failed result that is not about a case (a wrong name, signature, ...)."""
    return CheckResult(name if isinstance(name, str) else repr(name), False, message,
                       hints=tuple(hints))


def _hints(spec, cases, outcomes, refs, first):
    case, out = cases[first], outcomes[first]
    if out.kind == "order":
        return [Hint(f"return the outputs in the order the exercise states: "
                     f"({', '.join(spec.outputs)})")]
    hints = []
    if out.kind == "output":
        moved = reorder_hint(out)
        if moved:
            hints.append(moved)
        if not out.reordered:
            hint = known_mistake(spec.name, case, out.got, refs[first])
            if hint:
                return [hint]
    if not hints:
        hints += pattern_hints(spec, case, out, refs[first])
        pattern = across_cases(cases, outcomes)
        if pattern:
            hints.append(pattern)
    return hints


def report(spec, cases, outcomes, refs, mode="principle") -> CheckResult:
    """The :class:`CheckResult` of a run (``outcomes`` may stop early, after a timeout)."""
    name, n = spec.name, len(cases)
    if outcomes[0].kind == "not-written":
        return CheckResult(name, False, (
            f"{name}: not written yet (the function raises NotImplementedError).\n"
            f"  Replace `raise NotImplementedError` with your code, run that cell, "
            f"then run this check again.\n"
            f"  It will call {spec.call} and expects {', '.join(spec.outputs)}."))
    passed = [i for i, o in enumerate(outcomes) if o.ok]
    if len(passed) == n:
        labels = "; ".join(c.label for c in cases)
        return CheckResult(name, True, f"{name}: all {n} cases pass ({labels}).")
    first = next(i for i, o in enumerate(outcomes) if not o.ok)
    case, out = cases[first], outcomes[first]
    ran = len(outcomes)
    head = f"{name}: {len(passed)} of {n} cases pass"
    lines = [head + (f" (the check stopped after case {ran})." if ran < n else ".")]
    if passed:
        lines.append("  passed: " + "; ".join(f"{i + 1} ({cases[i].label})" for i in passed))
    lines.append(f"  FAILED case {first + 1} of {n} ({case.label})")
    lines.append(f"    call: {spec.call.split('(')[0]}({case.describe()})")
    if out.kind == "not-written":
        lines.append("    your function raises NotImplementedError on this case")
    for line in out.lines:
        lines.append("    " + line)
    right = [k for k in spec.outputs if k not in out.wrong and k in out.got]
    if out.kind in ("output", "order") and right and len(spec.outputs) > 1:
        lines.append(f"    correct: {', '.join(right)}")
    hints = _hints(spec, cases, outcomes, refs, first)
    has_code = False
    for h in hints:
        lines.append(f"  hint: {h.text}")
        if h.code:
            has_code = True
            if mode == "code":
                lines.append(f"  code: {h.code}")
    if has_code and mode != "code":
        lines.append(f'  (check("{name}", fn, hint="code") also shows the line of code)')
    lines.append(f'  debug: r = check("{name}", fn, quiet=True); r.case.inputs, '
                 f'r.case.expected, r.case.got; r.case.call(fn) reruns it')
    failed_case = FailedCase(case.label, {**{k: np.array(v, copy=True)
                                              for k, v in case.args.items()}, **case.kwargs},
                             dict(refs[first]), dict(out.got), tuple(case.args))
    mistake = next((h.key for h in hints if h.key), None)
    return CheckResult(name, False, "\n".join(lines), failed_case,
                       tuple(h.text for h in hints), mistake)
