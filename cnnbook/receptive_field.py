"""Receptive fields, and the gradient one output value sends back through a layer.

With an upstream gradient that is 1 at a single output position and 0 elsewhere, the
backward pass of a convolution or pooling layer shows exactly which inputs and weights that
output depends on. :func:`window_coverage` does the same with every upstream value 1: it
counts how many windows read each input, i.e. how many terms the backward pass sums there.
:func:`receptive_field_sizes` gives the same reach as a formula, layer by layer, and
:func:`measured_receptive_field` measures it with a backward pass.
"""
from __future__ import annotations

import copy

import numpy as np

from ._checks import pair
from .conv import conv2d_backward, conv2d_forward
from .pooling import (avg_pool2d_backward, avg_pool2d_forward, max_pool2d_backward,
                      max_pool2d_forward)

__all__ = ["receptive_field_taps", "conv_step_gradients", "pool_step_gradients",
           "window_coverage", "receptive_field_sizes", "measured_receptive_field"]


def receptive_field_taps(i, j, kernel_size, *, stride=1, padding=0, dilation=1):
    r"""Input positions read by conv output pixel ``(i, j)``, one per kernel tap.

    Tap :math:`(p, q)` of output pixel :math:`(i, j)` reads the (unpadded) input at

    .. math:: (s_h i - p_h + d_h p,\; s_w j - p_w + d_w q);

    positions outside ``[0, H) x [0, W)`` fall in the zero padding.

    Returns
    -------
    taps : ndarray of int, shape (KH, KW, 2)
        ``taps[p, q] = (row, col)``.
    """
    (KH, KW), (sh, sw), (ph, pw), (dil_h, dil_w) = (
        pair(v, name, "receptive_field_taps", minimum) for v, name, minimum in
        ((kernel_size, "kernel_size", 1), (stride, "stride", 1), (padding, "padding", 0),
         (dilation, "dilation", 1)))
    rows = sh * i - ph + dil_h * np.arange(KH)
    cols = sw * j - pw + dil_w * np.arange(KW)
    return np.stack(np.meshgrid(rows, cols, indexing="ij"), axis=-1)


def conv_step_gradients(x, w, b, n, f, i, j, *, stride=1, padding=0, dilation=1):
    r"""Backpropagate :math:`\delta = e_{n,f,i,j}` (1 at one output pixel) through a conv.

    Runs :func:`cnnbook.conv.conv2d_forward` and :func:`cnnbook.conv.conv2d_backward` with
    an upstream gradient that is 1 at output pixel ``(n, f, i, j)`` and 0 elsewhere, i.e.
    the gradient of that single output :math:`y_{n,f,i,j}`.

    Returns
    -------
    dict
        ``out`` (N, F, OH, OW), ``dout`` (the one-hot :math:`\delta`), ``dx`` (N, C, H, W),
        ``dw`` (F, C, KH, KW), ``db`` (F,), and ``taps`` (KH, KW, 2) from
        :func:`receptive_field_taps`. ``dx[n, c]`` is ``w[f, c]`` placed on the taps inside
        the image (taps that overlap add up); ``dw[f, c]`` is the input patch under the taps
        (0 on padding); ``db`` is 1 at ``f``.
    """
    out, cache = conv2d_forward(x, w, b, stride=stride, padding=padding, dilation=dilation)
    N, F, OH, OW = out.shape
    if not (0 <= n < N and 0 <= f < F and 0 <= i < OH and 0 <= j < OW):
        raise ValueError(f"conv_step_gradients: expected (n, f, i, j) inside the output of "
                         f"shape {out.shape}, got {(n, f, i, j)}")
    dout = np.zeros(out.shape)
    dout[n, f, i, j] = 1.0
    dx, dw, db = conv2d_backward(dout, cache)
    taps = receptive_field_taps(i, j, np.shape(w)[2:], stride=stride, padding=padding,
                                dilation=dilation)
    return {"out": np.array(out), "dout": dout, "dx": np.array(dx), "dw": np.array(dw),
            "db": np.array(db), "taps": taps}


def pool_step_gradients(fmap, kernel_size, stride, mode, cell):
    r"""Pool one feature map and backpropagate :math:`\delta` = 1 at output ``cell``.

    Parameters
    ----------
    fmap : ndarray, shape (H, W)
    kernel_size, stride : int
    mode : {"max", "avg"}
    cell : (int, int) or None
        Output position where the upstream gradient is 1; ``None``: 1 everywhere.

    Returns
    -------
    out : ndarray, shape (OH, OW)
        The pooled map.
    dx : ndarray, shape (H, W)
        :math:`\partial L/\partial x` for that upstream gradient.
    """
    fmap = np.asarray(fmap, dtype=np.float64)
    if mode not in ("max", "avg"):
        raise ValueError(f"pool_step_gradients: expected mode 'max' or 'avg', got {mode!r}")
    forward, backward = ((max_pool2d_forward, max_pool2d_backward) if mode == "max"
                         else (avg_pool2d_forward, avg_pool2d_backward))
    out, cache = forward(fmap[None, None], kernel_size=kernel_size, stride=stride)
    OH, OW = out.shape[2:]
    if cell is None:
        dout = np.ones_like(out)
    else:
        i, j = cell
        if not (0 <= i < OH and 0 <= j < OW):
            raise ValueError(f"pool_step_gradients: expected cell inside the {OH}×{OW} output, "
                             f"got {cell}")
        dout = np.zeros_like(out)
        dout[0, 0, i, j] = 1.0
    dx = np.asarray(backward(dout, cache))[0, 0]
    return np.asarray(out)[0, 0], dx


def window_coverage(height, width, kernel_size, *, stride=1, padding=0, dilation=1):
    r"""How many output windows of a convolution read each input position.

    It is :math:`\partial L/\partial x` for a single-channel convolution whose weights
    and upstream gradient are all 1: the backward pass adds one for every (window, tap)
    pair that touched the input, which is exactly why overlapping windows *sum*.

    Returns
    -------
    ndarray of int, shape (height, width)
    """
    kh, kw = (kernel_size, kernel_size) if np.isscalar(kernel_size) else kernel_size
    x = np.zeros((1, 1, height, width))
    w = np.ones((1, 1, kh, kw))
    out, cache = conv2d_forward(x, w, np.zeros(1), stride=stride, padding=padding,
                                dilation=dilation)
    dx, _, _ = conv2d_backward(np.ones_like(out), cache)
    return np.rint(dx[0, 0]).astype(int)


def _window(layer):
    """``(kernel, stride, dilation)`` pairs of a layer that slides a window; 1x1 for a
    layer that acts on each position alone (activations, batch norm)."""
    kernel = getattr(layer, "kernel_size", (1, 1))
    stride = getattr(layer, "stride", None)
    dilation = getattr(layer, "dilation", (1, 1))
    return (pair(kernel, "kernel_size", "receptive_field_sizes", 1),
            pair(kernel if stride is None else stride, "stride", "receptive_field_sizes", 1),
            pair(dilation, "dilation", "receptive_field_sizes", 1))


def receptive_field_sizes(layers):
    r"""Receptive field (rows, columns) of one output position after each layer.

    With :math:`k_l`, :math:`s_l`, :math:`d_l` the kernel size, stride and dilation of layer
    :math:`l` (1, 1, 1 for a layer that acts on each position alone) and :math:`r_0 = 1`,

    .. math:: r_l = r_{l-1} + (k_l - 1)\, d_l \prod_{i<l} s_i :

    one step of layer :math:`l`'s kernel moves :math:`d_l` positions of its input, which
    are :math:`\prod_{i<l} s_i` input pixels apart. Padding does not enter (it moves the
    field, it does not widen it).

    Parameters
    ----------
    layers : iterable of Layer
        For example a :class:`cnnbook.base.Sequential` of convolutions, poolings and
        activations (a layer without ``kernel_size`` counts as 1x1, stride 1).

    Returns
    -------
    list of (int, int)
        :math:`(r_l)` along rows and columns, one pair per layer.
    """
    r, jump, sizes = [1, 1], [1, 1], []
    for layer in layers:
        kernel, stride, dilation = _window(layer)
        for a in range(2):
            r[a] += (kernel[a] - 1) * dilation[a] * jump[a]
            jump[a] *= stride[a]
        sizes.append(tuple(r))
    return sizes


def measured_receptive_field(net, size):
    """Rows and columns of the input that one output position depends on, measured.

    On a copy of ``net`` with every weight 1 and every bias 0 and an input of ones (so every
    pre-activation is positive and a ReLU passes the gradient), backpropagate an upstream
    gradient that is 1 at the centre output position of a ``size x size`` single-channel
    input: the gradient is nonzero exactly on that position's receptive field (average
    pooling spreads it over every window position; max pooling would pick one).

    Returns
    -------
    (int, int)
        Height and width of the bounding box of the nonzero gradient.
    """
    net = copy.deepcopy(net)
    for name, p in net.params.items():
        p[...] = 1.0 if name.endswith("weight") else 0.0
    out = net.forward(np.ones((1, 1, size, size)))       # positive: ReLUs pass gradients
    delta = np.zeros_like(out)
    delta[0, 0, out.shape[2] // 2, out.shape[3] // 2] = 1.0
    rows, cols = np.nonzero(net.backward(delta)[0, 0])
    return int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1)
