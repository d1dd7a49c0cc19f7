"""Activation and gradient scales through deep stacks."""
import numpy as np
import pytest

from cnnbook.layers import Dense, ReLU, Sequential
from cnnbook.signal_propagation import block_stack, init_std, signal_profile


def _rms(a):
    return np.sqrt(np.mean(a ** 2))


def test_profile_matches_a_manual_pass():
    rng = np.random.default_rng(0)
    stack = block_stack(3, 8, activation="tanh", rng=rng)
    x, dout = rng.normal(size=(5, 8)), rng.normal(size=(5, 8))
    prof = signal_profile(stack, x, dout)
    assert prof.preactivation_std.shape == (3,) and prof.grad_rms.shape == (4,)
    z0 = x @ stack[0][0].params["weight"].T
    assert np.isclose(prof.preactivation_std[0], np.std(z0))
    out = stack.forward(x)
    assert np.isclose(prof.activation_rms[-1], _rms(out))
    dx = stack.backward(dout)
    assert np.isclose(prof.grad_rms[0], _rms(dx))
    assert np.isclose(prof.grad_rms[-1], _rms(dout))
    assert np.isclose(prof.weight_grad_rms[0], _rms(stack[0][0].grads["weight"]))
    a1 = stack[0].forward(x)                                   # tanh output
    assert np.isclose(prof.slope_rms[0], _rms(1 - a1 ** 2))
    assert np.isclose(prof.flat_fraction[0], np.mean(1 - a1 ** 2 < 0.01))


def test_relu_slopes():
    rng = np.random.default_rng(5)
    prof = signal_profile(block_stack(2, 64, rng=rng), rng.normal(size=(64, 64)),
                          rng.normal(size=(64, 64)))
    assert np.allclose(prof.slope_rms ** 2, 1 - prof.flat_fraction)   # slopes are 0 or 1
    assert np.all(np.abs(prof.flat_fraction - 0.5) < 0.05)


def test_he_keeps_the_scale_and_gain_moves_it():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(256, 64))
    dout = rng.normal(size=(256, 64))
    ratios = {}
    for gain in (0.5, 1.0, 2.0):
        prof = signal_profile(block_stack(20, 64, gain=gain, rng=np.random.default_rng(2)),
                              x, dout)
        ratios[gain] = prof.preactivation_std[-1] / prof.preactivation_std[0]
    assert 0.3 < ratios[1.0] < 3
    assert ratios[0.5] < 1e-4 and ratios[2.0] > 1e4     # gain**19 = 2e-6 and 5e5


def test_sigmoid_gradients_vanish():
    rng = np.random.default_rng(3)
    x, dout = rng.normal(size=(128, 64)), rng.normal(size=(128, 64))
    prof = signal_profile(block_stack(20, 64, activation="sigmoid", init="glorot", rng=rng),
                          x, dout)
    assert prof.grad_rms[0] / prof.grad_rms[-1] < 1e-6


def test_conv_stack():
    rng = np.random.default_rng(4)
    stack = block_stack(2, 3, conv=True, rng=rng)
    x = rng.normal(size=(2, 3, 5, 5))
    prof = signal_profile(stack, x, rng.normal(size=(2, 3, 5, 5)))
    assert prof.activation_rms.shape == (3,)


def test_init_std():
    assert np.isclose(init_std(50, 10), np.sqrt(2 / 50))
    assert np.isclose(init_std(50, 10, "glorot"), np.sqrt(2 / 60))
    w = Dense(400, 300, rng=np.random.default_rng(0), init="glorot").params["weight"]
    assert abs(w.std() / init_std(400, 300, "glorot") - 1) < 0.02


def test_bad_input():
    rng = np.random.default_rng(0)
    with pytest.raises(TypeError, match="signal_profile: expected stack to be a Sequential"):
        signal_profile(Dense(2, 2, rng=rng), np.ones((1, 2)), np.ones((1, 2)))
    with pytest.raises(ValueError, match="expected block 1 to be a Sequential"):
        signal_profile(Sequential(Sequential(Dense(2, 2, rng=rng)), ReLU()),
                       np.ones((1, 2)), np.ones((1, 2)))
    with pytest.raises(ValueError, match=r"expected dout of shape \(1, 2\)"):
        signal_profile(block_stack(1, 2, rng=rng), np.ones((1, 2)), np.ones((1, 3)))
    with pytest.raises(ValueError, match="block_stack: expected activation"):
        block_stack(2, 2, activation="gelu", rng=rng)
    with pytest.raises(TypeError, match="block_stack: expected rng"):
        block_stack(2, 2, rng=0)
    with pytest.raises(ValueError, match="init_std: expected init"):
        init_std(2, 2, "lecun")
