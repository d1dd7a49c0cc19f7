r"""Numerical gradient checking by central differences.

For a function :math:`f` with upstream gradient :math:`\delta` the check compares the
analytic :math:`\partial L/\partial x` with

.. math::

    \frac{\partial L}{\partial x_i} \approx
    \sum_j \delta_j \, \frac{f_j(x + h e_i) - f_j(x - h e_i)}{2h},
    \qquad L = \sum_j \delta_j f_j(x).

The outputs are differenced element by element *before* they are weighted by
:math:`\delta` (as CS231n's ``eval_numerical_gradient_array`` does): outputs that do not
depend on :math:`x_i` then cancel exactly, and the rounding error stays near
:math:`\varepsilon_{\text{mach}} / h` relative to the gradient, about 1e-11 in float64.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field

import numpy as np

from ._checks import check_callable, check_float, check_rng
from .base import Layer
from .functional import BACKWARD


def numerical_gradient(f, x: np.ndarray, dout: np.ndarray | None = None,
                       h: float = 1e-5) -> np.ndarray:
    r"""Central-difference gradient of ``f`` with respect to the array ``x``.

    Parameters
    ----------
    f : callable
        Called as ``f(x)`` with no arguments changed but ``x``, which is perturbed
        *in place* one entry at a time (and restored). Returns a scalar, or an array
        when ``dout`` is given.
    x : ndarray, any shape
        The point at which to differentiate; must be floating point (use float64).
    dout : ndarray, shape of ``f(x)``, optional
        Upstream gradient :math:`\delta`. If given, the result is the gradient of
        :math:`\sum_j \delta_j f_j(x)`; if omitted, ``f`` must return a scalar.
    h : float
        Step size.

    Returns
    -------
    grad : ndarray, shape of ``x``
    """
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise TypeError(
            "numerical_gradient: expected x to be a floating-point numpy array, got "
            f"{type(x).__name__}" + (f" of dtype {x.dtype}" if isinstance(x, np.ndarray) else "")
        )
    h = check_float(h, "h", "numerical_gradient", minimum=0.0, min_open=True)
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    for _ in it:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + h
        pos = np.array(f(x), dtype=np.float64, copy=True)
        x[ix] = old - h
        neg = np.array(f(x), dtype=np.float64, copy=True)
        x[ix] = old
        if dout is None:
            if pos.size != 1:
                raise ValueError(
                    "numerical_gradient: f returned an array of shape "
                    f"{pos.shape}; expected a scalar, or pass dout"
                )
            grad[ix] = (pos.item() - neg.item()) / (2 * h)
        else:
            grad[ix] = np.sum((pos - neg) * dout) / (2 * h)
    return grad


def rel_error(a, b, floor: float | None = None) -> float:
    r"""Largest element-wise relative error between two gradients.

    .. math::

        \max_i \frac{|a_i - b_i|}{\max\big(|a_i| + |b_i|,\ \phi\big)},
        \qquad \phi = 10^{-3} \max_j \big(|a_j| + |b_j|\big) \text{ by default.}

    A central difference has an absolute error of about
    :math:`\varepsilon_{\text{mach}} |f| / h` whatever the size of the entry, so an entry a
    million times smaller than the rest would show a large *relative* error even when the
    backward pass is right. The floor :math:`\phi` compares entries below a thousandth of
    the largest on that thousandth instead. Pass ``floor=`` a number for a fixed floor
    (CS231n's ``rel_error`` uses ``1e-8``).

    In float64 a correct backward pass gives about 1e-9 or less; a wrong one 1e-2 or more.
    """
    if floor is not None:
        floor = check_float(floor, "floor", "rel_error", minimum=0.0, min_open=True)
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"rel_error: expected arrays of one shape, got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(_rel(a, b, floor)))


def _rel(a: np.ndarray, b: np.ndarray, floor: float | None) -> np.ndarray:
    scale = np.abs(a) + np.abs(b)
    if floor is None:
        floor = max(1e-3 * float(scale.max()), 1e-300)
    return np.abs(a - b) / np.maximum(scale, floor)


@dataclass
class GradCheckResult:
    """Outcome of :func:`check_layer`: one row per checked input or parameter."""

    name: str
    rows: list = field(default_factory=list)  # (what, max_rel_error, index, analytic, numeric)
    # the whole gradients compared, by input or parameter name (float64 arrays)
    analytic: dict = field(default_factory=dict, repr=False)
    numeric: dict = field(default_factory=dict, repr=False)

    @property
    def max_error(self) -> float:
        return max((r[1] for r in self.rows), default=0.0)

    def errors(self) -> dict[str, float]:
        """``{input or parameter name: worst relative error}``."""
        return {r[0]: r[1] for r in self.rows}

    def __str__(self) -> str:
        lines = [f"gradient check of {self.name}",
                 f"{'wrt':<10}{'max rel. error':>16}  {'at index':<16}{'analytic':>12}{'numeric':>14}"]
        for what, err, index, ana, num in self.rows:
            lines.append(f"{what:<10}{err:>16.2e}  {str(index):<16}{ana:>12.6g}{num:>14.6g}")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_pretty_(self, p, cycle):  # IPython shows the table, not the dataclass
        p.text(str(self))


def _add_row(result: GradCheckResult, what: str, analytic, numeric, floor) -> None:
    analytic = np.asarray(analytic, dtype=np.float64)
    numeric = np.asarray(numeric, dtype=np.float64)
    if analytic.shape != numeric.shape:
        raise ValueError(
            f"check_layer: gradient for {what} has shape {analytic.shape}, expected "
            f"{numeric.shape} (the shape of {what})"
        )
    result.analytic[what], result.numeric[what] = analytic, numeric
    if analytic.size == 0:
        result.rows.append((what, 0.0, (), 0.0, 0.0))
        return
    err = _rel(analytic, numeric, floor)
    index = np.unravel_index(int(np.argmax(err)), err.shape)
    index = tuple(int(i) for i in index)
    result.rows.append((what, float(err[index]), index,
                        float(analytic[index]), float(numeric[index])))


def check_layer(layer_or_kernel, x: np.ndarray, *args, rng: np.random.Generator | None = None,
                dout: np.ndarray | None = None, h: float = 1e-5, floor: float | None = None,
                backward=None, **kwargs) -> GradCheckResult:
    r"""Compare a layer's or kernel's backward pass with central differences.

    Parameters
    ----------
    layer_or_kernel : Layer or callable
        A :class:`cnnbook.base.Layer` (the check covers ``x`` and every entry of
        ``params``), or a forward kernel such as ``conv2d_forward``. For a kernel, every
        positional array (``x, *args``) is differentiated and ``kwargs`` are passed through.
    x : ndarray
        Input, float64 for a meaningful check.
    *args : ndarray
        Further differentiable inputs of a kernel (``w``, ``b``, ...).
    rng : numpy.random.Generator, optional
        Draws the upstream gradient ``dout`` when it is not given (default seed 0).
    dout : ndarray, optional
        Upstream gradient, shape of the output.
    h : float
        Step of the central difference.
    floor : float, optional
        Floor of the relative error, see :func:`rel_error`.
    backward : callable, optional
        For a kernel: its backward pass, ``backward(dout, cache) -> grads``. By default
        the twin listed in :data:`cnnbook.functional.BACKWARD`; a kernel of your own
        needs it (``check_layer(my_forward, x, backward=my_backward)``).

    Returns
    -------
    GradCheckResult
        Printable table with the worst relative error per input and parameter, the
        index where it occurred and the two values there; ``.max_error`` is the worst.

    Examples
    --------
    >>> from cnnbook.functional import conv2d_forward
    >>> rng = np.random.default_rng(0)
    >>> x, w, b = rng.normal(size=(2, 3, 5, 5)), rng.normal(size=(4, 3, 3, 3)), rng.normal(size=4)
    >>> check_layer(conv2d_forward, x, w, b, stride=2).max_error < 1e-7
    True
    """
    where = "check_layer"
    rng = np.random.default_rng(0) if rng is None else check_rng(rng, where)
    h = check_float(h, "h", where, minimum=0.0, min_open=True)
    if floor is not None:
        floor = check_float(floor, "floor", where, minimum=0.0, min_open=True)
    if isinstance(layer_or_kernel, Layer):
        layer = layer_or_kernel
        out = layer.forward(x)
        if dout is None:
            dout = rng.normal(size=out.shape)
        dx = layer.backward(dout)
        grads = {k: np.array(v, copy=True) for k, v in layer.grads.items()}
        result = GradCheckResult(repr(layer))
        _add_row(result, "x", dx, numerical_gradient(layer.forward, x, dout, h), floor)
        for key, p in layer.params.items():
            num = numerical_gradient(lambda _p: layer.forward(x), p, dout, h)
            _add_row(result, key, grads[key], num, floor)
        return result

    forward = layer_or_kernel
    if not callable(forward):
        raise TypeError(
            f"{where}: expected a Layer or a forward kernel, got {type(forward).__name__}"
        )
    name = forward.__name__
    if backward is None:
        backward = BACKWARD.get(forward)
        if backward is None:
            raise ValueError(
                f"{where}: expected backward= for {name!r}, a kernel not listed in "
                "cnnbook.functional.BACKWARD (pass its backward pass: "
                f"check_layer({name}, x, ..., backward=...))"
            )
    check_callable(backward, "backward", where)
    inputs = (x,) + tuple(args)
    out, cache = forward(*inputs, **kwargs)
    if dout is None:
        dout = rng.normal(size=out.shape)
    grads = backward(dout, cache)
    if not isinstance(grads, tuple):
        grads = (grads,)
    grads = tuple(np.array(g, copy=True) for g in grads)
    arg_names = list(inspect.signature(forward).parameters)[:len(inputs)]
    result = GradCheckResult(name)
    for k, (arg_name, arr) in enumerate(zip(arg_names, inputs)):
        def f(_a, k=k):
            return forward(*inputs, **kwargs)[0]
        _add_row(result, arg_name, grads[k], numerical_gradient(f, arr, dout, h), floor)
    return result
