"""Typical mistakes in the ReLU and sigmoid backward passes."""
from __future__ import annotations

import numpy as np

from ._base import Advice, Mistake, sigmoid

__all__ = ["MISTAKES", "RAISED", "NONFINITE"]


def _d(c):
    return c.args["dout"]


def _x(c):
    return c.args["x"]


RELU = [
    Mistake("relu-mask-from-dout",
            "you masked with the sign of dout; the mask comes from the layer's input x: the "
            "gradient passes where the input was positive",
            "dx = dout * (x > 0)",
            lambda c, r: {"dx": np.where(_d(c) > 0, _d(c), 0.0)}),
    Mistake("relu-no-dout",
            "you returned the local derivative alone; the chain rule multiplies it by the "
            "upstream gradient dout",
            "dx = dout * (x > 0)",
            lambda c, r: {"dx": (_x(c) > 0).astype(float)}),
    Mistake("relu-times-output",
            "you multiplied dout by relu(x); the derivative of relu is 1 where x > 0 and 0 "
            "elsewhere, not relu(x) itself",
            "dx = dout * (x > 0)",
            lambda c, r: {"dx": _d(c) * np.maximum(_x(c), 0)}),
    Mistake("relu-inverted",
            "your mask is inverted: the gradient passes where the input is positive and is "
            "blocked where it is negative",
            "dx = dout * (x > 0)",
            lambda c, r: {"dx": _d(c) * (_x(c) < 0)}),
]

SIGMOID = [
    Mistake("sigmoid-input-as-output",
            "the formula s * (1 - s) needs the sigmoid's output s = sigmoid(x); x is its "
            "input, so compute s from x first",
            "s = 1 / (1 + np.exp(-x)); dx = dout * s * (1 - s)   (overflow-safe: see the solution)",
            lambda c, r: {"dx": _d(c) * _x(c) * (1 - _x(c))}),
    Mistake("sigmoid-twice",
            "you applied the sigmoid twice: s = sigmoid(x) is already the output, the "
            "derivative is s * (1 - s) of that same s",
            "dx = dout * s * (1 - s)  with  s = sigmoid(x)",
            lambda c, r: {"dx": _d(c) * sigmoid(sigmoid(_x(c))) * (1 - sigmoid(sigmoid(_x(c))))}),
    Mistake("sigmoid-no-dout",
            "you returned the local derivative alone; the chain rule multiplies it by the "
            "upstream gradient dout",
            "dx = dout * s * (1 - s)",
            lambda c, r: {"dx": sigmoid(_x(c)) * (1 - sigmoid(_x(c)))}),
    Mistake("sigmoid-no-one-minus",
            "the derivative of the sigmoid has two factors, s and (1 - s); one of them is "
            "missing",
            "dx = dout * s * (1 - s)",
            lambda c, r: {"dx": _d(c) * sigmoid(_x(c))}),
    Mistake("sigmoid-sign",
            "the sign is flipped: the sigmoid is increasing, so its derivative is positive",
            "dx = dout * s * (1 - s), not s * (s - 1)",
            lambda c, r: {"dx": -r["dx"]}),
]

NONFINITE = {
    "sigmoid_backward": Advice(
        "", "NaN/inf on inputs of +-1000: np.exp(1000) overflows to inf. Compute the sigmoid "
            "with an exponential that is never of a large positive number (the two signs of x "
            "need two forms)",
        "e = np.exp(-np.abs(x)); s = np.where(x >= 0, 1 / (1 + e), e / (1 + e))"),
}

_SAME_SHAPE = Advice(r"broadcast", "dout and x have the same shape, and so does dx: an "
                     "element-wise product needs no reshaping or transposing")

MISTAKES = {"relu_backward": RELU, "sigmoid_backward": SIGMOID}
RAISED = {"relu_backward": [_SAME_SHAPE], "sigmoid_backward": [_SAME_SHAPE]}
