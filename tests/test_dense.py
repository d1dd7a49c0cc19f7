import numpy as np
import pytest

from cnnbook.dense import (
    Dense, Flatten, flatten_backward, flatten_forward, linear_backward,
    linear_backward_naive, linear_forward, linear_forward_naive,
)
from cnnbook.gradcheck import check_layer


def _linear_inputs(rng, N, D, M, dtype=np.float64):
    return (rng.normal(size=(N, D)).astype(dtype), rng.normal(size=(M, D)).astype(dtype),
            rng.normal(size=M).astype(dtype))


# --------------------------------------------------------------------------- by hand

def test_linear_by_hand_2x3():
    x = np.array([[1.0, 2.0, 3.0]])  # N=1, D=3
    w = np.array([[1.0, 0.0, -1.0],
                  [2.0, 1.0, 0.5]])  # M=2, D=3
    b = np.array([0.5, -1.0])
    # z_0 = 1 - 3 + 0.5 = -1.5; z_1 = 2 + 2 + 1.5 - 1 = 4.5
    for forward, backward in [(linear_forward, linear_backward),
                              (linear_forward_naive, linear_backward_naive)]:
        out, cache = forward(x, w, b)
        np.testing.assert_allclose(out, [[-1.5, 4.5]])
        dx, dw, db = backward(np.array([[1.0, 2.0]]), cache)
        np.testing.assert_allclose(dx, [[1 + 4, 0 + 2, -1 + 1]])  # dout @ w
        np.testing.assert_allclose(dw, [[1, 2, 3], [2, 4, 6]])  # dout.T @ x
        np.testing.assert_allclose(db, [1, 2])


def test_flatten_by_hand():
    x = np.arange(12.0).reshape(2, 1, 2, 3)
    out, cache = flatten_forward(x)
    np.testing.assert_array_equal(out, [[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11]])
    dx = flatten_backward(out * 10, cache)
    np.testing.assert_array_equal(dx, x * 10)


# --------------------------------------------------------------------------- gradient checks

@pytest.mark.parametrize("N,D,M", [(1, 1, 1), (1, 4, 3), (3, 5, 2), (4, 7, 6)])
@pytest.mark.parametrize("forward", [linear_forward, linear_forward_naive])
def test_linear_gradcheck(forward, N, D, M):
    rng = np.random.default_rng(N * 100 + D * 10 + M)
    result = check_layer(forward, *_linear_inputs(rng, N, D, M))
    assert result.max_error < 1e-7, result


@pytest.mark.parametrize("shape", [(1, 3), (2, 3, 4), (3, 2, 5, 3), (1, 1, 1, 1)])
def test_flatten_gradcheck(shape):
    x = np.random.default_rng(0).normal(size=shape)
    result = check_layer(flatten_forward, x)
    assert result.max_error < 1e-7, result
    assert check_layer(Flatten(), x).max_error < 1e-7


@pytest.mark.parametrize("N", [1, 5])
@pytest.mark.parametrize("init", ["he", "glorot"])
def test_dense_layer_gradcheck(N, init):
    rng = np.random.default_rng(1)
    layer = Dense(6, 4, rng=rng, init=init)
    layer.params["bias"][:] = rng.normal(size=4)
    result = check_layer(layer, rng.normal(size=(N, 6)))
    assert result.max_error < 1e-7, result
    assert set(result.errors()) == {"x", "weight", "bias"}


@pytest.mark.parametrize("N,D,M", [(1, 3, 2), (4, 5, 3)])
def test_linear_naive_matches_vectorized(N, D, M):
    rng = np.random.default_rng(7)
    x, w, b = _linear_inputs(rng, N, D, M)
    dout = rng.normal(size=(N, M))
    out, cache = linear_forward(x, w, b)
    out_n, cache_n = linear_forward_naive(x, w, b)
    np.testing.assert_allclose(out_n, out, rtol=0, atol=1e-10)
    for g, g_n in zip(linear_backward(dout, cache), linear_backward_naive(dout, cache_n)):
        np.testing.assert_allclose(g_n, g, rtol=0, atol=1e-10)


# --------------------------------------------------------------------------- layers

def test_dense_layer_init_and_repr():
    layer = Dense(12, 5, rng=np.random.default_rng(0))
    assert repr(layer) == "Dense(in_features=12, out_features=5)"
    assert layer.params["weight"].shape == (5, 12) and layer.params["bias"].shape == (5,)
    np.testing.assert_array_equal(layer.params["bias"], 0)
    assert layer.num_parameters() == 65
    big = Dense(1000, 200, rng=np.random.default_rng(0))
    assert abs(big.params["weight"].std() - np.sqrt(2 / 1000)) < 2e-3  # He: N(0, 2/fan_in)
    same = Dense(12, 5, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(same.params["weight"], layer.params["weight"])


def test_dense_layer_forward_backward_uses_kernels():
    rng = np.random.default_rng(3)
    layer = Dense(4, 3, rng=rng)
    x, dout = rng.normal(size=(2, 4)), rng.normal(size=(2, 3))
    out = layer.forward(x)
    expected, cache = linear_forward(x, layer.params["weight"], layer.params["bias"])
    np.testing.assert_array_equal(out, expected)
    dx = layer.backward(dout)
    dx_k, dw_k, db_k = linear_backward(dout, cache)
    np.testing.assert_array_equal(dx, dx_k)
    np.testing.assert_array_equal(layer.grads["weight"], dw_k)
    np.testing.assert_array_equal(layer.grads["bias"], db_k)
    assert layer.grads.keys() == layer.params.keys()


def test_flatten_layer():
    layer = Flatten()
    x = np.zeros((2, 3, 4, 5))
    assert layer.forward(x).shape == (2, 60)
    assert layer.backward(np.ones((2, 60))).shape == x.shape
    assert layer.grads == {} and layer.params == {}
    assert repr(layer) == "Flatten()"


# --------------------------------------------------------------------------- dtypes

def test_float32_preserved():
    rng = np.random.default_rng(0)
    x, w, b = _linear_inputs(rng, 3, 4, 2, np.float32)
    for forward, backward in [(linear_forward, linear_backward),
                              (linear_forward_naive, linear_backward_naive)]:
        out, cache = forward(x, w, b)
        assert out.dtype == np.float32
        grads = backward(np.ones((3, 2), dtype=np.float32), cache)
        assert all(g.dtype == np.float32 for g in grads)
        grads = backward(np.ones((3, 2)), cache)  # a float64 dout: grads keep the param dtype
        assert all(g.dtype == np.float32 for g in grads)
    layer = Dense(4, 2, rng=rng, dtype=np.float32)
    assert layer.params["weight"].dtype == np.float32
    assert layer.forward(x).dtype == np.float32
    assert layer.backward(np.ones((3, 2), dtype=np.float32)).dtype == np.float32
    assert all(g.dtype == np.float32 for g in layer.grads.values())
    out, cache = flatten_forward(np.ones((2, 3, 4), dtype=np.float32))
    assert out.dtype == np.float32
    assert flatten_backward(np.ones((2, 12)), cache).dtype == np.float32
    assert Flatten().forward(np.ones((2, 3, 4), dtype=np.float32)).dtype == np.float32


def test_integer_input_cast_to_float64():
    out, cache = linear_forward(np.ones((2, 3), dtype=np.int64), np.ones((1, 3)), np.zeros(1))
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, [[3], [3]])
    out, _ = flatten_forward(np.ones((2, 2, 2), dtype=np.int32))
    assert out.dtype == np.float64


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("forward", [linear_forward, linear_forward_naive])
def test_linear_bad_input(forward):
    name = forward.__name__
    x, w, b = np.ones((4, 3)), np.ones((5, 3)), np.ones(5)
    with pytest.raises(TypeError, match=rf"{name}: expected x to be a numpy.ndarray, got list"):
        forward([[1.0, 2.0, 3.0]], w, b)
    with pytest.raises(ValueError, match=rf"{name}: expected x with 2 dimensions.*got shape \(3,\)"):
        forward(np.ones(3), w, b)
    with pytest.raises(ValueError, match=rf"{name}: expected w with 2 dimensions.*got shape \(5, 3, 1\)"):
        forward(x, np.ones((5, 3, 1)), b)
    with pytest.raises(ValueError, match=rf"{name}: expected w with 3 input features.*got shape \(5, 4\)"):
        forward(x, np.ones((5, 4)), b)
    with pytest.raises(ValueError, match=rf"{name}: expected b of shape \(5,\), got \(4,\)"):
        forward(x, w, np.ones(4))
    with pytest.raises(TypeError, match=rf"{name}: expected w to hold numbers"):
        forward(x, np.full((5, 3), "a"), b)


@pytest.mark.parametrize("forward,backward", [(linear_forward, linear_backward),
                                              (linear_forward_naive, linear_backward_naive)])
def test_linear_backward_bad_dout(forward, backward):
    _, cache = forward(np.ones((4, 3)), np.ones((5, 3)), np.ones(5))
    with pytest.raises(ValueError, match=rf"{backward.__name__}: expected dout of shape \(4, 5\), got \(5, 4\)"):
        backward(np.ones((5, 4)), cache)
    with pytest.raises(TypeError, match=rf"{backward.__name__}: expected dout to be a numpy.ndarray"):
        backward(1.0, cache)


def test_flatten_bad_input():
    with pytest.raises(ValueError, match=r"flatten_forward: expected x with at least 2 dimensions.*got shape \(3,\)"):
        flatten_forward(np.ones(3))
    with pytest.raises(TypeError, match=r"flatten_forward: expected x to be a numpy.ndarray"):
        flatten_forward(3.0)
    _, cache = flatten_forward(np.ones((2, 3, 4)))
    with pytest.raises(ValueError, match=r"flatten_backward: expected dout of shape \(2, 12\), got \(2, 3, 4\)"):
        flatten_backward(np.ones((2, 3, 4)), cache)
    with pytest.raises(ValueError, match=r"Flatten: expected x with at least 2 dimensions"):
        Flatten().forward(np.ones(5))
    with pytest.raises(ValueError, match=r"Flatten.backward: called before forward"):
        Flatten().backward(np.ones((2, 3)))


def test_dense_bad_input():
    layer = Dense(12, 5, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"Dense: expected x with 12 features \(shape \(N, 12\)\), got shape \(4, 10\)"):
        layer.forward(np.ones((4, 10)))
    with pytest.raises(ValueError, match=r"Dense: expected x with 2 dimensions.*got shape \(12,\)"):
        layer.forward(np.ones(12))
    with pytest.raises(TypeError, match=r"Dense: expected x to be a numpy.ndarray, got list"):
        layer.forward([0.0] * 12)
    with pytest.raises(ValueError, match=r"Dense.backward: called before forward"):
        layer.backward(np.ones((4, 5)))
    layer.forward(np.ones((4, 12)))
    with pytest.raises(ValueError, match=r"linear_backward: expected dout of shape \(4, 5\), got \(4, 6\)"):
        layer.backward(np.ones((4, 6)))
    with pytest.raises(ValueError, match=r"Dense: expected in_features >= 1, got 0"):
        Dense(0, 5)
    with pytest.raises(TypeError, match=r"Dense: expected out_features to be an int, got 2.5"):
        Dense(3, 2.5)
    with pytest.raises(ValueError, match=r"Dense: expected init to be 'he' or 'glorot', got 'xavier'"):
        Dense(3, 2, init="xavier")
    with pytest.raises(TypeError, match=r"Dense: expected rng to be a numpy.random.Generator.*got 0 \(int\)"):
        Dense(3, 2, rng=0)


# --------------------------------------------------------------------------- PyTorch

def test_linear_and_flatten_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x, w, b = _linear_inputs(rng, 4, 6, 3)
    dout = rng.normal(size=(4, 3))
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    tout = torch.nn.functional.linear(tx, tw, tb)
    (tout * torch.tensor(dout)).sum().backward()
    out, cache = linear_forward(x, w, b)
    dx, dw, db = linear_backward(dout, cache)
    np.testing.assert_allclose(out, tout.detach().numpy(), rtol=1e-12, atol=1e-12)
    for g, t in [(dx, tx), (dw, tw), (db, tb)]:
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-12, atol=1e-12)
    x4 = rng.normal(size=(2, 3, 4, 5))
    out, _ = flatten_forward(x4)
    np.testing.assert_array_equal(out, torch.flatten(torch.tensor(x4), 1).numpy())
