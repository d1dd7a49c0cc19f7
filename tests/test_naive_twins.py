"""Every vectorized kernel has a ``_naive`` loop twin that agrees with it to 1e-10 and
passes the gradient check itself."""
import numpy as np
import pytest
from helpers import tie_free

from cnnbook import functional as fn
from cnnbook.gradcheck import check_layer

FORWARDS = [n for n in fn.__all__ if n.endswith("_forward")]


def test_every_kernel_has_a_naive_twin():
    for name in FORWARDS:
        for twin in (name + "_naive", name.replace("_forward", "_backward") + "_naive"):
            assert hasattr(fn, twin), f"{twin} is missing"


@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh", "flatten"])
@pytest.mark.parametrize("shape", [(1, 3), (2, 3, 5, 4)])
def test_elementwise_twins_agree_and_gradcheck(name, shape):
    x = tie_free(shape, np.random.default_rng(0), scale=3.0)
    forward, backward = getattr(fn, f"{name}_forward"), getattr(fn, f"{name}_backward")
    forward_n = getattr(fn, f"{name}_forward_naive")
    backward_n = getattr(fn, f"{name}_backward_naive")
    out, cache = forward(x)
    out_n, cache_n = forward_n(x)
    np.testing.assert_allclose(out, out_n, rtol=0, atol=1e-12)
    dout = np.random.default_rng(1).normal(size=out.shape)
    np.testing.assert_allclose(backward(dout, cache), backward_n(dout, cache_n), rtol=0, atol=1e-12)
    assert check_layer(forward_n, x).max_error < 1e-7


@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh"])
def test_naive_activations_are_stable_and_keep_dtype(name):
    x = np.array([[-1000.0, 0.0, 1000.0]], dtype=np.float32)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out, _ = getattr(fn, f"{name}_forward_naive")(x)
    assert out.dtype == np.float32 and np.all(np.isfinite(out))


def test_naive_twins_reject_bad_input():
    with pytest.raises(TypeError, match="relu_forward_naive: expected x to be a numpy.ndarray"):
        fn.relu_forward_naive([1.0])
    _, cache = fn.flatten_forward_naive(np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match=r"flatten_backward_naive: expected dout of shape \(2, 12\)"):
        fn.flatten_backward_naive(np.zeros((2, 11)), cache)
