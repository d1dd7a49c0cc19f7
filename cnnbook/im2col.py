r"""im2col and col2im in the textbook layout: a convolution as one matrix product.

``im2col`` copies every window of the zero-padded input into one column of a matrix

.. math:: X_{\text{col}} \in \mathbb R^{(C\,KH\,KW) \times (N\,OH\,OW)},\qquad
          X_{\text{col}}[(c\,KH + p)\,KW + q,\; (n\,OH + i)\,OW + j]
          = \tilde x_{n,\,c,\; s_h i + d_h p,\; s_w j + d_w q},

so that the convolution is :math:`Y = W_{\text{row}} X_{\text{col}} + b` with
:math:`W_{\text{row}} = w` reshaped to :math:`F \times (C\,KH\,KW)`. ``col2im`` goes the
other way: it adds every entry of a matrix of that shape onto the input position it
would have been copied from (overlapping windows add up) and drops the padding border.
It is the adjoint (transpose) of ``im2col``:
:math:`\langle \operatorname{im2col}(x), Y\rangle = \langle x, \operatorname{col2im}(Y)\rangle`.

Both are written with one table of indices, :func:`im2col_indices`, so that the gather
(im2col) and the scatter-add (col2im) visibly use the same positions. This module is the
teaching version; :func:`cnnbook.conv.conv2d_forward` computes the same product with the
batch as the last axis of the matrix, which is faster to fill.
"""
from __future__ import annotations

import numpy as np

from ._checks import as_float_array, check_kernel_fits, check_ndim, check_shape, is_int, pair
from .conv import conv_output_size

__all__ = ["im2col_indices", "im2col", "col2im"]


def _geometry(x_shape, kernel_size, stride, padding, dilation, where):
    if not isinstance(x_shape, tuple):
        raise TypeError(f"{where}: expected x_shape to be a tuple (N, C, H, W), "
                        f"got {type(x_shape).__name__}")
    if not (len(x_shape) == 4 and all(is_int(s) and s >= 1 for s in x_shape)):
        raise ValueError(f"{where}: expected x_shape to be a tuple (N, C, H, W) of positive "
                         f"ints, got {x_shape!r}")
    N, C, H, W = x_shape
    (KH, KW) = pair(kernel_size, "kernel_size", where, 1)
    (sh, sw) = pair(stride, "stride", where, 1)
    (ph, pw) = pair(padding, "padding", where, 0)
    (dil_h, dil_w) = pair(dilation, "dilation", where, 1)
    check_kernel_fits((H, W), (KH, KW), (ph, pw), where, (dil_h, dil_w))
    OH = conv_output_size(H, KH, sh, ph, dil_h)
    OW = conv_output_size(W, KW, sw, pw, dil_w)
    return (N, C, H, W), (KH, KW), (sh, sw), (ph, pw), (dil_h, dil_w), (OH, OW)


def im2col_indices(x_shape, kernel_size, *, stride=1, padding=0, dilation=1,
                   where="im2col_indices"):
    r"""Which entry of the padded input each entry of :math:`X_{\text{col}}` reads.

    Parameters
    ----------
    x_shape : tuple (N, C, H, W)
        Shape of the (unpadded) input.
    kernel_size, stride, padding, dilation : int or (int, int)
        As in :func:`cnnbook.conv.conv2d_forward`.

    Returns
    -------
    index : ndarray of int, shape (C*KH*KW, N*OH*OW)
        Flat index into the padded input of shape ``(N, C, H + 2P_h, W + 2P_w)``:
        row :math:`(c\,KH + p)\,KW + q` (a kernel tap), column
        :math:`(n\,OH + i)\,OW + j` (an output position).
    where : str
        Name of the calling function, for error messages.
    """
    (N, C, H, W), (KH, KW), (sh, sw), (ph, pw), (dil_h, dil_w), (OH, OW) = _geometry(
        x_shape, kernel_size, stride, padding, dilation, where)
    Hp, Wp = H + 2 * ph, W + 2 * pw
    c = np.arange(C).reshape(C, 1, 1, 1, 1, 1)
    p = np.arange(KH).reshape(1, KH, 1, 1, 1, 1)
    q = np.arange(KW).reshape(1, 1, KW, 1, 1, 1)
    n = np.arange(N).reshape(1, 1, 1, N, 1, 1)
    i = np.arange(OH).reshape(1, 1, 1, 1, OH, 1)
    j = np.arange(OW).reshape(1, 1, 1, 1, 1, OW)
    h, v = sh * i + dil_h * p, sw * j + dil_w * q             # row, column of the padded input
    index = ((n * C + c) * Hp + h) * Wp + v                   # C, KH, KW, N, OH, OW
    return index.reshape(C * KH * KW, N * OH * OW)


def im2col(x, kernel_size, *, stride=1, padding=0, dilation=1):
    r"""Unroll the windows of ``x`` into the columns of :math:`X_{\text{col}}`.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    kernel_size, stride, padding, dilation : int or (int, int)

    Returns
    -------
    cols : ndarray, shape (C*KH*KW, N*OH*OW)
        Column :math:`(n\,OH + i)\,OW + j` holds window :math:`(i, j)` of sample
        :math:`n`, all channels, taps in row-major order.
    """
    where = "im2col"
    x = as_float_array(x, "x", where)
    check_ndim(x, 4, "x", where, "(N, C, H, W)")
    index = im2col_indices(x.shape, kernel_size, stride=stride, padding=padding,
                           dilation=dilation, where=where)
    (ph, pw) = pair(padding, "padding", where, 0)
    x_pad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))   # N, C, H+2P_h, W+2P_w
    return x_pad.ravel()[index]                                # gather


def col2im(cols, x_shape, kernel_size, *, stride=1, padding=0, dilation=1):
    r"""Add the entries of a :math:`(C\,KH\,KW) \times (N\,OH\,OW)` matrix back onto the input.

    The adjoint of :func:`im2col`: entry ``(r, k)`` is added to the input position that
    ``im2col`` copies into ``(r, k)``; positions read by several windows receive the sum,
    and the padding border is dropped. Applied to
    :math:`\partial L/\partial X_{\text{col}} = W_{\text{row}}^{\top}\Delta` it gives
    :math:`\partial L/\partial x`.

    Parameters
    ----------
    cols : ndarray, shape (C*KH*KW, N*OH*OW)
    x_shape : tuple (N, C, H, W)
    kernel_size, stride, padding, dilation : int or (int, int)

    Returns
    -------
    x : ndarray, shape x_shape
    """
    where = "col2im"
    cols = as_float_array(cols, "cols", where)
    index = im2col_indices(x_shape, kernel_size, stride=stride, padding=padding,
                           dilation=dilation, where=where)
    check_shape(cols, index.shape, "cols", where)
    N, C, H, W = x_shape
    (ph, pw) = pair(padding, "padding", where, 0)
    x_pad = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=cols.dtype)
    np.add.at(x_pad.reshape(-1), index, cols)                  # scatter-add (into a view)
    return x_pad[:, :, ph:ph + H, pw:pw + W]
