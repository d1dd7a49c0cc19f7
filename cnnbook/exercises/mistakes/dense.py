"""Typical mistakes in the dense (linear) layer, forward and backward."""
from __future__ import annotations

import numpy as np

from ._base import Advice, Mistake

__all__ = ["MISTAKES", "RAISED"]


def _n(c):
    return c.args["x"].shape[0]


LIN_F = [
    Mistake("linear-no-bias", "the bias is missing: every output feature m gets b[m] added, "
            "in every sample", "out = x @ w.T + b",
            lambda c, r: {"out": r["out"] - c.args["b"]}),
    Mistake("linear-transposed-out", "your output is transposed: one row per sample, one column "
            "per output feature, shape (N, M)", "out = x @ w.T + b",
            lambda c, r: {"out": r["out"].T}),
]

LIN_B = [
    Mistake("linear-dw-transposed", "dw is transposed: a gradient has the shape of what it is "
            "the gradient of, and w is (M, D), out features by in features",
            "dw = dout.T @ x", lambda c, r: {"dw": r["dw"].T}),
    Mistake("linear-db-axis", "db is summed over the wrong axis: b is added to every sample, "
            "so its gradient sums dout over the batch axis, one value per output feature",
            "db = dout.sum(axis=0)", lambda c, r: {"db": c.args["dout"].sum(axis=1)}),
    Mistake("linear-mean", "you averaged over the batch: the gradients of the weights and "
            "bias are sums over the samples (any 1/N belongs to the loss)",
            "dw = dout.T @ x; db = dout.sum(axis=0)",
            lambda c, r: {"dw": r["dw"] / _n(c), "db": r["db"] / _n(c)}),
    Mistake("linear-one-sample", "dw uses only the first sample: every sample's outer product "
            "dout[n] x[n] adds to dw", "dw = dout.T @ x",
            lambda c, r: {"dw": np.outer(c.args["dout"][0], c.args["x"][0])}),
]

_SHAPES_F = "x is (N, D), w is (M, D) and b is (M,): the product must pair x's D axis with " \
            "w's D axis, giving (N, M), and b then adds to every row"
_SHAPES_B = "dout is (N, M), x is (N, D), w is (M, D); each gradient has the shape of what it " \
            "is the gradient of: dx (N, D) pairs dout's M axis with w's, dw (M, D) pairs " \
            "dout's N axis with x's. Write the shapes beside each product"

RAISED = {
    "linear_forward": [Advice(r"matmul|not aligned|mismatch in its core dimension|broadcast",
                              _SHAPES_F, "out = x @ w.T + b")],
    "linear_backward": [Advice(r"matmul|not aligned|mismatch in its core dimension|broadcast",
                               _SHAPES_B, "dx = dout @ w; dw = dout.T @ x; db = dout.sum(axis=0)")],
}

MISTAKES = {"linear_forward": LIN_F, "linear_backward": LIN_B}
