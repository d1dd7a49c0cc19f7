"""Typical mistakes in the mean squared error and the softmax cross-entropy."""
from __future__ import annotations

import numpy as np

from ... import losses
from ._base import Advice, Mistake

__all__ = ["MISTAKES", "RAISED", "NONFINITE"]


def _m(c):
    return c.args["pred"].size


def _n(c):
    return c.args["logits"].shape[0]


MSE = [
    Mistake("mse-sum",
            "you summed instead of averaging: the loss is a mean over all M = pred.size "
            "elements, and so its gradient carries the same 1/M",
            "loss = np.mean(diff ** 2); dpred = 2 * diff / diff.size",
            lambda c, r: {"loss": r["loss"] * _m(c), "dpred": r["dpred"] * _m(c)}),
    Mistake("mse-grad-no-mean",
            "the gradient misses the 1/M of the mean: the loss divides by M = pred.size (all "
            "elements, whatever the shape), so every entry of its gradient does too",
            "dpred = 2 * (pred - target) / pred.size",
            lambda c, r: {"dpred": r["dpred"] * _m(c)}),
    Mistake("mse-loss-no-mean",
            "the loss is a sum; it is the mean over all M = pred.size elements",
            "loss = np.mean((pred - target) ** 2)",
            lambda c, r: {"loss": r["loss"] * _m(c)}),
    Mistake("mse-half",
            "an extra 1/2: this exercise's MSE is the plain mean of the squares, with no 1/2, "
            "so the 2 of the square's derivative stays in the gradient",
            "loss = np.mean(diff ** 2); dpred = 2 * diff / diff.size",
            lambda c, r: {"loss": r["loss"] / 2, "dpred": r["dpred"] / 2}),
    Mistake("mse-grad-no-2",
            "the gradient misses the factor 2 from the derivative of the square",
            "dpred = 2 * (pred - target) / pred.size",
            lambda c, r: {"dpred": r["dpred"] / 2}),
    Mistake("mse-rows",
            "you divided by the number of rows N = pred.shape[0]; the mean is over all "
            "M = pred.size elements, whatever the shape",
            "divide by pred.size",
            lambda c, r: None if c.args["pred"].ndim < 2 else [
                {"loss": r["loss"] * _m(c) / c.args["pred"].shape[0],
                 "dpred": r["dpred"] * _m(c) / c.args["pred"].shape[0]},
                {"dpred": r["dpred"] * _m(c) / c.args["pred"].shape[0]}]),
    Mistake("mse-sign",
            "the gradient's sign is flipped: the loss grows when pred moves away from "
            "target, so its gradient points from target to pred",
            "dpred = 2 * (pred - target) / pred.size",
            lambda c, r: {"dpred": -r["dpred"]}),
]


def _p(c):
    return losses.softmax(c.args["logits"], axis=1)


def _every_row_at_labels(c, r):
    p = _p(c)
    p[:, c.args["labels"]] -= 1
    return {"dlogits": p / _n(c)}


SCE = [
    Mistake("sce-no-mean",
            "dlogits misses the 1/N of the batch mean: the loss averages over the N samples, "
            "so its gradient is divided by N too",
            "dlogits = (p - y) / N",
            lambda c, r: {"dlogits": r["dlogits"] * _n(c)}),
    Mistake("sce-softmax-only",
            "dlogits is the softmax alone: the gradient of cross-entropy after softmax is "
            "p - y, the probabilities minus the one-hot true class",
            "dlogits = p.copy(); dlogits[np.arange(N), labels] -= 1; dlogits /= N",
            lambda c, r: {"dlogits": _p(c) / _n(c)}),
    Mistake("sce-every-row",
            "p[:, labels] -= 1 subtracts 1 in every row at every label's column; y has a single "
            "1 per row, at that row's own class",
            "dlogits[np.arange(N), labels] -= 1",
            _every_row_at_labels),
    Mistake("sce-sign",
            "the gradient's sign is flipped: it is p - y (probabilities minus the one-hot "
            "labels), not y - p",
            "dlogits = (p - y) / N",
            lambda c, r: {"dlogits": -r["dlogits"]}),
    Mistake("sce-mean-all",
            "you divided by N*K (a mean over every entry); the loss is a mean over the N "
            "samples of a sum over the K classes",
            "dlogits = (p - y) / N",
            lambda c, r: {"dlogits": r["dlogits"] / c.args["logits"].shape[1]}),
    Mistake("sce-loss-sign",
            "the loss has the wrong sign: log p is negative, and the cross-entropy is its "
            "negated mean, a positive number",
            "loss = -np.mean(log_p[np.arange(N), labels])",
            lambda c, r: {"loss": -r["loss"]}),
    Mistake("sce-loss-sum",
            "the loss is a sum over the batch; it is the mean over the N samples",
            "loss = -np.mean(log_p[np.arange(N), labels])",
            lambda c, r: {"loss": r["loss"] * _n(c)}),
]

NONFINITE = {
    "softmax_cross_entropy": Advice(
        "", "NaN/inf on logits of +-1000: exp(1000) overflows to inf. The softmax does not "
            "change when a constant is subtracted from a row: subtract each row's maximum "
            "before np.exp, and take the log of the probabilities in the same shifted form",
        "z = logits - logits.max(axis=1, keepdims=True); "
        "log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))"),
}

RAISED = {
    "softmax_cross_entropy": [
        Advice(r"IndexError", "an index out of range: p[rows, labels] picks, in each row n, "
               "the column of its true class labels[n]; the row index comes first and runs "
               "over the N samples, the class index over the K columns",
               "p[np.arange(N), labels]"),
        Advice(r"only integers|integer scalar arrays|IndexError: arrays used as indices",
               "an index that is not an integer array: the row index is np.arange(N) and the "
               "class index is labels, both integers"),
    ],
}

MISTAKES = {"mse": MSE, "softmax_cross_entropy": SCE}
