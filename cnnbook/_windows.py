"""Which input positions each kernel tap reads: shared by convolution and pooling.

A sliding-window layer (convolution, pooling) with kernel ``(KH, KW)``, stride ``(s_h, s_w)``
and dilation ``(d_h, d_w)`` has output ``(OH, OW)``. Tap ``(p, q)`` of the kernel meets, at
output position ``(i, j)``, the padded input at row ``s_h i + d_h p`` and column
``s_w j + d_w q``. For all ``(i, j)`` at once those positions form one strided slice per axis,
so a vectorized pass can loop over the ``KH * KW`` taps instead of the ``OH * OW`` windows.
"""
from __future__ import annotations

__all__ = ["tap_slice", "kernel_taps"]


def tap_slice(tap: int, dilation: int, stride: int, out_len: int) -> slice:
    """Slice of the padded input that kernel tap ``tap`` reads along one axis, for the
    ``out_len`` output positions: ``dilation*tap, dilation*tap + stride, ...``."""
    start = dilation * tap
    return slice(start, start + stride * (out_len - 1) + 1, stride)


def kernel_taps(kernel, stride, out_hw, dilation=(1, 1)):
    """Yield ``(p, q, rows, cols)`` for each kernel tap in row-major order: the tap and the
    row and column slices of the padded input it reads for every output position."""
    (KH, KW), (sh, sw), (OH, OW), (dil_h, dil_w) = kernel, stride, out_hw, dilation
    for p in range(KH):
        rows = tap_slice(p, dil_h, sh, OH)
        for q in range(KW):
            yield p, q, rows, tap_slice(q, dil_w, sw, OW)
