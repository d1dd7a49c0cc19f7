import warnings

import numpy as np
import pytest

from cnnbook.activations import (
    LeakyReLU, ReLU, Sigmoid, Tanh, leaky_relu_backward, leaky_relu_forward, relu_backward,
    relu_forward, sigmoid_backward, sigmoid_forward, tanh_backward, tanh_forward,
)
from cnnbook.gradcheck import check_layer

KERNELS = [(relu_forward, relu_backward), (sigmoid_forward, sigmoid_backward),
           (tanh_forward, tanh_backward), (leaky_relu_forward, leaky_relu_backward)]
LAYERS = [ReLU, Sigmoid, Tanh, LeakyReLU]


def _away_from_zero(rng, shape, gap=0.1):
    """Normal samples pushed out of (-gap, gap): no ReLU kink within the step h."""
    x = rng.normal(size=shape)
    return x + gap * np.sign(x) + gap * (x == 0)


# --------------------------------------------------------------------------- by hand

def test_relu_by_hand():
    x = np.array([[-2.0, -0.0, 0.0, 3.0]])
    out, cache = relu_forward(x)
    np.testing.assert_array_equal(out, [[0, 0, 0, 3]])
    dx = relu_backward(np.array([[1.0, 2.0, 3.0, 4.0]]), cache)
    np.testing.assert_array_equal(dx, [[0, 0, 0, 4]])  # f'(0) = 0, as PyTorch


def test_sigmoid_by_hand():
    x = np.array([0.0, np.log(3.0), -np.log(3.0)])
    out, cache = sigmoid_forward(x)
    np.testing.assert_allclose(out, [0.5, 0.75, 0.25], rtol=1e-15)
    dx = sigmoid_backward(np.array([2.0, 1.0, 1.0]), cache)
    np.testing.assert_allclose(dx, [2 * 0.25, 0.75 * 0.25, 0.25 * 0.75], rtol=1e-15)


def test_tanh_by_hand():
    x = np.array([0.0, np.log(2.0)])  # tanh(ln 2) = (2 - 1/2) / (2 + 1/2) = 0.6
    out, cache = tanh_forward(x)
    np.testing.assert_allclose(out, [0.0, 0.6], atol=1e-15)
    dx = tanh_backward(np.array([3.0, 1.0]), cache)
    np.testing.assert_allclose(dx, [3.0, 1 - 0.36], rtol=1e-14)


def test_leaky_relu_by_hand_and_its_layer_carries_the_slope():
    x = np.array([[-2.0, 0.0, 3.0]])
    out, cache = leaky_relu_forward(x, negative_slope=0.5)
    np.testing.assert_array_equal(out, [[-1.0, 0.0, 3.0]])
    np.testing.assert_array_equal(leaky_relu_backward(np.ones_like(x), cache), [[0.5, 0.5, 1]])
    layer = LeakyReLU(negative_slope=0.5)
    assert repr(layer) == "LeakyReLU(negative_slope=0.5)" and repr(LeakyReLU()) == "LeakyReLU()"
    np.testing.assert_array_equal(layer.forward(x), out)
    assert leaky_relu_forward(x)[0][0, 0] == -0.02                      # PyTorch's 0.01
    with pytest.raises(TypeError, match=r"^LeakyReLU: leaky_relu_forward: expected "
                                        r"negative_slope to be a real number, got '0.5' \(str\)"):
        LeakyReLU(negative_slope="0.5").forward(x)
    with pytest.raises(TypeError, match=r"^LeakyReLU: expected options among "
                                        r"\(negative_slope\) of leaky_relu_forward; got slope"):
        LeakyReLU(slope=0.5)


# --------------------------------------------------------------------------- gradient checks

@pytest.mark.parametrize("shape", [(1,), (1, 5), (4, 3), (2, 3, 5, 4), (1, 1, 3, 7)])
@pytest.mark.parametrize("forward", [k[0] for k in KERNELS], ids=lambda f: f.__name__)
def test_kernel_gradcheck(forward, shape):
    x = _away_from_zero(np.random.default_rng(len(shape)), shape)
    result = check_layer(forward, x)
    assert result.max_error < 1e-7, result


@pytest.mark.parametrize("shape", [(1, 4), (3, 2, 3, 5)])
@pytest.mark.parametrize("Layer", LAYERS)
def test_layer_gradcheck(Layer, shape):
    layer = Layer()
    result = check_layer(layer, _away_from_zero(np.random.default_rng(5), shape))
    assert result.max_error < 1e-7, result
    assert layer.params == {} and layer.grads == {}
    assert repr(layer) == f"{Layer.__name__}()"


@pytest.mark.parametrize("forward,backward", KERNELS)
def test_layer_matches_kernel(forward, backward):
    rng = np.random.default_rng(2)
    x, dout = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    layer = {relu_forward: ReLU, sigmoid_forward: Sigmoid, tanh_forward: Tanh,
             leaky_relu_forward: LeakyReLU}[forward]()
    out, cache = forward(x)
    np.testing.assert_array_equal(layer.forward(x), out)
    np.testing.assert_array_equal(layer.backward(dout), backward(dout, cache))


# --------------------------------------------------------------------------- stability, dtypes

@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sigmoid_stable_at_extremes(dtype):
    x = np.array([-1000.0, -100.0, -30.0, 0.0, 30.0, 100.0, 1000.0], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):  # underflow to 0 is fine
            out, cache = sigmoid_forward(x)
            dx = sigmoid_backward(np.ones_like(x), cache)
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(dx))
    assert out[0] == 0.0 and out[-1] == 1.0 and out[3] == 0.5
    np.testing.assert_allclose(out[2], np.exp(-30.0) / (1 + np.exp(-30.0)), rtol=1e-6)
    np.testing.assert_allclose(out[:3] + out[::-1][:3], 1.0, rtol=1e-6)  # sigma(-x) = 1 - sigma(x)
    assert dx[0] == 0.0 and dx[-1] == 0.0


def test_tanh_relu_extremes_no_warning():
    x = np.array([-1000.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):  # underflow to 0 is fine
            np.testing.assert_array_equal(tanh_forward(x)[0], [-1.0, 1.0])
            np.testing.assert_array_equal(relu_forward(x)[0], [0.0, 1000.0])


@pytest.mark.parametrize("forward,backward", KERNELS)
def test_float32_preserved(forward, backward):
    x = np.linspace(-3, 3, 12, dtype=np.float32).reshape(3, 4)
    out, cache = forward(x)
    assert out.dtype == np.float32
    assert backward(np.ones((3, 4), dtype=np.float32), cache).dtype == np.float32
    assert backward(np.ones((3, 4)), cache).dtype == np.float32  # float64 dout too


@pytest.mark.parametrize("forward", [k[0] for k in KERNELS])
def test_integer_input_cast_to_float64(forward):
    out, _ = forward(np.array([[-1, 0, 2]]))
    assert out.dtype == np.float64


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("forward,backward", KERNELS)
def test_bad_input(forward, backward):
    with pytest.raises(TypeError, match=rf"{forward.__name__}: expected x to be a numpy.ndarray, got list"):
        forward([1.0, 2.0])
    with pytest.raises(TypeError, match=rf"{forward.__name__}: expected x to hold numbers"):
        forward(np.array(["a", "b"]))
    _, cache = forward(np.ones((2, 3)))
    with pytest.raises(ValueError, match=rf"{backward.__name__}: expected dout of shape \(2, 3\), got \(3, 2\)"):
        backward(np.ones((3, 2)), cache)
    with pytest.raises(TypeError, match=rf"{backward.__name__}: expected dout to be a numpy.ndarray"):
        backward([[1.0] * 3] * 2, cache)


@pytest.mark.parametrize("Layer", LAYERS)
def test_layer_backward_before_forward(Layer):
    with pytest.raises(ValueError, match=rf"{Layer.__name__}.backward: called before forward"):
        Layer().backward(np.ones(3))


# --------------------------------------------------------------------------- PyTorch

def test_activations_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 4)) * 3
    x[0, 0] = 0.0  # ReLU'(0) = 0 in both
    dout = rng.normal(size=x.shape)
    tfuns = [torch.relu, torch.sigmoid, torch.tanh, torch.nn.functional.leaky_relu]
    for (forward, backward), tfun in zip(KERNELS, tfuns, strict=True):
        tx = torch.tensor(x, requires_grad=True)
        tout = tfun(tx)
        (tout * torch.tensor(dout)).sum().backward()
        out, cache = forward(x)
        np.testing.assert_allclose(out, tout.detach().numpy(), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(backward(dout, cache), tx.grad.numpy(), rtol=1e-12, atol=1e-14)
