r"""Transposed convolution: the input gradient of a convolution, written as a convolution.

For a convolution with stride :math:`s`, zero padding :math:`P` and dilation :math:`d`
(``(F, C, KH, KW)`` filters :math:`w`, input height :math:`H`), the gradient with respect to
the input is obtained from the upstream gradient :math:`\delta` of shape
``(N, F, OH, OW)`` by a stride-1 convolution (Dumoulin & Visin, 2016, section 4):

1. insert :math:`s - 1` zeros between neighbouring entries of :math:`\delta` along each axis;
2. pad the result with :math:`d(KH - 1) - P` zeros on every side (a negative amount crops);
3. add :math:`u = (H + 2P - d(KH - 1) - 1) \bmod s` more rows at the bottom (and likewise
   columns at the right): the last input rows that no window reaches (PyTorch's
   ``output_padding``);
4. correlate with the kernel flipped in both spatial axes, its :math:`F` and :math:`C` axes
   swapped, at stride 1 and dilation :math:`d`.

The result has height :math:`s(OH - 1) - 2P + d(KH - 1) + 1 + u = H`. Without step 3 it is
:math:`u` rows short whenever :math:`H + 2P - d(KH - 1) - 1` is not a multiple of :math:`s`.
:func:`conv_transpose2d` follows these steps one line each; ``tests/test_transposed_conv.py``
checks it against :func:`cnnbook.conv.conv2d_backward`.
"""
from __future__ import annotations

import numpy as np

from ._checks import as_float_array, check_ndim, check_shape, pair
from .conv import conv2d_forward

__all__ = ["output_padding", "conv_transpose2d"]


def output_padding(size: int, kernel_size: int, stride: int = 1, padding: int = 0,
                   dilation: int = 1) -> int:
    r"""Rows (or columns) at the end of an input axis that no window of the convolution reads.

    .. math:: u = \bigl(H + 2P - d(KH - 1) - 1\bigr) \bmod s

    Examples
    --------
    >>> output_padding(28, 3, stride=2)     # windows end at row 26; row 27 is never read
    1
    >>> output_padding(27, 3, stride=2)      # windows end at row 26, the last row
    0
    """
    return (size + 2 * padding - dilation * (kernel_size - 1) - 1) % stride


def conv_transpose2d(delta, w, *, stride=1, padding=0, dilation=1, output_padding=0):
    r"""Transposed convolution of ``delta`` with the filters ``w`` of a convolution.

    Parameters
    ----------
    delta : ndarray, shape (N, F, OH, OW)
        Upstream gradient of the convolution's output.
    w : ndarray, shape (F, C, KH, KW)
        The convolution's filters (as passed to :func:`cnnbook.conv.conv2d_forward`).
    stride, padding, dilation : int or (int, int)
        The convolution's options :math:`s`, :math:`P`, :math:`d`.
    output_padding : int or (int, int)
        :math:`u`: extra rows at the bottom and columns at the right, from
        :func:`output_padding` of the input size; 0 gives the smallest input that has
        ``delta``'s output size.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)
        :math:`H = s(OH - 1) - 2P + d(KH - 1) + 1 + u`; equal to the ``dx`` of
        :func:`cnnbook.conv.conv2d_backward` for an input of that height.
    """
    where = "conv_transpose2d"
    delta = as_float_array(delta, "delta", where)
    w = as_float_array(w, "w", where)
    check_ndim(delta, 4, "delta", where, "(N, F, OH, OW)")
    check_ndim(w, 4, "w", where, "(F, C, KH, KW)")
    N, F, OH, OW = delta.shape
    F_w, C, KH, KW = w.shape
    check_shape(delta, (N, F_w, OH, OW), "delta", where)
    s_h, s_w = pair(stride, "stride", where, 1)
    P_h, P_w = pair(padding, "padding", where, 0)
    d_h, d_w = pair(dilation, "dilation", where, 1)
    a_h, a_w = pair(output_padding, "output_padding", where, 0)
    if a_h >= s_h or a_w >= s_w:
        raise ValueError(f"{where}: expected output_padding below the stride {(s_h, s_w)}, "
                         f"got {(a_h, a_w)}")
    # 1. s - 1 zeros between neighbouring entries
    spread = np.zeros((N, F, s_h * (OH - 1) + 1, s_w * (OW - 1) + 1), dtype=delta.dtype)
    spread[:, :, ::s_h, ::s_w] = delta
    # 2. d(K-1) - P zeros on every side (a negative amount crops)
    e_h, e_w = d_h * (KH - 1) - P_h, d_w * (KW - 1) - P_w
    c_h, c_w = max(-e_h, 0), max(-e_w, 0)
    spread = spread[:, :, c_h:spread.shape[2] - c_h, c_w:spread.shape[3] - c_w]
    # 3. a more rows at the bottom and columns at the right
    padded = np.pad(spread, ((0, 0), (0, 0), (max(e_h, 0), max(e_h, 0) + a_h),
                             (max(e_w, 0), max(e_w, 0) + a_w)))
    # 4. stride-1 correlation with the flipped kernel, F and C swapped
    w_flipped = w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)      # C, F, KH, KW
    dx, _ = conv2d_forward(padded, np.ascontiguousarray(w_flipped),
                           np.zeros(C, dtype=delta.dtype), dilation=(d_h, d_w))
    return dx
