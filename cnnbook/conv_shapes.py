r"""Shapes of a convolution: the output size, the checks of its arguments, and what a
convolution costs (parameters and multiply-adds).

Shapes use the letters of :mod:`cnnbook.conv`: input ``(N, C, H, W)``, weight
``(F, C/G, KH, KW)`` for ``G`` groups, output ``(N, F, OH, OW)``.
"""
from __future__ import annotations

from ._checks import (as_float_array, check_int, check_kernel_fits, check_ndim, check_shape,
                      pair)

__all__ = ["conv_output_size", "check_conv_inputs", "check_groups", "conv_out_shape",
           "conv_cost", "separable_block_costs"]


def conv_output_size(size: int, kernel_size: int, stride: int = 1, padding: int = 0,
                     dilation: int = 1) -> int:
    r"""Output length along one spatial axis.

    .. math:: \left\lfloor \frac{\text{size} + 2P - d(\text{kernel\_size} - 1) - 1}{s} \right\rfloor + 1

    Examples
    --------
    >>> conv_output_size(28, 5)            # LeNet conv1
    24
    >>> conv_output_size(7, 3, stride=2, padding=1)
    4
    """
    return (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1


def check_groups(groups, in_channels, out_channels, where):
    """``groups`` as an int that divides both ``in_channels`` (C) and ``out_channels`` (F)."""
    groups = check_int(groups, "groups", where, 1)
    for name, n in (("in_channels C", in_channels), ("out_channels F", out_channels)):
        if n % groups:
            raise ValueError(f"{where}: expected groups to divide {name} = {n}, "
                             f"got groups={groups}")
    return groups


def check_conv_inputs(x, w, b, stride, padding, dilation, where, groups=1):
    """Validate the arguments of a convolution; return the arrays and the (h, w) pairs."""
    x = as_float_array(x, "x", where)
    w = as_float_array(w, "w", where)
    b = as_float_array(b, "b", where)
    check_ndim(x, 4, "x", where, "(N, C, H, W)")
    check_ndim(w, 4, "w", where, "(F, C, KH, KW)")
    N, C, H, W = x.shape
    F, Cw, KH, KW = w.shape
    if not (type(groups) is int and groups == 1):   # the common case costs nothing
        groups = check_groups(groups, C, F, where)
    if Cw * groups != C:
        per = "" if groups == 1 else f"/groups = {C}/{groups}"
        raise ValueError(
            f"{where}: expected w with {C // groups} input channels (C{per}) to match x of "
            f"shape {x.shape} (w of shape ({F}, {C // groups}, KH, KW)), got w of shape "
            f"{w.shape}"
        )
    check_shape(b, (F,), "b", where)
    stride = pair(stride, "stride", where, 1)
    padding = pair(padding, "padding", where, 0)
    dilation = pair(dilation, "dilation", where, 1)
    if KH == 0 or KW == 0:
        raise ValueError(f"{where}: expected a kernel of at least 1x1, got w of shape {w.shape}")
    check_kernel_fits((H, W), (KH, KW), padding, where, dilation)
    return x, w, b, stride, padding, dilation


def conv_out_shape(x_shape, w_shape, stride, padding, dilation):
    """``(N, F, OH, OW)`` of a convolution of an ``x_shape`` input with ``w_shape`` filters."""
    N, C, H, W = x_shape
    F, _, KH, KW = w_shape
    OH = conv_output_size(H, KH, stride[0], padding[0], dilation[0])
    OW = conv_output_size(W, KW, stride[1], padding[1], dilation[1])
    return N, F, OH, OW


def conv_cost(in_channels, out_channels, kernel_size, out_size, *, groups=1, bias=True):
    r"""Parameters and multiply-adds (per image) of one convolution.

    Each of the :math:`F \cdot OH \cdot OW` outputs is a sum over :math:`C/G` channels
    and :math:`KH \cdot KW` taps:

    .. math:: \text{params} = F \frac{C}{G} KH\,KW\, (+F), \qquad
              \text{mult-adds} = F \frac{C}{G} KH\,KW\; OH\,OW .

    Returns
    -------
    dict
        ``params`` and ``mult_adds`` (ints).

    Examples
    --------
    >>> conv_cost(32, 64, 3, 56, bias=False)["mult_adds"]
    57802752
    """
    where = "conv_cost"
    C = check_int(in_channels, "in_channels", where, 1)
    F = check_int(out_channels, "out_channels", where, 1)
    G = check_groups(groups, C, F, where)
    KH, KW = pair(kernel_size, "kernel_size", where, 1)
    OH, OW = pair(out_size, "out_size", where, 1)
    weights = F * (C // G) * KH * KW
    return {"params": weights + (F if bias else 0), "mult_adds": weights * OH * OW}


def separable_block_costs(in_channels, out_channels, kernel_size, out_size):
    r"""A standard ``KxK`` convolution vs a depthwise-separable block (MobileNet).

    The separable block is a depthwise ``KxK`` convolution (``groups = C``: one filter per
    channel) followed by a pointwise ``1x1`` convolution mixing the channels; biases are
    left out, as in MobileNet (batch norm follows each convolution). The ratio of their
    multiply-adds is :math:`1/F + 1/(KH\,KW)`.

    Returns
    -------
    dict
        ``"standard"``, ``"depthwise"``, ``"pointwise"`` and ``"separable"`` (the sum of the
        two), each a dict of ``params`` and ``mult_adds``.
    """
    C, F = in_channels, out_channels
    std = conv_cost(C, F, kernel_size, out_size, bias=False)
    dw = conv_cost(C, C, kernel_size, out_size, groups=C, bias=False)
    pw = conv_cost(C, F, 1, out_size, bias=False)
    sep = {k: dw[k] + pw[k] for k in dw}
    return {"standard": std, "depthwise": dw, "pointwise": pw, "separable": sep}
