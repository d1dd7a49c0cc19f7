"""Turn a wrong answer into hints, each a principle with, when there is one, the line of
code that applies it (printed only on request).

First what can be said exactly: outputs returned in the wrong order, or an answer equal to
a catalogued mistake (:mod:`.mistakes`). Otherwise hints from the error's pattern: a
constant factor (named only when it equals one of the exercise's own sizes), errors only
near the border, a transposed output, NaN on large inputs, which kind of case fails (the
cases vary one feature at a time, so the feature is named), and, for an exception raised
in the student's code, the advice this exercise has for it, or none.
"""
from __future__ import annotations

import re
import warnings

import numpy as np

from .cases import TAG_TEXT
from .mistakes import MISTAKES, NONFINITE, RAISED
from .runner import close

__all__ = ["Hint", "known_mistake", "pattern_hints", "across_cases"]


class Hint(tuple):
    """``(text, code, key)``: the principle, the line of code ("" if none), and the
    catalogued mistake's key (None for a hint from the error's pattern)."""

    def __new__(cls, text, code="", key=None):
        return super().__new__(cls, (text, code, key))

    text = property(lambda self: self[0])
    code = property(lambda self: self[1])
    key = property(lambda self: self[2])


def _variants(wrong):
    if not wrong:
        return []
    return wrong if isinstance(wrong, list) else [wrong]


def known_mistake(name, case, got: dict, reference: dict):
    """The :class:`Hint` of the first catalogued mistake the student's outputs reproduce."""
    for mistake in MISTAKES.get(name, []):
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                variants = _variants(mistake.compute(case, reference))
        except Exception:  # noqa: BLE001 - a mistake that cannot be formed on this case
            continue
        for wrong in variants:
            if any(k not in got for k in wrong):
                continue
            if not all(close(got[k], v) for k, v in wrong.items()):
                continue
            if all(close(v, reference[k]) for k, v in wrong.items()):
                continue  # the mistake makes no difference here
            return Hint(mistake.hint, mistake.code, mistake.key)
    return None


def _factor_text(r, sizes) -> str:
    if np.isclose(r, -1):
        return "has the wrong sign everywhere (it is -1 times the expected value)"
    text = f"is off by a constant factor {r:.6g}"
    for inverse, value in ((False, r), (True, 1 / r)):
        labels = [label for label, n in sizes if n > 1 and np.isclose(value, n)]
        if labels:
            which = " or ".join(labels)
            return (f"{text}, which is 1/{which}: an extra division by it?" if inverse
                    else f"{text}, which is {which}: a missing division by it?")
    if np.isclose(r, 2) or np.isclose(r, 0.5):
        return f"{text}: a factor 2 from a square's derivative (or a 1/2) missing or extra?"
    return text


def _pattern(name, got, expected, case, sizes) -> str | None:
    got = np.asarray(got, dtype=float)
    expected = np.asarray(expected, dtype=float)
    if got.shape != expected.shape:
        if got.ndim == expected.ndim and got.shape[::-1] == expected.shape and got.ndim == 2:
            return f"{name} looks transposed: its shape is {got.shape}, expected {expected.shape}"
        if got.size == expected.size:
            return (f"{name} has the right number of entries but shape {got.shape}: "
                    f"expected {expected.shape}")
        if name == "out" and "stride" in case.kwargs:
            size = ("size + 2*padding - kernel_size" if "padding" in case.kwargs
                    else "size - kernel_size")
            return (f"{name} must have shape {expected.shape}: along each spatial axis "
                    f"({size}) // stride + 1 windows fit")
        same = [k for k, v in case.args.items() if np.shape(v) == expected.shape]
        if same and name.startswith("d"):
            return f"{name} is the gradient of `{same[0]}` and has its shape, {expected.shape}"
        return None
    if not np.all(np.isfinite(got)) or expected.ndim == 0:
        return None
    scale = float(np.max(np.abs(expected), initial=0.0))
    big = np.abs(expected) > 1e-6 * max(scale, 1e-300)
    if big.any():
        ratio = got[big] / expected[big]
        r = float(np.median(ratio))
        rest_zero = np.allclose(got[~big], 0, atol=1e-9 * scale + 1e-12)
        if np.allclose(ratio, r, rtol=1e-5) and rest_zero and not np.isclose(r, 1):
            return f"{name} " + _factor_text(r, sizes)
    wrong = ~np.isclose(got, expected, rtol=1e-6, atol=1e-9 * max(scale, 1.0))
    if expected.ndim == 4 and wrong.any() and not wrong.all():
        b = max(case.kwargs.get("padding", 0), case.kwargs.get("kernel_size", 0) - 1, 1)
        h, w = expected.shape[2:]
        inner = np.zeros((h, w), bool)
        inner[b:h - b, b:w - b] = True
        if inner.any() and not wrong[..., inner].any():
            return (f"{name} is right in the interior and wrong only within {b} pixel(s) of "
                    f"the border")
    if expected.ndim >= 1 and wrong.any():
        frac = wrong.mean()
        if frac < 0.5:
            return f"{name} is wrong in only {wrong.sum()} of {wrong.size} entries"
    return None


def pattern_hints(spec, case, outcome, reference) -> list:
    """Hints from the error's shape when no known mistake matches."""
    if outcome.kind == "raised":
        msg = f"{type(outcome.exception).__name__}: {outcome.exception}"
        for advice in RAISED.get(spec.name, []):
            if re.search(advice.pattern, msg):
                return [Hint(advice.hint, advice.code)]
        if isinstance(outcome.exception, NameError):
            return [Hint("a name your function uses is not defined: was the cell that defines "
                         "it run (numpy is imported as np at the top of the section)?")]
        return []
    if outcome.kind == "timeout":
        return [Hint("a Python loop over every entry is slow: loop only over the window "
                     "positions or the kernel offsets and let numpy handle whole axes at "
                     "once (vectorise the inner loops), as the solution does")]
    hints = []
    if outcome.nonfinite:
        advice = NONFINITE.get(spec.name)
        if advice is not None:
            hints.append(Hint(advice.hint, advice.code))
        else:
            hints.append(Hint("NaN/inf appeared: a division by zero, a log of 0, or an "
                              "overflow in np.exp?"))
    sizes = spec.sizes(case)
    for name in dict.fromkeys(outcome.wrong):
        if name in outcome.got and not outcome.nonfinite and name not in outcome.dtype_only:
            h = _pattern(name, outcome.got[name], reference[name], case, sizes)
            if h:
                hints.append(Hint(h))
    return hints


def reorder_hint(outcome):
    """A hint for an output returned in another output's place, when only some moved."""
    if not outcome.reordered or any("wrong order" in line for line in outcome.lines):
        return None
    said = "; ".join(f"what you return as {a} is the expected {b}"
                     for a, b in outcome.reordered.items())
    return Hint(f"{said}: return the outputs in the order the exercise states")


def across_cases(cases, outcomes) -> Hint | None:
    """``fails every case with stride > 1 and passes every other``, when that is so."""
    failed = [c for c, o in zip(cases, outcomes) if not o.ok]
    passed = [c for c, o in zip(cases, outcomes) if o.ok]
    if not failed or not passed:
        return None
    texts = [text for tag, text in TAG_TEXT.items()
             if all(tag in c.tags for c in failed) and not any(tag in c.tags for c in passed)]
    if len(texts) == 1:
        return Hint(f"your function passes every case without {texts[0]} and fails every "
                    f"case with it: look at how it handles that")
    if texts:
        return Hint(f"your function fails exactly the cases with {' or '.join(texts)} "
                    f"(the cases it passes have none of these)")
    return None
