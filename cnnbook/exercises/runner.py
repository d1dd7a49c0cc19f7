"""Run a student's function on one case and say what is wrong with its answer.

Nothing the student's function does escapes from here: an exception, a missing return,
a tuple of the wrong length, a wrong shape or dtype, NaN, a changed input are all
turned into an :class:`Outcome` with readable lines.
"""
from __future__ import annotations

import numbers
import traceback
import warnings
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Outcome", "run_case", "close", "RTOL"]

RTOL = 1e-6  # relative tolerance; float64 answers agree to ~1e-12


@dataclass
class Outcome:
    """What happened on one case."""
    ok: bool
    kind: str = "ok"        # ok, not-written, raised, structure, output
    lines: list = field(default_factory=list)   # what is wrong, for the report
    got: dict = field(default_factory=dict)     # student's outputs as arrays/floats
    wrong: list = field(default_factory=list)   # outputs with wrong values or shapes
    nonfinite: bool = False
    mutated: list = field(default_factory=list)
    exception: BaseException | None = None


def close(got, expected) -> bool:
    """Same shape and equal within the tolerance (NaN never equal)."""
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    if got.shape != expected.shape:
        return False
    scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    return bool(np.allclose(got, expected, rtol=RTOL, atol=1e-9 * scale))


def _fmt(v) -> str:
    return f"{float(v):.6g}"


def _where_raised(exc, fn) -> str:
    """`line 4: out = x @ w` for the deepest frame inside the student's function."""
    code = getattr(fn, "__code__", None)
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in frames if code is not None and f.filename == code.co_filename]
    if not mine:
        return ""
    f = mine[-1]
    return f" at line {f.lineno}: {f.line}" if f.line else f" at line {f.lineno}"


def _as_output(name, value, expected, is_scalar, out: Outcome):
    """Check one returned value; return it as float/ndarray, or None when unusable."""
    if value is None:
        out.lines.append(f"{name} is None (a missing `return`, or an in-place method's "
                         f"result such as list.append?)")
        return None
    if is_scalar:
        if isinstance(value, (bool, np.bool_)) or np.ndim(value) != 0:
            shape = np.shape(value)
            out.lines.append(f"{name} must be a single number, got {type(value).__name__}"
                             f" of shape {shape}: reduce it to one number, e.g. "
                             f"float(np.mean(...))")
            return None
        try:
            number = float(value)
        except (TypeError, ValueError):
            out.lines.append(f"{name} must be a number, got {type(value).__name__}")
            return None
        if not isinstance(value, (numbers.Real, np.ndarray, np.generic)):
            out.lines.append(f"{name} must be a number, got {type(value).__name__}")
            return None
        return number
    if not isinstance(value, np.ndarray):
        out.lines.append(f"{name} must be a numpy array of shape {np.shape(expected)}, "
                         f"got {type(value).__name__}")
        return None
    if value.dtype.kind not in "fiub":
        out.lines.append(f"{name} has dtype {value.dtype}; expected float64")
        return None
    if value.dtype.kind in "iub":
        out.lines.append(f"{name} has dtype {value.dtype}, an integer type: a gradient of "
                         f"float64 inputs is float64 (np.zeros_like of an int array is int; "
                         f"use np.zeros(shape) or np.zeros_like(x, dtype=float))")
        out.wrong.append(name)
        return value.astype(float)
    return value


def _compare(name, got, expected, out: Outcome):
    """Append what is wrong with ``got`` (shape, NaN, values) to ``out``."""
    expected = np.asarray(expected, dtype=float)
    got_arr = np.asarray(got, dtype=float)
    if got_arr.shape != expected.shape:
        out.lines.append(f"{name} has shape {got_arr.shape}, expected {expected.shape}")
        out.wrong.append(name)
        return
    if not np.all(np.isfinite(got_arr)):
        bad = ~np.isfinite(got_arr)
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        at = f", the first at index {idx}" if idx else ""
        out.lines.append(f"{name} holds {int(bad.sum())} NaN/inf value(s){at}: "
                         f"expected {_fmt(expected[idx])}, got {got_arr[idx]}")
        out.nonfinite = True
        out.wrong.append(name)
        return
    if close(got_arr, expected):
        return
    err = np.abs(got_arr - expected)
    scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    nwrong = int(np.sum(err > RTOL * np.abs(expected) + 1e-9 * scale))
    if expected.ndim == 0:
        out.lines.append(f"{name} is wrong: expected {_fmt(expected)}, got {_fmt(got_arr)}")
    else:
        idx = np.unravel_index(int(np.argmax(err)), err.shape)
        idx = tuple(int(i) for i in idx)
        out.lines.append(f"{name} is wrong in {nwrong} of {err.size} entries; the worst at "
                         f"index {idx}: expected {_fmt(expected[idx])}, "
                         f"got {_fmt(got_arr[idx])}")
    out.wrong.append(name)


def run_case(spec, case, fn, reference: dict) -> Outcome:
    """Call ``fn`` on a copy of the case's inputs and compare with ``reference``."""
    inputs = {k: np.array(v, copy=True) for k, v in case.args.items()}
    out = Outcome(ok=False)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            result = fn(*inputs.values(), **dict(case.kwargs))
        except NotImplementedError as exc:
            out.kind, out.exception = "not-written", exc
            return out
        except Exception as exc:  # the student's bug is reported, never raised
            out.kind, out.exception = "raised", exc
            msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            out.lines.append(f"your function raised {type(exc).__name__}"
                             f"{_where_raised(exc, fn)}" + (f"\n      {msg}" if msg else ""))
            return out
        out.mutated = [k for k, v in inputs.items()
                       if v.shape != case.args[k].shape
                       or not np.array_equal(v, case.args[k], equal_nan=True)]
        for k in out.mutated:
            out.lines.append(f"your function changed its input `{k}` in place (e.g. "
                             f"`dx = {k}` then `dx[...] = ...`, or `{k} *= ...`); the caller "
                             f"still needs it: work on a copy, `{k}.copy()`, or build a "
                             f"new array")
        names = spec.outputs
        if len(names) > 1:
            if not isinstance(result, (tuple, list)):
                out.kind = "structure"
                out.lines.append(f"returned {type(result).__name__}; expected a tuple of "
                                 f"{len(names)}: ({', '.join(names)})")
                return out
            if len(result) != len(names):
                out.kind = "structure"
                out.lines.append(f"returned a tuple of {len(result)}; expected "
                                 f"{len(names)}: ({', '.join(names)})")
                return out
            values = dict(zip(names, result))
        else:
            if isinstance(result, tuple):
                out.kind = "structure"
                out.lines.append(f"returned a tuple of {len(result)}; expected the array "
                                 f"{names[0]} alone")
                return out
            values = {names[0]: result}
        out.kind = "output"
        for name, value in values.items():
            got = _as_output(name, value, reference[name], name in spec.scalars, out)
            if got is None:
                out.wrong.append(name)
                continue
            out.got[name] = got
            _compare(name, got, reference[name], out)
    out.ok = not out.lines
    return out
