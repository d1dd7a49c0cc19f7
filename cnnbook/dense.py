r"""Fully connected (linear) layers and flattening.

A dense layer maps each sample's feature vector :math:`x \in \mathbb R^{D}` to
:math:`z \in \mathbb R^{M}`:

.. math::

    z_m = \sum_{r} w_{m,r}\, x_r + b_m ,

with the weight stored as ``(out_features, in_features)`` like PyTorch. This module holds
the loop version that mirrors the sum above (``linear_forward_naive``), the vectorized
version (``linear_forward``), their backward twins, ``flatten_*`` (which turns feature maps
into vectors before the first dense layer) and the layer classes :class:`Dense` and
:class:`Flatten`.

Shapes: ``N`` samples, ``D`` input features, ``M`` output features. Gradients have the
dtype of the array they are the gradient of.
"""
from __future__ import annotations

import math

import numpy as np

from ._checks import (as_float_array, check_choice, check_dout, check_float_dtype, check_int,
                      check_ndim, check_shape)
from ._blas import blas_threads_for
from .base import Layer, init_weight

__all__ = [
    "linear_forward", "linear_backward",
    "linear_forward_naive", "linear_backward_naive",
    "flatten_forward", "flatten_backward",
    "flatten_forward_naive", "flatten_backward_naive",
    "Dense", "Flatten",
]


def _check_linear_inputs(x, w, b, where: str):
    """Validate ``x (N, D)``, ``w (M, D)``, ``b (M,)``; return them as float arrays."""
    x = as_float_array(x, "x", where)
    w = as_float_array(w, "w", where)
    b = as_float_array(b, "b", where)
    check_ndim(x, 2, "x", where, "(N, in_features)")
    check_ndim(w, 2, "w", where, "(out_features, in_features)")
    if w.shape[1] != x.shape[1]:
        raise ValueError(
            f"{where}: expected w with {x.shape[1]} input features to match x "
            f"(shape (out_features, {x.shape[1]})), got shape {tuple(w.shape)}"
        )
    check_shape(b, (w.shape[0],), "b", where)
    return x, w, b


def linear_forward(x, w, b):
    r"""Fully connected layer, vectorized: ``out = x @ w.T + b``.

    Parameters
    ----------
    x : ndarray, shape (N, D)
        A batch of ``N`` feature vectors with ``D = in_features`` entries.
    w : ndarray, shape (M, D)
        Weights, ``(out_features, in_features)`` as in PyTorch.
    b : ndarray, shape (M,)
        Biases.

    Returns
    -------
    out : ndarray, shape (N, M)
    cache : tuple
        ``(x, w, b)``, for :func:`linear_backward`.

    Notes
    -----
    Forward, for sample :math:`n`:

    .. math::

        z_{n,m} = \sum_{r=0}^{D-1} w_{m,r}\, x_{n,r} + b_m
        \quad\Longleftrightarrow\quad Z = X w^\top + \mathbf 1 b^\top .

    Backward, with :math:`\delta = \partial L/\partial Z` of shape (N, M):

    .. math::

        \frac{\partial L}{\partial X} = \delta w, \qquad
        \frac{\partial L}{\partial w} = \delta^\top X, \qquad
        \frac{\partial L}{\partial b} = \sum_n \delta_{n,:} .
    """
    x, w, b = _check_linear_inputs(x, w, b, "linear_forward")
    with blas_threads_for(x.shape[0], w.shape[0], x.shape[1]):  # one thread if small
        out = x @ w.T.astype(x.dtype, copy=False)  # N,M in the input's dtype
    out += b.astype(x.dtype, copy=False)
    return out, (x, w, b)


def linear_backward(dout, cache, *, input_grad=True):
    r"""Backward pass of :func:`linear_forward`.

    Parameters
    ----------
    dout : ndarray, shape (N, M)
        Upstream gradient :math:`\partial L/\partial Z`.
    cache : tuple
        From :func:`linear_forward`.
    input_grad : bool
        ``False`` skips :math:`\partial L/\partial X` (``dx`` is then ``None``).

    Returns
    -------
    dx : ndarray, shape (N, D), or None
    dw : ndarray, shape (M, D)
    db : ndarray, shape (M,)

    Notes
    -----
    .. math::

        \frac{\partial L}{\partial X} = \delta W, \qquad
        \frac{\partial L}{\partial W} = \delta^\top X, \qquad
        \frac{\partial L}{\partial b} = \sum_n \delta_{n,:} .
    """
    x, w, b = cache
    dout = check_dout(dout, (x.shape[0], w.shape[0]), "linear_backward")
    with blas_threads_for(x.shape[0], w.shape[0], x.shape[1]):  # one thread if small
        dx = dout @ w.astype(x.dtype, copy=False) if input_grad else None  # N,D
        dw = dout.T @ x  # M,D
    db = dout.sum(axis=0)  # M
    return (None if dx is None else dx.astype(x.dtype, copy=False),
            dw.astype(w.dtype, copy=False), db.astype(b.dtype, copy=False))


def linear_forward_naive(x, w, b):
    r"""Fully connected layer with explicit loops, one line per term of the sum.

    Same inputs, outputs and cache as :func:`linear_forward`; slow, for reading.

    Parameters
    ----------
    x : ndarray, shape (N, D)
    w : ndarray, shape (M, D)
    b : ndarray, shape (M,)

    Returns
    -------
    out : ndarray, shape (N, M)
    cache : tuple
        ``(x, w, b)``, for :func:`linear_backward_naive`.

    Notes
    -----
    Loop indices as in the book: ``n`` over samples, ``m`` over outputs, ``r`` over inputs.

    .. math::

        z_{n,m} = \sum_{r} w_{m,r}\, x_{n,r} + b_m .
    """
    x, w, b = _check_linear_inputs(x, w, b, "linear_forward_naive")
    N, D = x.shape
    M = w.shape[0]
    out = np.zeros((N, M), dtype=np.result_type(x, w, b))
    for n in range(N):
        for m in range(M):
            z = b[m]
            for r in range(D):
                z += w[m, r] * x[n, r]
            out[n, m] = z
    return out, (x, w, b)


def linear_backward_naive(dout, cache):
    r"""Backward pass of :func:`linear_forward_naive`, with explicit loops.

    Parameters
    ----------
    dout : ndarray, shape (N, M)
    cache : tuple
        From :func:`linear_forward_naive`.

    Returns
    -------
    dx : ndarray, shape (N, D)
    dw : ndarray, shape (M, D)
    db : ndarray, shape (M,)

    Notes
    -----
    Each output :math:`z_{n,m}` sends its gradient :math:`\delta_{n,m}` back along every
    term of its sum:

    .. math::

        \frac{\partial z_{n,m}}{\partial b_m} = 1, \qquad
        \frac{\partial z_{n,m}}{\partial w_{m,r}} = x_{n,r}, \qquad
        \frac{\partial z_{n,m}}{\partial x_{n,r}} = w_{m,r} .
    """
    x, w, b = cache
    dout = check_dout(dout, (x.shape[0], w.shape[0]), "linear_backward_naive")
    N, D = x.shape
    M = w.shape[0]
    dx = np.zeros_like(x)
    dw = np.zeros_like(w)
    db = np.zeros_like(b)
    for n in range(N):
        for m in range(M):
            db[m] += dout[n, m]
            for r in range(D):
                dw[m, r] += dout[n, m] * x[n, r]
                dx[n, r] += dout[n, m] * w[m, r]
    return dx, dw, db


def _check_flatten_input(x, where: str) -> np.ndarray:
    x = as_float_array(x, "x", where)
    if x.ndim < 2:
        raise ValueError(
            f"{where}: expected x with at least 2 dimensions (N, ...), "
            f"got shape {tuple(x.shape)} ({x.ndim} dimensions)"
        )
    return x


def flatten_forward(x):
    r"""Flatten every sample into a vector: (N, C, H, W) -> (N, C*H*W).

    Parameters
    ----------
    x : ndarray, shape (N, ...)
        At least two dimensions; the first is the batch.

    Returns
    -------
    out : ndarray, shape (N, prod(x.shape[1:]))
        A view of ``x`` when ``x`` is contiguous (C order, as ``numpy.reshape``).
    cache : tuple
        ``(x.shape, x.dtype)``, for :func:`flatten_backward`.

    Notes
    -----
    Flattening only renames the entries, so the backward pass renames them back:

    .. math::

        y_{n,\,(c H + h) W + v} = x_{n,c,h,v}, \qquad
        \frac{\partial L}{\partial x_{n,c,h,v}} = \frac{\partial L}{\partial y_{n,\,(c H + h) W + v}} .
    """
    x = _check_flatten_input(x, "flatten_forward")
    N = x.shape[0]
    out = x.reshape(N, math.prod(x.shape[1:]))  # N,C*H*W
    return out, (x.shape, x.dtype)


def flatten_backward(dout, cache):
    r"""Backward pass of :func:`flatten_forward`: reshape ``dout`` to the input shape.

    Parameters
    ----------
    dout : ndarray, shape (N, prod(x.shape[1:]))
    cache : tuple
        From :func:`flatten_forward`.

    Returns
    -------
    dx : ndarray, shape of ``x``

    Notes
    -----
    .. math::

        \frac{\partial L}{\partial x} = \operatorname{reshape}\Big(\frac{\partial L}{\partial y},\ \text{shape}(x)\Big) .
    """
    x_shape, x_dtype = cache
    dout = check_dout(dout, (x_shape[0], math.prod(x_shape[1:])), "flatten_backward")
    return dout.reshape(x_shape).astype(x_dtype, copy=False)


def flatten_forward_naive(x):
    r"""Loop version of :func:`flatten_forward`: copy entry :math:`x_{n,c,h,v}` to
    :math:`y_{n,\,(cH + h)W + v}` one at a time (any number of trailing axes).

    Same inputs, outputs and cache as :func:`flatten_forward`.
    """
    x = _check_flatten_input(x, "flatten_forward_naive")
    N, rest = x.shape[0], x.shape[1:]
    out = np.empty((N, math.prod(rest)), dtype=x.dtype)
    for n in range(N):
        for e, index in enumerate(np.ndindex(rest)):  # row-major: e = (c*H + h)*W + v
            out[n, e] = x[(n,) + index]
    return out, (x.shape, x.dtype)


def flatten_backward_naive(dout, cache):
    r"""Loop version of :func:`flatten_backward`: send :math:`\delta_{n,e}` back to the
    entry of ``x`` that was copied to position ``e``."""
    x_shape, x_dtype = cache
    N, rest = x_shape[0], x_shape[1:]
    dout = check_dout(dout, (N, math.prod(rest)), "flatten_backward_naive")
    dx = np.empty(x_shape, dtype=x_dtype)
    for n in range(N):
        for e, index in enumerate(np.ndindex(rest)):
            dx[(n,) + index] = dout[n, e]
    return dx


class Dense(Layer):
    r"""Fully connected layer, :math:`z = W x + b`, over :func:`linear_forward`.

    Parameters
    ----------
    in_features : int
        ``D``, size of each input vector.
    out_features : int
        ``M``, size of each output vector.
    rng : numpy.random.Generator, optional
        Draws the initial weights (``None``: not reproducible).
    init : {"he", "glorot"}
        Weight initialisation, see :func:`cnnbook.base.init_weight` (fan_in = ``in_features``).
        Biases start at zero.
    dtype : numpy dtype
        dtype of the parameters.

    Attributes
    ----------
    params : dict
        ``"weight"`` of shape (out_features, in_features), ``"bias"`` of shape (out_features,).

    Notes
    -----
    Input (N, in_features) -> output (N, out_features); forward and backward equations
    in :func:`linear_forward`.
    """

    def __init__(self, in_features: int, out_features: int, *, rng=None, init: str = "he",
                 dtype=np.float64) -> None:
        super().__init__()
        self.in_features = check_int(in_features, "in_features", "Dense", 1)
        self.out_features = check_int(out_features, "out_features", "Dense", 1)
        init = check_choice(init, "init", "Dense", ("he", "glorot"))
        dtype = check_float_dtype(dtype, "dtype", "Dense")
        weight = init_weight((self.out_features, self.in_features), self.in_features,
                             self.out_features, rng=rng, init=init, dtype=dtype, where="Dense")
        self.params = {"weight": weight, "bias": np.zeros(self.out_features, dtype=dtype)}

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x, "x", "Dense")
        check_ndim(x, 2, "x", "Dense", "(N, in_features)")
        if x.shape[1] != self.in_features:
            raise ValueError(
                f"Dense: expected x with {self.in_features} features "
                f"(shape (N, {self.in_features})), got shape {tuple(x.shape)}"
            )
        out, self._cache = linear_forward(x, self.params["weight"], self.params["bias"])
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dx, dw, db = linear_backward(dout, self._take_cache())
        self.grads = {"weight": dw, "bias": db}
        return dx

    def param_backward(self, dout: np.ndarray) -> None:
        """``grads`` only (:func:`linear_backward` with ``input_grad=False``)."""
        _, dw, db = linear_backward(dout, self._take_cache(), input_grad=False)
        self.grads = {"weight": dw, "bias": db}

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}"


class Flatten(Layer):
    """Flatten each sample to a vector, (N, C, H, W) -> (N, C*H*W); no parameters."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = _check_flatten_input(x, "Flatten")
        out, self._cache = flatten_forward(x)
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return flatten_backward(dout, self._take_cache())
