r"""Inverted dropout: at training time each unit is kept with probability :math:`1-\phi`
and scaled by :math:`1/(1-\phi)`; at evaluation time the layer is the identity.

With a keep mask :math:`\xi` of independent Bernoulli(:math:`1-\phi`) entries,

.. math::

    y = \frac{\xi \odot x}{1 - \phi}, \qquad
    \frac{\partial L}{\partial x} = \frac{\xi \odot \delta}{1 - \phi},

so :math:`\mathbb E[y] = x`: the scale keeps every unit's expected value, and evaluation
needs no correction (Srivastava et al., 2014). The mask comes from ``rng``
(a ``numpy.random.Generator``) or is given (``mask=``, as the gradient check and the
exercise do); the backward pass reuses the cached mask. Inputs of any shape; the dtype is
preserved.
"""
from __future__ import annotations

import numpy as np

from ._checks import as_float_array, check_bool, check_dout, check_float, check_rng, check_shape
from .base import KernelLayer

__all__ = [
    "dropout_forward", "dropout_backward",
    "dropout_forward_naive", "dropout_backward_naive",
    "Dropout",
]


def _keep_mask(x, p, training, rng, mask, where):
    """The checked ``p`` and keep mask (bool, shape of ``x``; None in evaluation mode)."""
    p = check_float(p, "p", where, minimum=0.0, maximum=1.0, max_open=True)
    if not check_bool(training, "training", where):
        return None, p
    if mask is None:
        return check_rng(rng, where, allow_none=True).random(x.shape) >= p, p  # P(keep) = 1-p
    if not isinstance(mask, np.ndarray):
        raise TypeError(f"{where}: expected mask to be a numpy.ndarray of 0/1, "
                        f"got {type(mask).__name__}")
    check_shape(mask, x.shape, "mask", where)
    if not np.isin(mask, (0, 1)).all():
        raise ValueError(f"{where}: expected mask to hold only 0 and 1, got values "
                         f"{np.unique(mask)[:5].tolist()}")
    return mask.astype(bool), p


def dropout_forward(x, *, p, training=True, rng=None, mask=None):
    r"""Inverted dropout of ``x``.

    Parameters
    ----------
    x : ndarray, any shape
    p : float
        Drop probability :math:`\phi \in [0, 1)`; each unit is kept with probability
        :math:`1 - \phi`.
    training : bool
        False: the identity (evaluation mode), no mask drawn.
    rng : numpy.random.Generator or None
        Source of the mask; ``None`` is a fresh ``np.random.default_rng()`` (not
        reproducible).
    mask : ndarray of 0/1, shape of ``x``, or None
        A given keep mask :math:`\xi` instead of one drawn from ``rng``.

    Returns
    -------
    out : ndarray, shape of ``x``
    cache : tuple
        ``(keep, p)``: the boolean keep mask (None in evaluation mode) and :math:`\phi`.

    Notes
    -----
    .. math::

        y = \frac{\xi \odot x}{1 - \phi}, \qquad \xi_i \sim \text{Bernoulli}(1 - \phi),
        \qquad \mathbb E[y_i] = x_i.
    """
    where = "dropout_forward"
    x = as_float_array(x, "x", where)
    keep, p = _keep_mask(x, p, training, rng, mask, where)
    if keep is None:
        return x, (None, p)
    out = (x * keep * (1.0 / (1.0 - p))).astype(x.dtype, copy=False)
    return out, (keep, p)


def dropout_backward(dout, cache):
    r"""Backward pass of :func:`dropout_forward`.

    Parameters
    ----------
    dout : ndarray, shape of ``x``
    cache : tuple
        From :func:`dropout_forward`.

    Returns
    -------
    dx : ndarray, shape of ``x``

    Notes
    -----
    .. math::

        \frac{\partial L}{\partial x} = \frac{\xi \odot \delta}{1 - \phi}
        \quad\text{(training)}, \qquad \frac{\partial L}{\partial x} = \delta
        \quad\text{(evaluation)}.
    """
    keep, p = cache
    where = "dropout_backward"
    if keep is None:
        return as_float_array(dout, "dout", where)
    dout = check_dout(dout, keep.shape, where)
    return (dout * keep * (1.0 / (1.0 - p))).astype(dout.dtype, copy=False)


def dropout_forward_naive(x, *, p, training=True, rng=None, mask=None):
    r"""Loop version of :func:`dropout_forward`: :math:`y_i = x_i / (1-\phi)` where
    :math:`\xi_i = 1`, else 0, one entry at a time (the mask is drawn as there).

    Same inputs, outputs and cache as :func:`dropout_forward`.
    """
    where = "dropout_forward_naive"
    x = as_float_array(x, "x", where)
    keep, p = _keep_mask(x, p, training, rng, mask, where)
    if keep is None:
        return x, (None, p)
    out = np.empty_like(x)
    for index in np.ndindex(x.shape):
        out[index] = x[index] / (1.0 - p) if keep[index] else 0.0
    return out, (keep, p)


def dropout_backward_naive(dout, cache):
    r"""Loop version of :func:`dropout_backward`: :math:`dx_i = \delta_i / (1-\phi)` where
    :math:`\xi_i = 1`, else 0."""
    keep, p = cache
    where = "dropout_backward_naive"
    if keep is None:
        return as_float_array(dout, "dout", where)
    dout = check_dout(dout, keep.shape, where)
    dx = np.empty_like(dout)
    for index in np.ndindex(dout.shape):
        dx[index] = dout[index] / (1.0 - p) if keep[index] else 0.0
    return dx


class Dropout(KernelLayer.named("Dropout", dropout_forward, dropout_backward)):
    r"""Inverted dropout as a layer: ``Dropout(0.5, rng=np.random.default_rng(0))``.

    The kernel pair :func:`dropout_forward` / :func:`dropout_backward` with the options
    ``p`` (drop probability :math:`\phi`, default 0.5 as ``torch.nn.Dropout``) and ``rng``;
    the kernel's ``training`` follows the layer's mode (``train()``/``eval()``), and every
    training-mode forward pass draws a fresh mask from ``rng``. No parameters.
    """

    def __init__(self, p: float = 0.5, *, rng: np.random.Generator | None = None) -> None:
        super().__init__(p=p, rng=rng)
