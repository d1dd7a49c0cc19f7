"""Tests of cnnbook.optim: gradient descent paths, SGD/Adam against hand-written references
(and torch.optim when available), the in-place contract, schedules and error messages."""
import math
import warnings
from functools import partial

import numpy as np
import pytest

from cnnbook.optim import (
    SGD,
    Adam,
    AdamW,
    RMSprop,
    clip_grad_norm,
    Schedule,
    cosine_annealing,
    gradient_descent,
    step_decay,
)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


# ------------------------------------------------------------------ gradient descent

def test_gradient_descent_converges_on_parabola():
    path = gradient_descent(lambda x: 2 * x, 3.0, lr=0.1, steps=50)
    assert path.shape == (51,)
    assert path[0] == 3.0
    np.testing.assert_allclose(path, 3.0 * 0.8 ** np.arange(51))  # x_{t+1} = (1 - 2 lr) x_t
    assert abs(path[-1]) < 1e-4


def test_gradient_descent_diverges_above_two_over_l():
    path = gradient_descent(lambda x: 2 * x, 3.0, lr=1.1, steps=50)  # 2/L = 1 for f = x^2
    assert path.shape == (51,)
    assert np.all(np.abs(np.diff(np.abs(path))) > 0)  # |x| grows every step
    assert abs(path[-1]) > 1000 * abs(path[0])


def test_gradient_descent_two_dimensional_quadratic():
    a = np.diag([1.0, 10.0])  # f(x) = x^T A x / 2, L = 10
    x0 = np.array([1.0, 1.0])
    path = gradient_descent(lambda x: a @ x, x0, lr=0.15, steps=200)
    assert path.shape == (201, 2)
    np.testing.assert_array_equal(path[0], x0)
    np.testing.assert_allclose(path[-1], 0.0, atol=1e-12)
    assert x0.tolist() == [1.0, 1.0]  # x0 not modified


def test_gradient_descent_momentum_matches_heavy_ball():
    a = np.diag([1.0, 10.0])
    x0 = np.array([1.0, -2.0])
    path = gradient_descent(lambda x: a @ x, x0, lr=0.05, steps=30, momentum=0.8)
    x, v = x0.copy(), np.zeros(2)
    for t in range(30):
        v = 0.8 * v + a @ x
        x = x - 0.05 * v
        np.testing.assert_allclose(path[t + 1], x, rtol=1e-14)
    plain = gradient_descent(lambda x: a @ x, x0, lr=0.05, steps=30)
    assert abs(path[-1, 0]) < abs(plain[-1, 0])  # momentum speeds up the flat direction


def test_gradient_descent_zero_steps():
    np.testing.assert_array_equal(gradient_descent(lambda x: x, np.ones(2), lr=1.0, steps=0),
                                  [[1.0, 1.0]])


def test_gradient_descent_warns_and_truncates_on_divergence():
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="raise"):
        warnings.simplefilter("always")
        path = gradient_descent(lambda x: 2 * x, 1.0, lr=1e100, steps=100)
    assert len(caught) == 1  # ours, no overflow warnings from numpy
    assert issubclass(caught[0].category, RuntimeWarning)
    message = str(caught[0].message)
    t = len(path) - 1
    assert message.startswith(f"gradient_descent: diverged at step {t} with lr=1e+100")
    assert 1 < len(path) < 101
    assert np.all(np.isfinite(path[:-1])) and not np.isfinite(path[-1])


def test_gradient_descent_rejects_bad_input():
    g = lambda x: 2 * x  # noqa: E731
    where = "gradient_descent"
    with pytest.raises(TypeError, match=rf"^{where}: expected grad_fn to be callable"):
        gradient_descent(None, 1.0, lr=0.1, steps=3)
    with pytest.raises(TypeError, match=rf"^{where}: expected x0 to be a numpy.ndarray, got str"):
        gradient_descent(g, "1", lr=0.1, steps=3)
    with pytest.raises(ValueError, match=rf"^{where}: expected a finite x0"):
        gradient_descent(g, np.array([1.0, np.inf]), lr=0.1, steps=3)
    with pytest.raises(ValueError, match=rf"^{where}: expected lr in \(0, inf\), got -0.1"):
        gradient_descent(g, 1.0, lr=-0.1, steps=3)
    with pytest.raises(ValueError, match=rf"^{where}: expected steps >= 0, got -1"):
        gradient_descent(g, 1.0, lr=0.1, steps=-1)
    with pytest.raises(TypeError, match=rf"^{where}: expected steps to be an int, got 2.5"):
        gradient_descent(g, 1.0, lr=0.1, steps=2.5)
    with pytest.raises(ValueError, match=rf"^{where}: expected momentum in \[0, inf\)"):
        gradient_descent(g, 1.0, lr=0.1, steps=3, momentum=-0.5)
    with pytest.raises(ValueError, match=rf"^{where}: expected grad_fn\(x\) of shape \(2,\), "
                                         r"got \(3,\)"):
        gradient_descent(lambda x: np.zeros(3), np.zeros(2), lr=0.1, steps=3)


# ------------------------------------------------------------- hand-written references

def sgd_reference(p, grads, lr, momentum=0.0, nesterov=False, weight_decay=0.0):
    """Element by element, in plain Python floats."""
    p, v = list(p), [0.0] * len(p)
    for g in grads:
        for i in range(len(p)):
            gi = g[i] + weight_decay * p[i]
            v[i] = momentum * v[i] + gi
            step = gi + momentum * v[i] if nesterov else (v[i] if momentum else gi)
            p[i] -= lr * step
    return p


def adam_reference(p, grads, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    b1, b2 = betas
    p, m, v = list(p), [0.0] * len(p), [0.0] * len(p)
    for t, g in enumerate(grads, start=1):
        for i in range(len(p)):
            gi = g[i] + weight_decay * p[i]
            m[i] = b1 * m[i] + (1 - b1) * gi
            v[i] = b2 * v[i] + (1 - b2) * gi * gi
            m_hat = m[i] / (1 - b1 ** t)
            v_hat = v[i] / (1 - b2 ** t)
            p[i] -= lr * m_hat / (math.sqrt(v_hat) + eps)  # the textbook form
    return p


def run(opt, params, grad_seq):
    for g in grad_seq:
        opt.step(params, g)
    return params


def make_problem(rng, steps=6):
    params = {"w": rng.normal(size=(3, 4)), "b": rng.normal(size=4)}
    grad_seq = [{k: rng.normal(size=v.shape) for k, v in params.items()} for _ in range(steps)]
    return params, grad_seq


SGD_CASES = [
    dict(lr=0.1),
    dict(lr=0.1, momentum=0.9),
    dict(lr=0.05, momentum=0.9, nesterov=True),
    dict(lr=0.1, weight_decay=0.1),
    dict(lr=0.05, momentum=0.5, nesterov=True, weight_decay=0.01),
]
ADAM_CASES = [
    dict(lr=0.01),
    dict(lr=0.1, betas=(0.8, 0.99), eps=1e-6),
    dict(lr=0.01, weight_decay=0.1),
]


@pytest.mark.parametrize("kwargs", SGD_CASES)
def test_sgd_matches_reference(rng, kwargs):
    params, grad_seq = make_problem(rng)
    start = {k: v.copy() for k, v in params.items()}
    run(SGD(**kwargs), params, grad_seq)
    for key in params:
        expected = sgd_reference(start[key].ravel(), [g[key].ravel() for g in grad_seq],
                                 **kwargs)
        np.testing.assert_allclose(params[key].ravel(), expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("kwargs", ADAM_CASES)
def test_adam_matches_reference(rng, kwargs):
    params, grad_seq = make_problem(rng)
    start = {k: v.copy() for k, v in params.items()}
    run(Adam(**kwargs), params, grad_seq)
    for key in params:
        expected = adam_reference(start[key].ravel(), [g[key].ravel() for g in grad_seq],
                                  **kwargs)
        np.testing.assert_allclose(params[key].ravel(), expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("cls, kwargs", [(SGD, k) for k in SGD_CASES]
                         + [(Adam, k) for k in ADAM_CASES]
                         + [(AdamW, {}), (AdamW, dict(lr=0.05, weight_decay=0.3)),
                            (RMSprop, {}), (RMSprop, dict(momentum=0.9, centered=True))])
def test_matches_torch_optim(rng, cls, kwargs):
    torch = pytest.importorskip("torch")
    params, grad_seq = make_problem(rng)
    tensors = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
               for k, v in params.items()}
    torch_opt = getattr(torch.optim, cls.__name__)(list(tensors.values()), **kwargs)
    opt = cls(**kwargs)
    for g in grad_seq:
        opt.step(params, g)
        for k, t in tensors.items():
            t.grad = torch.tensor(g[k], dtype=torch.float64)
        torch_opt.step()
    for k, t in tensors.items():
        np.testing.assert_allclose(params[k], t.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_sgd_first_steps_by_hand():
    w = np.array([1.0])
    opt = SGD(lr=0.1, momentum=0.9, nesterov=True)
    opt.step({"w": w}, {"w": np.array([1.0])})  # v = 1, update = 1 + 0.9
    assert np.isclose(w[0], 1 - 0.19)
    opt.step({"w": w}, {"w": np.array([1.0])})  # v = 1.9, update = 1 + 1.71
    assert np.isclose(w[0], 1 - 0.19 - 0.271)


def test_adam_first_step_is_lr_in_size(rng):
    w = np.zeros(5)
    Adam(lr=0.01).step({"w": w}, {"w": rng.normal(scale=[1e-3, 1, 10, 100, 1e4])})
    np.testing.assert_allclose(np.abs(w), 0.01, rtol=1e-4)


def _decay_effect(cls, grad_scale, steps=100):
    """How much weight decay moved a parameter: end point without minus with decay,
    for the same gradients (noise of scale grad_scale)."""
    ends = []
    for wd in (0.0, 0.1):
        rng = np.random.default_rng(0)
        w = np.ones(1)
        opt = cls(lr=0.01, weight_decay=wd)
        for _ in range(steps):
            opt.step({"w": w}, {"w": rng.normal(scale=grad_scale, size=1)})
        ends.append(w[0])
    return ends[0] - ends[1]


def test_adamw_decays_every_parameter_alike_adam_l2_spares_large_gradients():
    """AdamW's decay does not depend on the gradients; Adam's L2 term is divided by
    sqrt(v), so a parameter with large gradients is barely decayed."""
    quiet, noisy = _decay_effect(AdamW, 1e-3), _decay_effect(AdamW, 10.0)
    assert quiet == pytest.approx(noisy, rel=0.05)
    quiet, noisy = _decay_effect(Adam, 1e-3), _decay_effect(Adam, 10.0)
    assert noisy < quiet / 20


def test_rmsprop_first_step_by_hand():
    w = np.array([1.0])
    RMSprop(lr=0.1, alpha=0.9, eps=1e-8).step({"w": w}, {"w": np.array([2.0])})
    # v = 0.1 * 4 = 0.4, step = 0.1 * 2 / sqrt(0.4)
    assert w[0] == pytest.approx(1 - 0.2 / math.sqrt(0.4))


def test_clip_grad_norm_scales_in_place_and_returns_the_norm_before():
    grads = {"w": np.array([[3.0, 0.0]]), "b": np.array([4.0])}
    w = grads["w"]
    assert clip_grad_norm(grads, 1.0) == pytest.approx(5.0)
    assert grads["w"] is w
    np.testing.assert_allclose(np.sqrt(sum((g ** 2).sum() for g in grads.values())), 1.0,
                               rtol=1e-5)
    assert clip_grad_norm(grads, 10.0) == pytest.approx(1.0, rel=1e-5)   # unchanged now
    np.testing.assert_allclose(grads["b"], [0.8], rtol=1e-5)
    with pytest.raises(ValueError, match=r"^clip_grad_norm: expected max_norm in \(0, inf\)"):
        clip_grad_norm(grads, 0.0)
    with pytest.raises(TypeError, match=r"^clip_grad_norm: expected grads\['w'\] to be"):
        clip_grad_norm({"w": [1.0]}, 1.0)


def test_rmsprop_and_adamw_reject_bad_hyperparameters():
    with pytest.raises(ValueError, match=r"^RMSprop: expected alpha in \[0, 1\), got 1.0"):
        RMSprop(alpha=1.0)
    with pytest.raises(TypeError, match=r"^RMSprop: expected centered to be"):
        RMSprop(centered=1)
    with pytest.raises(ValueError, match=r"^AdamW: expected weight_decay in \[0, inf\)"):
        AdamW(weight_decay=-0.1)
    assert repr(AdamW()).startswith("AdamW(lr=0.001")


# ------------------------------------------------------------- in place, state, dtype

@pytest.mark.parametrize("opt", [SGD(lr=0.1), SGD(lr=0.1, momentum=0.9, weight_decay=0.1),
                                 Adam(lr=0.1)])
def test_step_updates_in_place(rng, opt):
    w = rng.normal(size=(2, 3))
    view = w[0]  # a layer might hold a view, or the array itself
    params = {"w": w}
    before = w.copy()
    opt.step(params, {"w": np.ones((2, 3))})
    assert params["w"] is w
    assert not np.array_equal(w, before)
    np.testing.assert_array_equal(view, w[0])


@pytest.mark.parametrize("cls", [SGD, Adam])
def test_float32_params_stay_float32(cls):
    w = np.ones(3, dtype=np.float32)
    opt = cls(lr=0.1, momentum=0.9) if cls is SGD else cls(lr=0.1)
    opt.step({"w": w}, {"w": np.ones(3)})  # float64 gradient
    assert w.dtype == np.float32
    assert np.all(w < 1)


def test_state_is_kept_per_parameter_and_can_be_reset():
    w, b = np.ones(2), np.ones(3)
    sgd = SGD(lr=0.1, momentum=0.9)
    sgd.step({"w": w, "b": b}, {"w": np.ones(2), "b": np.full(3, 2.0)})
    assert set(sgd.state) == {"w", "b"}
    np.testing.assert_array_equal(sgd.state["b"]["velocity"], [2.0, 2.0, 2.0])
    sgd.zero_state()
    assert sgd.state == {}

    adam = Adam()
    for _ in range(3):
        adam.step({"w": w}, {"w": np.ones(2)})
    assert adam.state["w"]["step"] == 3
    assert adam.state["w"]["m"].shape == (2,)
    adam.zero_state()
    assert adam.state == {}


def test_plain_sgd_keeps_no_state():
    opt = SGD(lr=0.1)
    opt.step({"w": np.ones(2)}, {"w": np.ones(2)})
    assert opt.state == {}


def test_lr_can_be_changed_between_steps():
    w = np.zeros(1)
    opt = SGD(lr=0.1)
    opt.step({"w": w}, {"w": np.ones(1)})
    opt.lr = 0.01
    opt.step({"w": w}, {"w": np.ones(1)})
    assert np.isclose(w[0], -0.11)


# ---------------------------------------------------------------- optimizer errors

@pytest.mark.parametrize("opt", [SGD(lr=0.1), Adam()])
def test_step_rejects_mismatched_grads(opt):
    name = type(opt).__name__
    params = {"w": np.ones((2, 3)), "b": np.ones(3)}
    with pytest.raises(ValueError, match=rf"^{name}.step: expected grads with the keys of "
                                         r"params, got no gradient for 'b'"):
        opt.step(params, {"w": np.ones((2, 3))})
    with pytest.raises(ValueError, match=rf"^{name}.step: .* got an extra gradient 'c'"):
        opt.step(params, {"w": np.ones((2, 3)), "b": np.ones(3), "c": np.ones(1)})
    with pytest.raises(ValueError, match=rf"^{name}.step: expected grads\['w'\] of shape "
                                         r"\(2, 3\), got \(3, 2\)"):
        opt.step(params, {"w": np.ones((3, 2)), "b": np.ones(3)})
    with pytest.raises(TypeError, match=rf"^{name}.step: expected grads\['b'\] to be a "
                                        r"numpy.ndarray, got list"):
        opt.step(params, {"w": np.ones((2, 3)), "b": [1.0, 1.0, 1.0]})
    with pytest.raises(TypeError, match=rf"^{name}.step: expected params\['w'\] to be a "
                                        r"float32/float64 numpy.ndarray .*got int64"):
        opt.step({"w": np.ones(3, dtype=np.int64)}, {"w": np.ones(3)})
    with pytest.raises(TypeError, match=rf"^{name}.step: expected params to be a dict"):
        opt.step([np.ones(3)], [np.ones(3)])
    assert params["w"].tolist() == np.ones((2, 3)).tolist()  # nothing applied


def test_constructors_reject_bad_hyperparameters():
    with pytest.raises(ValueError, match=r"^SGD: expected lr in \(0, inf\), got 0.0"):
        SGD(lr=0)
    with pytest.raises(TypeError, match=r"^SGD: expected lr to be a real number, got '0.1'"):
        SGD(lr="0.1")
    with pytest.raises(ValueError, match=r"^SGD: expected momentum in \[0, inf\), got -0.9"):
        SGD(lr=0.1, momentum=-0.9)
    with pytest.raises(ValueError, match=r"^SGD: expected momentum > 0 with nesterov=True"):
        SGD(lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match=r"^SGD: expected weight_decay in \[0, inf\)"):
        SGD(lr=0.1, weight_decay=-1)
    with pytest.raises(ValueError, match=r"^Adam: expected lr in \(0, inf\), got nan"):
        Adam(lr=float("nan"))
    with pytest.raises(ValueError, match=r"^Adam: expected betas\[1\] in \[0, 1\), got 1.0"):
        Adam(betas=(0.9, 1.0))
    with pytest.raises(TypeError, match=r"^Adam: expected betas to be a pair"):
        Adam(betas=0.9)
    with pytest.raises(ValueError, match=r"^Adam: expected eps in \(0, inf\), got 0.0"):
        Adam(eps=0)


# ---------------------------------------------------------------------- schedules

def test_step_decay():
    assert [step_decay(1.0, e, drop=0.1, every=3) for e in (0, 2, 3, 5, 6)] == \
        pytest.approx([1.0, 1.0, 0.1, 0.1, 0.01])


def test_cosine_annealing():
    lrs = [cosine_annealing(0.1, e, total=10, lr_min=0.001) for e in range(13)]
    assert lrs[0] == pytest.approx(0.1)
    assert lrs[5] == pytest.approx((0.1 + 0.001) / 2)
    assert lrs[10] == lrs[11] == lrs[12] == pytest.approx(0.001)
    assert all(a > b for a, b in zip(lrs[:10], lrs[1:11]))


def test_schedule_sets_optimizer_lr():
    opt = Adam(lr=0.1)
    schedule = Schedule(opt, partial(cosine_annealing, 0.1, total=4))
    assert schedule.step(2) == pytest.approx(0.05)
    assert opt.lr == pytest.approx(0.05)
    assert schedule.step(4) == 0.0 and opt.lr == 0.0


def test_schedule_errors():
    with pytest.raises(ValueError, match=r"^step_decay: expected every >= 1, got 0"):
        step_decay(0.1, 3, drop=0.5, every=0)
    with pytest.raises(ValueError, match=r"^step_decay: expected epoch >= 0, got -1"):
        step_decay(0.1, -1, drop=0.5, every=2)
    with pytest.raises(ValueError, match=r"^cosine_annealing: expected lr_min in "
                                         r"\[0, 0.1\], got 0.2"):
        cosine_annealing(0.1, 0, total=10, lr_min=0.2)
    with pytest.raises(TypeError, match=r"^Schedule: expected an optimizer with an lr"):
        Schedule(object(), lambda e: 0.1)
    with pytest.raises(TypeError, match=r"^Schedule: expected fn to be callable"):
        Schedule(SGD(lr=0.1), 0.1)
    with pytest.raises(ValueError, match=r"^Schedule.step: expected fn\(epoch\) in "
                                         r"\[0, inf\), got -0.1"):
        Schedule(SGD(lr=0.1), lambda e: -0.1).step(0)
