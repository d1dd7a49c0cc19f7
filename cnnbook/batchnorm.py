r"""Batch normalisation over the channels of NCHW feature maps (Ioffe & Szegedy, 2015).

For each channel :math:`c` the layer normalises the :math:`E = N H W` values it sees in
a batch, then scales and shifts them with learned :math:`\gamma_c, \beta_c`:

.. math::

    \mu_c = \frac1E \sum_{n,h,v} x_{n,c,h,v}, \qquad
    \operatorname{Var}_c = \frac1E \sum_{n,h,v} (x_{n,c,h,v} - \mu_c)^2, \qquad
    y = \gamma_c \, \frac{x - \mu_c}{\sqrt{\operatorname{Var}_c + \text{eps}}} + \beta_c .

In training mode :math:`\mu, \operatorname{Var}` come from the batch and the running statistics are
updated in place (PyTorch semantics); in evaluation mode the running statistics replace
them and the layer is a fixed per-channel affine map.

This module holds the step-by-step version that follows the computational graph
(``batch_norm2d_forward_naive``/``batch_norm2d_backward_naive``), the compact vectorized
version (``batch_norm2d_forward``/``batch_norm2d_backward``) and the layer
:class:`BatchNorm2D`. Shapes: x (N, C, H, W); gamma, beta and running statistics (C,).
"""
from __future__ import annotations

import numpy as np

from ._checks import (as_float_array, check_bool, check_dout, check_float, check_float_dtype,
                      check_int, check_ndim, check_shape)
from .base import Layer

__all__ = [
    "batch_norm2d_forward", "batch_norm2d_backward",
    "batch_norm2d_forward_naive", "batch_norm2d_backward_naive",
    "BatchNorm2D",
]

_AXES = (0, 2, 3)  # every axis but the channel: statistics are per channel


def _check_momentum_eps(momentum, eps, where: str) -> tuple[float, float]:
    momentum = check_float(momentum, "momentum", where, minimum=0, maximum=1)
    eps = check_float(eps, "eps", where, minimum=0, min_open=True)
    return momentum, eps


def _check_running(stat, name: str, C: int, where: str) -> np.ndarray:
    """Running statistics are updated in place, so they must already be float arrays."""
    if stat is None:
        raise ValueError(
            f"{where}: expected {name} to be an array of shape ({C},), got None "
            "(batch norm needs running statistics: zeros for the mean, ones for the variance)"
        )
    if not isinstance(stat, np.ndarray) or not np.issubdtype(stat.dtype, np.floating):
        got = f"dtype {stat.dtype}" if isinstance(stat, np.ndarray) else type(stat).__name__
        raise TypeError(
            f"{where}: expected {name} to be a floating-point numpy.ndarray "
            f"(it is updated in place), got {got}"
        )
    check_shape(stat, (C,), name, where)
    return stat


def _check_inputs(x, gamma, beta, running_mean, running_var, training, momentum, eps,
                  where: str):
    x = as_float_array(x, "x", where)
    check_ndim(x, 4, "x", where, "(N, C, H, W)")
    C = x.shape[1]
    gamma = as_float_array(gamma, "gamma", where)
    beta = as_float_array(beta, "beta", where)
    check_shape(gamma, (C,), "gamma", where)
    check_shape(beta, (C,), "beta", where)
    _check_running(running_mean, "running_mean", C, where)
    _check_running(running_var, "running_var", C, where)
    check_bool(training, "training", where)
    momentum, eps = _check_momentum_eps(momentum, eps, where)
    M = x.shape[0] * x.shape[2] * x.shape[3]
    if training and M < 2:
        raise ValueError(
            f"{where}: expected more than 1 value per channel in training mode "
            f"(N*H*W >= 2), got x of shape {tuple(x.shape)}"
        )
    return x, gamma, beta, momentum, eps


def _update_running_stats(running_mean, running_var, mean, var, M: int, momentum: float):
    r"""PyTorch's update, in place: :math:`r \leftarrow (1-m)\,r + m\,s`.

    ``var`` is the biased batch variance (divided by ``M``); the running variance tracks
    the unbiased one, :math:`\frac{M}{M-1}\sigma^2`.
    """
    running_mean *= 1 - momentum
    running_mean += momentum * mean
    running_var *= 1 - momentum
    running_var += momentum * var * (M / (M - 1))


def _bc(v: np.ndarray) -> np.ndarray:
    """(C,) -> (1, C, 1, 1), to broadcast a per-channel vector over NCHW."""
    return v.reshape(1, -1, 1, 1)


def batch_norm2d_forward(x, gamma, beta, *, running_mean, running_var, training,
                         momentum=0.1, eps=1e-5):
    r"""Batch normalisation of NCHW feature maps, vectorized.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    gamma : ndarray, shape (C,)
        Per-channel scale :math:`\gamma`.
    beta : ndarray, shape (C,)
        Per-channel shift :math:`\beta`.
    running_mean : ndarray, shape (C,), floating point
        Running mean; updated in place when ``training`` is True, used when False.
    running_var : ndarray, shape (C,), floating point
        Running (unbiased) variance; updated in place when ``training`` is True, used
        when False.
    training : bool
        True: normalise with the batch statistics and update the running ones.
        False: normalise with the running statistics.
    momentum : float in [0, 1]
        Weight of the new batch statistic in the running average (PyTorch convention).
    eps : float > 0
        Added to the variance before the square root.

    Returns
    -------
    out : ndarray, shape (N, C, H, W)
    cache : tuple
        ``(x, x_hat, gamma, beta, std, training)``, for :func:`batch_norm2d_backward`.

    Notes
    -----
    Forward, per channel, with :math:`M = NHW` (training mode):

    .. math::

        \mu = \frac1M \sum x, \quad \sigma^2 = \frac1M \sum (x-\mu)^2, \quad
        \hat x = \frac{x-\mu}{\sqrt{\sigma^2+\varepsilon}}, \quad y = \gamma \hat x + \beta,

    .. math::

        r_\mu \leftarrow (1-m)\, r_\mu + m\, \mu, \qquad
        r_{\sigma^2} \leftarrow (1-m)\, r_{\sigma^2} + m\, \tfrac{M}{M-1}\, \sigma^2 .

    Evaluation mode uses :math:`\hat x = (x - r_\mu)/\sqrt{r_{\sigma^2}+\varepsilon}`.

    Backward, training mode (sums over the :math:`M` positions of the channel):

    .. math::

        \frac{\partial L}{\partial \beta} = \sum \delta, \qquad
        \frac{\partial L}{\partial \gamma} = \sum \delta\, \hat x, \qquad
        \frac{\partial L}{\partial x} = \frac{\gamma}{M\sqrt{\sigma^2+\varepsilon}}
        \Big( M\delta - \sum \delta - \hat x \sum \delta\, \hat x \Big).

    Evaluation mode: :math:`\partial L/\partial x = \gamma\,\delta / \sqrt{r_{\sigma^2}+\varepsilon}`.
    """
    where = "batch_norm2d_forward"
    x, gamma, beta, momentum, eps = _check_inputs(
        x, gamma, beta, running_mean, running_var, training, momentum, eps, where)
    if training:
        mean = x.mean(axis=_AXES)  # C
        var = x.var(axis=_AXES)  # C, biased (divided by M)
        M = x.size // x.shape[1]
        _update_running_stats(running_mean, running_var, mean, var, M, momentum)
    else:
        mean, var = running_mean, running_var  # C
    std = np.sqrt(var + eps)  # C
    x_hat = (x - _bc(mean)) / _bc(std)  # N,C,H,W
    out = _bc(gamma) * x_hat + _bc(beta)  # N,C,H,W
    return out, (x, x_hat, gamma, beta, std, bool(training))


def batch_norm2d_backward(dout, cache, *, input_grad=True):
    r"""Backward pass of :func:`batch_norm2d_forward`, with the compact formula.

    Parameters
    ----------
    dout : ndarray, shape (N, C, H, W)
        Upstream gradient :math:`\delta = \partial L/\partial y`.
    cache : tuple
        From :func:`batch_norm2d_forward`.
    input_grad : bool
        ``False`` skips :math:`\partial L/\partial x` (``dx`` is then ``None``).

    Returns
    -------
    dx : ndarray, shape (N, C, H, W), or None
    dgamma : ndarray, shape (C,)
    dbeta : ndarray, shape (C,)

    Notes
    -----
    Per channel, sums over the :math:`E = NHW` positions,
    :math:`\operatorname{std} = \sqrt{\operatorname{Var}+\text{eps}}`:

    .. math::

        \frac{\partial L}{\partial \beta} = \sum \delta, \qquad
        \frac{\partial L}{\partial \gamma} = \sum \delta\, \hat x,

    .. math::

        \frac{\partial L}{\partial x} =
        \begin{cases}
        \dfrac{\gamma}{\operatorname{std}\, E} \Big( E\delta - \sum \delta - \hat x \sum \delta\, \hat x \Big)
            & \text{training (batch statistics depend on } x) \\[1ex]
        \dfrac{\gamma}{\operatorname{std}}\, \delta & \text{evaluation (running statistics are constants).}
        \end{cases}

    :func:`batch_norm2d_backward_naive` derives the training-mode line step by step.
    """
    x, x_hat, gamma, beta, std, training = cache
    dout = check_dout(dout, x.shape, "batch_norm2d_backward")
    dbeta = dout.sum(axis=_AXES)  # C
    dgamma = (dout * x_hat).sum(axis=_AXES)  # C
    if not input_grad:
        dx = None
    elif training:
        M = x.size // x.shape[1]
        dx = _bc(gamma / std / M) * (M * dout - _bc(dbeta) - x_hat * _bc(dgamma))  # N,C,H,W
    else:
        dx = _bc(gamma / std) * dout  # N,C,H,W
    return (None if dx is None else dx.astype(x.dtype, copy=False),
            dgamma.astype(gamma.dtype, copy=False), dbeta.astype(beta.dtype, copy=False))


def batch_norm2d_forward_naive(x, gamma, beta, *, running_mean, running_var, training,
                               momentum=0.1, eps=1e-5):
    r"""Batch normalisation written as the computational graph, one node per line.

    Same parameters, outputs and running-statistics update as :func:`batch_norm2d_forward`;
    the cache keeps every intermediate node for :func:`batch_norm2d_backward_naive`.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    gamma, beta : ndarray, shape (C,)
    running_mean, running_var : ndarray, shape (C,), floating point
    training : bool
    momentum : float in [0, 1]
    eps : float > 0

    Returns
    -------
    out : ndarray, shape (N, C, H, W)
    cache : tuple
        ``(x, centered, var, std, x_hat, gamma, beta, training)``.

    Notes
    -----
    The graph, per channel (training mode):

    .. math::

        \mu = \tfrac1M \textstyle\sum x \;\to\; x_c = x - \mu \;\to\;
        \sigma^2 = \tfrac1M \textstyle\sum x_c^2 \;\to\; \sigma = \sqrt{\sigma^2 + \varepsilon}
        \;\to\; \hat x = x_c / \sigma \;\to\; y = \gamma \hat x + \beta .

    In evaluation mode :math:`\mu` and :math:`\sigma^2` are the running statistics.
    """
    where = "batch_norm2d_forward_naive"
    x, gamma, beta, momentum, eps = _check_inputs(
        x, gamma, beta, running_mean, running_var, training, momentum, eps, where)
    M = x.size // x.shape[1]
    if training:
        mean = x.sum(axis=_AXES, keepdims=True) / M  # 1,C,1,1
        centered = x - mean  # N,C,H,W
        var = (centered**2).sum(axis=_AXES, keepdims=True) / M  # 1,C,1,1
        _update_running_stats(running_mean, running_var, mean.ravel(), var.ravel(), M, momentum)
    else:
        centered = x - _bc(running_mean)  # N,C,H,W
        var = _bc(running_var).copy()  # 1,C,1,1
    std = np.sqrt(var + eps)  # 1,C,1,1
    x_hat = centered / std  # N,C,H,W
    out = _bc(gamma) * x_hat + _bc(beta)  # N,C,H,W
    return out, (x, centered, var, std, x_hat, gamma, beta, bool(training))


def batch_norm2d_backward_naive(dout, cache):
    r"""Backward pass of :func:`batch_norm2d_forward_naive`, node by node in reverse.

    Parameters
    ----------
    dout : ndarray, shape (N, C, H, W)
    cache : tuple
        From :func:`batch_norm2d_forward_naive`.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)
    dgamma : ndarray, shape (C,)
    dbeta : ndarray, shape (C,)

    Notes
    -----
    Walking the graph :math:`y \to \hat x \to \sigma \to \sigma^2 \to x_c \to \mu \to x`
    backwards; a node used twice (:math:`x_c`, :math:`x`) sums the gradients of its uses.

    .. math::

        \frac{\partial L}{\partial \beta} = \sum \delta, \quad
        \frac{\partial L}{\partial \gamma} = \sum \delta \hat x, \quad
        \frac{\partial L}{\partial \hat x} = \gamma\,\delta,

    .. math::

        \frac{\partial L}{\partial \sigma} = -\sum \frac{\partial L}{\partial \hat x}\,\frac{x_c}{\sigma^2},
        \quad
        \frac{\partial L}{\partial \sigma^2} = \frac{\partial L}{\partial \sigma}\,\frac{1}{2\sigma},
        \quad
        \frac{\partial L}{\partial x_c} = \frac{\partial L}{\partial \hat x}\,\frac1\sigma
            + \frac{\partial L}{\partial \sigma^2}\,\frac{2 x_c}{M},

    .. math::

        \frac{\partial L}{\partial \mu} = -\sum \frac{\partial L}{\partial x_c}, \qquad
        \frac{\partial L}{\partial x} = \frac{\partial L}{\partial x_c} + \frac{1}{M}\frac{\partial L}{\partial \mu}.

    In evaluation mode :math:`\mu, \sigma^2` are constants and only the path through
    :math:`x_c = x - r_\mu` remains: :math:`\partial L/\partial x = \gamma\,\delta/\sigma`.
    """
    x, centered, var, std, x_hat, gamma, beta, training = cache
    dout = check_dout(dout, x.shape, "batch_norm2d_backward_naive")
    M = x.size // x.shape[1]
    dbeta = dout.sum(axis=_AXES)  # C
    dgamma = (dout * x_hat).sum(axis=_AXES)  # C
    dx_hat = dout * _bc(gamma)  # N,C,H,W
    if training:
        dstd = -(dx_hat * centered / std**2).sum(axis=_AXES, keepdims=True)  # 1,C,1,1
        dvar = dstd / (2 * std)  # 1,C,1,1
        dcentered = dx_hat / std + dvar * 2 * centered / M  # N,C,H,W
        dmean = -dcentered.sum(axis=_AXES, keepdims=True)  # 1,C,1,1
        dx = dcentered + dmean / M  # N,C,H,W
    else:
        dx = dx_hat / std  # N,C,H,W
    return (dx.astype(x.dtype, copy=False), dgamma.astype(gamma.dtype, copy=False),
            dbeta.astype(beta.dtype, copy=False))


class BatchNorm2D(Layer):
    r"""Batch normalisation over channels, over :func:`batch_norm2d_forward`.

    Parameters
    ----------
    num_features : int
        ``C``, the number of channels.
    momentum : float in [0, 1]
        Running-statistics update :math:`r \leftarrow (1-m)\,r + m\,s` (PyTorch convention).
    eps : float > 0
        Added to the variance before the square root.
    dtype : numpy dtype
        dtype of the parameters and buffers.

    Attributes
    ----------
    params : dict
        ``"gamma"`` (ones) and ``"beta"`` (zeros), shape (C,).
    buffers : dict
        ``"running_mean"`` (zeros) and ``"running_var"`` (ones), shape (C,); updated in
        place by every training-mode ``forward``.

    Notes
    -----
    Input and output (N, C, H, W). ``train()`` normalises with batch statistics,
    ``eval()`` with the running ones. Equations in :func:`batch_norm2d_forward`.
    """

    def __init__(self, num_features: int, *, momentum: float = 0.1, eps: float = 1e-5,
                 dtype=np.float64) -> None:
        super().__init__()
        self.num_features = check_int(num_features, "num_features", "BatchNorm2D", 1)
        self.momentum, self.eps = _check_momentum_eps(momentum, eps, "BatchNorm2D")
        dtype = check_float_dtype(dtype, "dtype", "BatchNorm2D")
        C = self.num_features
        self.params = {"gamma": np.ones(C, dtype=dtype), "beta": np.zeros(C, dtype=dtype)}
        self.buffers = {"running_mean": np.zeros(C, dtype=dtype),
                        "running_var": np.ones(C, dtype=dtype)}

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x, "x", "BatchNorm2D")
        check_ndim(x, 4, "x", "BatchNorm2D", "(N, C, H, W)")
        if x.shape[1] != self.num_features:
            raise ValueError(
                f"BatchNorm2D: expected x with {self.num_features} channels "
                f"(shape (N, {self.num_features}, H, W)), got shape {tuple(x.shape)}"
            )
        out, self._cache = batch_norm2d_forward(
            x, self.params["gamma"], self.params["beta"],
            running_mean=self.buffers["running_mean"], running_var=self.buffers["running_var"],
            training=self.training, momentum=self.momentum, eps=self.eps)
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dx, dgamma, dbeta = batch_norm2d_backward(dout, self._take_cache())
        self.grads = {"gamma": dgamma, "beta": dbeta}
        return dx

    def param_backward(self, dout: np.ndarray) -> None:
        """``grads`` only (:func:`batch_norm2d_backward` with ``input_grad=False``)."""
        _, dgamma, dbeta = batch_norm2d_backward(dout, self._take_cache(), input_grad=False)
        self.grads = {"gamma": dgamma, "beta": dbeta}

    def extra_repr(self) -> str:
        return f"num_features={self.num_features}, eps={self.eps:g}, momentum={self.momentum:g}"
