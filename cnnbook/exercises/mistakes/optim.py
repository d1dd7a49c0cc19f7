"""Typical mistakes in one step of SGD with momentum and of Adam (PyTorch's forms)."""
from __future__ import annotations

import numpy as np

from ._base import Advice, Mistake

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

_ADAM_FORM = ("m = beta1 * m + (1 - beta1) * grad; v = beta2 * v + (1 - beta2) * grad**2; "
              "m_hat = m / (1 - beta1**t); v_hat = v / (1 - beta2**t); "
              "new_param = param - lr * m_hat / (np.sqrt(v_hat) + eps)")


def _adam(c, *, t_shift=0, correct=True, eps_inside=False, v_from_g=False):
    """Adam's step with one thing changed."""
    a, k = c.args, c.kwargs
    g, t = a["grad"], k["t"] + t_shift
    b1, b2, eps = k["beta1"], k["beta2"], k["eps"]
    m = b1 * a["m"] + (1 - b1) * g
    v = b2 * a["v"] + (1 - b2) * (g if v_from_g else g * g)
    m_hat, v_hat = (m / (1 - b1 ** t), v / (1 - b2 ** t)) if correct else (m, v)
    with np.errstate(invalid="ignore"):   # v from g may be negative
        denom = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
    return {"new_param": a["param"] - k["lr"] * m_hat / denom, "new_m": m, "new_v": v}


ADAM = [
    Mistake("adam-no-bias-correction",
            "the moments start at zero, so early on m and v are too small: divide them by "
            "1 - beta1**t and 1 - beta2**t before the step (bias correction)", _ADAM_FORM,
            lambda c, r: _adam(c, correct=False)),
    Mistake("adam-t-plus-one",
            "t is already the number of this step (1 for the first): use beta**t, not "
            "beta**(t + 1)", _ADAM_FORM, lambda c, r: _adam(c, t_shift=1)),
    Mistake("adam-eps-inside-sqrt",
            "eps is added to the square root of v_hat (PyTorch's form), not inside it", _ADAM_FORM,
            lambda c, r: _adam(c, eps_inside=True)),
    Mistake("adam-v-from-g",
            "v is a running mean of the squared gradient, g**2, not of g itself: it estimates "
            "the gradient's scale, whatever its sign", _ADAM_FORM,
            lambda c, r: {"new_v": _adam(c, v_from_g=True)["new_v"]}),
    Mistake("adam-old-moments",
            "the step used the old moments: update m and v with this gradient first, then "
            "take the step with the new ones", _ADAM_FORM,
            lambda c, r: _adam_old(c)),
]


def _adam_old(c):
    """The step taken with the moments passed in (before this gradient is added)."""
    a, k = c.args, c.kwargs
    t, b1, b2 = k["t"], k["beta1"], k["beta2"]
    m_hat, v_hat = a["m"] / (1 - b1 ** t), a["v"] / (1 - b2 ** t)
    return {"new_param": a["param"] - k["lr"] * m_hat / (np.sqrt(v_hat) + k["eps"])}


MISTAKES = {"sgd_momentum_step": SGD, "adam_step": ADAM}
RAISED = {}
# t counted from 0 (beta**(t - 1)) divides by 1 - beta**0 = 0 on the first step: NaN/inf
NONFINITE = {"adam_step": Advice(
    "", "t is the number of this step, counted from 1: at t = 1 the bias correction divides "
    "by 1 - beta**1, never by 1 - beta**0 = 0 (do not subtract 1 from t)",
    "m_hat = m / (1 - beta1**t); v_hat = v / (1 - beta2**t)")}
