r"""Gradient clipping by global norm.

When the gradients of all parameters, taken together as one vector, are longer than
``max_norm``, :func:`clip_grad_norm` shrinks them all by the same factor, so the step
keeps its direction and only its length is capped (Pascanu et al., 2013):

.. math::

    G = \Bigl(\sum_{\theta} \lVert \nabla_\theta L \rVert^2\Bigr)^{1/2}, \qquad
    \nabla_\theta L \leftarrow \nabla_\theta L \cdot \min\Bigl(1,
        \frac{G_{\max}}{G + 10^{-6}}\Bigr).
"""
from __future__ import annotations

import math

import numpy as np

from ._checks import check_float

__all__ = ["clip_grad_norm"]


def clip_grad_norm(grads, max_norm: float) -> float:
    r"""Scale every gradient in place so that their global L2 norm is at most ``max_norm``.

    Parameters
    ----------
    grads : dict name -> ndarray
        The gradients (``model.grads``); changed in place.
    max_norm : float
        :math:`G_{\max} > 0`.

    Returns
    -------
    total_norm : float
        :math:`G`, the global norm *before* clipping (as ``torch.nn.utils.clip_grad_norm_``).

    Notes
    -----
    The factor is :math:`G_{\max}/(G + 10^{-6})`, applied only when it is below 1 (PyTorch's
    rule, so the clipped norm is a hair under :math:`G_{\max}`).

    Examples
    --------
    >>> g = {"w": np.array([3.0, 4.0])}
    >>> clip_grad_norm(g, 1.0)
    5.0
    >>> g["w"].round(6).tolist()
    [0.6, 0.8]
    """
    where = "clip_grad_norm"
    max_norm = check_float(max_norm, "max_norm", where, minimum=0.0, min_open=True)
    if not isinstance(grads, dict):
        raise TypeError(f"{where}: expected grads to be a dict name -> ndarray, "
                        f"got {type(grads).__name__}")
    for key, g in grads.items():
        if not isinstance(g, np.ndarray) or g.dtype not in (np.float32, np.float64):
            got = g.dtype if isinstance(g, np.ndarray) else type(g).__name__
            raise TypeError(f"{where}: expected grads[{key!r}] to be a float32/float64 "
                            f"numpy.ndarray (scaled in place), got {got}")
    total = math.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64)))
                          for g in grads.values()))
    factor = max_norm / (total + 1e-6)
    if factor < 1:
        for g in grads.values():
            g *= factor
    return total
