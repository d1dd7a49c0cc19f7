"""Exercises: the reader writes a backward pass, :func:`check` tests it and says what is wrong.

>>> from cnnbook.exercises import check
>>> def relu_backward(dout, x):
...     return dout * (x > 0)
>>> result = check("relu_backward", relu_backward)  # doctest: +ELLIPSIS
relu_backward: all 2 cases pass ...
>>> result.passed
True

``check(name, fn)`` calls ``fn`` on a series of cases, easy ones first (see
:data:`CALLS` for how each exercise is called), compares every output with the
package's own kernels (:mod:`cnnbook.functional`, :mod:`cnnbook.losses`,
:mod:`cnnbook.optim`), prints a short report and returns a :class:`CheckResult`.
Whatever ``fn`` does (raise, return ``None`` or a wrong shape, change its input) is
reported, never raised. For the first failing case the report gives its inputs, the
wrong output, its worst entry, and a hint: exact when the answer matches a catalogued
mistake (:mod:`.mistakes`), from the error's pattern otherwise (:mod:`.diagnose`).

Modules: :mod:`.cases` (calls, cases, reference answers), :mod:`.runner` (runs one
case safely), :mod:`.mistakes` (the catalogue), :mod:`.diagnose` (hints).
"""
from __future__ import annotations

from dataclasses import dataclass

from .cases import SPECS
from .diagnose import across_cases, known_mistake, pattern_hints
from .runner import run_case

__all__ = ["check", "CheckResult", "NAMES", "CALLS"]

#: The exercises, in the book's order.
NAMES = ("mse", "softmax_cross_entropy", "sgd_momentum_step", "relu_backward",
         "sigmoid_backward", "linear_forward", "linear_backward", "conv2d_forward",
         "conv2d_backward", "max_pool2d_forward", "max_pool2d_backward",
         "avg_pool2d_backward", "batch_norm2d_backward")

#: How :func:`check` calls each exercise, and what it expects back.
CALLS = {n: f"{SPECS[n].call} -> {', '.join(SPECS[n].outputs)}" for n in NAMES}


@dataclass(frozen=True)
class CheckResult:
    """``passed``: every case right; ``message``: the report :func:`check` printed."""
    name: str
    passed: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def _ipython_display_(self):
        """Show nothing in Jupyter: :func:`check` has already printed the report."""


def _short(case, i, n) -> str:
    return f"case {i} of {n} ({case.label})"


def _report(spec, cases, outcomes, refs) -> tuple[bool, str]:
    name, n = spec.name, len(cases)
    if outcomes[0].kind == "not-written":
        return False, (f"{name}: not written yet (the function raises NotImplementedError).\n"
                       f"  Replace `raise NotImplementedError` with your code, run that cell, "
                       f"then run this check again.\n"
                       f"  It will call {spec.call} and expects {', '.join(spec.outputs)}.")
    passed = [i for i, o in enumerate(outcomes) if o.ok]
    if len(passed) == n:
        labels = "; ".join(c.label for c in cases)
        return True, f"{name}: all {n} cases pass ({labels})."
    first = next(i for i, o in enumerate(outcomes) if not o.ok)
    case, out = cases[first], outcomes[first]
    lines = [f"{name}: {len(passed)} of {n} cases pass."]
    if passed:
        lines.append("  passed: " + "; ".join(f"{i + 1} ({cases[i].label})" for i in passed))
    lines.append(f"  FAILED {_short(case, first + 1, n)}")
    lines.append(f"    call: {spec.call.split('(')[0]}({case.describe()})")
    if out.kind == "not-written":
        lines.append("    your function raises NotImplementedError on this case")
    for line in out.lines:
        lines.append("    " + line)
    right = [k for k in spec.outputs if k not in out.wrong and k in out.got]
    if out.kind == "output" and right and len(spec.outputs) > 1:
        lines.append(f"    correct: {', '.join(right)}")
    hints = []
    if out.kind == "output":
        hint = known_mistake(name, case, out.got, refs[first])
        if hint:
            hints.append(hint)
    if not hints:
        hints += pattern_hints(spec, case, out, refs[first])
        pattern = across_cases(cases, outcomes)
        if pattern:
            hints.append(pattern)
    for h in hints:
        lines.append(f"  hint: {h}")
    return False, "\n".join(lines)


def check(name: str, fn, *, quiet: bool = False) -> CheckResult:
    """Run the exercise ``name`` on ``fn`` and print what is right and what is wrong.

    Parameters
    ----------
    name : str
        One of :data:`NAMES`.
    fn : callable
        The reader's function, called as in :data:`CALLS`.
    quiet : bool
        Do not print the report (it is still in ``.message``).

    Returns
    -------
    CheckResult
        ``.passed`` (bool) and ``.message`` (the report).
    """
    if not isinstance(name, str):
        raise TypeError(f"check: expected name to be a str, got {type(name).__name__}")
    if name not in SPECS:
        raise ValueError(f"check: unknown exercise {name!r}; expected one of {', '.join(NAMES)}")
    if not callable(fn):
        raise TypeError(f"check: expected fn to be a function, got {type(fn).__name__}")
    spec = SPECS[name]
    cases = spec.cases()
    refs = [spec.reference(c) for c in cases]
    outcomes = []
    for case, ref in zip(cases, refs):
        outcomes.append(run_case(spec, case, fn, ref))
        if outcomes[0].kind == "not-written":
            break
    passed, message = _report(spec, cases, outcomes, refs)
    if not quiet:
        print(message)
    return CheckResult(name, passed, message)
