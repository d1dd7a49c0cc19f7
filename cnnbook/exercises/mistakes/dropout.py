"""Typical mistakes in the backward pass of inverted dropout."""
from __future__ import annotations

from ._base import Mistake

__all__ = ["MISTAKES", "RAISED"]

_FORM = "dx = dout * mask / (1 - p)"


def _dmp(c):
    return c.args["dout"], c.args["mask"], c.kwargs["p"]


DROPOUT = [
    Mistake("dropout-no-scale",
            "the forward pass divided the kept units by 1 - p (inverted dropout), so their "
            "gradient is divided by 1 - p too", _FORM,
            lambda c, r: {"dx": _dmp(c)[0] * _dmp(c)[1]}),
    Mistake("dropout-scale-1-over-p",
            "the kept units are scaled by 1/(1 - p), one over the probability of KEEPING a "
            "unit; p is the probability of dropping it", _FORM,
            lambda c, r: {"dx": _dmp(c)[0] * _dmp(c)[1] / _dmp(c)[2]}),
    Mistake("dropout-scale-times",
            "the forward pass divides by 1 - p (so that the expected output equals the input); "
            "the backward pass divides by it too, it does not multiply", _FORM,
            lambda c, r: {"dx": _dmp(c)[0] * _dmp(c)[1] * (1 - _dmp(c)[2])}),
    Mistake("dropout-no-mask",
            "a dropped unit's output is 0 whatever its input, so no gradient flows back to it: "
            "multiply by the mask", _FORM,
            lambda c, r: {"dx": _dmp(c)[0] / (1 - _dmp(c)[2])}),
    Mistake("dropout-mask-inverted",
            "mask is 1 where a unit is KEPT: the gradient flows through the ones, not the zeros",
            _FORM, lambda c, r: {"dx": _dmp(c)[0] * (1 - _dmp(c)[1]) / (1 - _dmp(c)[2])}),
]

MISTAKES = {"dropout_backward": DROPOUT}
RAISED = {}
