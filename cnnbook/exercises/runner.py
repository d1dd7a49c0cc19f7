"""Run a student's function on one case and say what is wrong with its answer.

Nothing the student's function does escapes from here: an exception, a missing return,
a tuple of the wrong length or order, a wrong shape or dtype, NaN, a changed input, a
call that takes too long are all turned into an :class:`Outcome` with readable lines.
Before any case runs, :func:`signature_problem` compares the function's parameters with
the way the check calls it.

The function runs in a daemon thread that the check stops waiting for after
:data:`TIME_LIMIT` seconds (Python cannot stop a thread: a function that was too slow goes
on running in the background until it ends, then its result is dropped).
"""
from __future__ import annotations

import inspect
import itertools
import numbers
import threading
import traceback
import warnings
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Outcome", "run_case", "signature_problem", "close", "RTOL", "TIME_LIMIT", "DTYPE"]

RTOL = 1e-6        # relative tolerance; float64 answers agree to ~1e-12
TIME_LIMIT = 5.0   # seconds per case; the correct loop solutions take milliseconds
DTYPE = np.dtype(np.float64)   # every case's inputs; outputs keep the inputs' dtype


@dataclass
class Outcome:
    """What happened on one case."""
    ok: bool
    kind: str = "ok"        # ok, not-written, raised, timeout, structure, order, output
    lines: list = field(default_factory=list)   # what is wrong, for the report
    got: dict = field(default_factory=dict)     # student's outputs as arrays/floats
    wrong: list = field(default_factory=list)   # outputs with wrong values, shapes or dtypes
    nonfinite: bool = False
    mutated: list = field(default_factory=list)
    exception: BaseException | None = None
    reordered: dict = field(default_factory=dict)  # returned as -> is in fact (output names)
    dtype_only: list = field(default_factory=list)  # outputs right but for their dtype


def close(got, expected, rtol=RTOL) -> bool:
    """Same shape and equal within the tolerance (NaN never equal)."""
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return False
    expected = np.asarray(expected, dtype=float)
    if got.shape != expected.shape:
        return False
    scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    return bool(np.allclose(got, expected, rtol=rtol, atol=1e-9 * scale))


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


def signature_problem(spec, fn) -> str | None:
    """What keeps ``fn``'s parameters from taking the check's call, or None."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):  # a builtin without a signature: just call it
        return None
    case = spec.cases()[0]
    npos, keywords = len(case.args), list(case.kwargs)
    params = list(sig.parameters.values())
    kinds = inspect.Parameter
    has_var_kw = any(p.kind is kinds.VAR_KEYWORD for p in params)
    has_var_pos = any(p.kind is kinds.VAR_POSITIONAL for p in params)
    named = {p.name for p in params if p.kind in (kinds.POSITIONAL_OR_KEYWORD, kinds.KEYWORD_ONLY)}
    missing_kw = [k for k in keywords if k not in named and not has_var_kw]
    if missing_kw:
        which = " and ".join(f"`{k}`" for k in missing_kw)
        s = "s" if len(missing_kw) > 1 else ""
        return f"must accept the keyword{s} {which}: the check passes {', '.join(f'{k}=...' for k in keywords)}"
    positional = [p for p in params if p.kind in (kinds.POSITIONAL_ONLY, kinds.POSITIONAL_OR_KEYWORD)
                  and p.name not in keywords]
    if len(positional) < npos and not has_var_pos:
        return (f"takes {len(positional)} positional argument(s); the check passes {npos}: "
                f"{', '.join(case.args)}")
    try:
        sig.bind(*case.args.values(), **case.kwargs)
    except TypeError as exc:
        return f"cannot be called as the check calls it ({exc})"
    return None


def _dtype_of(value):
    return value.dtype if isinstance(value, (np.ndarray, np.generic)) else None


def _as_output(name, value, expected, is_scalar, out: Outcome):
    """Check one returned value; return it as float/ndarray, or None when unusable."""
    if value is None:
        out.lines.append(f"{name} is None (a missing `return`, or an in-place method's "
                         f"result such as list.append?)")
        return None
    dtype = _dtype_of(value)
    if dtype is not None and dtype.kind == "f" and dtype != DTYPE:
        out.lines.append(f"{name} has dtype {dtype}; the inputs are {DTYPE}, and every "
                         f"output keeps the inputs' dtype (np.zeros(shape) and "
                         f"np.zeros_like(x) give {DTYPE}; look for an astype or a "
                         f"dtype= argument)")
        out.wrong.append(name)
    if is_scalar:
        if isinstance(value, (bool, np.bool_)) or np.ndim(value) != 0:
            shape = np.shape(value)
            out.lines.append(f"{name} must be a single number, got {type(value).__name__}"
                             f" of shape {shape}: reduce it to one number (a mean or a sum)")
            return None
        if not isinstance(value, (numbers.Real, np.ndarray, np.generic)):
            out.lines.append(f"{name} must be a number, got {type(value).__name__}")
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            out.lines.append(f"{name} must be a number, got {type(value).__name__}")
            return None
    if not isinstance(value, np.ndarray):
        out.lines.append(f"{name} must be a numpy array of shape {np.shape(expected)}, "
                         f"got {type(value).__name__}")
        return None
    if value.dtype.kind not in "fiub":
        out.lines.append(f"{name} has dtype {value.dtype}; expected {DTYPE}")
        return None
    if value.dtype.kind in "iub":
        out.lines.append(f"{name} has dtype {value.dtype}, an integer type: a gradient of "
                         f"{DTYPE} inputs is {DTYPE} (np.zeros_like of an int array is int; "
                         f"use np.zeros(shape) or np.zeros_like(x, dtype=float))")
        out.wrong.append(name)
        return value.astype(float)
    return value


def _compare(name, got, expected, out: Outcome):
    """Append what is wrong with ``got`` (shape, NaN, values) to ``out``."""
    expected = np.asarray(expected, dtype=float)
    dtype = _dtype_of(got)
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
    wrong_dtype = dtype is not None and dtype.kind == "f" and dtype != DTYPE
    if wrong_dtype and close(got_arr, expected, rtol=max(RTOL, 50 * float(np.finfo(dtype).eps))):
        out.lines.append(f"{name}'s values are right to {dtype} precision: only the dtype "
                         f"is wrong")
        out.dtype_only.append(name)
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


def _reordered(values, reference, names) -> dict:
    """``{position's name: name of the output it holds}`` for outputs returned in another
    output's place: a full permutation when one fits, else each misplaced output."""
    def holds(v, k):
        try:
            return np.shape(v) == np.shape(reference[k]) and close(v, reference[k])
        except Exception:  # noqa: BLE001 - whatever the student returned
            return False
    for perm in itertools.permutations(names):
        if perm != tuple(names) and all(holds(values[i], k) for i, k in enumerate(perm)):
            return {names[i]: k for i, k in enumerate(perm) if k != names[i]}
    moved = {}
    for i, name in enumerate(names):
        if holds(values[i], name):
            continue
        others = [k for k in names if k != name and holds(values[i], k)
                  and not holds(values[names.index(k)], k)]
        if len(others) == 1:
            moved[name] = others[0]
    return moved


def _call(fn, args, kwargs, limit):
    """Run ``fn`` in a daemon thread; ``("timeout", None)`` if it is not done in ``limit`` s."""
    box = {}

    def target():
        try:
            with np.errstate(all="ignore"):   # the thread's own numpy error state
                box["result"] = fn(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - reported, never raised
            box["exception"] = exc

    thread = threading.Thread(target=target, name="cnnbook-exercise-check", daemon=True)
    thread.start()
    thread.join(limit)
    if thread.is_alive():
        return "timeout", None
    if "exception" in box:
        return "raised", box["exception"]
    return "ok", box.get("result")


def run_case(spec, case, fn, reference: dict, time_limit: float = TIME_LIMIT) -> Outcome:
    """Call ``fn`` on a copy of the case's inputs and compare with ``reference``."""
    inputs = {k: np.array(v, copy=True) for k, v in case.args.items()}
    out = Outcome(ok=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        status, result = _call(fn, list(inputs.values()), dict(case.kwargs), time_limit)
    if status == "timeout":
        out.kind = "timeout"
        out.lines.append(f"your function did not finish within {time_limit:g} s, so the check "
                         f"stopped here (it goes on running in the background until it ends)")
        return out
    if status == "raised":
        exc = result
        if isinstance(exc, NotImplementedError):
            out.kind, out.exception = "not-written", exc
            return out
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
        out.reordered = _reordered(list(result), reference, names)
    else:
        if isinstance(result, tuple):
            out.kind = "structure"
            out.lines.append(f"returned a tuple of {len(result)}; expected the array "
                             f"{names[0]} alone")
            return out
        values = {names[0]: result}
    out.kind = "output"
    if out.reordered and set(out.reordered) | set(
            k for k in names if close(values[k], reference[k])) == set(names):
        returned = ", ".join(out.reordered.get(k, k) for k in names)
        out.lines.append(f"the outputs are right but in the wrong order: you returned "
                         f"({returned}); the order is ({', '.join(names)})")
        out.kind = "order"
        out.wrong.extend(out.reordered)
        out.got = dict(values)
        return out
    for name, value in values.items():
        got = _as_output(name, value, reference[name], name in spec.scalars, out)
        if got is None:
            out.wrong.append(name)
            continue
        out.got[name] = got
        _compare(name, got, reference[name], out)
    out.ok = not out.lines
    return out
