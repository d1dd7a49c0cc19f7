r"""A residual (skip) connection around any layer (He et al., 2016).

:class:`Residual` wraps an inner layer :math:`F` whose output has the shape of its input
and computes

.. math::

    y = x + F(x).

Backward, the identity path adds the upstream gradient unchanged to what flows back
through :math:`F`:

.. math::

    \frac{\partial L}{\partial x} = \delta + J_F^{\top} \delta,
    \qquad \delta = \frac{\partial L}{\partial y},

so even when :math:`J_F^{\top}\delta` is small (a deep stack of saturated or badly scaled
layers) the gradient reaching :math:`x` is at least :math:`\delta`. This is the reason
very deep residual networks still train. The parameter gradients are those of :math:`F`
alone: the skip path has no parameters.
"""
from __future__ import annotations

import numpy as np

from ._checks import as_float_array, check_dout
from .base import Container, Layer

__all__ = ["Residual"]


class Residual(Container):
    r"""Identity skip connection around ``inner``: ``y = x + inner(x)``.

    Parameters
    ----------
    inner : Layer
        Any layer (usually a :class:`cnnbook.base.Sequential`) whose output shape equals
        its input shape, e.g. ``Sequential(Conv2D(C, C, 3, padding=1), ReLU(),
        Conv2D(C, C, 3, padding=1))``.

    Attributes
    ----------
    params, grads, buffers : dict
        The inner layer's, with keys prefixed by ``"inner."`` (``"inner.0.weight"``); the
        values are the inner layer's own arrays, so an optimizer updating
        ``model.params`` in place updates the inner layer.

    Notes
    -----
    Forward :math:`y = x + F(x)`; backward
    :math:`\partial L/\partial x = \delta + J_F^{\top}\delta` (module docstring). The
    skip is the identity, so it only applies when ``inner`` keeps the shape; ResNet's
    projection shortcuts (a 1x1 convolution on the skip path when the shape changes) are
    not implemented here.

    Examples
    --------
    >>> from cnnbook.layers import Conv2D, ReLU, Sequential
    >>> rng = np.random.default_rng(0)
    >>> block = Residual(Sequential(Conv2D(2, 2, 3, padding=1, rng=rng), ReLU(),
    ...                             Conv2D(2, 2, 3, padding=1, rng=rng)))
    >>> sorted(block.params)
    ['inner.0.bias', 'inner.0.weight', 'inner.2.bias', 'inner.2.weight']
    >>> block.forward(np.zeros((1, 2, 4, 4))).shape
    (1, 2, 4, 4)
    """

    def __init__(self, inner: Layer) -> None:
        super().__init__()
        if not isinstance(inner, Layer):
            raise TypeError(f"Residual: expected inner to be a Layer, got {type(inner).__name__}")
        self.inner = inner

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x, "x", "Residual")
        fx = self.inner.forward(x)
        if fx.shape != x.shape:
            raise ValueError(
                f"Residual: expected the inner layer to keep the shape of its input "
                f"{tuple(x.shape)} (y = x + F(x) needs equal shapes), got {tuple(fx.shape)}"
            )
        self._cache = x.shape
        return x + fx

    def backward(self, dout: np.ndarray) -> np.ndarray:
        shape = self._take_cache()
        dout = check_dout(dout, shape, "Residual.backward")
        return dout + self.inner.backward(dout)  # identity path + path through F

    def param_backward(self, dout: np.ndarray) -> None:
        """The inner layer's parameter gradients only: the skip path has no parameters."""
        check_dout(dout, self._take_cache(), "Residual.param_backward")
        self.inner.param_backward(dout)

    def named_children(self) -> list[tuple[str, Layer]]:
        return [("inner", self.inner)]

    def __repr__(self) -> str:
        inner = repr(self.inner).replace("\n", "\n  ")
        return f"Residual(\n  {inner}\n)"
