"""Typical mistakes in the convolution's forward and backward passes."""
from __future__ import annotations

import numpy as np

from ... import functional as F
from ._base import Advice, Mistake

__all__ = ["MISTAKES", "RAISED"]


def _flip(w):
    return w[..., ::-1, ::-1]


def _opts(c):
    return c.kwargs["stride"], c.kwargs["padding"]


def _conv_bwd(dout, x, w, **kw):
    _, cache = F.conv2d_forward(x, w, np.zeros(w.shape[0]), **kw)
    return F.conv2d_backward(dout, cache)


def _conv_out(x, w, s, p):
    k = w.shape[2]
    return ((x.shape[2] + 2 * p - k) // s + 1, (x.shape[3] + 2 * p - k) // s + 1)


def _ignore_stride(c, r):
    s, p = _opts(c)
    if s == 1:
        return None
    dout, x, w = c.args["dout"], c.args["x"], c.args["w"]
    dout1 = np.zeros(x.shape[:1] + (w.shape[0],) + _conv_out(x, w, 1, p))
    dout1[:, :, :dout.shape[2], :dout.shape[3]] = dout
    dx, dw, _ = _conv_bwd(dout1, x, w, stride=1, padding=p)
    return {"dx": dx, "dw": dw}


def _uncropped(c, r):
    s, p = _opts(c)
    if p == 0:
        return None
    xp = np.pad(c.args["x"], ((0, 0), (0, 0), (p, p), (p, p)))
    return {"dx": _conv_bwd(c.args["dout"], xp, c.args["w"], stride=s)[0]}


def _one_sample(c, r):
    a = c.args
    if a["x"].shape[0] == 1:
        return None
    return {"dw": _conv_bwd(a["dout"][:1], a["x"][:1], a["w"], **c.kwargs)[1]}


def _dx_assigned(c, r):
    """dx written with `=` window by window (row-major), in the two usual loop forms."""
    dout, x, w = c.args["dout"], c.args["x"], c.args["w"]
    s, p = _opts(c)
    k = w.shape[2]
    H, W = x.shape[2:]
    shape = (x.shape[0], x.shape[1], H + 2 * p, W + 2 * p)
    by_window, by_filter = np.zeros(shape), np.zeros(shape)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            rows, cols = slice(i * s, i * s + k), slice(j * s, j * s + k)
            by_window[:, :, rows, cols] = np.tensordot(dout[:, :, i, j], w, axes=([1], [0]))
            for n in range(x.shape[0]):
                by_filter[n, :, rows, cols] = dout[n, -1, i, j] * w[-1]
    crop = (slice(None), slice(None), slice(p, p + H), slice(p, p + W))
    return [{"dx": by_window[crop]}, {"dx": by_filter[crop]}]


_CROSS = "a CNN layer computes a cross-correlation: out[n, f, i, j] sums x[n, c, i*s + p, " \
         "j*s + q] * w[f, c, p, q], the kernel taken as it is, without flipping"

CONV_F = [
    Mistake("conv-flipped", "your output is a convolution with the kernel flipped; " + _CROSS,
            "out[:, f, i, j] = np.sum(window * w[f], axis=(1, 2, 3)) + b[f]   (w, not "
            "w[..., ::-1, ::-1])",
            lambda c, r: {"out": F.conv2d_forward(c.args["x"], _flip(c.args["w"]),
                                                  c.args["b"], **c.kwargs)[0]}),
    Mistake("conv-no-bias", "the bias is missing: filter f adds b[f] at every output position "
            "of every sample", "out += b.reshape(1, -1, 1, 1)",
            lambda c, r: {"out": r["out"] - c.args["b"].reshape(1, -1, 1, 1)}),
    Mistake("conv-no-padding", "padding was ignored: the kernel slides over x surrounded by "
            "`padding` zeros on each side",
            "xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))",
            lambda c, r: None if c.kwargs["padding"] == 0 else {
                "out": F.conv2d_forward(c.args["x"], c.args["w"], c.args["b"],
                                        stride=c.kwargs["stride"])[0]}),
    Mistake("conv-no-stride", "the stride is misapplied: window (i, j) starts at row "
            "i*stride, column j*stride of the padded input; your windows start at (i, j)",
            "window = xp[:, :, i*stride:i*stride + k, j*stride:j*stride + k]",
            lambda c, r: None if c.kwargs["stride"] == 1 else {
                "out": F.conv2d_forward(c.args["x"], c.args["w"], c.args["b"],
                                        padding=c.kwargs["padding"])[0][
                    :, :, :r["out"].shape[2], :r["out"].shape[3]]}),
]

CONV_B = [
    Mistake("conv-dx-assign", "overlapping windows: an input inside several windows receives "
            "the sum of their contributions, but your dx keeps only the last one (assignment "
            "`=` overwrites; accumulate)",
            "dx_padded[:, :, rows, cols] += ...   (+=, not =)", _dx_assigned),
    Mistake("conv-dx-flipped", "dx is what a flipped kernel gives: dout[n, f, i, j] goes back "
            "to x[n, :, i*s + p, j*s + q] through the same, unflipped w[f, :, p, q]. Written "
            "as a full convolution of dout, the kernel is rotated by 180 degrees exactly once: "
            "you rotated it twice, or not at all",
            "dx_padded[:, :, rows, cols] += np.tensordot(dout[:, :, i, j], w, axes=([1], [0]))",
            lambda c, r: {"dx": _conv_bwd(c.args["dout"], c.args["x"], _flip(c.args["w"]),
                                          **c.kwargs)[0]}),
    Mistake("conv-dw-flipped", "dw is flipped: dw[f, c, p, q] pairs dout[n, f, i, j] with the "
            "input at the same offset (p, q) of window (i, j), x[n, c, i*s + p, j*s + q]",
            "dw += np.tensordot(dout[:, :, i, j], xp[:, :, rows, cols], axes=([0], [0]))",
            lambda c, r: {"dw": _flip(r["dw"])}),
    Mistake("conv-dw-one-sample", "dw uses only the first sample of the batch: every sample "
            "contributes to the weights' gradient", "sum the contributions over n as well",
            _one_sample),
    Mistake("conv-mean", "dw and db are averaged over the batch: they are sums over the "
            "samples (the loss already holds any 1/N)", "dw and db without / N",
            lambda c, r: None if c.args["x"].shape[0] == 1 else {
                "dw": r["dw"] / c.args["x"].shape[0], "db": r["db"] / c.args["x"].shape[0]}),
    Mistake("conv-db-axis-n", "db is summed over the wrong axes: b[f] is added at every "
            "position of every sample, so db[f] sums dout over the batch and both spatial axes, "
            "one value per filter", "db = dout.sum(axis=(0, 2, 3))",
            lambda c, r: {"db": c.args["dout"].sum(axis=(1, 2, 3))}),
    Mistake("conv-db-axis-hw", "db still has the spatial axes: b[f] is added at every "
            "position, so db sums over them too, one value per filter",
            "db = dout.sum(axis=(0, 2, 3))", lambda c, r: {"db": c.args["dout"].sum(axis=0)}),
    Mistake("conv-db-axis-batch", "db keeps the batch axis: every sample adds to db, one "
            "value per filter", "db = dout.sum(axis=(0, 2, 3))",
            lambda c, r: {"db": c.args["dout"].sum(axis=(2, 3))}),
    Mistake("conv-stride-ignored", "the stride is misapplied in the backward pass: "
            "dout[n, f, i, j] goes back to the window that starts at row i*stride, "
            "column j*stride, not at (i, j)",
            "rows, cols = slice(i*stride, i*stride + k), slice(j*stride, j*stride + k)",
            _ignore_stride),
    Mistake("conv-dx-uncropped", "dx still has the padding: the gradient of the padded input "
            "has the padding's rows and columns too, and x has none: crop them",
            "dx = dx_padded[:, :, padding:padding + H, padding:padding + W]", _uncropped),
    Mistake("conv-dw-transposed", "dw has its first two axes swapped: a gradient has the "
            "shape of what it is the gradient of, w is (F, C, k, k)",
            "dw[f, c] collects dout[:, f] times x[:, c]",
            lambda c, r: {"dw": r["dw"].transpose(1, 0, 2, 3)}),
    Mistake("conv-dw-hw-swapped", "dw has its kernel height and width swapped: dw[f, c, p, q] "
            "belongs to row offset p and column offset q", "dw[f, c, p, q], not dw[f, c, q, p]",
            lambda c, r: {"dw": r["dw"].transpose(0, 1, 3, 2)}),
]

_WINDOWS = Advice(r"index .* out of bounds|out of range",
                  "an index past the end: the output has (size + 2*padding - k) // stride + 1 "
                  "positions along each axis, and window (i, j) starts at row i*stride, column "
                  "j*stride of the padded input",
                  "xp[:, :, i*stride:i*stride + k, j*stride:j*stride + k]")
_SHAPES = Advice(r"could not be broadcast|broadcast|shape.mismatch|matmul",
                 "two arrays whose shapes do not fit: a window of the padded input is "
                 "(N, C, k, k) and a filter (C, k, k), a window cut off at the border is "
                 "smaller (check the output size), and the bias b, shape (F,), adds to "
                 "(N, F, OH, OW) once reshaped to (1, F, 1, 1). Print the shapes in the failing "
                 "line", "b.reshape(1, -1, 1, 1)")
_INT = Advice(r"only integers|slice indices must be|integer scalar arrays|'float' object cannot",
              "a size or an index that is not an int: use // (floor division) for the output "
              "size", "OH = (H + 2 * padding - k) // stride + 1")

RAISED = {"conv2d_forward": [_WINDOWS, _SHAPES, _INT], "conv2d_backward": [_WINDOWS, _SHAPES, _INT]}
MISTAKES = {"conv2d_forward": CONV_F, "conv2d_backward": CONV_B}
