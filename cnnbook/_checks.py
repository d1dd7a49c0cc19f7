"""Input validation shared by every kernel and layer.

Every check raises a ``TypeError`` or ``ValueError`` whose message starts with the
function or layer that was called (``where``), then says what was expected and what
was received. Kernels call these first, so a bad shape never reaches a numpy
broadcast deep inside a loop.
"""
from __future__ import annotations

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


def check_int(value, name: str, where: str, minimum: int) -> int:
    """Return ``value`` as an int after checking it is an integer ``>= minimum``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{where}: expected {name} to be an int, got {value!r}")
    if value < minimum:
        raise ValueError(f"{where}: expected {name} >= {minimum}, got {value}")
    return int(value)


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
    v = check_int(value, name, where, minimum)
    return (v, v)


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
