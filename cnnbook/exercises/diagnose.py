"""Turn a wrong answer into a hint.

First the catalogue of known mistakes (:mod:`.mistakes`): when the student's output
equals what a known mistake gives, its hint is exact. Otherwise hints from the error's
pattern: a constant factor, errors only near the border, an output transposed, NaN on
large inputs, and which kind of case fails (only the strided ones, only the padded
ones...).
"""
from __future__ import annotations

import re
import warnings

import numpy as np

from .cases import TAG_TEXT
from .mistakes import MISTAKES
from .runner import close

__all__ = ["known_mistake", "pattern_hints", "across_cases"]


def known_mistake(name, case, got: dict, reference: dict):
    """The hint of the first catalogued mistake the student's outputs reproduce, or None."""
    for mistake in MISTAKES.get(name, []):
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                wrong = mistake.compute(case, reference)
        except Exception:  # a mistake that cannot be formed on this case
            continue
        if not wrong:
            continue
        if any(k not in got for k in wrong):
            continue
        if not all(close(got[k], v) for k, v in wrong.items()):
            continue
        if all(close(v, reference[k]) for k, v in wrong.items()):
            continue  # the mistake makes no difference here
        return mistake.hint
    return None


def _factor_text(r, case) -> str:
    text = f"off by a constant factor {r:.6g}"
    sizes = {}
    for k, v in case.args.items():
        if np.ndim(v):
            sizes.setdefault(f"N = {k}.shape[0]", np.shape(v)[0])
            sizes.setdefault(f"{k}.size", np.size(v))
    if "kernel_size" in case.kwargs:
        k = case.kwargs["kernel_size"]
        sizes["kernel_size**2"] = k * k
        sizes["kernel_size"] = k
    for label, n in sizes.items():
        if n > 1 and np.isclose(r, n):
            return f"{text}, which is {label}: a missing division by it?"
        if n > 1 and np.isclose(r, 1 / n):
            return f"{text}, which is 1/({label}): an extra division by it?"
    if np.isclose(r, -1):
        return "the sign is flipped (a factor -1)"
    if np.isclose(r, 2) or np.isclose(r, 0.5):
        return f"{text}: a factor 2 from a square's derivative (or a 1/2) missing or extra?"
    return text


def _pattern(name, got, expected, case) -> str | None:
    got = np.asarray(got, dtype=float)
    expected = np.asarray(expected, dtype=float)
    if got.shape != expected.shape:
        if got.ndim == expected.ndim and got.shape[::-1] == expected.shape and got.ndim == 2:
            return f"{name} looks transposed: its shape is {got.shape}, expected {expected.shape}"
        if got.size == expected.size:
            return (f"{name} has the right number of entries but shape {got.shape}: "
                    f"expected {expected.shape}")
        if name == "out" and "stride" in case.kwargs:
            return (f"{name} must have shape {expected.shape}: along each spatial axis "
                    f"(size + 2*padding - kernel_size) // stride + 1 windows fit")
        same = [k for k, v in case.args.items() if np.shape(v) == expected.shape]
        if same:
            return f"{name} must have the shape of `{same[0]}`, {expected.shape}"
        return None
    if not np.all(np.isfinite(got)) or expected.ndim == 0:
        return None
    scale = float(np.max(np.abs(expected), initial=0.0))
    big = np.abs(expected) > 1e-6 * max(scale, 1e-300)
    if big.any():
        ratio = got[big] / expected[big]
        r = float(np.median(ratio))
        rest_zero = np.allclose(got[~big], 0, atol=1e-9 * scale + 1e-12)
        if np.allclose(ratio, r, rtol=1e-5) and rest_zero:
            return f"{name} is " + _factor_text(r, case)
    wrong = ~np.isclose(got, expected, rtol=1e-6, atol=1e-9 * max(scale, 1.0))
    if expected.ndim == 4 and wrong.any() and not wrong.all():
        b = max(case.kwargs.get("padding", 0), case.kwargs.get("kernel_size", 0) - 1, 1)
        h, w = expected.shape[2:]
        inner = np.zeros((h, w), bool)
        inner[b:h - b, b:w - b] = True
        if inner.any() and not wrong[..., inner].any():
            return (f"{name} is right in the interior and wrong only within {b} pixel(s) of "
                    f"the border: padding, or a window at the edge?")
        if not wrong[..., : h // 2 + 1, : w // 2 + 1].any():
            return (f"{name} is right in the top-left part and wrong further down/right: "
                    f"positions computed with the wrong stride, or the last windows?")
    if expected.ndim >= 1 and wrong.any():
        frac = wrong.mean()
        if frac < 0.5:
            return f"{name} is wrong in only {wrong.sum()} of {wrong.size} entries"
    return None


_NONFINITE = {
    "softmax_cross_entropy": "NaN/inf on logits of +-1000: exp(1000) overflows to inf. "
                             "Subtract each row's maximum before np.exp (softmax does not "
                             "change), and take the log of the probabilities in the form "
                             "z - max - log(sum(exp(z - max)))",
    "sigmoid_backward": "NaN/inf on inputs of +-1000: np.exp(1000) overflows. Use "
                        "1 / (1 + np.exp(-x)) for x >= 0 and np.exp(x) / (1 + np.exp(x)) "
                        "for x < 0",
}

_RAISED = [
    (r"matmul|not aligned|mismatch in its core dimension",
     "a matrix product with mismatched shapes: print the shapes in the failing line. "
     "w has shape (out, in), so a batch x of shape (N, in) goes through x @ w.T"),
    (r"could not be broadcast|broadcast",
     "two arrays with shapes that do not broadcast: print their shapes; a per-channel "
     "vector needs reshape(1, -1, 1, 1) to act on NCHW"),
    (r"index .* out of bounds|out of range",
     "an index past the end of an array: check the output size "
     "(size + 2*padding - kernel_size) // stride + 1 and where window (i, j) starts "
     "(i*stride, j*stride)"),
    (r"only integers|slice indices must be|integer scalar arrays",
     "an index that is not an int: use // for sizes, and int(...) for label indices"),
]


def pattern_hints(spec, case, outcome, reference) -> list:
    """Hints from the error's shape when no known mistake matches."""
    hints = []
    if outcome.kind == "raised":
        msg = f"{type(outcome.exception).__name__}: {outcome.exception}"
        for pattern, hint in _RAISED:
            if re.search(pattern, msg):
                hints.append(hint)
                break
        return hints
    if outcome.nonfinite:
        hints.append(_NONFINITE.get(spec.name, "NaN/inf appeared: a division by zero, a "
                                                "log of 0, or an overflow in np.exp?")
                     if "large" in case.tags or spec.name not in _NONFINITE
                     else _NONFINITE[spec.name])
    for name in dict.fromkeys(outcome.wrong):
        if name in outcome.got and not outcome.nonfinite:
            h = _pattern(name, outcome.got[name], reference[name], case)
            if h:
                hints.append(h)
    return hints


def across_cases(cases, outcomes) -> str | None:
    """``fails every case with stride > 1 and passes every other``, when that is so."""
    failed = [c for c, o in zip(cases, outcomes) if not o.ok]
    passed = [c for c, o in zip(cases, outcomes) if o.ok]
    if not failed or not passed:
        return None
    texts = [text for tag, text in TAG_TEXT.items()
             if all(tag in c.tags for c in failed) and not any(tag in c.tags for c in passed)]
    if len(texts) == 1:
        return (f"your function passes every case without {texts[0]} and fails every case "
                f"with it: look at how it handles that")
    if texts:
        return (f"your function fails exactly the cases with {' or '.join(texts)} "
                f"(the cases it passes have none of these)")
    return None
