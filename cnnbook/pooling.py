r"""Max, average and global average pooling: kernels, loop twins and layers.

Input ``x`` is ``(N, C, H, W)``; each channel is pooled on its own over windows of
``kernel_size`` taken every ``stride`` (default: ``kernel_size``, i.e. no overlap) on the
padded input; the output is ``(N, C, OH, OW)`` with

.. math:: OH = \left\lfloor \frac{H + 2P_h - KH}{s_h} \right\rfloor + 1 .

Pooling has no parameters: its backward pass only *routes* the gradient.

* Max pooling sends each window's upstream gradient to the one input that was the maximum.
  On ties (common after a ReLU, where whole windows are 0) the first maximum in row-major
  order gets it, as in PyTorch; a mask ``x == max`` would wrongly give it to every tied input.
  Padding is :math:`-\infty`, so it is never the maximum.
* Average pooling spreads it evenly: every input of a window gets :math:`1/(KH\,KW)` of it.
  Padding zeros count in the mean (PyTorch's default ``count_include_pad=True``).

Where windows overlap (stride < kernel size) an input receives the sum over the windows it
belongs to.

Global average pooling has one window, the whole map, whatever its size: ``(N, C, H, W)``
becomes ``(N, C, 1, 1)``, so a network that ends with it takes images of any size.
"""
from __future__ import annotations

import numpy as np

from ._checks import as_float_array, check_dout, check_kernel_fits, check_ndim, pair
from ._windows import kernel_taps
from ._workspace import empty_like_layout, scratch_like
from .base import KernelLayer
from .conv import conv_output_size

__all__ = [
    "pool_output_size",
    "max_pool2d_forward", "max_pool2d_backward",
    "max_pool2d_forward_naive", "max_pool2d_backward_naive",
    "avg_pool2d_forward", "avg_pool2d_backward",
    "avg_pool2d_forward_naive", "avg_pool2d_backward_naive",
    "global_avg_pool2d_forward", "global_avg_pool2d_backward",
    "global_avg_pool2d_forward_naive", "global_avg_pool2d_backward_naive",
    "MaxPool2D", "AvgPool2D", "GlobalAvgPool2D",
]


def pool_output_size(size: int, kernel_size: int, stride: int | None = None,
                     padding: int = 0) -> int:
    r"""Output length of a pooling layer along one axis (``stride`` defaults to the kernel).

    Examples
    --------
    >>> pool_output_size(24, 2)       # LeNet's first pooling
    12
    >>> pool_output_size(7, 3, stride=2)
    3
    """
    return conv_output_size(size, kernel_size, kernel_size if stride is None else stride,
                            padding)


def _check_pool_inputs(x, kernel_size, stride, padding, where):
    x = as_float_array(x, "x", where)
    check_ndim(x, 4, "x", where, "(N, C, H, W)")
    kernel = pair(kernel_size, "kernel_size", where, 1)
    stride = kernel if stride is None else pair(stride, "stride", where, 1)
    padding = pair(padding, "padding", where, 0)
    for axis, k, p in zip(("height", "width"), kernel, padding):
        if 2 * p > k:
            raise ValueError(
                f"{where}: expected padding at most half the kernel ({axis}: kernel {k}), "
                f"got padding {p}")
    check_kernel_fits(x.shape[2:], kernel, padding, where)
    return x, kernel, stride, padding


def _out_hw(x_shape, kernel, stride, padding):
    H, W = x_shape[2:]
    return (conv_output_size(H, kernel[0], stride[0], padding[0]),
            conv_output_size(W, kernel[1], stride[1], padding[1]))


# --------------------------------------------------------------------------------------
# Max pooling
# --------------------------------------------------------------------------------------

def max_pool2d_forward_naive(x, *, kernel_size, stride=None, padding=0):
    r"""Max pooling with explicit loops (teaching version).

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Defaults to ``kernel_size``.
    padding : int or (int, int)
        Padding with :math:`-\infty` on each side, at most half the kernel.

    Returns
    -------
    out : ndarray, shape (N, C, OH, OW)
    cache : tuple

    Notes
    -----
    .. math::

        y_{n,c,i,j} = \max_{0 \le p < KH,\ 0 \le q < KW}
                      \tilde x_{n,c,\; s_h i + p,\; s_w j + q}
    """
    where = "max_pool2d_forward_naive"
    x, kernel, stride, padding = _check_pool_inputs(x, kernel_size, stride, padding, where)
    (KH, KW), (s_h, s_w), (P_h, P_w) = kernel, stride, padding
    N, C = x.shape[:2]
    OH, OW = _out_hw(x.shape, kernel, stride, padding)
    x_pad = np.pad(x, ((0, 0), (0, 0), (P_h, P_h), (P_w, P_w)), constant_values=-np.inf)
    out = np.empty((N, C, OH, OW), dtype=x.dtype)
    argmax = np.empty((N, C, OH, OW, 2), dtype=np.intp)  # (row, col) in the padded input
    for n in range(N):
        for c in range(C):
            for i in range(OH):
                for j in range(OW):
                    window = x_pad[n, c, s_h * i:s_h * i + KH, s_w * j:s_w * j + KW]
                    k = np.argmax(window)  # first maximum in row-major order
                    p, q = divmod(int(k), KW)
                    out[n, c, i, j] = window[p, q]
                    argmax[n, c, i, j] = (s_h * i + p, s_w * j + q)
    return out, (x.shape, x.dtype, padding, argmax)


def max_pool2d_backward_naive(dout, cache):
    r"""Max pooling backward with explicit loops (teaching version).

    Parameters
    ----------
    dout : ndarray, shape (N, C, OH, OW)
    cache : tuple
        From :func:`max_pool2d_forward_naive`.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)

    Notes
    -----
    With :math:`(p^*, q^*)` the position of the (first) maximum of window :math:`(i, j)`,

    .. math::

        \frac{\partial L}{\partial \tilde x_{n,c,h,v}} = \sum_{i,j}
            \delta_{n,c,i,j}\; [\, h = s_h i + p^*,\ v = s_w j + q^* \,]
    """
    x_shape, dtype, (P_h, P_w), argmax = cache
    N, C, H, W = x_shape
    dout = check_dout(dout, argmax.shape[:4], "max_pool2d_backward_naive")
    dx_pad = np.zeros((N, C, H + 2 * P_h, W + 2 * P_w), dtype=dtype)
    OH, OW = argmax.shape[2:4]
    for n in range(N):
        for c in range(C):
            for i in range(OH):
                for j in range(OW):
                    h, v = argmax[n, c, i, j]
                    dx_pad[n, c, h, v] += dout[n, c, i, j]
    return dx_pad[:, :, P_h:P_h + H, P_w:P_w + W]


def max_pool2d_forward(x, *, kernel_size, stride=None, padding=0):
    r"""Max pooling, vectorized over the batch, the channels and the windows.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Defaults to ``kernel_size``; a smaller stride makes windows overlap.
    padding : int or (int, int)
        Padding with :math:`-\infty`, at most half the kernel.

    Returns
    -------
    out : ndarray, shape (N, C, OH, OW)
        Same memory layout as ``x``.
    cache : tuple
        The (padded) input's shape and dtype, the options, and for every kernel tap after the first
        a boolean mask of the windows where that tap set a new maximum (what the backward
        pass routes the gradient with, as PyTorch keeps the index of each maximum).

    Notes
    -----
    Loops over the :math:`KH \times KW` kernel taps instead of the windows: tap
    :math:`(p, q)` of every window is one strided slice of the input, so the whole pass
    is :math:`KH\,KW - 1` calls of ``np.maximum``:

    .. math:: y_{n,c,i,j} = \max_{p,q}\ \tilde x_{n,c,\,s_h i + p,\, s_w j + q}

    Taken in row-major order, a tap *beats* the running maximum when it is strictly
    larger than every earlier tap; the last tap that beats it is the window's first
    maximum (ties stay with the earlier tap, as in PyTorch).
    """
    where = "max_pool2d_forward"
    x, kernel, stride, padding = _check_pool_inputs(x, kernel_size, stride, padding, where)
    ph, pw = padding
    OH, OW = _out_hw(x.shape, kernel, stride, padding)
    if ph or pw:
        x = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=-np.inf)
    taps = list(kernel_taps(kernel, stride, (OH, OW)))
    _, _, rows, cols = taps[0]
    out = x[:, :, rows, cols].copy(order="K")                 # N, C, OH, OW, x's layout
    beats = []                                                 # one mask per later tap
    for _, _, rows, cols in taps[1:]:
        window_values = x[:, :, rows, cols]                    # N, C, OH, OW
        beats.append(np.greater(window_values, out, out=np.empty_like(out, dtype=bool)))
        np.maximum(out, window_values, out=out)
    return out, (x.shape, x.dtype, kernel, stride, padding, beats)


def max_pool2d_backward(dout, cache):
    r"""Max pooling backward: route each upstream gradient to its window's maximum.

    Parameters
    ----------
    dout : ndarray, shape (N, C, OH, OW)
    cache : tuple
        From :func:`max_pool2d_forward`.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)
        Laid out in memory like the forward output (batch-last after a conv layer).

    Notes
    -----
    .. math::

        \frac{\partial L}{\partial x_{n,c,h,v}} = \sum_{i,j} \delta_{n,c,i,j}\,
        [\,(h, v) \text{ is the first maximum of window } (i, j)\,]

    Computed tap by tap from the last to the first: a window's maximum is the last tap
    that beat the running maximum in the forward pass (the first tap if none did), so tap
    :math:`k` takes the gradient of the windows it beat and no later tap beat, and adds it
    to the strided slice it reads; overlapping windows accumulate. Without overlap each
    input belongs to at most one window, so the routed gradient is written straight into
    that slice (and when the windows tile the input, nothing needs zeroing first).
    """
    padded_shape, dtype, kernel, stride, (P_h, P_w), beats = cache
    N, C = padded_shape[:2]
    OH = conv_output_size(padded_shape[2], kernel[0], stride[0])
    OW = conv_output_size(padded_shape[3], kernel[1], stride[1])
    dout = check_dout(dout, (N, C, OH, OW), "max_pool2d_backward")
    (KH, KW), (s_h, s_w) = kernel, stride
    overlap = s_h < KH or s_w < KW
    tiled = (s_h, s_w) == (KH, KW) and padded_shape[2:] == (KH * OH, KW * OW)
    like = beats[0] if beats else dout                         # the forward output's layout
    dx = empty_like_layout(like, padded_shape, dtype, zero=not tiled)
    taps = list(kernel_taps(kernel, stride, (OH, OW)))
    buf = scratch_like(like, "maxpool_hit", bool)
    taken = scratch_like(like, "maxpool_taken", bool)          # windows a later tap took
    routed = scratch_like(like, "maxpool_routed", dtype) if overlap else None
    for k in range(len(taps) - 1, -1, -1):
        _, _, rows, cols = taps[k]
        if k == len(taps) - 1:                                 # the last tap that beat
            hit = beats[k - 1] if k else np.ones_like(buf)
            np.copyto(taken, hit)
        elif k:
            hit = np.greater(beats[k - 1], taken, out=buf)    # beat, and no later tap did
            np.logical_or(taken, beats[k - 1], out=taken)
        else:
            hit = np.logical_not(taken, out=buf)               # no tap beat the first
        if overlap:
            np.multiply(dout, hit, out=routed)
            dx[:, :, rows, cols] += routed
        else:
            np.multiply(dout, hit, out=dx[:, :, rows, cols])
    H, W = padded_shape[2] - 2 * P_h, padded_shape[3] - 2 * P_w
    return dx[:, :, P_h:P_h + H, P_w:P_w + W]


# --------------------------------------------------------------------------------------
# Average pooling
# --------------------------------------------------------------------------------------

def avg_pool2d_forward_naive(x, *, kernel_size, stride=None, padding=0):
    r"""Average pooling with explicit loops (teaching version).

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Defaults to ``kernel_size``.
    padding : int or (int, int)
        Zero padding, counted in the mean; at most half the kernel.

    Returns
    -------
    out : ndarray, shape (N, C, OH, OW)
    cache : tuple

    Notes
    -----
    .. math::

        y_{n,c,i,j} = \frac{1}{KH\,KW} \sum_{p=0}^{KH-1}\sum_{q=0}^{KW-1}
                      \tilde x_{n,c,\; s_h i + p,\; s_w j + q}
    """
    where = "avg_pool2d_forward_naive"
    x, kernel, stride, padding = _check_pool_inputs(x, kernel_size, stride, padding, where)
    (KH, KW), (sh, sw), (ph, pw) = kernel, stride, padding
    N, C = x.shape[:2]
    OH, OW = _out_hw(x.shape, kernel, stride, padding)
    x_pad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = np.empty((N, C, OH, OW), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(OH):
                for j in range(OW):
                    total = 0.0
                    for p in range(KH):
                        for q in range(KW):
                            total += x_pad[n, c, sh * i + p, sw * j + q]
                    out[n, c, i, j] = total / (KH * KW)
    return out, (x.shape, x.dtype, kernel, stride, padding)


def avg_pool2d_backward_naive(dout, cache):
    r"""Average pooling backward with explicit loops (teaching version).

    Parameters
    ----------
    dout : ndarray, shape (N, C, OH, OW)
    cache : tuple
        From :func:`avg_pool2d_forward_naive`.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)

    Notes
    -----
    .. math::

        \frac{\partial L}{\partial \tilde x_{n,c,s_h i + p,\, s_w j + q}}
        \mathrel{+}= \frac{\delta_{n,c,i,j}}{KH\,KW}
        \quad\text{for every window } (i, j) \text{ and tap } (p, q)
    """
    x_shape, dtype, (KH, KW), (s_h, s_w), (P_h, P_w) = cache
    N, C, H, W = x_shape
    OH, OW = _out_hw(x_shape, (KH, KW), (s_h, s_w), (P_h, P_w))
    dout = check_dout(dout, (N, C, OH, OW), "avg_pool2d_backward_naive")
    dx_pad = np.zeros((N, C, H + 2 * P_h, W + 2 * P_w), dtype=dtype)
    for n in range(N):
        for c in range(C):
            for i in range(OH):
                for j in range(OW):
                    for p in range(KH):
                        for q in range(KW):
                            dx_pad[n, c, s_h * i + p, s_w * j + q] += dout[n, c, i, j] / (KH * KW)
    return dx_pad[:, :, P_h:P_h + H, P_w:P_w + W]


def avg_pool2d_forward(x, *, kernel_size, stride=None, padding=0):
    r"""Average pooling, vectorized: a sum of strided slices, one per kernel tap.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Defaults to ``kernel_size``.
    padding : int or (int, int)
        Zero padding, counted in the mean (``count_include_pad=True``).

    Returns
    -------
    out : ndarray, shape (N, C, OH, OW)
    cache : tuple

    Notes
    -----
    .. math::

        y_{n,c,i,j} = \frac{1}{KH\,KW} \sum_{p,q} \tilde x_{n,c,\,s_h i + p,\, s_w j + q}
    """
    where = "avg_pool2d_forward"
    x, kernel, stride, padding = _check_pool_inputs(x, kernel_size, stride, padding, where)
    (KH, KW), (ph, pw) = kernel, padding
    OH, OW = _out_hw(x.shape, kernel, stride, padding)
    if ph or pw:
        x = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = np.zeros(x.shape[:2] + (OH, OW), dtype=x.dtype)
    for _, _, rows, cols in kernel_taps(kernel, stride, (OH, OW)):
        out += x[:, :, rows, cols]
    out /= KH * KW
    return out, (x.shape, x.dtype, kernel, stride, padding)


def avg_pool2d_backward(dout, cache):
    r"""Average pooling backward: spread each upstream gradient evenly over its window.

    Parameters
    ----------
    dout : ndarray, shape (N, C, OH, OW)
    cache : tuple
        From :func:`avg_pool2d_forward`.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)

    Notes
    -----
    .. math::

        \frac{\partial L}{\partial \tilde x_{n,c,h,v}} = \frac{1}{KH\,KW}
        \sum_{(i,j):\ (h,v) \in \text{window}(i,j)} \delta_{n,c,i,j}
    """
    padded_shape, dtype, kernel, stride, (ph, pw) = cache
    OH = conv_output_size(padded_shape[2], kernel[0], stride[0])
    OW = conv_output_size(padded_shape[3], kernel[1], stride[1])
    dout = check_dout(dout, padded_shape[:2] + (OH, OW), "avg_pool2d_backward")
    share = (dout / (kernel[0] * kernel[1])).astype(dtype, copy=False)
    dx = np.zeros(padded_shape, dtype=dtype)
    for _, _, rows, cols in kernel_taps(kernel, stride, (OH, OW)):
        dx[:, :, rows, cols] += share
    H, W = padded_shape[2] - 2 * ph, padded_shape[3] - 2 * pw
    return dx[:, :, ph:ph + H, pw:pw + W]


# --------------------------------------------------------------------------------------
# Global average pooling
# --------------------------------------------------------------------------------------

def _check_global_input(x, where):
    x = as_float_array(x, "x", where)
    check_ndim(x, 4, "x", where, "(N, C, H, W)")
    if x.shape[2] == 0 or x.shape[3] == 0:
        raise ValueError(f"{where}: expected x with at least one row and one column "
                         f"(N, C, H >= 1, W >= 1), got shape {x.shape}")
    return x


def global_avg_pool2d_forward_naive(x):
    r"""Global average pooling with explicit loops (teaching version).

    Same inputs, outputs and cache as :func:`global_avg_pool2d_forward`:

    .. math:: y_{n,c,0,0} = \frac{1}{HW} \sum_{h=0}^{H-1} \sum_{v=0}^{W-1} x_{n,c,h,v}
    """
    x = _check_global_input(x, "global_avg_pool2d_forward_naive")
    N, C, H, W = x.shape
    out = np.empty((N, C, 1, 1), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            total = 0.0
            for h in range(H):
                for v in range(W):
                    total += x[n, c, h, v]
            out[n, c, 0, 0] = total / (H * W)
    return out, (x.shape, x.dtype)


def global_avg_pool2d_backward_naive(dout, cache):
    r"""Global average pooling backward with explicit loops (teaching version):
    :math:`\partial L/\partial x_{n,c,h,v} = \delta_{n,c,0,0} / (HW)` for every
    :math:`(h, v)`."""
    (N, C, H, W), dtype = cache
    dout = check_dout(dout, (N, C, 1, 1), "global_avg_pool2d_backward_naive")
    dx = np.empty((N, C, H, W), dtype=dtype)
    for n in range(N):
        for c in range(C):
            for h in range(H):
                for v in range(W):
                    dx[n, c, h, v] = dout[n, c, 0, 0] / (H * W)
    return dx


def global_avg_pool2d_forward(x):
    r"""Global average pooling: the mean of each feature map, any height and width.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)

    Returns
    -------
    out : ndarray, shape (N, C, 1, 1)
    cache : tuple
        The input's shape and dtype.

    Notes
    -----
    Average pooling whose window is the whole map (PyTorch's
    ``adaptive_avg_pool2d(x, 1)``):

    .. math::

        y_{n,c,0,0} = \frac{1}{HW} \sum_{h,v} x_{n,c,h,v}, \qquad
        \frac{\partial L}{\partial x_{n,c,h,v}} = \frac{\delta_{n,c,0,0}}{HW}.
    """
    x = _check_global_input(x, "global_avg_pool2d_forward")
    return x.mean(axis=(2, 3), keepdims=True), (x.shape, x.dtype)


def global_avg_pool2d_backward(dout, cache):
    r"""Backward pass of :func:`global_avg_pool2d_forward`: every input of a map gets
    :math:`1/(HW)` of that map's upstream gradient.

    Parameters
    ----------
    dout : ndarray, shape (N, C, 1, 1)
    cache : tuple
        From :func:`global_avg_pool2d_forward`.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)
    """
    (N, C, H, W), dtype = cache
    dout = check_dout(dout, (N, C, 1, 1), "global_avg_pool2d_backward")
    dx = np.empty((N, C, H, W), dtype=dtype)
    dx[...] = dout / (H * W)
    return dx


# --------------------------------------------------------------------------------------
# Layers
# --------------------------------------------------------------------------------------

class _Pool2D(KernelLayer):
    r"""A pooling layer: kernel pair and options as :class:`cnnbook.base.KernelLayer`,
    with ``kernel_size`` first and positional (``MaxPool2D(2)``), ``stride`` defaulting
    to it. Input ``(N, C, H, W)``, output ``(N, C, OH, OW)`` with
    ``OH = (H + 2*padding - kernel_size) // stride + 1``; no parameters."""

    def __init__(self, kernel_size, stride=None, padding=0):
        kernel_size = pair(kernel_size, "kernel_size", self.name, 1)
        super().__init__(kernel_size=kernel_size,
                         stride=kernel_size if stride is None else pair(stride, "stride",
                                                                        self.name, 1),
                         padding=pair(padding, "padding", self.name, 0))

    kernel_size = property(lambda self: self.options["kernel_size"])
    stride = property(lambda self: self.options["stride"])
    padding = property(lambda self: self.options["padding"])

    def extra_repr(self):
        s = f"kernel_size={self.kernel_size}, stride={self.stride}"
        return s + (f", padding={self.padding}" if self.padding != (0, 0) else "")


MaxPool2D = _Pool2D.named("MaxPool2D", max_pool2d_forward, max_pool2d_backward)
AvgPool2D = _Pool2D.named("AvgPool2D", avg_pool2d_forward, avg_pool2d_backward)
GlobalAvgPool2D = KernelLayer.named("GlobalAvgPool2D", global_avg_pool2d_forward,
                                    global_avg_pool2d_backward)
