import numpy as np
import pytest

from cnnbook.batchnorm import (
    BatchNorm2D, batch_norm2d_backward, batch_norm2d_backward_naive, batch_norm2d_forward,
    batch_norm2d_forward_naive,
)
from cnnbook.gradcheck import check_layer

FORWARDS = [batch_norm2d_forward, batch_norm2d_forward_naive]
PAIRS = [(batch_norm2d_forward, batch_norm2d_backward),
         (batch_norm2d_forward_naive, batch_norm2d_backward_naive)]


def _inputs(rng, shape, dtype=np.float64):
    C = shape[1]
    x = (rng.normal(size=shape) * 2 + 1).astype(dtype)
    gamma = rng.normal(size=C).astype(dtype)
    beta = rng.normal(size=C).astype(dtype)
    stats = dict(running_mean=rng.normal(size=C).astype(dtype),
                 running_var=rng.uniform(0.5, 2, size=C).astype(dtype))
    return x, gamma, beta, stats


# --------------------------------------------------------------------------- statistics

@pytest.mark.parametrize("forward", FORWARDS)
@pytest.mark.parametrize("shape", [(4, 3, 5, 6), (1, 2, 3, 7), (7, 1, 1, 1)])
def test_training_output_is_normalised(forward, shape):
    x, _, _, stats = _inputs(np.random.default_rng(0), shape)
    C = shape[1]
    out, _ = forward(x, np.ones(C), np.zeros(C), **stats, training=True)
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    M = out.size // C
    var = x.var(axis=(0, 2, 3))
    np.testing.assert_allclose(out.var(axis=(0, 2, 3)), var / (var + 1e-5), rtol=1e-12)  # ~1
    np.testing.assert_allclose(out.var(axis=(0, 2, 3)), 1, atol=1e-3 if M > 2 else 1e-2)


@pytest.mark.parametrize("forward", FORWARDS)
def test_running_stats_after_one_step_match_pytorch_formula(forward):
    rng = np.random.default_rng(1)
    x, gamma, beta, _ = _inputs(rng, (3, 2, 4, 5))
    running_mean, running_var = np.array([0.5, -1.0]), np.array([2.0, 0.5])
    rm_before, rv_before = running_mean.copy(), running_var.copy()
    forward(x, gamma, beta, running_mean=running_mean, running_var=running_var,
            training=True, momentum=0.3)
    for c in range(2):
        values = x[:, c].ravel()  # the M = 3*4*5 = 60 values of channel c
        mean = values.sum() / 60
        unbiased_var = ((values - mean) ** 2).sum() / 59
        assert running_mean[c] == pytest.approx(0.7 * rm_before[c] + 0.3 * mean, rel=1e-14)
        assert running_var[c] == pytest.approx(0.7 * rv_before[c] + 0.3 * unbiased_var, rel=1e-14)


@pytest.mark.parametrize("forward", FORWARDS)
def test_eval_uses_running_stats_and_leaves_them(forward):
    rng = np.random.default_rng(2)
    x, gamma, beta, stats = _inputs(rng, (2, 3, 4, 4))
    before = {k: v.copy() for k, v in stats.items()}
    out, _ = forward(x, gamma, beta, **stats, training=False, eps=1e-3)
    mean = stats["running_mean"].reshape(1, 3, 1, 1)
    std = np.sqrt(stats["running_var"].reshape(1, 3, 1, 1) + 1e-3)
    expected = gamma.reshape(1, 3, 1, 1) * (x - mean) / std + beta.reshape(1, 3, 1, 1)
    np.testing.assert_allclose(out, expected, rtol=1e-13)
    for k in stats:
        np.testing.assert_array_equal(stats[k], before[k])
    # one sample in eval mode is fine (no batch statistics needed)
    out1, _ = forward(x[:1, :, :1, :1], gamma, beta, **stats, training=False)
    assert out1.shape == (1, 3, 1, 1)


def test_by_hand_one_channel():
    x = np.array([1.0, 3.0]).reshape(2, 1, 1, 1)  # mean 2, biased var 1
    rm, rv = np.zeros(1), np.ones(1)
    out, cache = batch_norm2d_forward(x, np.array([2.0]), np.array([0.5]), running_mean=rm,
                                      running_var=rv, training=True, momentum=0.5, eps=1e-12)
    np.testing.assert_allclose(out.ravel(), [2 * -1 + 0.5, 2 * 1 + 0.5])
    np.testing.assert_allclose(rm, [1.0])  # 0.5 * 0 + 0.5 * 2
    np.testing.assert_allclose(rv, [1.5])  # 0.5 * 1 + 0.5 * (unbiased var 2)
    dx, dgamma, dbeta = batch_norm2d_backward(np.array([1.0, 0.0]).reshape(2, 1, 1, 1), cache)
    np.testing.assert_allclose(dbeta, [1.0])
    np.testing.assert_allclose(dgamma, [-1.0])  # sum dout * x_hat = 1 * -1
    # dx = gamma/(sigma M) (M dout - sum dout - x_hat sum(dout x_hat)) = 1 * ([2, 0] - 1 - [-1, 1] * -1)
    np.testing.assert_allclose(dx.ravel(), [0.0, 0.0], atol=1e-6)


# --------------------------------------------------------------------------- gradient checks

SHAPES = [(1, 1, 2, 1), (1, 3, 3, 5), (2, 2, 1, 1), (4, 3, 5, 6), (3, 1, 7, 2)]


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("forward", FORWARDS, ids=lambda f: f.__name__)
def test_kernel_gradcheck(forward, shape, training):
    rng = np.random.default_rng(sum(shape))
    x, gamma, beta, stats = _inputs(rng, shape)
    result = check_layer(forward, x, gamma, beta, **stats, training=training, eps=1e-3)
    assert result.max_error < 1e-7, result
    assert set(result.errors()) == {"x", "gamma", "beta"}


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", [(1, 2, 3, 5), (5, 3, 4, 4)])
def test_layer_gradcheck(shape, training):
    rng = np.random.default_rng(3)
    layer = BatchNorm2D(shape[1]).train(training)
    layer.params["gamma"][:] = rng.normal(size=shape[1])
    layer.params["beta"][:] = rng.normal(size=shape[1])
    layer.buffers["running_var"][:] = rng.uniform(0.5, 2, size=shape[1])
    result = check_layer(layer, rng.normal(size=shape))
    assert result.max_error < 1e-7, result
    assert set(result.errors()) == {"x", "gamma", "beta"}


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", [(1, 1, 2, 1), (2, 3, 5, 3), (6, 4, 2, 7)])
def test_naive_matches_vectorized(shape, training):
    rng = np.random.default_rng(4)
    x, gamma, beta, stats = _inputs(rng, shape)
    stats_naive = {k: v.copy() for k, v in stats.items()}
    dout = rng.normal(size=shape)
    out, cache = batch_norm2d_forward(x, gamma, beta, **stats, training=training)
    out_n, cache_n = batch_norm2d_forward_naive(x, gamma, beta, **stats_naive, training=training)
    np.testing.assert_allclose(out_n, out, rtol=0, atol=1e-10)
    for k in stats:
        np.testing.assert_allclose(stats_naive[k], stats[k], rtol=0, atol=1e-10)
    grads = batch_norm2d_backward(dout, cache)
    grads_n = batch_norm2d_backward_naive(dout, cache_n)
    for g, g_n in zip(grads, grads_n):
        np.testing.assert_allclose(g_n, g, rtol=0, atol=1e-10)


# --------------------------------------------------------------------------- layer

def test_layer_train_eval_and_buffers():
    rng = np.random.default_rng(5)
    layer = BatchNorm2D(3, momentum=0.2, eps=1e-4)
    assert repr(layer) == "BatchNorm2D(num_features=3, eps=0.0001, momentum=0.2)"
    np.testing.assert_array_equal(layer.params["gamma"], 1)
    np.testing.assert_array_equal(layer.params["beta"], 0)
    np.testing.assert_array_equal(layer.buffers["running_mean"], 0)
    np.testing.assert_array_equal(layer.buffers["running_var"], 1)
    x = rng.normal(size=(4, 3, 2, 5)) + 3
    running_mean = layer.buffers["running_mean"]
    out = layer.forward(x)  # training: batch statistics, buffers updated in place
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    assert layer.buffers["running_mean"] is running_mean
    np.testing.assert_allclose(running_mean, 0.2 * x.mean(axis=(0, 2, 3)))
    dx = layer.backward(rng.normal(size=x.shape))
    assert dx.shape == x.shape and layer.grads.keys() == layer.params.keys()
    layer.eval()
    snapshot = {k: v.copy() for k, v in layer.buffers.items()}
    out = layer.forward(x)
    expected, _ = batch_norm2d_forward(x, layer.params["gamma"], layer.params["beta"],
                                       **snapshot, training=False, eps=1e-4)
    np.testing.assert_array_equal(out, expected)
    for k in snapshot:
        np.testing.assert_array_equal(layer.buffers[k], snapshot[k])
    layer.train()
    assert layer.training


# --------------------------------------------------------------------------- dtypes

@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("forward,backward", PAIRS)
def test_float32_preserved(forward, backward, training):
    x, gamma, beta, stats = _inputs(np.random.default_rng(6), (2, 3, 4, 5), np.float32)
    out, cache = forward(x, gamma, beta, **stats, training=training)
    assert out.dtype == np.float32
    assert all(v.dtype == np.float32 for v in stats.values())
    for dout in (np.ones(x.shape, dtype=np.float32), np.ones(x.shape)):
        assert all(g.dtype == np.float32 for g in backward(dout, cache))
    layer = BatchNorm2D(3, dtype=np.float32).train(training)
    assert layer.forward(x).dtype == np.float32
    assert layer.backward(np.ones(x.shape, dtype=np.float32)).dtype == np.float32
    assert all(g.dtype == np.float32 for g in layer.grads.values())
    assert all(b.dtype == np.float32 for b in layer.buffers.values())


def test_integer_input_cast_to_float64():
    out, _ = batch_norm2d_forward(np.arange(8).reshape(2, 1, 2, 2), np.ones(1), np.zeros(1),
                                  running_mean=np.zeros(1), running_var=np.ones(1), training=True)
    assert out.dtype == np.float64


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("forward", FORWARDS)
def test_kernel_bad_input(forward):
    name = forward.__name__
    x, gamma, beta = np.ones((2, 3, 4, 4)), np.ones(3), np.zeros(3)
    stats = dict(running_mean=np.zeros(3), running_var=np.ones(3))
    with pytest.raises(TypeError, match=rf"{name}: expected x to be a numpy.ndarray, got list"):
        forward([[1.0]], gamma, beta, **stats, training=True)
    with pytest.raises(ValueError, match=rf"{name}: expected x with 4 dimensions.*got shape \(2, 3\)"):
        forward(np.ones((2, 3)), gamma, beta, **stats, training=True)
    with pytest.raises(ValueError, match=rf"{name}: expected gamma of shape \(3,\), got \(4,\)"):
        forward(x, np.ones(4), beta, **stats, training=True)
    with pytest.raises(ValueError, match=rf"{name}: expected beta of shape \(3,\), got \(2,\)"):
        forward(x, gamma, np.zeros(2), **stats, training=True)
    with pytest.raises(ValueError, match=rf"{name}: expected running_mean of shape \(3,\), got \(2,\)"):
        forward(x, gamma, beta, running_mean=np.zeros(2), running_var=np.ones(3), training=True)
    with pytest.raises(ValueError, match=rf"{name}: expected running_var to be an array of shape \(3,\), got None"):
        forward(x, gamma, beta, running_mean=np.zeros(3), running_var=None, training=False)
    with pytest.raises(TypeError, match=rf"{name}: expected running_mean to be a floating-point numpy.ndarray.*got dtype int64"):
        forward(x, gamma, beta, running_mean=np.zeros(3, dtype=np.int64), running_var=np.ones(3),
                training=True)
    with pytest.raises(TypeError, match=rf"{name}\(\) missing 2 required keyword-only arguments"):
        forward(x, gamma, beta, training=True)
    with pytest.raises(ValueError, match=rf"{name}: expected eps in \(0, inf\), got 0.0"):
        forward(x, gamma, beta, **stats, training=True, eps=0)
    with pytest.raises(ValueError, match=rf"{name}: expected eps in \(0, inf\), got -1e-05"):
        forward(x, gamma, beta, **stats, training=True, eps=-1e-5)
    with pytest.raises(ValueError, match=rf"{name}: expected momentum in \[0, 1\], got 1.5"):
        forward(x, gamma, beta, **stats, training=True, momentum=1.5)
    with pytest.raises(TypeError, match=rf"{name}: expected training to be a bool, got 'yes'"):
        forward(x, gamma, beta, **stats, training="yes")
    with pytest.raises(ValueError, match=rf"{name}: expected more than 1 value per channel.*got x of shape \(1, 3, 1, 1\)"):
        forward(np.ones((1, 3, 1, 1)), gamma, beta, **stats, training=True)


@pytest.mark.parametrize("forward,backward", PAIRS)
def test_backward_bad_dout(forward, backward):
    _, cache = forward(np.random.default_rng(0).normal(size=(2, 3, 4, 5)), np.ones(3), np.zeros(3),
                       running_mean=np.zeros(3), running_var=np.ones(3), training=True)
    with pytest.raises(ValueError, match=rf"{backward.__name__}: expected dout of shape \(2, 3, 4, 5\), got \(2, 3, 5, 4\)"):
        backward(np.ones((2, 3, 5, 4)), cache)
    with pytest.raises(TypeError, match=rf"{backward.__name__}: expected dout to be a numpy.ndarray"):
        backward(None, cache)


def test_layer_bad_input():
    layer = BatchNorm2D(3)
    with pytest.raises(ValueError, match=r"BatchNorm2D: expected x with 3 channels \(shape \(N, 3, H, W\)\), got shape \(2, 4, 5, 5\)"):
        layer.forward(np.ones((2, 4, 5, 5)))
    with pytest.raises(ValueError, match=r"BatchNorm2D: expected x with 4 dimensions.*got shape \(2, 3\)"):
        layer.forward(np.ones((2, 3)))
    with pytest.raises(TypeError, match=r"BatchNorm2D: expected x to be a numpy.ndarray"):
        layer.forward(3.0)
    with pytest.raises(ValueError, match=r"BatchNorm2D.backward: called before forward"):
        layer.backward(np.ones((2, 3, 5, 5)))
    with pytest.raises(ValueError, match=r"BatchNorm2D: expected eps in \(0, inf\), got 0.0"):
        BatchNorm2D(3, eps=0.0)
    with pytest.raises(ValueError, match=r"BatchNorm2D: expected momentum in \[0, 1\], got -0.1"):
        BatchNorm2D(3, momentum=-0.1)
    with pytest.raises(ValueError, match=r"BatchNorm2D: expected num_features >= 1, got 0"):
        BatchNorm2D(0)
    with pytest.raises(TypeError, match=r"BatchNorm2D: expected num_features to be an int"):
        BatchNorm2D(3.0)


# --------------------------------------------------------------------------- PyTorch

@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_matches_torch(training):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x, gamma, beta, stats = _inputs(rng, (3, 2, 4, 5))
    dout = rng.normal(size=x.shape)
    t_stats = {k: torch.tensor(v.copy()) for k, v in stats.items()}
    tx, tg, tb = (torch.tensor(a, requires_grad=True) for a in (x, gamma, beta))
    tout = torch.nn.functional.batch_norm(tx, t_stats["running_mean"], t_stats["running_var"],
                                          tg, tb, training=training, momentum=0.1, eps=1e-5)
    (tout * torch.tensor(dout)).sum().backward()
    for forward, backward in PAIRS:
        our_stats = {k: v.copy() for k, v in stats.items()}
        out, cache = forward(x, gamma, beta, **our_stats, training=training)
        np.testing.assert_allclose(out, tout.detach().numpy(), rtol=1e-10, atol=1e-12)
        for k in stats:
            np.testing.assert_allclose(our_stats[k], t_stats[k].numpy(), rtol=1e-12)
        for g, t in zip(backward(dout, cache), (tx, tg, tb)):
            np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-9, atol=1e-12)
