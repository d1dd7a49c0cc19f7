"""Pooling: gradient checks over an option matrix (overlapping windows included), ties,
naive vs vectorized agreement, hand-computed cases and bad input."""
import itertools

import numpy as np
import pytest
from helpers import tie_free
from hypothesis import given, settings, strategies as st

from cnnbook import functional as F
from cnnbook.gradcheck import check_layer
from cnnbook.pooling import (AvgPool2D, MaxPool2D, avg_pool2d_backward, avg_pool2d_backward_naive,
                             avg_pool2d_forward, avg_pool2d_forward_naive, max_pool2d_backward,
                             max_pool2d_backward_naive, max_pool2d_forward,
                             max_pool2d_forward_naive, pool_output_size)

KINDS = {
    "max": (max_pool2d_forward, max_pool2d_backward,
            max_pool2d_forward_naive, max_pool2d_backward_naive),
    "avg": (avg_pool2d_forward, avg_pool2d_backward,
            avg_pool2d_forward_naive, avg_pool2d_backward_naive),
}
INPUTS = [(1, 2, 7, 7), (3, 2, 6, 8), (2, 3, 9, 5)]
KERNELS = [1, 2, 3, (2, 3), (3, 2)]
STRIDES = [None, 1, 2, 3]   # None = kernel size; 1 and 2 overlap for kernels 2 and 3
PADDINGS = [0, 1]


def _valid(kernel, padding):
    kh, kw = kernel if isinstance(kernel, tuple) else (kernel, kernel)
    return 2 * padding <= min(kh, kw)


MATRIX = [(kind, x_shape, k, s, p)
          for kind in KINDS
          for i, (k, s, p) in enumerate(itertools.product(KERNELS, STRIDES, PADDINGS))
          if _valid(k, p)
          for x_shape in (INPUTS[i % 3], INPUTS[(i + 1) % 3])]


def test_matrix_has_overlap_batches_and_shapes():
    assert any(s is not None and s < (k if isinstance(k, int) else min(k))
               for _, _, k, s, _ in MATRIX)
    assert {m[1] for m in MATRIX} == set(INPUTS)
    assert len(MATRIX) > 100


@pytest.mark.parametrize("kind,x_shape,kernel,stride,padding", MATRIX)
def test_gradcheck_and_naive_agree(kind, x_shape, kernel, stride, padding):
    forward, backward, forward_naive, backward_naive = KINDS[kind]
    rng = np.random.default_rng(len(MATRIX))
    x = tie_free(x_shape, rng)
    opts = dict(kernel_size=kernel, stride=stride, padding=padding)
    result = check_layer(forward, x, **opts)
    assert result.max_error < 1e-7, str(result)

    out, cache = forward(x, **opts)
    out_n, cache_n = forward_naive(x, **opts)
    np.testing.assert_allclose(out, out_n, rtol=0, atol=1e-12)
    dout = rng.normal(size=out.shape)
    np.testing.assert_allclose(backward(dout, cache), backward_naive(dout, cache_n),
                               rtol=0, atol=1e-12)


@pytest.mark.parametrize("kind", KINDS)
def test_naive_twin_passes_gradcheck(kind):
    forward_naive = KINDS[kind][2]
    x = tie_free((2, 2, 5, 6), np.random.default_rng(0))
    result = check_layer(forward_naive, x, kernel_size=3, stride=2, padding=1)
    assert result.max_error < 1e-7, str(result)


def test_max_pool_ties_go_to_first_maximum_only():
    # After a ReLU whole windows are 0: exactly one element per window gets the gradient.
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, 0, 1] = x[0, 0, 1, 0] = 2.0      # a tie between two non-zero values
    for forward, backward in [(max_pool2d_forward, max_pool2d_backward),
                              (max_pool2d_forward_naive, max_pool2d_backward_naive)]:
        out, cache = forward(x, kernel_size=2)
        dx = backward(np.ones_like(out), cache)
        np.testing.assert_array_equal(out[0, 0], [[2, 0], [0, 0]])
        np.testing.assert_array_equal(dx[0, 0], [[0, 1, 1, 0],
                                                 [0, 0, 0, 0],
                                                 [1, 0, 1, 0],
                                                 [0, 0, 0, 0]])
        assert dx.sum() == out.size  # one unit of gradient per window, none duplicated


def test_max_pool_overlapping_windows_accumulate():
    x = np.array([[[[1.0, 2.0, 1.0], [0.0, 9.0, 0.0], [1.0, 2.0, 1.0]]]])
    out, cache = max_pool2d_forward(x, kernel_size=2, stride=1)
    np.testing.assert_array_equal(out[0, 0], [[9, 9], [9, 9]])
    dx = max_pool2d_backward(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]), cache)
    np.testing.assert_array_equal(dx[0, 0], [[0, 0, 0], [0, 10, 0], [0, 0, 0]])


def test_max_pool_padding_is_never_the_maximum():
    x = -np.ones((1, 1, 2, 2))
    out, cache = max_pool2d_forward(x, kernel_size=2, stride=1, padding=1)
    np.testing.assert_array_equal(out, -np.ones((1, 1, 3, 3)))
    dx = max_pool2d_backward(np.ones_like(out), cache)
    assert dx.sum() == 9


def test_avg_pool_hand_computed_with_padding_counted():
    x = np.arange(1.0, 5.0).reshape(1, 1, 2, 2)          # [[1, 2], [3, 4]]
    out, cache = avg_pool2d_forward(x, kernel_size=2, stride=2, padding=1)
    # Each 2x2 window holds one input and three padding zeros.
    np.testing.assert_array_equal(out[0, 0], [[0.25, 0.5], [0.75, 1.0]])
    dx = avg_pool2d_backward(np.ones_like(out), cache)
    np.testing.assert_array_equal(dx, np.full((1, 1, 2, 2), 0.25))


def test_max_pool_hand_computed():
    x = np.array([[[[1.0, 3.0, 2.0, 4.0],
                    [5.0, 0.0, 1.0, 1.0],
                    [0.0, 2.0, 7.0, 8.0],
                    [1.0, 1.0, 6.0, 5.0]]]])
    out, cache = max_pool2d_forward(x, kernel_size=2)
    np.testing.assert_array_equal(out[0, 0], [[5, 4], [2, 8]])
    dx = max_pool2d_backward(np.array([[[[10.0, 20.0], [30.0, 40.0]]]]), cache)
    expected = np.zeros((4, 4))
    expected[1, 0], expected[0, 3], expected[2, 1], expected[2, 3] = 10, 20, 30, 40
    np.testing.assert_array_equal(dx[0, 0], expected)


@pytest.mark.parametrize("layer_cls", [MaxPool2D, AvgPool2D])
def test_layers(layer_cls):
    layer = layer_cls(3, stride=2, padding=1)
    x = tie_free((2, 3, 7, 6), np.random.default_rng(1))
    result = check_layer(layer, x)
    assert result.max_error < 1e-7, str(result)
    assert layer.params == {} and layer.grads == {} and layer.num_parameters() == 0
    assert repr(layer) == f"{layer_cls.__name__}(kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))"
    assert layer_cls(2).stride == (2, 2)


def test_dtype_preserved_float32():
    x = np.random.default_rng(0).normal(size=(2, 3, 6, 6)).astype(np.float32)
    for forward, backward, *_ in KINDS.values():
        out, cache = forward(x, kernel_size=2)
        assert out.dtype == np.float32
        assert backward(np.ones_like(out), cache).dtype == np.float32


@settings(max_examples=60, deadline=None)
@given(H=st.integers(1, 10), W=st.integers(1, 10), k=st.integers(1, 4),
       s=st.one_of(st.none(), st.integers(1, 3)), p=st.integers(0, 2), N=st.integers(1, 3))
def test_output_size_and_gradient_shape(H, W, k, s, p, N):
    x = np.random.default_rng(0).normal(size=(N, 2, H, W))
    for forward, backward, *_ in KINDS.values():
        if 2 * p > k or k > min(H, W) + 2 * p:
            with pytest.raises(ValueError, match=forward.__name__):
                forward(x, kernel_size=k, stride=s, padding=p)
            continue
        out, cache = forward(x, kernel_size=k, stride=s, padding=p)
        step = k if s is None else s
        assert out.shape == (N, 2, len(range(0, H + 2 * p - k + 1, step)),
                             len(range(0, W + 2 * p - k + 1, step)))
        assert out.shape[2] == pool_output_size(H, k, s, p)
        assert backward(np.ones_like(out), cache).shape == x.shape


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("forward", [KINDS[k][i] for k in KINDS for i in (0, 2)])
@pytest.mark.parametrize("x,kwargs,error,match", [
    (np.zeros((2, 5, 5)), dict(kernel_size=2), ValueError,
     r"expected x with 4 dimensions \(N, C, H, W\), got shape \(2, 5, 5\)"),
    ([1.0], dict(kernel_size=2), TypeError, "expected x to be a numpy.ndarray, got list"),
    (np.zeros((1, 1, 4, 4)), dict(kernel_size=0), ValueError, "expected kernel_size >= 1, got 0"),
    (np.zeros((1, 1, 4, 4)), dict(kernel_size=2, stride=0), ValueError,
     "expected stride >= 1, got 0"),
    (np.zeros((1, 1, 4, 4)), dict(kernel_size=2, padding=-1), ValueError,
     "expected padding >= 0, got -1"),
    (np.zeros((1, 1, 4, 4)), dict(kernel_size=2, padding=2), ValueError,
     "expected padding at most half the kernel"),
    (np.zeros((1, 1, 4, 4)), dict(kernel_size=5), ValueError,
     "kernel height 5 is larger than the padded input height 4"),
])
def test_bad_input(forward, x, kwargs, error, match):
    with pytest.raises(error, match=forward.__name__ + ": " + match):
        forward(x, **kwargs)


@pytest.mark.parametrize("kind", KINDS)
def test_bad_dout(kind):
    forward, backward, forward_naive, backward_naive = KINDS[kind]
    for f, b in [(forward, backward), (forward_naive, backward_naive)]:
        out, cache = f(np.zeros((2, 3, 4, 4)), kernel_size=2)
        with pytest.raises(ValueError, match=b.__name__ + r".*\(2, 3, 2, 2\), got \(2, 3, 2\)"):
            b(np.zeros((2, 3, 2)), cache)


def test_layer_errors_name_the_layer():
    with pytest.raises(ValueError, match="MaxPool2D.backward: called before forward"):
        MaxPool2D(2).backward(np.zeros((1, 1, 2, 2)))
    with pytest.raises(ValueError, match="AvgPool2D: avg_pool2d_forward: expected x with 4 dim"):
        AvgPool2D(2).forward(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="MaxPool2D: expected stride >= 1, got 0"):
        MaxPool2D(2, stride=0)


# --------------------------------------------------------------------------- global average pooling

def test_global_avg_pool_takes_any_size_to_one_by_one():
    from cnnbook.layers import Conv2D, Dense, Flatten, GlobalAvgPool2D, ReLU, Sequential
    model = Sequential(Conv2D(1, 4, 3, padding=1, rng=np.random.default_rng(0)), ReLU(),
                       GlobalAvgPool2D(), Flatten(), Dense(4, 3, rng=np.random.default_rng(1)))
    for size in ((8, 8), (13, 9)):
        x = np.random.default_rng(2).normal(size=(2, 1) + size)
        assert model.forward(x).shape == (2, 3)
        assert model.backward(np.ones((2, 3))).shape == x.shape
    assert repr(GlobalAvgPool2D()) == "GlobalAvgPool2D()"
    x = np.arange(12.0).reshape(1, 2, 2, 3)
    out, cache = F.global_avg_pool2d_forward(x)
    np.testing.assert_array_equal(out.ravel(), [2.5, 8.5])
    dx = F.global_avg_pool2d_backward(np.array([6.0, 12.0]).reshape(1, 2, 1, 1), cache)
    np.testing.assert_array_equal(dx, np.concatenate([np.ones((1, 1, 2, 3)),
                                                      2 * np.ones((1, 1, 2, 3))], axis=1))
    assert check_layer(GlobalAvgPool2D(), tie_free((2, 3, 4, 5), np.random.default_rng(3))
                       ).max_error < 1e-7


@pytest.mark.parametrize("suffix", ["", "_naive"])
def test_global_avg_pool_keeps_float32_and_rejects_bad_input(suffix):
    forward = getattr(F, f"global_avg_pool2d_forward{suffix}")
    backward = getattr(F, f"global_avg_pool2d_backward{suffix}")
    out, cache = forward(np.ones((2, 3, 4, 5), dtype=np.float32))
    assert out.dtype == np.float32 and backward(np.ones((2, 3, 1, 1)), cache).dtype == np.float32
    with pytest.raises(ValueError, match=rf"^global_avg_pool2d_forward{suffix}: expected x with "
                                         r"4 dimensions \(N, C, H, W\), got shape \(3, 4, 5\)"):
        forward(np.ones((3, 4, 5)))
    with pytest.raises(ValueError, match=rf"^global_avg_pool2d_forward{suffix}: expected x with "
                                         r"at least one row and one column .*got shape "
                                         r"\(2, 3, 0, 5\)"):
        forward(np.ones((2, 3, 0, 5)))
    with pytest.raises(ValueError, match=rf"^global_avg_pool2d_backward{suffix}: expected dout "
                                         r"of shape \(2, 3, 1, 1\), got \(2, 3, 4, 5\)"):
        backward(np.ones((2, 3, 4, 5)), cache)
    from cnnbook.layers import GlobalAvgPool2D
    with pytest.raises(ValueError, match=r"^GlobalAvgPool2D: global_avg_pool2d_forward: "):
        GlobalAvgPool2D().forward(np.ones((3, 4, 5)))
