"""Tests of cnnbook.losses: gradients against central differences, hand-computed values,
stability for huge logits, dtypes and error messages."""
import warnings

import numpy as np
import pytest

from cnnbook.gradcheck import numerical_gradient, rel_error
from cnnbook.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    log_softmax,
    mse,
    softmax,
    softmax_cross_entropy,
)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def one_hot(labels, k):
    return np.eye(k)[labels]


# ------------------------------------------------------------------- gradient checks

def assert_grad_matches(loss_fn, x, target):
    _, grad = loss_fn(x, target)
    num = numerical_gradient(lambda x_: loss_fn(x_, target)[0], x)
    assert rel_error(grad, num) < 1e-7


def test_mse_gradient(rng):
    assert_grad_matches(mse, rng.normal(size=(3, 4)), rng.normal(size=(3, 4)))


def test_bce_gradient(rng):
    prob = rng.uniform(0.05, 0.95, size=(4, 3))
    assert_grad_matches(binary_cross_entropy, prob, rng.uniform(size=(4, 3)))
    assert_grad_matches(binary_cross_entropy, prob, (rng.uniform(size=(4, 3)) > 0.5) * 1.0)


def test_bce_with_logits_gradient(rng):
    logits = rng.normal(scale=3, size=(5, 2))
    assert_grad_matches(binary_cross_entropy_with_logits, logits, rng.uniform(size=(5, 2)))


@pytest.mark.parametrize("soft", [False, True])
def test_softmax_cross_entropy_gradient(rng, soft):
    logits = rng.normal(scale=2, size=(4, 5))
    if soft:
        labels = softmax(rng.normal(size=(4, 5)))
    else:
        labels = rng.integers(0, 5, size=4)
    assert_grad_matches(softmax_cross_entropy, logits, labels)


# ------------------------------------------------------------------- known values

def test_mse_value():
    loss, grad = mse(np.array([1.0, 2.0]), np.array([0.0, 0.0]))
    assert loss == 2.5
    np.testing.assert_array_equal(grad, [1.0, 2.0])


def test_bce_value():
    p = np.array([0.8, 0.3])
    y = np.array([1.0, 0.0])
    loss, grad = binary_cross_entropy(p, y)
    assert np.isclose(loss, -(np.log(0.8) + np.log(0.7)) / 2)
    np.testing.assert_allclose(grad, [-1 / 0.8 / 2, 1 / 0.7 / 2])


def test_bce_clamps_log_of_zero():
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        loss, grad = binary_cross_entropy(np.array([0.0, 1.0]), np.array([1.0, 0.0]))
    assert loss == 100.0  # each log clamped at -100, as in PyTorch
    assert np.all(np.isfinite(grad))


def test_bce_with_logits_agrees_with_bce_of_sigmoid(rng):
    z = rng.normal(size=(3, 4))
    y = rng.uniform(size=(3, 4))
    p = 1 / (1 + np.exp(-z))
    loss_logits, grad_logits = binary_cross_entropy_with_logits(z, y)
    loss_prob, grad_prob = binary_cross_entropy(p, y)
    assert np.isclose(loss_logits, loss_prob, rtol=1e-12)
    np.testing.assert_allclose(grad_logits, grad_prob * p * (1 - p), rtol=1e-10)  # chain rule


def test_cross_entropy_of_uniform_logits_is_log_k():
    k = 10
    loss, grad = softmax_cross_entropy(np.zeros((3, k)), np.array([0, 4, 9]))
    assert np.isclose(loss, np.log(k))
    assert np.isclose(grad[1, 4], (1 / k - 1) / 3)
    assert np.isclose(grad[1, 0], 1 / k / 3)


def test_cross_entropy_value():
    z = np.array([[2.0, 1.0, 0.1]])
    loss, grad = softmax_cross_entropy(z, np.array([0]))
    p = np.exp(z) / np.exp(z).sum()
    assert np.isclose(loss, -np.log(p[0, 0]))
    np.testing.assert_allclose(grad, p - [[1, 0, 0]])


def test_softmax_and_log_softmax():
    z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    p = softmax(z)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(p[0], np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum())
    np.testing.assert_allclose(softmax(z + 100.0), p)  # shift invariance
    np.testing.assert_allclose(log_softmax(z), np.log(p))
    np.testing.assert_allclose(softmax(z.T, axis=0), p.T)


# ------------------------------------------------------------- labels, dtypes

def test_int_labels_and_one_hot_agree(rng):
    logits = rng.normal(size=(6, 4))
    labels = rng.integers(0, 4, size=6)
    loss_int, grad_int = softmax_cross_entropy(logits, labels)
    loss_hot, grad_hot = softmax_cross_entropy(logits, one_hot(labels, 4))
    assert np.isclose(loss_int, loss_hot, rtol=1e-14)
    np.testing.assert_allclose(grad_int, grad_hot, rtol=1e-14)
    # integer one-hot rows are probabilities too
    assert np.isclose(softmax_cross_entropy(logits, one_hot(labels, 4).astype(int))[0], loss_int)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_preserved(rng, dtype):
    x = rng.normal(size=(4, 3)).astype(dtype)
    y = rng.uniform(size=(4, 3))  # float64 target must not upcast the gradient
    p = rng.uniform(0.1, 0.9, size=(4, 3)).astype(dtype)
    labels = np.array([0, 2, 1, 1])
    results = [mse(x, y), binary_cross_entropy(p, y), binary_cross_entropy_with_logits(x, y),
               softmax_cross_entropy(x, labels), softmax_cross_entropy(x, one_hot(labels, 3))]
    for loss, grad in results:
        assert isinstance(loss, float)
        assert grad.dtype == dtype and grad.shape == (4, 3)
    assert softmax(x).dtype == dtype and log_softmax(x).dtype == dtype


def test_float32_matches_float64(rng):
    z = rng.normal(size=(5, 7))
    labels = rng.integers(0, 7, size=5)
    loss64, grad64 = softmax_cross_entropy(z, labels)
    loss32, grad32 = softmax_cross_entropy(z.astype(np.float32), labels)
    assert np.isclose(loss32, loss64, rtol=1e-5)
    np.testing.assert_allclose(grad32, grad64, rtol=1e-4, atol=1e-6)


# ----------------------------------------------------------------- stability

@pytest.fixture
def no_warnings():
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        yield


@pytest.mark.usefixtures("no_warnings")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_cross_entropy_stable_for_huge_logits(dtype):
    logits = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, 1000.0]], dtype=dtype)
    loss, grad = softmax_cross_entropy(logits, np.array([1, 2]))
    assert np.isclose(loss, 2000.0 / 2)  # first row: -log p = 2000, second: 0
    assert np.all(np.isfinite(grad))
    np.testing.assert_allclose(grad, [[0.5, -0.5, 0.0], [0.0, 0.0, 0.0]])
    loss_hot, grad_hot = softmax_cross_entropy(logits, np.eye(3)[[1, 2]])
    assert loss_hot == loss
    np.testing.assert_array_equal(grad_hot, grad)


@pytest.mark.usefixtures("no_warnings")
def test_softmax_stable_for_huge_logits():
    z = np.array([[1000.0, -1000.0], [-1000.0, -1000.0]])
    np.testing.assert_array_equal(softmax(z), [[1.0, 0.0], [0.5, 0.5]])
    log_p = log_softmax(z)
    assert np.all(np.isfinite(log_p))
    assert log_p[0, 1] == -2000.0


@pytest.mark.usefixtures("no_warnings")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bce_with_logits_stable_for_huge_logits(dtype):
    z = np.array([1000.0, -1000.0, 1000.0, -1000.0], dtype=dtype)
    y = np.array([1.0, 0.0, 0.0, 1.0])
    loss, grad = binary_cross_entropy_with_logits(z, y)
    assert np.isclose(loss, (0 + 0 + 1000 + 1000) / 4)
    np.testing.assert_array_equal(grad, np.array([0.0, 0.0, 1.0, -1.0], dtype) / 4)


# ------------------------------------------------------------------- bad input

@pytest.mark.parametrize("fn", [mse, binary_cross_entropy, binary_cross_entropy_with_logits])
def test_elementwise_losses_reject_bad_input(fn):
    name = fn.__name__
    good = np.full((2, 3), 0.5)
    with pytest.raises(TypeError, match=rf"^{name}: expected \w+ to be a numpy.ndarray, got list"):
        fn([0.5, 0.5], np.array([0.5, 0.5]))
    with pytest.raises(TypeError, match=rf"^{name}: expected target to be a numpy.ndarray"):
        fn(good, 0.5)
    with pytest.raises(ValueError,
                       match=rf"^{name}: expected target of shape \(2, 3\), got \(3, 2\)"):
        fn(good, np.full((3, 2), 0.5))
    with pytest.raises(ValueError, match=rf"^{name}: expected \w+ with at least one element"):
        fn(np.zeros((0, 3)), np.zeros((0, 3)))


def test_bce_rejects_values_outside_unit_interval():
    y = np.array([1.0, 0.0])
    with pytest.raises(ValueError, match=r"^binary_cross_entropy: expected prob to lie in "
                                         r"\[0, 1\], got values in \[-0\.1, 0\.5\]"):
        binary_cross_entropy(np.array([-0.1, 0.5]), y)
    with pytest.raises(ValueError, match=r"^binary_cross_entropy: expected prob .* and NaN"):
        binary_cross_entropy(np.array([np.nan, 0.5]), y)
    with pytest.raises(ValueError, match=r"^binary_cross_entropy: expected target to lie in "
                                         r"\[0, 1\], got values in \[0, 2\]"):
        binary_cross_entropy(np.array([0.5, 0.5]), np.array([2.0, 0.0]))
    with pytest.raises(ValueError, match=r"^binary_cross_entropy_with_logits: expected target "
                                         r"to lie in \[0, 1\]"):
        binary_cross_entropy_with_logits(np.array([5.0, -5.0]), np.array([1.0, -1.0]))


def test_softmax_cross_entropy_rejects_bad_input():
    logits = np.zeros((4, 10))
    where = "softmax_cross_entropy"
    with pytest.raises(TypeError, match=rf"^{where}: expected logits to be a numpy.ndarray"):
        softmax_cross_entropy([[0.0, 1.0]], np.array([0]))
    with pytest.raises(TypeError, match=rf"^{where}: expected labels to be a numpy.ndarray, "
                                        r"got list"):
        softmax_cross_entropy(logits, [0, 1, 2, 3])
    with pytest.raises(ValueError, match=rf"^{where}: expected logits with 2 dimensions "
                                         r"\(N, K\), got shape \(10,\)"):
        softmax_cross_entropy(np.zeros(10), np.array([1]))
    with pytest.raises(ValueError, match=rf"^{where}: expected logits of shape \(N, K\) with "
                                         r"N >= 1 and K >= 1, got \(0, 10\)"):
        softmax_cross_entropy(np.zeros((0, 10)), np.zeros(0, dtype=int))
    with pytest.raises(ValueError, match=rf"^{where}: expected labels of shape \(4,\) or "
                                         r"\(4, 10\), got \(5,\)"):
        softmax_cross_entropy(logits, np.zeros(5, dtype=int))
    with pytest.raises(ValueError, match=rf"^{where}: expected labels of shape \(4,\) or "
                                         r"\(4, 10\), got \(4, 9\)"):
        softmax_cross_entropy(logits, np.zeros((4, 9)))
    with pytest.raises(ValueError, match=rf"^{where}: expected labels in \[0, 10\) for 10 "
                                         r"classes, got values in \[0, 10\]"):
        softmax_cross_entropy(logits, np.array([0, 1, 2, 10]))
    with pytest.raises(ValueError, match=rf"^{where}: expected labels in \[0, 10\).*"
                                         r"got values in \[-1, 3\]"):
        softmax_cross_entropy(logits, np.array([-1, 1, 2, 3]))
    with pytest.raises(TypeError, match=rf"^{where}: expected labels of shape \(4,\) to be "
                                        r"integer class indices, got dtype float64"):
        softmax_cross_entropy(logits, np.array([0.0, 1.5, 2.0, 3.0]))
    with pytest.raises(TypeError, match=rf"^{where}: expected labels .* got dtype bool"):
        softmax_cross_entropy(logits, np.array([True, False, True, True]))
    with pytest.raises(ValueError, match=rf"^{where}: expected labels to lie in \[0, 1\], "
                                         r"got values in \[-1, 2\]"):
        softmax_cross_entropy(logits, np.full((4, 10), 2.0) - 3 * np.eye(4, 10))
    with pytest.raises(ValueError, match=rf"^{where}: expected each row of labels of shape "
                                         r"\(4, 10\) to sum to 1, got 0\.5 in row 2"):
        softmax_cross_entropy(logits, np.eye(4, 10) * [[1], [1], [0.5], [1]])


def test_softmax_rejects_bad_input():
    with pytest.raises(TypeError, match=r"^softmax: expected z to be a numpy.ndarray"):
        softmax([1.0, 2.0])
    with pytest.raises(ValueError, match=r"^softmax: expected axis in \[-2, 2\) for z of "
                                         r"shape \(2, 3\), got 2"):
        softmax(np.zeros((2, 3)), axis=2)
    with pytest.raises(ValueError, match=r"^log_softmax: expected z with at least 1 dimension, got shape \(\)"):
        log_softmax(np.array(1.0))
    with pytest.raises(TypeError, match=r"^log_softmax: expected axis to be an int"):
        log_softmax(np.zeros(3), axis=None)
