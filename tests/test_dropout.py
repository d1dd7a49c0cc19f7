"""Inverted dropout: mask from rng, expectation kept, identity in evaluation, layer modes.
(Gradient checks and loop twins: tests/kernel_cases.py; PyTorch: tests/golden/dropout.npz.)"""
import numpy as np
import pytest

from cnnbook import functional as fn
from cnnbook.layers import Dropout, Sequential, ReLU
from cnnbook.base import eval_mode


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_training_mode_keeps_the_expectation_and_drops_a_fraction_p(p):
    x = np.full((200, 500), 2.0)
    out, (keep, _) = fn.dropout_forward(x, p=p, rng=np.random.default_rng(0))
    assert abs((out == 0).mean() - p) < 0.005          # 100 000 draws: std 0.0016
    assert abs(out.mean() - 2.0) < 0.03
    assert set(np.unique(out)) <= {0.0, 2.0 / (1 - p)}
    np.testing.assert_array_equal(out != 0, keep)


def test_evaluation_mode_is_the_identity_and_draws_nothing():
    x = np.random.default_rng(1).normal(size=(3, 4, 5))
    rng = np.random.default_rng(2)
    state = rng.bit_generator.state
    out, cache = fn.dropout_forward(x, p=0.5, training=False, rng=rng)
    assert out is x and rng.bit_generator.state == state
    assert fn.dropout_backward(x, cache) is x


def test_same_seed_same_mask_and_twins_agree():
    x = np.random.default_rng(1).normal(size=(2, 3, 4))
    a, _ = fn.dropout_forward(x, p=0.4, rng=np.random.default_rng(5))
    b, _ = fn.dropout_forward_naive(x, p=0.4, rng=np.random.default_rng(5))
    np.testing.assert_array_equal(a, b)


def test_backward_routes_through_the_kept_units_scaled():
    x = np.arange(1.0, 7.0).reshape(2, 3)
    mask = np.array([[1, 0, 1], [0, 0, 1]])
    out, cache = fn.dropout_forward(x, p=0.5, mask=mask)
    np.testing.assert_array_equal(out, [[2, 0, 6], [0, 0, 12]])
    np.testing.assert_array_equal(fn.dropout_backward(np.ones((2, 3)), cache), 2.0 * mask)


def test_float32_kept():
    x = np.ones((4, 4), np.float32)
    out, cache = fn.dropout_forward(x, p=0.5, rng=np.random.default_rng(0))
    assert out.dtype == np.float32
    assert fn.dropout_backward(np.ones((4, 4), np.float32), cache).dtype == np.float32


def test_layer_follows_train_and_eval():
    layer = Dropout(p=0.5, rng=np.random.default_rng(0))
    model = Sequential(ReLU(), layer)
    x = np.ones((10, 10))
    assert (model.forward(x) == 0).any()
    dx = model.backward(np.ones((10, 10)))
    np.testing.assert_array_equal(dx, layer._cache[0] * 2.0)
    with eval_mode(model):
        np.testing.assert_array_equal(model.forward(x), x)
    assert layer.training
    assert repr(layer).startswith("Dropout(p=0.5, rng=Generator")
    assert Dropout(0.2).options["p"] == 0.2 and Dropout().options["p"] == 0.5


def test_bad_input_is_named():
    with pytest.raises(ValueError, match=r"dropout_forward: expected p in \[0, 1\), got 1.0"):
        fn.dropout_forward(np.ones(3), p=1.0)
    with pytest.raises(ValueError, match=r"dropout_forward: expected mask of shape \(3,\)"):
        fn.dropout_forward(np.ones(3), p=0.5, mask=np.ones(4))
    with pytest.raises(ValueError, match="dropout_forward: expected mask to hold only 0 and 1"):
        fn.dropout_forward(np.ones(3), p=0.5, mask=np.array([0, 2, 1]))
    with pytest.raises(TypeError, match="dropout_forward: expected rng to be a numpy.random"):
        fn.dropout_forward(np.ones(3), p=0.5, rng=0)
    with pytest.raises(TypeError, match="training"):
        Dropout(p=0.5, training=True)
    with pytest.raises(ValueError, match="Dropout: dropout_forward: expected p"):
        Dropout(p=-0.1).forward(np.ones(2))
