import numpy as np
import pytest

from cnnbook.gradcheck import check_layer
from cnnbook.layers import BatchNorm2D, Conv2D, Dense, Flatten, ReLU, Sequential, Tanh
from cnnbook.optim import SGD
from cnnbook.residual import Residual


def _conv_block(C, rng):
    return Residual(Sequential(Conv2D(C, C, 3, padding=1, rng=rng), Tanh(),
                               Conv2D(C, C, 3, padding=1, rng=rng)))


def test_forward_is_x_plus_inner():
    rng = np.random.default_rng(0)
    inner = Sequential(Dense(4, 4, rng=rng), Tanh())
    block = Residual(inner)
    x = rng.normal(size=(3, 4))
    np.testing.assert_allclose(block.forward(x), x + inner.forward(x))


def test_backward_adds_identity():
    # y = x + W x (no bias effect on dx): dx = dout + W^T dout
    rng = np.random.default_rng(1)
    dense = Dense(3, 3, rng=rng)
    block = Residual(dense)
    x, dout = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    block.forward(x)
    dx = block.backward(dout)
    np.testing.assert_allclose(dx, dout + dout @ dense.params["weight"])


@pytest.mark.parametrize("C,shape", [(1, (1, 1, 3, 3)), (2, (2, 2, 5, 4))])
def test_conv_block_gradcheck(C, shape):
    rng = np.random.default_rng(C)
    block = _conv_block(C, rng)
    result = check_layer(block, rng.normal(size=shape), rng=rng)
    assert result.max_error < 1e-7, result
    assert {r[0] for r in result.rows} == {"x", "inner.0.weight", "inner.0.bias",
                                           "inner.2.weight", "inner.2.bias"}


def test_dense_block_and_nested_gradcheck():
    rng = np.random.default_rng(2)
    model = Sequential(Residual(Sequential(Dense(5, 5, rng=rng), Tanh(), Dense(5, 5, rng=rng))),
                       Residual(Dense(5, 5, rng=rng)), Dense(5, 2, rng=rng))
    result = check_layer(model, rng.normal(size=(4, 5)), rng=rng)
    assert result.max_error < 1e-7, result
    assert "1.inner.weight" in model.params


def test_params_are_the_inner_arrays():
    rng = np.random.default_rng(3)
    block = _conv_block(2, rng)
    assert block.params["inner.0.weight"] is block.inner[0].params["weight"]
    x = rng.normal(size=(2, 2, 4, 4))
    block.forward(x)
    block.backward(np.ones_like(x))
    before = block.inner[2].params["weight"].copy()
    SGD(lr=0.1).step(block.params, block.grads)
    assert not np.allclose(before, block.inner[2].params["weight"])
    assert block.num_parameters() == 2 * (2 * 2 * 9 + 2)


def test_train_eval_and_buffers_propagate():
    rng = np.random.default_rng(4)
    block = Residual(Sequential(Conv2D(2, 2, 3, padding=1, rng=rng), BatchNorm2D(2)))
    assert set(block.buffers) == {"inner.1.running_mean", "inner.1.running_var"}
    block.eval()
    assert not block.inner[1].training and not block.training
    block.train()
    assert block.inner[1].training


def test_repr_mentions_inner():
    text = repr(Residual(Sequential(Dense(2, 2, rng=np.random.default_rng(0)), ReLU())))
    assert text.startswith("Residual(") and "Dense" in text


def test_bad_inputs():
    rng = np.random.default_rng(5)
    with pytest.raises(TypeError, match="Residual: expected inner to be a Layer"):
        Residual(lambda x: x)
    with pytest.raises(ValueError, match="keep the shape"):
        Residual(Dense(3, 2, rng=rng)).forward(np.ones((1, 3)))
    with pytest.raises(ValueError, match="keep the shape"):
        Residual(Flatten()).forward(np.ones((1, 1, 2, 2)))
    with pytest.raises(TypeError, match="Residual: expected x to be a numpy.ndarray"):
        Residual(ReLU()).forward([1.0, 2.0])
    with pytest.raises(ValueError, match="called before forward"):
        Residual(ReLU()).backward(np.ones((1, 2)))
    block = Residual(ReLU())
    block.forward(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"Residual.backward: expected dout of shape \(2, 3\)"):
        block.backward(np.ones((3, 2)))
