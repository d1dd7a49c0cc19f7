"""Typical mistakes in one step of SGD with momentum (PyTorch's form)."""
from __future__ import annotations

from ._base import Mistake

__all__ = ["MISTAKES", "RAISED"]

_FORM = "v = momentum * velocity + grad; new_param = param - lr * v"


def _sgd(c):
    a, k = c.args, c.kwargs
    return a["param"], a["grad"], a["velocity"], k["lr"], k["momentum"]


def _ignore(c, r):
    p, g, v, lr, mu = _sgd(c)
    return {"new_param": p - lr * g, "new_velocity": g}


def _cs231n(c, r):
    p, g, v, lr, mu = _sgd(c)
    v2 = mu * v - lr * g
    return {"new_param": p + v2, "new_velocity": v2}


def _lr_inside(c, r):
    p, g, v, lr, mu = _sgd(c)
    v2 = mu * v + lr * g
    return {"new_param": p - v2, "new_velocity": v2}


def _velocity_sign(c, r):
    p, g, v, lr, mu = _sgd(c)
    return [{"new_velocity": -r["new_velocity"]},
            {"new_velocity": mu * v - g, "new_param": p + lr * (mu * v - g)}]


SGD = [
    Mistake("sgd-no-momentum",
            "momentum is ignored: the velocity remembers the past, the old velocity scaled by "
            "momentum plus the new gradient, and the step follows the velocity", _FORM, _ignore),
    Mistake("sgd-dampening",
            "you averaged the gradient into the velocity (a factor 1 - momentum on grad); "
            "PyTorch's SGD adds the full gradient to momentum times the old velocity",
            _FORM,
            lambda c, r: {"new_velocity": _sgd(c)[4] * _sgd(c)[2] + (1 - _sgd(c)[4]) * _sgd(c)[1]}),
    Mistake("sgd-cs231n",
            "you used CS231n's form (lr inside a velocity that is added to param); this "
            "exercise uses PyTorch's: the velocity accumulates raw gradients and the step "
            "subtracts lr times it", _FORM, _cs231n),
    Mistake("sgd-lr-inside",
            "lr is inside the velocity; in PyTorch's form the velocity accumulates raw "
            "gradients and lr scales only the step", _FORM, _lr_inside),
    Mistake("sgd-velocity-sign",
            "your velocity has the opposite sign to PyTorch's: it accumulates the gradients "
            "themselves (plus), and the step subtracts lr times it", _FORM, _velocity_sign),
    Mistake("sgd-old-velocity",
            "the parameter moved with the old velocity: update the velocity first, then step "
            "with the new one", _FORM,
            lambda c, r: {"new_param": _sgd(c)[0] - _sgd(c)[3] * _sgd(c)[2]}),
    Mistake("sgd-sign",
            "the step goes uphill: descent moves the parameter against the velocity", _FORM,
            lambda c, r: {"new_param": 2 * c.args["param"] - r["new_param"]}),
]

MISTAKES = {"sgd_momentum_step": SGD}
RAISED = {}
