"""Typical mistakes in the batch-norm backward pass (training mode, batch statistics)."""
from __future__ import annotations

import itertools

import numpy as np

from ._base import Advice, Mistake

__all__ = ["MISTAKES", "RAISED"]

_AX = (0, 2, 3)
_DX = ("dx = (M * dx_hat - dx_hat.sum(axis=(0, 2, 3), keepdims=True) - x_hat * "
       "(dx_hat * x_hat).sum(axis=(0, 2, 3), keepdims=True)) / (M * std)")


def _stats(c, axes=_AX, ddof=0):
    x = c.args["x"]
    mu = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True, ddof=ddof)
    std = np.sqrt(var + c.kwargs["eps"])
    return mu, std, (x - mu) / std


def _compact(c, *, axes=_AX, ddof=0, a=None, b=None, m=None, eps_on=True, mean_path=True,
             var_path=True):
    """dx in the compact form, with ``a``/``b`` replacing x_hat in the variance term."""
    dout, x, eps = c.args["dout"], c.args["x"], c.kwargs["eps"]
    mu = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True, ddof=ddof)
    std = np.sqrt(var + (eps if eps_on else 0.0))
    xh = (x - mu) / std
    dxh = dout * c.args["gamma"].reshape(1, -1, 1, 1)
    M = x.size // x.shape[1] if m is None else m
    dx = M * dxh
    if mean_path:
        dx = dx - dxh.sum(axis=_AX, keepdims=True)
    if var_path:
        dx = dx - (xh if a is None else a) * (dxh * (xh if b is None else b)).sum(
            axis=_AX, keepdims=True)
    return dx / (M * std), (dout * xh).sum(axis=_AX)


def _staged(c, sub):
    """dx through dvar and dmu (CS231n's staged form), with x in place of x - mean in the
    terms listed in ``sub`` (0: dvar's sum, 1: dmu's mean, 2: the 2 (x - mean) / M term)."""
    dout, x = c.args["dout"], c.args["x"]
    mu, std, _ = _stats(c)
    dxh = dout * c.args["gamma"].reshape(1, -1, 1, 1)
    M = x.size // x.shape[1]
    cen = [x if k in sub else x - mu for k in range(3)]
    dvar = (dxh * cen[0]).sum(axis=_AX, keepdims=True) * -0.5 * std ** -3
    dmu = -dxh.sum(axis=_AX, keepdims=True) / std + dvar * (-2 * cen[1]).mean(axis=_AX,
                                                                              keepdims=True)
    return dxh / std + dvar * 2 * cen[2] / M + dmu / M


def _unbiased(c, r):
    M = c.args["x"].size // c.args["x"].shape[1]
    _, std_u, xh_u = _stats(c, ddof=1)
    dgamma = (c.args["dout"] * xh_u).sum(axis=_AX)
    return [{"dgamma": dgamma}, {"dx": _compact(c, ddof=1)[0]},
            {"dx": _compact(c, ddof=1, m=M - 1)[0]}]


def _per_sample(c, r):
    out = []
    for axes in [(1, 2, 3), (2, 3), (0,), (0, 1, 2, 3)]:
        dx, dgamma = _compact(c, axes=axes)
        out += [{"dgamma": dgamma}, {"dx": dx}]
    return out


def _x_for_xhat(c, r):
    x, out = c.args["x"], []
    for a, b in [(x, None), (None, x), (x, x)]:
        out.append({"dx": _compact(c, a=a, b=b)[0]})
    for n in (1, 2, 3):
        for sub in itertools.combinations(range(3), n):
            if sub != (1,):  # x in dmu's mean alone changes nothing worth naming
                out.append({"dx": _staged(c, sub)})
    return out


def _m(c):
    return c.args["x"].size // c.args["x"].shape[1]


BN = [
    Mistake("bn-constant-stats", "you treated the batch mean and variance as constants; in "
            "training mode they are computed from x, so dx has two more terms, the paths "
            "through the mean and through the variance", _DX,
            lambda c, r: {"dx": c.args["gamma"].reshape(1, -1, 1, 1) * c.args["dout"]
                          / _stats(c)[1]}),
    Mistake("bn-unbiased", "you used the unbiased variance (divided by M - 1); BatchNorm "
            "normalises with the biased one, divided by M = N*H*W",
            "var = x.var(axis=(0, 2, 3), keepdims=True)   (ddof=0, numpy's default)", _unbiased),
    Mistake("bn-per-sample", "your statistics are not per channel: BatchNorm2d pools each "
            "channel's M = N*H*W values, over the batch and both spatial axes, one mean and "
            "one variance per channel",
            "mean = x.mean(axis=(0, 2, 3), keepdims=True); var = x.var(axis=(0, 2, 3), "
            "keepdims=True)", _per_sample),
    Mistake("bn-dgamma-sum-dout", "dgamma is missing x_hat: gamma multiplies the normalised "
            "input, so its gradient sums dout times x_hat (dbeta is the one that sums dout "
            "alone)", "dgamma = (dout * x_hat).sum(axis=(0, 2, 3))",
            lambda c, r: {"dgamma": c.args["dout"].sum(axis=_AX)}),
    Mistake("bn-dgamma-x", "dgamma multiplies dout by x; gamma multiplies the normalised "
            "input x_hat, not x", "dgamma = (dout * x_hat).sum(axis=(0, 2, 3))",
            lambda c, r: {"dgamma": (c.args["dout"] * c.args["x"]).sum(axis=_AX)}),
    Mistake("bn-dx-x-for-xhat", "in dx, the path through the variance uses the centred input, "
            "x_hat = (x - mean) / std (or x - mean), where you used x", _DX, _x_for_xhat),
    Mistake("bn-no-mean-path", "the path through the mean is missing: every x moves its "
            "channel's mean, which adds minus the channel mean of dx_hat = dout * gamma",
            _DX, lambda c, r: {"dx": _compact(c, mean_path=False)[0]}),
    Mistake("bn-no-var-path", "the path through the variance is missing: every x moves its "
            "channel's variance, which adds minus x_hat times the channel mean of "
            "dx_hat * x_hat", _DX, lambda c, r: {"dx": _compact(c, var_path=False)[0]}),
    Mistake("bn-m-is-n", "you used M = N; each channel's statistics are over M = N*H*W "
            "positions", "M = x.size // x.shape[1]",
            lambda c, r: {"dx": _compact(c, m=c.args["x"].shape[0])[0]}),
    Mistake("bn-no-eps", "eps is missing: the forward pass divides by sqrt(var + eps), and so "
            "does the gradient", "std = np.sqrt(var + eps)",
            lambda c, r: {"dx": _compact(c, eps_on=False)[0],
                          "dgamma": _compact(c, eps_on=False)[1]}),
    Mistake("bn-sum-axes", "dgamma/dbeta keep extra axes: gamma and beta have one value per "
            "channel, so their gradients sum over the batch and both spatial axes",
            "dbeta = dout.sum(axis=(0, 2, 3))",
            lambda c, r: [{"dbeta": c.args["dout"].sum(axis=0)},
                          {"dgamma": (c.args["dout"] * _stats(c)[2]).sum(axis=0)}]),
    Mistake("bn-dbeta-mean", "dbeta is a sum over the N*H*W positions, not a mean",
            "dbeta = dout.sum(axis=(0, 2, 3))",
            lambda c, r: {"dbeta": r["dbeta"] / _m(c)}),
]

RAISED = {"batch_norm2d_backward": [
    Advice(r"could not be broadcast|broadcast",
           "two arrays whose shapes do not broadcast: a per-channel vector such as gamma, "
           "shape (C,), acts on NCHW arrays once reshaped to (1, C, 1, 1); statistics taken "
           "with keepdims=True already have that shape", "gamma.reshape(1, -1, 1, 1)"),
]}

MISTAKES = {"batch_norm2d_backward": BN}
