"""Input validation shared by every kernel, layer, optimizer, loss and data function.

One rule across the package:

* wrong *type* -> ``TypeError``; right type, wrong *value* -> ``ValueError``;
* no silent coercion: ``bool`` is not an int, ``2.0`` is not an int (numpy integers are);
  a float argument takes any real number except ``bool``;
* assigning to a read-only attribute raises ``AttributeError`` (see :mod:`cnnbook.base`).

Every message starts with the function or layer that was called (``where``), then names the
argument, what was expected and what was received. Kernels call these first, so a bad
shape never reaches a numpy broadcast deep inside a loop.
"""
from __future__ import annotations

import math
import numbers

import numpy as np


def as_float_array(x, name: str, where: str) -> np.ndarray:
    """Return ``x`` as a floating-point ndarray (float32/float64 kept, others -> float64)."""
    if not isinstance(x, np.ndarray):
        raise TypeError(
            f"{where}: expected {name} to be a numpy.ndarray, got {type(x).__name__}"
        )
    if x.dtype == np.float32 or x.dtype == np.float64:
        return x
    if np.issubdtype(x.dtype, np.number) or x.dtype == np.bool_:
        if np.iscomplexobj(x):
            raise TypeError(f"{where}: expected {name} to be real, got dtype {x.dtype}")
        return x.astype(np.float64)
    raise TypeError(f"{where}: expected {name} to hold numbers, got dtype {x.dtype}")


def check_ndim(x: np.ndarray, ndim: int, name: str, where: str, layout: str = "") -> None:
    """Raise ``ValueError`` unless ``x.ndim == ndim``."""
    if x.ndim != ndim:
        lay = f" {layout}" if layout else ""
        raise ValueError(
            f"{where}: expected {name} with {ndim} dimensions{lay}, "
            f"got shape {tuple(x.shape)} ({x.ndim} dimensions)"
        )


def check_shape(x: np.ndarray, expected: tuple, name: str, where: str) -> None:
    """Raise ``ValueError`` unless ``x.shape == expected``."""
    if tuple(x.shape) != tuple(expected):
        raise ValueError(
            f"{where}: expected {name} of shape {tuple(expected)}, got {tuple(x.shape)}"
        )


def _got(value) -> str:
    """``2.7 (float)``: the received value and its type, for error messages."""
    return f"{value!r} ({type(value).__name__})"


def is_int(value) -> bool:
    """True for Python and numpy integers, False for ``bool`` and everything else."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def check_int(value, name: str, where: str, minimum: int | None = None) -> int:
    """Return ``value`` as an int after checking it is an integer ``>= minimum``."""
    if not is_int(value):
        raise TypeError(f"{where}: expected {name} to be an int, got {_got(value)}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{where}: expected {name} >= {minimum}, got {value}")
    return int(value)


def check_float(value, name: str, where: str, *, minimum: float = -math.inf,
                maximum: float = math.inf, min_open: bool = False,
                max_open: bool = False) -> float:
    """Return ``value`` as a float after checking it is a finite real number in range.

    The range is ``[minimum, maximum]``, open at an end with ``min_open``/``max_open``
    (always open at an infinite end). ``bool`` and strings are a ``TypeError``; NaN,
    infinity or a value out of range a ``ValueError`` that quotes the interval:
    ``"SGD: expected lr in (0, inf), got -0.1"``.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where}: expected {name} to be a real number, got {_got(value)}")
    value = float(value)
    ok_low = value > minimum if min_open else value >= minimum
    ok_high = value < maximum if max_open else value <= maximum
    if not (math.isfinite(value) and ok_low and ok_high):
        lo = "(" if min_open or minimum == -math.inf else "["
        hi = ")" if max_open or maximum == math.inf else "]"
        raise ValueError(
            f"{where}: expected {name} in {lo}{minimum:g}, {maximum:g}{hi}, got {value!r}")
    return value


def check_bool(value, name: str, where: str) -> bool:
    """Return ``value`` as a bool after checking it is one (``0``/``1`` are not)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{where}: expected {name} to be a bool, got {_got(value)}")
    return bool(value)


def check_choice(value, name: str, where: str, choices) -> str:
    """Return ``value`` after checking it is one of the strings ``choices``."""
    options = " or ".join(repr(c) for c in choices)
    if not isinstance(value, str):
        raise TypeError(f"{where}: expected {name} to be {options}, got {_got(value)}")
    if value not in choices:
        raise ValueError(f"{where}: expected {name} to be {options}, got {value!r}")
    return value


def check_rng(rng, where: str, *, allow_none: bool = False) -> np.random.Generator:
    """Return ``rng`` after checking it is a ``numpy.random.Generator``.

    With ``allow_none``, ``None`` gives a fresh ``np.random.default_rng()`` (not reproducible).
    """
    if rng is None and allow_none:
        return np.random.default_rng()
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"{where}: expected rng to be a numpy.random.Generator "
            f"(e.g. np.random.default_rng(0)), got {_got(rng)}"
        )
    return rng


def check_float_dtype(dtype, name: str, where: str) -> np.dtype:
    """Return ``np.dtype(dtype)`` after checking it is float32 or float64."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(
            f"{where}: expected {name} to be a numpy dtype (float32 or float64), "
            f"got {_got(dtype)}") from None
    if dt not in (np.float32, np.float64):
        raise ValueError(f"{where}: expected {name} to be float32 or float64, got {dt}")
    return dt


def check_callable(value, name: str, where: str):
    """Return ``value`` after checking it can be called."""
    if not callable(value):
        raise TypeError(f"{where}: expected {name} to be callable, got {_got(value)}")
    return value


def pair(value, name: str, where: str, minimum: int) -> tuple[int, int]:
    """Turn an int or an ``(h, w)`` pair into a checked ``(int, int)`` tuple.

    ``minimum`` is 1 for ``kernel_size``, ``stride`` and ``dilation`` and 0 for ``padding``.
    """
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(
                f"{where}: expected {name} to be an int or an (h, w) pair, got {value!r}"
            )
        return (check_int(value[0], name, where, minimum),
                check_int(value[1], name, where, minimum))
    if not is_int(value):
        raise TypeError(
            f"{where}: expected {name} to be an int or an (h, w) pair of ints, got {_got(value)}")
    v = check_int(value, name, where, minimum)
    return (v, v)


def check_kernel_fits(size_hw, kernel, padding, where: str, dilation=(1, 1)) -> None:
    """Raise ``ValueError`` where a (dilated) kernel spans more than the padded input.

    ``size_hw``, ``kernel``, ``padding`` and ``dilation`` are ``(height, width)`` pairs; the
    span of a kernel of ``k`` taps is ``dilation * (k - 1) + 1``.
    """
    for axis, size, k, p, d in zip(("height", "width"), size_hw, kernel, padding, dilation):
        span = d * (k - 1) + 1
        if span > size + 2 * p:
            spread = f" (dilation {d}, span {span})" if d != 1 else ""
            raise ValueError(f"{where}: kernel {axis} {k}{spread} is larger than the padded "
                             f"input {axis} {size} + 2*{p} = {size + 2 * p}")


def check_finite_prob(p: np.ndarray, name: str, where: str) -> None:
    """Raise ``ValueError`` unless every entry of ``p`` lies in [0, 1]."""
    if p.size and (np.nanmin(p) < 0 or np.nanmax(p) > 1 or np.isnan(p).any()):
        lo, hi = float(np.nanmin(p)), float(np.nanmax(p))
        raise ValueError(
            f"{where}: expected {name} to lie in [0, 1], got values in [{lo:g}, {hi:g}]"
            + (" and NaN" if np.isnan(p).any() else "")
        )


def check_dout(dout, expected_shape: tuple, where: str) -> np.ndarray:
    """Validate an upstream gradient: a float array with the forward output's shape."""
    dout = as_float_array(dout, "dout", where)
    check_shape(dout, expected_shape, "dout", where)
    return dout


def check_xy(x, y, where: str, xname: str = "x", yname: str = "y", *,
             min_samples: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Validate a data set: two arrays with a leading sample axis of the same length."""
    for name, a in ((xname, x), (yname, y)):
        if not isinstance(a, np.ndarray):
            raise TypeError(f"{where}: expected {name} to be a numpy.ndarray, got {type(a).__name__}")
        if a.ndim == 0:
            raise ValueError(f"{where}: expected {name} with a leading sample axis, got a scalar")
    if len(x) != len(y):
        raise ValueError(
            f"{where}: expected {xname} and {yname} with the same number of samples, "
            f"got len({xname})={len(x)} and len({yname})={len(y)}"
        )
    if len(x) < min_samples:
        raise ValueError(
            f"{where}: expected at least {min_samples} sample(s), got len({xname})={len(x)}")
    return x, y
