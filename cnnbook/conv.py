r"""2-D convolution (cross-correlation, as CNN libraries compute it): kernels and layer.

Shapes use one set of letters throughout: input ``x`` is ``(N, C, H, W)``, weight ``w`` is
``(F, C, KH, KW)``, bias ``b`` is ``(F,)``, output ``out`` is ``(N, F, OH, OW)`` with

.. math::

    OH = \left\lfloor \frac{H + 2 P_h - d_h (KH - 1) - 1}{s_h} \right\rfloor + 1

(and likewise for ``OW``), where :math:`s` is the stride, :math:`P` the zero padding and
:math:`d` the dilation.

Three versions of each pass live here:

* :func:`conv2d_forward_naive` / :func:`conv2d_backward_naive` - explicit loops that mirror the
  book's equations term by term; for teaching and for checking, far too slow to train with;
* :func:`conv2d_forward` / :func:`conv2d_backward` - the same arithmetic as matrix
  products (im2col + BLAS), fast enough to train a CNN in seconds;
* :class:`Conv2D` - the layer that keeps the cache between the two passes.
"""
from __future__ import annotations

import numpy as np

from ._checks import check_bool, check_choice, check_dout, check_float_dtype, check_int, pair
from ._blas import blas_threads_for
from ._windows import kernel_taps
from ._workspace import Workspace, scratch
from .base import Layer, init_weight
from .conv_shapes import check_conv_inputs as _check_conv_inputs, conv_output_size
from .conv_shapes import check_groups, conv_out_shape as _out_shape

__all__ = [
    "conv_output_size",
    "conv2d_forward", "conv2d_backward",
    "conv2d_forward_naive", "conv2d_backward_naive",
    "Conv2D",
]


# --------------------------------------------------------------------------------------
# Loop version: the book's equations, one term at a time
# --------------------------------------------------------------------------------------

def conv2d_forward_naive(x, w, b, *, stride=1, padding=0, dilation=1, groups=1):
    r"""Convolution forward pass with explicit loops (teaching version).

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
        Input batch.
    w : ndarray, shape (F, C, KH, KW)
        Filters.
    b : ndarray, shape (F,)
        Biases, one per filter.
    stride, padding, dilation : int or (int, int)
        Step between windows, zero padding on each side, spacing of kernel taps.
    groups : int
        ``G``: the channels are split into ``G`` groups and filter ``f`` reads only the
        ``C/G`` channels of its group ``g = f // (F/G)``; ``w`` is then ``(F, C/G, KH, KW)``.

    Returns
    -------
    out : ndarray, shape (N, F, OH, OW)
    cache : tuple
        What :func:`conv2d_backward_naive` needs.

    Notes
    -----
    With :math:`\tilde x` the zero-padded input,

    .. math::

        y_{n,f,i,j} = b_f + \sum_{c=0}^{C-1} \sum_{p=0}^{KH-1} \sum_{q=0}^{KW-1}
                      w_{f,c,p,q}\; \tilde x_{n,\,c,\; s_h i + d_h p,\; s_w j + d_w q}
    """
    where = "conv2d_forward_naive"
    x, w, b, stride, padding, dilation = _check_conv_inputs(
        x, w, b, stride, padding, dilation, where, groups)
    (s_h, s_w), (P_h, P_w), (d_h, d_w) = stride, padding, dilation
    N, F, OH, OW = _out_shape(x.shape, w.shape, stride, padding, dilation)
    C, KH, KW = w.shape[1:]                                    # C: channels per group
    F_g = F // groups                                          # filters per group
    x_pad = np.pad(x, ((0, 0), (0, 0), (P_h, P_h), (P_w, P_w)))  # N, C, H+2P_h, W+2P_w
    out = np.zeros((N, F, OH, OW), dtype=x.dtype)
    for n in range(N):
        for f in range(F):
            for i in range(OH):
                for j in range(OW):
                    total = b[f]
                    for c in range(C):
                        x_c = x_pad[n, (f // F_g) * C + c]             # channel c of f's group
                        for p in range(KH):
                            for q in range(KW):
                                total += w[f, c, p, q] * x_c[s_h * i + d_h * p, s_w * j + d_w * q]
                    out[n, f, i, j] = total
    cache = (x, w, stride, padding, dilation, groups)
    return out, cache


def conv2d_backward_naive(dout, cache):
    r"""Convolution backward pass with explicit loops (teaching version).

    Parameters
    ----------
    dout : ndarray, shape (N, F, OH, OW)
        Upstream gradient :math:`\delta = \partial L / \partial y`.
    cache : tuple
        From :func:`conv2d_forward_naive`.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)
    dw : ndarray, shape (F, C, KH, KW)
    db : ndarray, shape (F,)

    Notes
    -----
    Each output :math:`y_{n,f,i,j}` received :math:`w_{f,c,p,q}\,\tilde x_{n,c,h,v}` with
    :math:`h = s_h i + d_h p`, :math:`v = s_w j + d_w q`; the chain rule sends
    :math:`\delta_{n,f,i,j}` back along the same terms:

    .. math::

        \frac{\partial L}{\partial b_f} &= \sum_{n,i,j} \delta_{n,f,i,j} \\
        \frac{\partial L}{\partial w_{f,c,p,q}} &= \sum_{n,i,j} \delta_{n,f,i,j}\,
            \tilde x_{n,c,\,s_h i + d_h p,\, s_w j + d_w q} \\
        \frac{\partial L}{\partial \tilde x_{n,c,h,v}} &= \sum_{f,p,q}\;
            \sum_{\substack{i,j:\ s_h i + d_h p = h \\ s_w j + d_w q = v}}
            \delta_{n,f,i,j}\, w_{f,c,p,q}

    and :math:`\partial L/\partial x` is :math:`\partial L/\partial \tilde x` without the
    padding border.
    """
    x, w, stride, padding, dilation, groups = cache
    (s_h, s_w), (P_h, P_w), (d_h, d_w) = stride, padding, dilation
    N, F, OH, OW = _out_shape(x.shape, w.shape, stride, padding, dilation)
    dout = check_dout(dout, (N, F, OH, OW), "conv2d_backward_naive")
    C, KH, KW = w.shape[1:]                                    # C: channels per group
    F_g = F // groups
    H, W = x.shape[2:]
    x_pad = np.pad(x, ((0, 0), (0, 0), (P_h, P_h), (P_w, P_w)))
    dx_pad = np.zeros_like(x_pad)
    dw = np.zeros_like(w)
    db = np.zeros(F, dtype=w.dtype)
    for n in range(N):
        for f in range(F):
            for i in range(OH):
                for j in range(OW):
                    delta = dout[n, f, i, j]
                    db[f] += delta
                    for c in range(C):
                        c_x = (f // F_g) * C + c                     # its channel in x
                        for p in range(KH):
                            for q in range(KW):
                                h, v = s_h * i + d_h * p, s_w * j + d_w * q
                                dw[f, c, p, q] += delta * x_pad[n, c_x, h, v]
                                dx_pad[n, c_x, h, v] += delta * w[f, c, p, q]
    dx = dx_pad[:, :, P_h:P_h + H, P_w:P_w + W]
    return dx, dw, db


# --------------------------------------------------------------------------------------
# Vectorized version: im2col + one matrix product
# --------------------------------------------------------------------------------------

def _padded_batch_last(x, ph, pw):
    """``x`` (N, C, H, W) as a C-contiguous ``(C, H + 2ph, W + 2pw, N)`` array, zero padded.

    A view of ``x`` when it already has that memory layout and no padding is asked for (the
    output of the previous conv or pool layer); otherwise a copy into a scratch buffer that
    dies with the call, so filling im2col always reads contiguous runs.

    The copy from an ``(N, C, H, W)`` array reads the ``N`` samples of each position at a
    stride of ``C*H*W`` numbers. When that stride is a multiple of 1 KB (32 channels of
    16x16: 32 KB), those ``N`` reads fall into the same few sets of the L1 cache and evict
    each other; the samples are then first copied (one contiguous copy) into rows 64 bytes
    longer, which makes the transposing copy about 4 times faster.
    """
    N, C, H, W = x.shape
    x_t = x.transpose(1, 2, 3, 0)                              # C, H, W, N (a view)
    if not (ph or pw) and x_t.flags.c_contiguous:
        return x_t
    ws = scratch()
    if N > 8 and x.strides[0] % 1024 == 0 and x.strides[0] >= 4096 and x.flags.c_contiguous:
        row = C * H * W
        staged = ws.get("conv_x_rows", (N, row + 64 // x.itemsize), x.dtype)[:, :row]
        staged[...] = x.reshape(N, row)
        x_t = staged.reshape(N, C, H, W).transpose(1, 2, 3, 0)
    x_pad = ws.get("conv_x_pad", (C, H + 2 * ph, W + 2 * pw, N), x.dtype)
    x_pad[:, :ph] = 0                                          # the border only
    x_pad[:, ph + H:] = 0
    x_pad[:, ph:ph + H, :pw] = 0
    x_pad[:, ph:ph + H, pw + W:] = 0
    x_pad[:, ph:ph + H, pw:pw + W] = x_t
    return x_pad


def conv2d_forward(x, w, b, *, stride=1, padding=0, dilation=1, workspace=None, groups=1):
    r"""Convolution forward pass, vectorized with im2col and one matrix product.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
        Input batch (float32 or float64; the output has the same dtype).
    w : ndarray, shape (F, C, KH, KW)
        Filters.
    b : ndarray, shape (F,)
        Biases.
    stride, padding, dilation : int or (int, int)
        As in :func:`conv2d_forward_naive` and PyTorch's ``Conv2d``.
    workspace : Workspace, optional
        Where to keep the im2col matrix (the largest array of the pass) from one call to
        the next instead of allocating it afresh; the cache then refers to it, and the next
        call with the same workspace overwrites it. :class:`Conv2D` passes its own. Without
        one, every call allocates, and a cache stays valid for as long as it is kept.
    groups : int
        ``G`` groups of ``C/G`` channels, ``w`` of shape ``(F, C/G, KH, KW)`` (see
        :func:`conv2d_forward_naive`): ``G`` independent convolutions, one per group, whose
        outputs are stacked (:func:`_grouped_forward`; ``groups = C = F`` is depthwise).

    Returns
    -------
    out : ndarray, shape (N, F, OH, OW)
        A transposed view whose memory is laid out ``(F, OH, OW, N)``; numpy treats it
        as any ``(N, F, OH, OW)`` array, and the next conv layer reads it without a copy.
    cache : tuple
        What :func:`conv2d_backward` needs (including the im2col matrix).

    Notes
    -----
    im2col gathers, for every tap :math:`(c, p, q)` of the kernel, the input values that
    tap meets at every output position into one row of a matrix
    :math:`X_{\text{col}} \in \mathbb R^{(C\,KH\,KW) \times (OH\,OW\,N)}`. The equation of
    :func:`conv2d_forward_naive` is then a single matrix product

    .. math:: Y = W_{\text{row}}\, X_{\text{col}} + b, \qquad
              W_{\text{row}} \in \mathbb R^{F \times (C\,KH\,KW)}.

    Why the batch goes last: each row of :math:`X_{\text{col}}` is filled from one strided
    slice of the padded input. With the input laid out ``(C, H, W, N)`` that slice copies
    runs of ``OW*N`` contiguous numbers (or ``N`` with a stride) instead of runs of ``OW``,
    which makes filling the matrix, and adding it back in the backward pass, several
    times faster. The result is the same numbers as the loop version.

    Speed (see ``benchmarks/``): the product is a few GEMMs of a skinny matrix (``F`` rows),
    so the time goes into copying and into the GEMM; padding goes into a reused scratch
    buffer, the GEMM runs on one BLAS thread when it is small (:mod:`cnnbook._blas`), and
    nothing is converted to float64.
    """
    where = "conv2d_forward"
    x, w, b, stride, padding, dilation = _check_conv_inputs(
        x, w, b, stride, padding, dilation, where, groups)
    if groups != 1:
        return _grouped_forward(x, w, b, groups, stride=stride, padding=padding,
                                dilation=dilation)
    ph, pw = padding
    N, F, OH, OW = _out_shape(x.shape, w.shape, stride, padding, dilation)
    C, KH, KW = w.shape[1:]
    dtype = x.dtype
    x_pad = _padded_batch_last(x, ph, pw)                      # C, H+2ph, W+2pw, N
    K, L = C * KH * KW, OH * OW * N
    # X_col with one more row of ones: the product with [W_row | b] adds the bias, and in
    # the backward pass the same row turns Delta X_col^T into [dW | db].
    shape = (K + 1, L)
    cols = np.empty(shape, dtype) if workspace is None else workspace.get("cols", shape, dtype)
    taps = cols[:K].reshape(C, KH, KW, OH, OW, N)
    for p, q, in_rows, in_cols in kernel_taps((KH, KW), stride, (OH, OW), dilation):
        taps[:, p, q] = x_pad[:, in_rows, in_cols]
    cols[K] = 1
    w_row = np.empty((F, K + 1), dtype)                        # [W_row | b]
    w_row[:, :K] = w.reshape(F, K)
    w_row[:, K] = b
    with blas_threads_for(F, L, K + 1):
        out = np.matmul(w_row, cols)                           # F, OH*OW*N
    out = out.reshape(F, OH, OW, N).transpose(3, 0, 1, 2)      # N, F, OH, OW (view)
    cache = (x.shape, w, cols, stride, padding, dilation)
    return out, cache


def _batch_last_matrix(dout, dtype):
    """``dout`` (N, F, OH, OW) as an ``(F, OH*OW*N)`` matrix: a view when its memory is
    already laid out ``(F, OH, OW, N)`` (the gradient coming back from the next conv or
    pool layer), else a copy into a scratch buffer."""
    N, F, OH, OW = dout.shape
    d_t = dout.transpose(1, 2, 3, 0)                           # F, OH, OW, N (a view)
    if d_t.flags.c_contiguous and d_t.dtype == dtype:
        return d_t.reshape(F, OH * OW * N)
    buf = scratch().get("conv_dout", (F, OH, OW, N), dtype)
    buf[...] = d_t
    return buf.reshape(F, OH * OW * N)


def conv2d_backward(dout, cache, *, input_grad=True):
    r"""Convolution backward pass, vectorized (matrix products + col2im).

    Parameters
    ----------
    dout : ndarray, shape (N, F, OH, OW)
        Upstream gradient.
    cache : tuple
        From :func:`conv2d_forward`.
    input_grad : bool
        ``False`` skips :math:`\partial L/\partial x` (``dx`` is then ``None``): the first
        layer of a network needs only its parameter gradients.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W), or None
        A transposed view laid out ``(C, H, W, N)`` in memory, like the forward output.
    dw : ndarray, shape (F, C, KH, KW)
    db : ndarray, shape (F,)

    Notes
    -----
    With :math:`\Delta \in \mathbb R^{F \times (OH\,OW\,N)}` the upstream gradient laid
    out like :math:`Y`, the forward product :math:`Y = W_{\text{row}} X_{\text{col}} + b` gives

    .. math::

        \frac{\partial L}{\partial W_{\text{row}}} = \Delta\, X_{\text{col}}^{\top},\qquad
        \frac{\partial L}{\partial b} = \Delta\,\mathbf 1,\qquad
        \frac{\partial L}{\partial X_{\text{col}}} = W_{\text{row}}^{\top} \Delta .

    col2im then adds each row of :math:`\partial L/\partial X_{\text{col}}` back onto the
    input positions it was copied from (positions shared by overlapping windows receive the
    sum); it is done one kernel tap :math:`(p, q)` at a time, whose rows are
    :math:`w_{:,:,p,q}^{\top} \Delta`. For stride 1 and dilation 1 the result equals a *full*
    cross-correlation of :math:`\delta` with the kernel flipped in both spatial axes - a
    transposed convolution.
    """
    if isinstance(cache, _GroupedCache):
        return _grouped_backward(dout, cache, input_grad)
    x_shape, w, cols, stride, padding, dilation = cache
    ph, pw = padding
    N, F, OH, OW = _out_shape(x_shape, w.shape, stride, padding, dilation)
    dout = check_dout(dout, (N, F, OH, OW), "conv2d_backward")
    C, KH, KW = w.shape[1:]
    H, W = x_shape[2:]
    dtype = cols.dtype
    L, K = OH * OW * N, C * KH * KW
    dout_mat = _batch_last_matrix(dout, dtype)                 # F, OH*OW*N
    # [dW | db]^T = [X_col; 1] Delta^T: the row of ones gives db = Delta 1 in the same
    # product; this orientation is the faster GEMM for these skinny shapes.
    with blas_threads_for(K + 1, F, L):
        dwb = np.matmul(cols, dout_mat.T)                      # K+1, F
    dw = np.ascontiguousarray(dwb[:K].T).reshape(w.shape).astype(w.dtype, copy=False)
    db = dwb[K].astype(w.dtype)                                # a copy, not a view of dwb
    if not input_grad:
        return None, dw, db
    dx_pad = np.zeros((C, H + 2 * ph, W + 2 * pw, N), dtype=dtype)
    taps = kernel_taps((KH, KW), stride, (OH, OW), dilation)
    with blas_threads_for(K, L, F):
        if C < 16:
            # Few input channels: all of dX_col = W_row^T Delta in one product (into a
            # reused scratch buffer), then col2im adds it back tap by tap.
            dcols = scratch().get("conv_dcols", (K, L), dtype)
            np.matmul(w.reshape(F, K).T.astype(dtype, copy=False), dout_mat, out=dcols)
            dcols = dcols.reshape(C, KH, KW, OH, OW, N)
            for p, q, in_rows, in_cols in taps:
                dx_pad[:, in_rows, in_cols] += dcols[:, p, q]
        else:
            # Many channels: one kernel tap at a time, rows w[:, :, p, q]^T Delta, so only
            # a C x L buffer is needed instead of all of dX_col (as large as X_col).
            w_taps = w.transpose(2, 3, 1, 0).astype(dtype)     # KH, KW, C, F (a copy)
            dcols_tap = scratch().get("conv_dcols_tap", (C, L), dtype)
            for p, q, in_rows, in_cols in taps:
                np.matmul(w_taps[p, q], dout_mat, out=dcols_tap)
                dx_pad[:, in_rows, in_cols] += dcols_tap.reshape(C, OH, OW, N)
    dx = dx_pad[:, ph:ph + H, pw:pw + W].transpose(3, 0, 1, 2)  # N, C, H, W (view)
    return dx, dw, db


class _GroupedCache(tuple):
    """The caches of the ``G`` per-group convolutions of a grouped :func:`conv2d_forward`."""


def _grouped_forward(x, w, b, groups, **options):
    """Group ``g`` convolves channels ``[g C/G, (g+1) C/G)`` with filters
    ``[g F/G, (g+1) F/G)``; the outputs are stacked along the channel axis."""
    C, F = x.shape[1] // groups, w.shape[0] // groups
    parts = [conv2d_forward(x[:, g * C:(g + 1) * C], w[g * F:(g + 1) * F],
                            b[g * F:(g + 1) * F], **options) for g in range(groups)]
    out = np.concatenate([o for o, _ in parts], axis=1)
    return out, _GroupedCache(c for _, c in parts)


def _grouped_backward(dout, caches, input_grad):
    """Backward of :func:`_grouped_forward`: each group's slice of ``dout`` goes back through
    its own convolution; the gradients are stacked as the forward stacked the outputs."""
    G = len(caches)
    F = sum(c[1].shape[0] for c in caches)
    N, C = caches[0][0][0], caches[0][0][1] * G
    out_hw = _out_shape(caches[0][0], caches[0][1].shape, *caches[0][3:])[2:]
    dout = check_dout(dout, (N, F) + out_hw, "conv2d_backward")
    F_g = F // G
    grads = [conv2d_backward(dout[:, g * F_g:(g + 1) * F_g], c, input_grad=input_grad)
             for g, c in enumerate(caches)]
    dx = np.concatenate([d for d, _, _ in grads], axis=1) if input_grad else None
    dw = np.concatenate([d for _, d, _ in grads], axis=0)
    db = np.concatenate([d for _, _, d in grads], axis=0)
    return dx, dw, db


# --------------------------------------------------------------------------------------
# Layer
# --------------------------------------------------------------------------------------

class Conv2D(Layer):
    r"""2-D convolution layer over :func:`conv2d_forward` / :func:`conv2d_backward`.

    Parameters
    ----------
    in_channels, out_channels : int
        ``C`` and ``F``.
    kernel_size, stride, padding, dilation : int or (int, int)
        As in PyTorch's ``torch.nn.Conv2d``.
    groups : int
        ``G``, dividing ``C`` and ``F``: filter ``f`` sees only the ``C/G`` channels of its
        group (weight ``(F, C/G, KH, KW)``); ``groups = C`` is a depthwise convolution.
    rng : numpy.random.Generator, optional
        Draws the initial weights.
    init : {"he", "glorot"}
        Weight initialisation (see :func:`cnnbook.base.init_weight`); biases start at 0.
    dtype : numpy dtype
        Dtype of the parameters.
    input_grad : bool
        Whether :meth:`backward` computes the gradient of the input. ``False`` makes
        ``backward`` fill ``grads`` and return ``None``. Not needed for the first layer of
        a network trained with :func:`cnnbook.train.fit`, which calls
        :meth:`param_backward` (no input gradient) on it anyway, as PyTorch skips the
        gradient of an input that does not require one. Default ``True``.

    Attributes
    ----------
    params : dict
        ``"weight"`` of shape ``(F, C, KH, KW)`` and ``"bias"`` of shape ``(F,)``.
    grads : dict
        Gradients with the same keys, filled by :meth:`backward`.

    Shape
    -----
    Input ``(N, C, H, W)``, output ``(N, F, OH, OW)`` with
    ``OH = (H + 2*padding - dilation*(KH-1) - 1) // stride + 1``.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 dilation=1, *, rng=None, init="he", dtype=np.float64, input_grad=True,
                 groups=1):
        super().__init__()
        where = "Conv2D"
        self.in_channels = check_int(in_channels, "in_channels", where, 1)
        self.out_channels = check_int(out_channels, "out_channels", where, 1)
        self.kernel_size = pair(kernel_size, "kernel_size", where, 1)
        self.stride = pair(stride, "stride", where, 1)
        self.padding = pair(padding, "padding", where, 0)
        self.dilation = pair(dilation, "dilation", where, 1)
        init = check_choice(init, "init", where, ("he", "glorot"))
        dtype = check_float_dtype(dtype, "dtype", where)
        self.input_grad = check_bool(input_grad, "input_grad", where)
        self.groups = check_groups(groups, self.in_channels, self.out_channels, where)
        KH, KW = self.kernel_size
        shape = (self.out_channels, self.in_channels // self.groups, KH, KW)
        self.params["weight"] = init_weight(
            shape, fan_in=self.in_channels // self.groups * KH * KW, fan_out=self.out_channels * KH * KW,
            rng=rng, init=init, dtype=dtype, where=where)
        self.params["bias"] = np.zeros(self.out_channels, dtype=dtype)
        # Holds the im2col matrix between calls; each forward overwrites it and replaces
        # the cache that refers to it (see cnnbook._workspace).
        self._workspace = Workspace()

    def forward(self, x):
        if isinstance(x, np.ndarray) and x.ndim == 4 and x.shape[1] != self.in_channels:
            raise ValueError(
                f"{self.name}: expected x with {self.in_channels} channels "
                f"(shape (N, {self.in_channels}, H, W)), got shape {x.shape}")
        try:
            out, self._cache = conv2d_forward(
                x, self.params["weight"], self.params["bias"], stride=self.stride,
                padding=self.padding, dilation=self.dilation, workspace=self._workspace,
                groups=self.groups)
        except (TypeError, ValueError) as e:
            raise type(e)(f"{self.name}: {e}") from None
        return out

    def backward(self, dout):
        return self._backward(dout, self.input_grad)

    def param_backward(self, dout):
        """``grads`` only: :func:`conv2d_backward` with ``input_grad=False`` (no col2im)."""
        self._backward(dout, False)

    def _backward(self, dout, input_grad):
        dx, dw, db = conv2d_backward(dout, self._take_cache(), input_grad=input_grad)
        self.grads["weight"], self.grads["bias"] = dw, db
        return dx

    def extra_repr(self):
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if not self.input_grad:
            s += ", input_grad=False"
        return s
