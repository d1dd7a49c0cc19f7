"""Typical mistakes in max, average and global average pooling, forward and backward."""
from __future__ import annotations

import numpy as np

from ... import functional as F
from ._base import Advice, Mistake

__all__ = ["MISTAKES", "RAISED"]


def _windows(case, step=None):
    """Yield (n, c, i, j, row start, col start) for each window, row-major; ``step`` replaces
    the stride (1: the stride misapplied, windows starting at (i, j))."""
    x, k, s = case.args["x"], case.kwargs["kernel_size"], case.kwargs["stride"]
    oh, ow = (x.shape[2] - k) // s + 1, (x.shape[3] - k) // s + 1
    step = s if step is None else step
    for n in range(x.shape[0]):
        for ch in range(x.shape[1]):
            for i in range(oh):
                for j in range(ow):
                    yield n, ch, i, j, i * step, j * step


def _max_bwd(case, *, ties="first", assign=None, step=None, place=None):
    """The max-pool backward pass as a student writes it: ``ties`` (first, last, all),
    ``assign`` (None: +=, "window": =, "argmax": = at the maximum), ``step`` (where windows
    start), ``place`` (1: the maximum's offset added to (i, j) instead of (i*s, j*s))."""
    x, dout, k = case.args["x"], case.args["dout"], case.kwargs["kernel_size"]
    dx = np.zeros_like(x)
    for n, ch, i, j, r0, c0 in _windows(case, step):
        win = x[n, ch, r0:r0 + k, c0:c0 + k]
        if ties == "all":
            mask = (win == win.max()).astype(float)
        else:
            flat = win.ravel()
            idx = flat.argmax() if ties == "first" else flat.size - 1 - flat[::-1].argmax()
            mask = np.zeros(flat.size)
            mask[idx] = 1.0
            mask = mask.reshape(win.shape)
        if place is not None:
            r0, c0 = i * place, j * place
        g = dout[n, ch, i, j]
        target = dx[n, ch, r0:r0 + k, c0:c0 + k]
        if assign == "window":
            target[...] = mask * g
        elif assign == "argmax":
            target[mask > 0] = g
        else:
            target += mask * g
    return {"dx": dx}


def _avg_bwd(case, *, assign=False, step=None, scale=1.0):
    x, dout, k = case.args["x"], case.args["dout"], case.kwargs["kernel_size"]
    dx = np.zeros_like(x)
    for n, ch, i, j, r0, c0 in _windows(case, step):
        g = dout[n, ch, i, j] / (k * k) * scale
        if assign:
            dx[n, ch, r0:r0 + k, c0:c0 + k] = g
        else:
            dx[n, ch, r0:r0 + k, c0:c0 + k] += g
    return {"dx": dx}


def _max_fwd_stride_misapplied(c, r):
    x, k = c.args["x"], c.kwargs["kernel_size"]
    if c.kwargs["stride"] == 1:
        return None
    win = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3)).max(axis=(-2, -1))
    return {"out": win[:, :, :r["out"].shape[2], :r["out"].shape[3]]}


def _overlap(c):
    return c.kwargs["stride"] < c.kwargs["kernel_size"]


def _strided(c):
    return c.kwargs["stride"] > 1


_START = "window (i, j) starts at row i*stride, column j*stride"

MAX_F = [
    Mistake("maxpool-avg", "your output is the window average; max pooling keeps the window's "
            "maximum", "out[:, :, i, j] = window.max(axis=(2, 3))",
            lambda c, r: {"out": F.avg_pool2d_forward(c.args["x"], **c.kwargs)[0]}),
    Mistake("maxpool-fwd-stride-misapplied", f"the stride is misapplied: {_START}; your "
            "windows start at (i, j) (an offset added to i rather than to i*stride)",
            "x[:, :, i*s:i*s + k, j*s:j*s + k]", _max_fwd_stride_misapplied),
]

MAX_B = [
    Mistake("maxpool-all-ties", "when several entries of a window tie for the maximum, you "
            "sent the gradient to every one of them; it goes to the first maximum only "
            "(row-major order, as PyTorch does): the forward pass passed on one value",
            "p, q = np.unravel_index(np.argmax(window), window.shape)",
            lambda c, r: _max_bwd(c, ties="all")),
    Mistake("maxpool-last-tie", "on ties you picked the last maximum; the gradient goes to the "
            "first one (row-major order, as np.argmax and PyTorch do)",
            "p, q = np.unravel_index(np.argmax(window), window.shape)",
            lambda c, r: _max_bwd(c, ties="last")),
    Mistake("maxpool-assign-window", "overlapping windows overwrite each other: an input in two "
            "windows receives both gradients, but assigning (=) window by window keeps only "
            "the last", "dx[n, c, i*s + p, j*s + q] += dout[n, c, i, j]   (+=, not =)",
            lambda c, r: _max_bwd(c, assign="window") if _overlap(c) else None),
    Mistake("maxpool-assign-argmax", "an input that is the maximum of two overlapping windows "
            "receives both gradients: assigning (=) keeps only the last",
            "dx[n, c, i*s + p, j*s + q] += dout[n, c, i, j]   (+=, not =)",
            lambda c, r: _max_bwd(c, assign="argmax") if _overlap(c) else None),
    Mistake("maxpool-offset-not-strided", f"the stride is misapplied where the gradient lands: "
            f"{_START}, so its maximum at offset (p, q) is x[i*stride + p, j*stride + q]; you "
            "added the offset to i, not to i*stride", "dx[n, c, i*s + p, j*s + q] += dout[n, c, i, j]",
            lambda c, r: _max_bwd(c, place=1) if _strided(c) else None),
    Mistake("maxpool-stride-ignored", f"the stride is misapplied in the backward pass: {_START}, "
            "not at (i, j)", "window = x[n, c, i*s:i*s + k, j*s:j*s + k]",
            lambda c, r: _max_bwd(c, step=1) if _strided(c) else None),
    Mistake("maxpool-like-avg", "you spread the gradient over the window as average pooling "
            "does; max pooling sends all of it to the window's maximum (the only entry that "
            "changed the output)", "dx[n, c, i*s + p, j*s + q] += dout[n, c, i, j]",
            lambda c, r: _avg_bwd(c)),
    Mistake("maxpool-to-every-entry", "you sent dout to every entry of the window; only the "
            "window's maximum receives it", "dx[n, c, i*s + p, j*s + q] += dout[n, c, i, j]",
            lambda c, r: _avg_bwd(c, scale=c.kwargs["kernel_size"] ** 2)),
]

AVG_B = [
    Mistake("avgpool-no-division", "the 1/(k*k) of the average is missing: each of the "
            "window's k*k entries receives an equal share of dout",
            "dx[..., rows, cols] += dout[:, :, i, j, None, None] / (k * k)",
            lambda c, r: {"dx": r["dx"] * c.kwargs["kernel_size"] ** 2}),
    Mistake("avgpool-divide-by-k", "you divided by kernel_size; a k x k window has "
            "kernel_size**2 entries", "/ (k * k)",
            lambda c, r: {"dx": r["dx"] * c.kwargs["kernel_size"]}),
    Mistake("avgpool-assign", "overlapping windows overwrite each other: an input in two "
            "windows receives both shares, but assigning (=) keeps only the last",
            "dx[:, :, rows, cols] += share   (+=, not =)",
            lambda c, r: _avg_bwd(c, assign=True) if _overlap(c) else None),
    Mistake("avgpool-stride-ignored", f"the stride is misapplied in the backward pass: {_START}",
            "dx[:, :, i*s:i*s + k, j*s:j*s + k] += share",
            lambda c, r: _avg_bwd(c, step=1) if _strided(c) else None),
]

def _gap_spread(c, dx_of):
    """``dx_of(dout, x)`` broadcast over every position of the maps."""
    x = c.args["x"]
    return {"dx": np.broadcast_to(dx_of(c.args["dout"], x), x.shape).copy()}


def _gap_one_position(c):
    dx = np.zeros_like(c.args["x"])
    dx[:, :, :1, :1] = c.args["dout"]
    return {"dx": dx}


_SPREAD = "dx = np.broadcast_to(dout / (H * W), x.shape).copy()"
GAP_B = [
    Mistake("gap-no-division", "the 1/(H*W) of the mean is missing: each of a map's H*W "
            "positions receives an equal share of its dout", _SPREAD,
            lambda c, r: _gap_spread(c, lambda d, x: d)),
    Mistake("gap-divide-by-N", "you divided by the batch size N; the mean is over one map's "
            "H*W positions, each sample and channel apart", _SPREAD,
            lambda c, r: _gap_spread(c, lambda d, x: d / x.shape[0])),
    Mistake("gap-divide-by-CHW", "you divided by C*H*W; each channel has its own mean, over "
            "its H*W positions only", _SPREAD,
            lambda c, r: _gap_spread(c, lambda d, x: d / x[0].size)),
    Mistake("gap-not-spread", "dx has the shape of the output (N, C, 1, 1); it has x's shape "
            "(N, C, H, W): the share dout/(H*W) goes back to every position the mean read",
            _SPREAD, lambda c, r: {"dx": c.args["dout"] / np.prod(c.args["x"].shape[2:])}),
    Mistake("gap-sum-over-batch", "you summed dout over the batch; each sample's maps receive "
            "only that sample's dout", _SPREAD,
            lambda c, r: _gap_spread(c, lambda d, x: d.sum(axis=0, keepdims=True)
                                     / np.prod(x.shape[2:]))),
    Mistake("gap-one-position", "you sent all of dout to one position, as max pooling does; "
            "the mean read every position, so every position gets a share", _SPREAD,
            lambda c, r: _gap_one_position(c)),
]

_WINDOWS = Advice(r"index .* out of bounds|out of range|could not be broadcast|broadcast",
                  "an index past the end, or a window of the wrong size: the output has "
                  "(size - kernel_size) // stride + 1 positions along each axis (no padding), "
                  f"{_START} and is kernel_size x kernel_size. Print the shapes in the failing "
                  "line", "OH = (H - k) // s + 1; x[:, :, i*s:i*s + k, j*s:j*s + k]")
_INT = Advice(r"only integers|slice indices must be|integer scalar arrays|'float' object cannot",
              "a size or an index that is not an int: use // (floor division) for the output "
              "size", "OH = (H - k) // s + 1")

RAISED = {n: [_WINDOWS, _INT] for n in ("max_pool2d_forward", "max_pool2d_backward",
                                         "avg_pool2d_backward")}
MISTAKES = {"max_pool2d_forward": MAX_F, "max_pool2d_backward": MAX_B,
            "avg_pool2d_backward": AVG_B,
            "global_avg_pool2d_backward": GAP_B}
