r"""Element-wise activation functions: ReLU, leaky ReLU, sigmoid and tanh.

Each activation :math:`y = f(x)` acts on every entry on its own, so its backward pass is
an element-wise product with the local derivative:

.. math::

    \frac{\partial L}{\partial x} = \frac{\partial L}{\partial y} \odot f'(x).

Sigmoid and tanh cache their *output*, because their derivatives are cheapest written in
terms of it (:math:`\sigma' = \sigma(1-\sigma)`, :math:`\tanh' = 1-\tanh^2`); ReLU caches
its input, leaky ReLU its input and slope. Inputs of any shape; the dtype (float32 or float64) is preserved.
"""
from __future__ import annotations

import numpy as np

from ._checks import as_float_array, check_dout, check_float
from ._workspace import scratch_like, zeros_like
from .base import KernelLayer

__all__ = [
    "relu_forward", "relu_backward",
    "leaky_relu_forward", "leaky_relu_backward",
    "sigmoid_forward", "sigmoid_backward",
    "tanh_forward", "tanh_backward",
    "relu_forward_naive", "relu_backward_naive",
    "leaky_relu_forward_naive", "leaky_relu_backward_naive",
    "sigmoid_forward_naive", "sigmoid_backward_naive",
    "tanh_forward_naive", "tanh_backward_naive",
    "Elementwise", "ReLU", "LeakyReLU", "Sigmoid", "Tanh",
]


def relu_forward(x):
    r"""Rectified linear unit, :math:`\max(0, x)`.

    Parameters
    ----------
    x : ndarray, any shape

    Returns
    -------
    out : ndarray, shape of ``x``
    cache : ndarray
        ``x``, for :func:`relu_backward`.

    Notes
    -----
    .. math::

        f(x) = \max(0, x), \qquad
        f'(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}

    :math:`f` has no derivative at 0; like PyTorch we take :math:`f'(0) = 0`. Backward:
    :math:`\partial L/\partial x = \delta \odot [x > 0]`.

    Speed: the 0 is an array of zeros laid out like ``x`` (read-only, reused), because
    numpy's vectorized ``maximum`` loop takes two arrays; against the scalar 0 it is about
    twice as slow.
    """
    x = as_float_array(x, "x", "relu_forward")
    out = np.maximum(x, zeros_like(x))
    return out, x


def relu_backward(dout, cache):
    r"""Backward pass of :func:`relu_forward`.

    Parameters
    ----------
    dout : ndarray, shape of ``x``
        Upstream gradient :math:`\delta = \partial L/\partial y`.
    cache : ndarray
        From :func:`relu_forward`.

    Returns
    -------
    dx : ndarray, shape of ``x``

    Notes
    -----
    .. math::

        \frac{\partial L}{\partial x} = \delta \odot [x > 0]
        \qquad (\text{gradient 0 at } x = 0).
    """
    x = cache
    dout = check_dout(dout, x.shape, "relu_backward")
    positive = scratch_like(x, "relu_positive", bool)          # [x > 0], reused buffer
    np.greater(x, 0, out=positive)
    return np.multiply(dout, positive, dtype=x.dtype)


def leaky_relu_forward(x, *, negative_slope=0.01):
    r"""Leaky rectified linear unit: :math:`x` where :math:`x > 0`, else :math:`a x`.

    Parameters
    ----------
    x : ndarray, any shape
    negative_slope : float
        :math:`a`, the slope for :math:`x \le 0` (PyTorch's default 0.01; 0 is ReLU).

    Returns
    -------
    out : ndarray, shape of ``x``
    cache : tuple
        ``(x, negative_slope)``, for :func:`leaky_relu_backward`.

    Notes
    -----
    .. math::

        f(x) = \begin{cases} x & x > 0 \\ a x & x \le 0 \end{cases}, \qquad
        f'(x) = \begin{cases} 1 & x > 0 \\ a & x \le 0 \end{cases}

    At the kink we take :math:`f'(0) = a`, as PyTorch. Backward:
    :math:`\partial L/\partial x = \delta \odot f'(x)`.
    """
    where = "leaky_relu_forward"
    x = as_float_array(x, "x", where)
    a = check_float(negative_slope, "negative_slope", where)
    out = np.where(x > 0, x, x * a).astype(x.dtype, copy=False)
    return out, (x, a)


def leaky_relu_backward(dout, cache):
    r"""Backward pass of :func:`leaky_relu_forward`.

    Parameters
    ----------
    dout : ndarray, shape of ``x``
    cache : tuple
        From :func:`leaky_relu_forward`.

    Returns
    -------
    dx : ndarray, shape of ``x``

    Notes
    -----
    .. math::

        \frac{\partial L}{\partial x} = \delta \odot
        \begin{cases} 1 & x > 0 \\ a & x \le 0 \end{cases}
    """
    x, a = cache
    dout = check_dout(dout, x.shape, "leaky_relu_backward")
    return (dout * np.where(x > 0, 1.0, a)).astype(x.dtype, copy=False)


def sigmoid_forward(x):
    r"""Logistic sigmoid :math:`1/(1+e^{-x})`, computed without overflow.

    Parameters
    ----------
    x : ndarray, any shape

    Returns
    -------
    out : ndarray, shape of ``x``, values in [0, 1]
    cache : ndarray
        ``out``, for :func:`sigmoid_backward`.

    Notes
    -----
    .. math::

        \sigma(x) = \frac{1}{1+e^{-x}}, \qquad \sigma'(x) = \sigma(x)\,\big(1-\sigma(x)\big).

    :math:`e^{-x}` overflows for :math:`x \lesssim -710` (float64) or :math:`-89` (float32),
    so for negative :math:`x` we use the equal form :math:`e^{x}/(1+e^{x})`. Both forms
    then only ever compute :math:`e^{-|x|} \le 1`. Backward:
    :math:`\partial L/\partial x = \delta \odot \sigma (1-\sigma)`.
    """
    x = as_float_array(x, "x", "sigmoid_forward")
    e = np.exp(-np.abs(x))  # in (0, 1]: never overflows
    out = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
    return out, out


def sigmoid_backward(dout, cache):
    r"""Backward pass of :func:`sigmoid_forward`.

    Parameters
    ----------
    dout : ndarray, shape of ``x``
    cache : ndarray
        :math:`\sigma(x)`, from :func:`sigmoid_forward`.

    Returns
    -------
    dx : ndarray, shape of ``x``

    Notes
    -----
    .. math::

        \frac{\partial L}{\partial x} = \delta \odot \sigma(x)\,\big(1-\sigma(x)\big).
    """
    out = cache
    dout = check_dout(dout, out.shape, "sigmoid_backward")
    dx = dout * out * (1 - out)
    return dx.astype(out.dtype, copy=False)


def tanh_forward(x):
    r"""Hyperbolic tangent.

    Parameters
    ----------
    x : ndarray, any shape

    Returns
    -------
    out : ndarray, shape of ``x``, values in [-1, 1]
    cache : ndarray
        ``out``, for :func:`tanh_backward`.

    Notes
    -----
    .. math::

        \tanh(x) = \frac{e^{x}-e^{-x}}{e^{x}+e^{-x}}, \qquad \tanh'(x) = 1 - \tanh^2(x).

    Backward: :math:`\partial L/\partial x = \delta \odot (1-\tanh^2 x)`.
    """
    x = as_float_array(x, "x", "tanh_forward")
    out = np.tanh(x)
    return out, out


def tanh_backward(dout, cache):
    r"""Backward pass of :func:`tanh_forward`.

    Parameters
    ----------
    dout : ndarray, shape of ``x``
    cache : ndarray
        :math:`\tanh(x)`, from :func:`tanh_forward`.

    Returns
    -------
    dx : ndarray, shape of ``x``

    Notes
    -----
    .. math::

        \frac{\partial L}{\partial x} = \delta \odot \big(1 - \tanh^2(x)\big).
    """
    out = cache
    dout = check_dout(dout, out.shape, "tanh_backward")
    dx = dout * (1 - out**2)
    return dx.astype(out.dtype, copy=False)


# --------------------------------------------------------------------------------------
# Loop versions: one entry at a time, as the equations are written
# --------------------------------------------------------------------------------------

def _elementwise_naive(x, f, where):
    """Apply the scalar function ``f`` to every entry of ``x`` with an explicit loop."""
    x = as_float_array(x, "x", where)
    out = np.empty_like(x)
    for index in np.ndindex(x.shape):
        out[index] = f(x[index])
    return out


def relu_forward_naive(x):
    r"""Loop version of :func:`relu_forward`: :math:`y_i = \max(0, x_i)`, one entry at a time.

    Same inputs, outputs and cache as :func:`relu_forward`.
    """
    return _elementwise_naive(x, lambda v: v if v > 0 else 0.0, "relu_forward_naive"), x


def relu_backward_naive(dout, cache):
    r"""Loop version of :func:`relu_backward`: :math:`dx_i = \delta_i` if :math:`x_i > 0`, else 0."""
    x = cache
    dout = check_dout(dout, x.shape, "relu_backward_naive")
    dx = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        if x[index] > 0:
            dx[index] = dout[index]
    return dx


def leaky_relu_forward_naive(x, *, negative_slope=0.01):
    r"""Loop version of :func:`leaky_relu_forward`: :math:`y_i = x_i` if :math:`x_i > 0`,
    else :math:`a x_i`, one entry at a time.

    Same inputs, outputs and cache as :func:`leaky_relu_forward`.
    """
    a = check_float(negative_slope, "negative_slope", "leaky_relu_forward_naive")
    out = _elementwise_naive(x, lambda v: v if v > 0 else a * v, "leaky_relu_forward_naive")
    return out, (as_float_array(x, "x", "leaky_relu_forward_naive"), a)


def leaky_relu_backward_naive(dout, cache):
    r"""Loop version of :func:`leaky_relu_backward`: :math:`dx_i = \delta_i` if
    :math:`x_i > 0`, else :math:`a\,\delta_i`."""
    x, a = cache
    dout = check_dout(dout, x.shape, "leaky_relu_backward_naive")
    dx = np.empty_like(x)
    for index in np.ndindex(x.shape):
        dx[index] = dout[index] if x[index] > 0 else a * dout[index]
    return dx


def _sigmoid_scalar(v):
    # the two branches keep exp() from overflowing for large |v|
    if v >= 0:
        return 1.0 / (1.0 + np.exp(-v))
    e = np.exp(v)
    return e / (1.0 + e)


def sigmoid_forward_naive(x):
    r"""Loop version of :func:`sigmoid_forward`: :math:`y_i = 1/(1 + e^{-x_i})`.

    Same inputs, outputs and cache (the output) as :func:`sigmoid_forward`.
    """
    out = _elementwise_naive(x, _sigmoid_scalar, "sigmoid_forward_naive")
    return out, out


def sigmoid_backward_naive(dout, cache):
    r"""Loop version of :func:`sigmoid_backward`: :math:`dx_i = \delta_i\, y_i (1 - y_i)`."""
    out = cache
    dout = check_dout(dout, out.shape, "sigmoid_backward_naive")
    dx = np.empty_like(out)
    for index in np.ndindex(out.shape):
        dx[index] = dout[index] * out[index] * (1.0 - out[index])
    return dx


def tanh_forward_naive(x):
    r"""Loop version of :func:`tanh_forward`: :math:`y_i = \tanh x_i`.

    Same inputs, outputs and cache (the output) as :func:`tanh_forward`.
    """
    out = _elementwise_naive(x, np.tanh, "tanh_forward_naive")
    return out, out


def tanh_backward_naive(dout, cache):
    r"""Loop version of :func:`tanh_backward`: :math:`dx_i = \delta_i (1 - y_i^2)`."""
    out = cache
    dout = check_dout(dout, out.shape, "tanh_backward_naive")
    dx = np.empty_like(out)
    for index in np.ndindex(out.shape):
        dx[index] = dout[index] * (1.0 - out[index] ** 2)
    return dx


class Elementwise(KernelLayer):
    r"""An activation layer: a kernel pair applied entry by entry, with the forward
    kernel's options (see :class:`cnnbook.base.KernelLayer`); no parameters."""


ReLU = Elementwise.named("ReLU", relu_forward, relu_backward)
LeakyReLU = Elementwise.named("LeakyReLU", leaky_relu_forward, leaky_relu_backward)
Sigmoid = Elementwise.named("Sigmoid", sigmoid_forward, sigmoid_backward)
Tanh = Elementwise.named("Tanh", tanh_forward, tanh_backward)
