"""A catalogue of the wrong answers students typically give, exercise by exercise.

Each :class:`Mistake` computes, for one case, the output(s) that mistake produces
(mostly by calling the package's kernels on altered inputs). When the student's
output equals one of them, and differs from the right answer, the report prints the
mistake's hint. ``compute`` may return ``None`` when the mistake makes no difference
on a case (for example "stride ignored" on a stride-1 case).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .. import functional as F
from .. import losses

__all__ = ["Mistake", "MISTAKES"]


@dataclass(frozen=True)
class Mistake:
    key: str
    hint: str
    compute: Callable  # (case, reference dict) -> dict of output name -> value, or None


def _sig(x):
    return F.sigmoid_forward(np.asarray(x, dtype=np.float64))[0]


# ------------------------------------------------------------------ activations

def _relu(case, ref):
    return case.args["dout"], case.args["x"]


RELU = [
    Mistake("relu-mask-from-dout", "you masked with dout > 0; the mask comes from the "
            "layer's input: dx = dout * (x > 0)",
            lambda c, r: {"dx": np.where(c.args["dout"] > 0, c.args["dout"], 0.0)}),
    Mistake("relu-no-dout", "you returned the local derivative (x > 0) alone; multiply it "
            "by the upstream gradient: dx = dout * (x > 0)",
            lambda c, r: {"dx": (c.args["x"] > 0).astype(float)}),
    Mistake("relu-times-output", "you multiplied dout by relu(x); the derivative of relu is "
            "1 where x > 0 and 0 elsewhere, not relu(x)",
            lambda c, r: {"dx": c.args["dout"] * np.maximum(c.args["x"], 0)}),
    Mistake("relu-inverted", "your mask is inverted: the gradient passes where x > 0",
            lambda c, r: {"dx": c.args["dout"] * (c.args["x"] < 0)}),
]

SIGMOID = [
    Mistake("sigmoid-input-as-output", "you used x * (1 - x): that formula needs the "
            "sigmoid's output s = sigmoid(x), and x is its input: dx = dout * s * (1 - s)",
            lambda c, r: {"dx": c.args["dout"] * c.args["x"] * (1 - c.args["x"])}),
    Mistake("sigmoid-twice", "you applied sigmoid twice: with s = sigmoid(x), the derivative "
            "is s * (1 - s), not sigmoid(s) * (1 - sigmoid(s))",
            lambda c, r: {"dx": c.args["dout"] * _sig(_sig(c.args["x"]))
                          * (1 - _sig(_sig(c.args["x"])))}),
    Mistake("sigmoid-no-dout", "you returned s * (1 - s) alone; multiply by dout",
            lambda c, r: {"dx": _sig(c.args["x"]) * (1 - _sig(c.args["x"]))}),
    Mistake("sigmoid-no-one-minus", "the factor (1 - s) is missing: dx = dout * s * (1 - s)",
            lambda c, r: {"dx": c.args["dout"] * _sig(c.args["x"])}),
    Mistake("sigmoid-sign", "sign flipped: s * (1 - s), not s * (s - 1)",
            lambda c, r: {"dx": -r["dx"]}),
]

# ------------------------------------------------------------------ losses


def _size(c, name):
    return c.args[name].size


MSE = [
    Mistake("mse-sum", "you summed instead of averaging: divide the loss and the gradient by "
            "the number of elements M = pred.size",
            lambda c, r: {"loss": r["loss"] * _size(c, "pred"),
                          "dpred": r["dpred"] * _size(c, "pred")}),
    Mistake("mse-half", "an extra 1/2: this exercise's MSE is mean((pred - target)**2) with "
            "no 1/2, so its gradient is 2 * (pred - target) / M",
            lambda c, r: {"loss": r["loss"] / 2, "dpred": r["dpred"] / 2}),
    Mistake("mse-grad-no-2", "the gradient misses the factor 2 from the square: "
            "d/dp (p - t)**2 = 2 (p - t)",
            lambda c, r: {"dpred": r["dpred"] / 2}),
    Mistake("mse-rows", "you divided by the number of rows N = pred.shape[0]; the mean is "
            "over all M = pred.size elements",
            lambda c, r: None if c.args["pred"].ndim < 2 else {
                "loss": r["loss"] * _size(c, "pred") / c.args["pred"].shape[0],
                "dpred": r["dpred"] * _size(c, "pred") / c.args["pred"].shape[0]}),
    Mistake("mse-sign", "sign flipped: the gradient is 2 * (pred - target) / M, "
            "not (target - pred)",
            lambda c, r: {"dpred": -r["dpred"]}),
]


def _n(c, name):
    return c.args[name].shape[0]


SCE = [
    Mistake("sce-no-mean", "you forgot the 1/N of the batch mean: divide the loss and "
            "dlogits by N = logits.shape[0]",
            lambda c, r: {"dlogits": r["dlogits"] * _n(c, "logits")}),
    Mistake("sce-softmax-only", "dlogits is softmax(logits) / N: subtract 1 at each "
            "sample's true class (p - y), then divide by N",
            lambda c, r: {"dlogits": losses.softmax(c.args["logits"], axis=1)
                          / _n(c, "logits")}),
    Mistake("sce-sign", "sign flipped: dlogits = (p - y) / N, not (y - p) / N",
            lambda c, r: {"dlogits": -r["dlogits"]}),
    Mistake("sce-mean-all", "you divided by N*K (np.mean over every entry); the loss is a "
            "mean over the N samples of a sum over the K classes",
            lambda c, r: {"dlogits": r["dlogits"] / c.args["logits"].shape[1]}),
    Mistake("sce-loss-sign", "the loss has the wrong sign: it is -mean(log p[true class]), "
            "a positive number",
            lambda c, r: {"loss": -r["loss"]}),
    Mistake("sce-loss-sum", "the loss is a sum over the batch: divide by N",
            lambda c, r: {"loss": r["loss"] * _n(c, "logits")}),
]

# ------------------------------------------------------------------ linear

LIN_F = [
    Mistake("linear-no-bias", "the bias b is missing: out = x @ w.T + b",
            lambda c, r: {"out": r["out"] - c.args["b"]}),
    Mistake("linear-transposed-out", "your output is transposed: out has shape (N, out), "
            "out = x @ w.T + b",
            lambda c, r: {"out": r["out"].T}),
]

LIN_B = [
    Mistake("linear-dw-transposed", "dw is transposed: w has shape (out, in), so "
            "dw = dout.T @ x (shape (out, in)), not x.T @ dout",
            lambda c, r: {"dw": r["dw"].T}),
    Mistake("linear-db-axis", "db is summed over the wrong axis: sum dout over the batch, "
            "db = dout.sum(axis=0), shape (out,)",
            lambda c, r: {"db": c.args["dout"].sum(axis=1)}),
    Mistake("linear-mean", "you averaged over the batch: the gradients of the weights and "
            "bias are sums over the samples (any 1/N belongs to the loss)",
            lambda c, r: {"dw": r["dw"] / _n(c, "x"), "db": r["db"] / _n(c, "x")}),
    Mistake("linear-one-sample", "dw uses only the first sample: dw = dout.T @ x sums the "
            "outer products of all N samples",
            lambda c, r: {"dw": np.outer(c.args["dout"][0], c.args["x"][0])}),
]

# ------------------------------------------------------------------ convolution


def _flip(w):
    return w[..., ::-1, ::-1]


def _conv_bwd(dout, x, w, **kw):
    _, cache = F.conv2d_forward(x, w, np.zeros(w.shape[0]), **kw)
    return F.conv2d_backward(dout, cache)


def _conv_ignore_stride(c, r):
    s, p = c.kwargs["stride"], c.kwargs["padding"]
    if s == 1:
        return None
    dout, x, w = c.args["dout"], c.args["x"], c.args["w"]
    dout1 = np.zeros(x.shape[:1] + (w.shape[0],) + _conv_out(x, w, 1, p))
    dout1[:, :, :dout.shape[2], :dout.shape[3]] = dout
    dx, dw, _ = _conv_bwd(dout1, x, w, stride=1, padding=p)
    return {"dx": dx, "dw": dw}


def _conv_out(x, w, s, p):
    k = w.shape[2]
    return ((x.shape[2] + 2 * p - k) // s + 1, (x.shape[3] + 2 * p - k) // s + 1)


def _conv_uncropped(c, r):
    p = c.kwargs["padding"]
    if p == 0:
        return None
    xp = np.pad(c.args["x"], ((0, 0), (0, 0), (p, p), (p, p)))
    dx, _, _ = _conv_bwd(c.args["dout"], xp, c.args["w"], stride=c.kwargs["stride"])
    return {"dx": dx}


def _one_sample(c, r):
    a = c.args
    dx, dw, db = _conv_bwd(a["dout"][:1], a["x"][:1], a["w"], **c.kwargs)
    return {"dw": dw}


CONV_F = [
    Mistake("conv-flipped", "your output equals a convolution with the kernel flipped "
            "(w[..., ::-1, ::-1]): a CNN layer computes a cross-correlation, "
            "out[i, j] = sum x[i*s + p, j*s + q] * w[p, q], without flipping",
            lambda c, r: {"out": F.conv2d_forward(c.args["x"], _flip(c.args["w"]),
                                                  c.args["b"], **c.kwargs)[0]}),
    Mistake("conv-no-bias", "the bias b[f] is missing from every output of filter f",
            lambda c, r: {"out": r["out"] - c.args["b"].reshape(1, -1, 1, 1)}),
    Mistake("conv-no-padding", "padding was ignored: pad x with `padding` zeros on each "
            "side (np.pad) before sliding the kernel",
            lambda c, r: None if c.kwargs["padding"] == 0 else {
                "out": F.conv2d_forward(c.args["x"], c.args["w"], c.args["b"],
                                        stride=c.kwargs["stride"])[0]}),
    Mistake("conv-no-stride", "stride was ignored: window (i, j) starts at row i*stride, "
            "column j*stride",
            lambda c, r: None if c.kwargs["stride"] == 1 else {
                "out": F.conv2d_forward(c.args["x"], c.args["w"], c.args["b"],
                                        padding=c.kwargs["padding"])[0]}),
]

CONV_B = [
    Mistake("conv-dx-flipped", "dx is what a flipped kernel (w[..., ::-1, ::-1]) gives: "
            "dout[n, f, i, j] goes back to x[n, :, i*s + p, j*s + q] through the same, "
            "unflipped w[f, :, p, q]. Written as a full convolution of dout, the kernel is "
            "rotated by 180 degrees exactly once: you rotated it twice, or not at all",
            lambda c, r: {"dx": _conv_bwd(c.args["dout"], c.args["x"], _flip(c.args["w"]),
                                          **c.kwargs)[0]}),
    Mistake("conv-dw-flipped", "dw is flipped (dw[..., ::-1, ::-1]): dw[f, c, p, q] = "
            "sum over n, i, j of dout[n, f, i, j] * x[n, c, i*s + p, j*s + q]",
            lambda c, r: {"dw": _flip(r["dw"])}),
    Mistake("conv-dw-one-sample", "dw uses only the first sample of the batch: sum the "
            "contributions of all N samples",
            _one_sample),
    Mistake("conv-mean", "dw and db are averaged over the batch: they are sums over the "
            "samples (the loss already holds any 1/N)",
            lambda c, r: None if c.args["x"].shape[0] == 1 else {
                "dw": r["dw"] / c.args["x"].shape[0], "db": r["db"] / c.args["x"].shape[0]}),
    Mistake("conv-db-axis-n", "db is summed over the wrong axes: db[f] sums dout over the "
            "batch and both spatial axes, db = dout.sum(axis=(0, 2, 3)), shape (F,)",
            lambda c, r: {"db": c.args["dout"].sum(axis=(1, 2, 3))}),
    Mistake("conv-db-axis-hw", "db still has the spatial axes: db = dout.sum(axis=(0, 2, 3))",
            lambda c, r: {"db": c.args["dout"].sum(axis=0)}),
    Mistake("conv-db-axis-batch", "db keeps the batch axis: db = dout.sum(axis=(0, 2, 3))",
            lambda c, r: {"db": c.args["dout"].sum(axis=(2, 3))}),
    Mistake("conv-stride-ignored", "the stride is ignored in the backward pass: "
            "dout[n, f, i, j] goes back to the window that starts at row i*stride, "
            "column j*stride, not at (i, j)",
            _conv_ignore_stride),
    Mistake("conv-dx-uncropped", "dx still has the padding: compute the gradient of the "
            "padded input, then crop it, dx = dx_padded[:, :, p:-p, p:-p]",
            _conv_uncropped),
    Mistake("conv-dw-transposed", "dw has its first two axes swapped: dw has the shape of w, "
            "(F, C, k, k)",
            lambda c, r: {"dw": r["dw"].transpose(1, 0, 2, 3)}),
    Mistake("conv-dw-hw-swapped", "dw has its kernel height and width swapped "
            "(dw[f, c, q, p] instead of dw[f, c, p, q])",
            lambda c, r: {"dw": r["dw"].transpose(0, 1, 3, 2)}),
]

# ------------------------------------------------------------------ pooling


def _windows(case, ignore_stride=False):
    """Yield (n, c, i, j, row slice, col slice) for each pooling window, row-major."""
    x, k, s = case.args["x"], case.kwargs["kernel_size"], case.kwargs["stride"]
    oh, ow = (x.shape[2] - k) // s + 1, (x.shape[3] - k) // s + 1
    step = 1 if ignore_stride else s
    for n in range(x.shape[0]):
        for ch in range(x.shape[1]):
            for i in range(oh):
                for j in range(ow):
                    yield n, ch, i, j, slice(i * step, i * step + k), slice(j * step, j * step + k)


def _max_bwd(case, *, ties="first", assign=None, ignore_stride=False):
    x, dout = case.args["x"], case.args["dout"]
    dx = np.zeros_like(x)
    for n, ch, i, j, rs, cs in _windows(case, ignore_stride):
        win = x[n, ch, rs, cs]
        if ties == "all":
            mask = (win == win.max()).astype(float)
        else:
            flat = win.ravel()
            idx = flat.argmax() if ties == "first" else flat.size - 1 - flat[::-1].argmax()
            mask = np.zeros(flat.size)
            mask[idx] = 1.0
            mask = mask.reshape(win.shape)
        g = dout[n, ch, i, j]
        if assign == "window":
            dx[n, ch, rs, cs] = mask * g
        elif assign == "argmax":
            dx[n, ch, rs, cs][mask > 0] = g
        else:
            dx[n, ch, rs, cs] += mask * g
    return {"dx": dx}


def _avg_bwd(case, *, assign=False, ignore_stride=False, scale=1.0):
    x, dout, k = case.args["x"], case.args["dout"], case.kwargs["kernel_size"]
    dx = np.zeros_like(x)
    for n, ch, i, j, rs, cs in _windows(case, ignore_stride):
        g = dout[n, ch, i, j] / (k * k) * scale
        if assign:
            dx[n, ch, rs, cs] = g
        else:
            dx[n, ch, rs, cs] += g
    return {"dx": dx}


def _overlap(c):
    return c.kwargs["stride"] < c.kwargs["kernel_size"]


def _strided(c):
    return c.kwargs["stride"] > 1


MAX_F = [
    Mistake("maxpool-avg", "your output is the window average; max pooling keeps the "
            "window's maximum",
            lambda c, r: {"out": F.avg_pool2d_forward(c.args["x"], **c.kwargs)[0]}),
]

MAX_B = [
    Mistake("maxpool-all-ties", "when several entries of a window tie for the maximum you "
            "sent the gradient to every one of them; send it to the first maximum only "
            "(row-major order, as PyTorch does), e.g. with np.argmax on the flattened window",
            lambda c, r: _max_bwd(c, ties="all")),
    Mistake("maxpool-last-tie", "on ties you picked the last maximum; take the first one "
            "(row-major order, as np.argmax and PyTorch do)",
            lambda c, r: _max_bwd(c, ties="last")),
    Mistake("maxpool-assign-window", "overlapping windows overwrite each other: you assigned "
            "(=) into dx window by window; accumulate with +=, an input in two windows "
            "receives both gradients",
            lambda c, r: _max_bwd(c, assign="window") if _overlap(c) else None),
    Mistake("maxpool-assign-argmax", "an input that is the maximum of two overlapping windows "
            "must receive the sum of both gradients: accumulate with +=, not =",
            lambda c, r: _max_bwd(c, assign="argmax") if _overlap(c) else None),
    Mistake("maxpool-stride-ignored", "the stride is ignored in the backward pass: window "
            "(i, j) starts at row i*stride, column j*stride",
            lambda c, r: _max_bwd(c, ignore_stride=True) if _strided(c) else None),
    Mistake("maxpool-like-avg", "you spread the gradient over the window as average pooling "
            "does; max pooling sends all of it to the window's maximum",
            lambda c, r: _avg_bwd(c)),
    Mistake("maxpool-to-every-entry", "you sent dout to every entry of the window; only the "
            "window's maximum receives it",
            lambda c, r: _avg_bwd(c, scale=c.kwargs["kernel_size"] ** 2)),
]

AVG_B = [
    Mistake("avgpool-no-division", "missing 1/(k*k): each of the k*k entries of a window "
            "receives dout / (kernel_size**2)",
            lambda c, r: {"dx": r["dx"] * c.kwargs["kernel_size"] ** 2}),
    Mistake("avgpool-divide-by-k", "you divided by kernel_size; a window has kernel_size**2 "
            "entries",
            lambda c, r: {"dx": r["dx"] * c.kwargs["kernel_size"]}),
    Mistake("avgpool-assign", "overlapping windows overwrite each other: accumulate with += "
            "(an input in two windows receives both shares)",
            lambda c, r: _avg_bwd(c, assign=True) if _overlap(c) else None),
    Mistake("avgpool-stride-ignored", "the stride is ignored in the backward pass: window "
            "(i, j) starts at row i*stride, column j*stride",
            lambda c, r: _avg_bwd(c, ignore_stride=True) if _strided(c) else None),
]

# ------------------------------------------------------------------ batch norm

_AX = (0, 2, 3)


def _bn_parts(c):
    dout, x, gamma, eps = c.args["dout"], c.args["x"], c.args["gamma"], c.kwargs["eps"]
    m = x.size // x.shape[1]
    mu = x.mean(axis=_AX, keepdims=True)
    var = x.var(axis=_AX, keepdims=True)
    g = gamma.reshape(1, -1, 1, 1)
    return dout, x, g, eps, m, mu, var


def _bn_formula(c, *, var_scale=1.0, eps_on=True, m=None, mean_path=True, var_path=True):
    dout, x, g, eps, M, mu, var = _bn_parts(c)
    var = var * var_scale
    std = np.sqrt(var + (eps if eps_on else 0.0))
    xh = (x - mu) / std
    M_ = M if m is None else m
    dxh = dout * g
    dx = dxh * M_
    if mean_path:
        dx = dx - dxh.sum(axis=_AX, keepdims=True)
    if var_path:
        dx = dx - xh * (dxh * xh).sum(axis=_AX, keepdims=True) * var_scale
    return dx / (M_ * std), (dout * xh).sum(axis=_AX)


def _bn_unbiased(c, r):
    M = c.args["x"].size // c.args["x"].shape[1]
    dx, dgamma = _bn_formula(c, var_scale=M / (M - 1))  # var_u = var * M / (M - 1)
    return {"dx": dx, "dgamma": dgamma}


BN = [
    Mistake("bn-constant-stats", "you treated the batch mean and variance as constants "
            "(dx = gamma * dout / sqrt(var + eps)); in training mode they depend on x, and "
            "their gradients add -mean(dx_hat) - x_hat * mean(dx_hat * x_hat) per channel",
            lambda c, r: {"dx": c.args["gamma"].reshape(1, -1, 1, 1) * c.args["dout"]
                          / np.sqrt(_bn_parts(c)[6] + c.kwargs["eps"])}),
    Mistake("bn-unbiased", "you used the unbiased variance (divided by M - 1); BatchNorm "
            "normalises with the biased one, np.var(x, axis=(0, 2, 3)) (divided by M = N*H*W)",
            _bn_unbiased),
    Mistake("bn-no-mean-path", "the path through the mean is missing: subtract the channel "
            "mean of dx_hat = dout * gamma",
            lambda c, r: {"dx": _bn_formula(c, mean_path=False)[0]}),
    Mistake("bn-no-var-path", "the path through the variance is missing: subtract "
            "x_hat * mean(dx_hat * x_hat) per channel",
            lambda c, r: {"dx": _bn_formula(c, var_path=False)[0]}),
    Mistake("bn-m-is-n", "you used M = N; each channel's statistics are over M = N*H*W "
            "positions",
            lambda c, r: {"dx": _bn_formula(c, m=c.args["x"].shape[0])[0]}),
    Mistake("bn-no-eps", "eps is missing: divide by sqrt(var + eps)",
            lambda c, r: {"dx": _bn_formula(c, eps_on=False)[0],
                          "dgamma": _bn_formula(c, eps_on=False)[1]}),
    Mistake("bn-dgamma-x", "dgamma multiplies dout by the normalised input x_hat, not by x",
            lambda c, r: {"dgamma": (c.args["dout"] * c.args["x"]).sum(axis=_AX)}),
    Mistake("bn-sum-axes", "dgamma/dbeta keep extra axes: sum over axis=(0, 2, 3), one value "
            "per channel",
            lambda c, r: {"dbeta": c.args["dout"].sum(axis=0)}),
    Mistake("bn-dbeta-mean", "dbeta is a sum over the N*H*W positions, not a mean",
            lambda c, r: {"dbeta": r["dbeta"] / (c.args["x"].size // c.args["x"].shape[1])}),
]

# ------------------------------------------------------------------ optimizer


def _sgd(c):
    a, k = c.args, c.kwargs
    return a["param"], a["grad"], a["velocity"], k["lr"], k["momentum"]


def _sgd_ignore(c, r):
    p, g, v, lr, mu = _sgd(c)
    return {"new_param": p - lr * g, "new_velocity": g}


def _sgd_cs231n(c, r):
    p, g, v, lr, mu = _sgd(c)
    v2 = mu * v - lr * g
    return {"new_param": p + v2, "new_velocity": v2}


def _sgd_lr_inside(c, r):
    p, g, v, lr, mu = _sgd(c)
    v2 = mu * v + lr * g
    return {"new_param": p - v2, "new_velocity": v2}


SGD = [
    Mistake("sgd-no-momentum", "momentum is ignored: the velocity must remember the past, "
            "v = momentum * v + grad, then param - lr * v", _sgd_ignore),
    Mistake("sgd-dampening", "you used v = momentum * v + (1 - momentum) * grad "
            "(an average); PyTorch's SGD adds the full gradient: v = momentum * v + grad",
            lambda c, r: {"new_velocity": _sgd(c)[4] * _sgd(c)[2]
                          + (1 - _sgd(c)[4]) * _sgd(c)[1]}),
    Mistake("sgd-cs231n", "you used the form v = momentum * v - lr * grad, param + v "
            "(CS231n's); this exercise uses PyTorch's: v = momentum * v + grad, "
            "param - lr * v", _sgd_cs231n),
    Mistake("sgd-lr-inside", "lr is inside the velocity (v = momentum * v + lr * grad); "
            "PyTorch's form is v = momentum * v + grad, then param - lr * v", _sgd_lr_inside),
    Mistake("sgd-old-velocity", "the parameter moved with the old velocity: update "
            "v first, then param - lr * (new v)",
            lambda c, r: {"new_param": _sgd(c)[0] - _sgd(c)[3] * _sgd(c)[2]}),
    Mistake("sgd-sign", "the step goes uphill: param - lr * v, not param + lr * v",
            lambda c, r: {"new_param": 2 * c.args["param"] - r["new_param"]}),
]

MISTAKES = {
    "relu_backward": RELU, "sigmoid_backward": SIGMOID, "mse": MSE,
    "softmax_cross_entropy": SCE, "linear_forward": LIN_F, "linear_backward": LIN_B,
    "conv2d_forward": CONV_F, "conv2d_backward": CONV_B, "max_pool2d_forward": MAX_F,
    "max_pool2d_backward": MAX_B, "avg_pool2d_backward": AVG_B,
    "batch_norm2d_backward": BN, "sgd_momentum_step": SGD,
}
