"""Convolution: hand-computed cases, gradient checks over an option matrix, naive vs
vectorized agreement, output-size properties and bad input."""
import itertools

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from cnnbook.conv import (Conv2D, conv2d_backward, conv2d_backward_naive, conv2d_forward,
                          conv2d_forward_naive, conv_output_size)
from cnnbook.gradcheck import check_layer

# Input shapes (N, C, H, W): batch 1 odd square, batch 3 even non-square, batch 2 odd non-square
INPUTS = [(1, 2, 7, 7), (3, 2, 6, 8), (2, 3, 9, 5)]
KERNELS = [(1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (2, 3), (3, 1)]
OPTIONS = list(itertools.product([1, 2, 3], [0, 1, 2], [1, 2]))  # stride, padding, dilation


def _case(x_shape, kernel, seed, F=3):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=x_shape)
    w = rng.normal(size=(F, x_shape[1]) + kernel)
    b = rng.normal(size=F)
    return x, w, b


def _fits(x_shape, kernel, padding, dilation):
    return all(dilation * (k - 1) + 1 <= size + 2 * padding
               for k, size in zip(kernel, x_shape[2:]))


MATRIX = [
    (x_shape, kernel, s, p, d)
    for (s, p, d) in OPTIONS
    for i, kernel in enumerate(KERNELS)
    for x_shape in (INPUTS[i % 3], INPUTS[(i + 1) % 3])
    if _fits(x_shape, kernel, p, d)
]


def test_matrix_covers_the_options():
    assert {m[2] for m in MATRIX} == {1, 2, 3}
    assert {m[3] for m in MATRIX} == {0, 1, 2}
    assert {m[4] for m in MATRIX} == {1, 2}
    assert {m[1] for m in MATRIX} == set(KERNELS)
    assert {m[0] for m in MATRIX} == set(INPUTS)
    assert len(MATRIX) > 200


@pytest.mark.parametrize("x_shape,kernel,stride,padding,dilation", MATRIX)
def test_gradcheck_and_naive_agree(x_shape, kernel, stride, padding, dilation):
    x, w, b = _case(x_shape, kernel, seed=hash((x_shape, kernel, stride, padding)) % 2**32)
    opts = dict(stride=stride, padding=padding, dilation=dilation)
    result = check_layer(conv2d_forward, x, w, b, **opts)
    assert result.max_error < 1e-7, str(result)

    out, cache = conv2d_forward(x, w, b, **opts)
    out_n, cache_n = conv2d_forward_naive(x, w, b, **opts)
    assert out.shape == (x_shape[0], 3,
                         conv_output_size(x_shape[2], kernel[0], stride, padding, dilation),
                         conv_output_size(x_shape[3], kernel[1], stride, padding, dilation))
    np.testing.assert_allclose(out, out_n, rtol=0, atol=1e-10)
    dout = np.random.default_rng(1).normal(size=out.shape)
    for g, g_n in zip(conv2d_backward(dout, cache), conv2d_backward_naive(dout, cache_n)):
        np.testing.assert_allclose(g, g_n, rtol=0, atol=1e-10)


@pytest.mark.parametrize("stride,padding,dilation", [((1, 2), (0, 1), (2, 1)),
                                                     ((3, 1), (2, 0), (1, 2))])
def test_asymmetric_pairs(stride, padding, dilation):
    x, w, b = _case((2, 2, 8, 7), (3, 2), seed=5)
    opts = dict(stride=stride, padding=padding, dilation=dilation)
    assert check_layer(conv2d_forward, x, w, b, **opts).max_error < 1e-7
    assert check_layer(conv2d_forward_naive, x, w, b, **opts).max_error < 1e-7
    np.testing.assert_allclose(conv2d_forward(x, w, b, **opts)[0],
                               conv2d_forward_naive(x, w, b, **opts)[0], atol=1e-10)


def test_hand_computed_cross_correlation():
    # A 3x3 input cross-correlated (not flipped) with a 2x2 kernel, by hand:
    # [[1 2 3]    [[1 0]     out[0,0] = 1*1 + 2*0 + 4*0 + 5*(-1) = -4
    #  [4 5 6]  *  [0 -1]]   out[0,1] = 2 - 6 = -4, out[1,0] = 4 - 8 = -4, out[1,1] = 5 - 9 = -4
    #  [7 8 9]]              plus bias 0.5
    x = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    w = np.array([[[[1.0, 0.0], [0.0, -1.0]]]])
    b = np.array([0.5])
    expected = np.full((1, 1, 2, 2), -3.5)
    for forward in (conv2d_forward, conv2d_forward_naive):
        out, _ = forward(x, w, b)
        np.testing.assert_array_equal(out, expected)
    # Backward with dout = 1 everywhere: db = 4; dw[p, q] = sum of the 2x2 block at (p, q);
    # dx counts how often each input meets each tap.
    out, cache = conv2d_forward(x, w, b)
    dx, dw, db = conv2d_backward(np.ones_like(out), cache)
    np.testing.assert_array_equal(db, [4.0])
    np.testing.assert_array_equal(dw[0, 0], [[12.0, 16.0], [24.0, 28.0]])
    np.testing.assert_array_equal(dx[0, 0], [[1, 1, 0], [1, 0, -1], [0, -1, -1]])


def test_hand_computed_stride_padding():
    x = np.ones((1, 1, 3, 3))
    w = np.ones((1, 1, 3, 3))
    out, _ = conv2d_forward(x, w, np.zeros(1), stride=2, padding=1)
    # Windows centred on the corners see 4 ones of the input.
    np.testing.assert_array_equal(out[0, 0], [[4, 4], [4, 4]])


def test_input_gradient_is_full_correlation_with_flipped_kernel():
    rng = np.random.default_rng(3)
    x, w, b = rng.normal(size=(2, 3, 6, 7)), rng.normal(size=(4, 3, 3, 2)), rng.normal(size=4)
    out, cache = conv2d_forward(x, w, b)
    dout = rng.normal(size=out.shape)
    dx, _, _ = conv2d_backward(dout, cache)
    # full correlation: pad dout by K-1, correlate with w flipped and with F, C swapped
    w_flip = w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)
    dx_full, _ = conv2d_forward(dout, w_flip, np.zeros(3), padding=(2, 1))
    np.testing.assert_allclose(dx, dx_full, atol=1e-12)


def test_dtype_preserved_float32():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 3, 8, 8)).astype(np.float32)
    w = rng.normal(size=(4, 3, 3, 3)).astype(np.float32)
    b = np.zeros(4, np.float32)
    out, cache = conv2d_forward(x, w, b, padding=1)
    assert out.dtype == np.float32
    dx, dw, db = conv2d_backward(np.ones_like(out), cache)
    assert dx.dtype == dw.dtype == db.dtype == np.float32
    out64, _ = conv2d_forward(x.astype(np.float64), w.astype(np.float64), b.astype(np.float64),
                              padding=1)
    np.testing.assert_allclose(out, out64, rtol=1e-5, atol=1e-5)


def test_integer_input_becomes_float64():
    out, _ = conv2d_forward(np.ones((1, 1, 3, 3), dtype=np.int64), np.ones((1, 1, 2, 2)),
                            np.zeros(1))
    assert out.dtype == np.float64


def test_layer_gradcheck_and_repr():
    rng = np.random.default_rng(0)
    layer = Conv2D(2, 3, (3, 2), stride=2, padding=1, dilation=(1, 2), rng=rng)
    assert set(layer.params) == {"weight", "bias"}
    assert layer.params["weight"].shape == (3, 2, 3, 2)
    result = check_layer(layer, rng.normal(size=(2, 2, 7, 8)))
    assert result.max_error < 1e-7, str(result)
    assert set(layer.grads) == {"weight", "bias"}
    assert "Conv2D(2, 3, kernel_size=(3, 2), stride=(2, 2), padding=(1, 1)" in repr(layer)


def test_layer_he_init_statistics():
    layer = Conv2D(16, 64, 3, rng=np.random.default_rng(0))
    std = layer.params["weight"].std()
    assert abs(std - np.sqrt(2 / (16 * 9))) < 0.01
    np.testing.assert_array_equal(layer.params["bias"], 0)
    glorot = Conv2D(16, 64, 3, rng=np.random.default_rng(0), init="glorot")
    a = np.sqrt(6 / (16 * 9 + 64 * 9))
    assert glorot.params["weight"].max() <= a and glorot.params["weight"].min() >= -a


def test_layer_deterministic_with_rng():
    w1 = Conv2D(1, 2, 3, rng=np.random.default_rng(7)).params["weight"]
    w2 = Conv2D(1, 2, 3, rng=np.random.default_rng(7)).params["weight"]
    np.testing.assert_array_equal(w1, w2)


@settings(max_examples=60, deadline=None)
@given(H=st.integers(1, 12), W=st.integers(1, 12), KH=st.integers(1, 4), KW=st.integers(1, 4),
       s=st.integers(1, 3), p=st.integers(0, 2), d=st.integers(1, 2), N=st.integers(1, 3))
def test_output_size_and_gradient_shapes(H, W, KH, KW, s, p, d, N):
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(N, 2, H, W)), rng.normal(size=(3, 2, KH, KW)), np.zeros(3)
    if not _fits(x.shape, (KH, KW), p, d):
        with pytest.raises(ValueError, match="larger than the padded input"):
            conv2d_forward(x, w, b, stride=s, padding=p, dilation=d)
        return
    out, cache = conv2d_forward(x, w, b, stride=s, padding=p, dilation=d)
    # The output size is the number of window positions that fit in the padded input.
    span_h, span_w = d * (KH - 1) + 1, d * (KW - 1) + 1
    fits_h = len(range(0, H + 2 * p - span_h + 1, s))
    fits_w = len(range(0, W + 2 * p - span_w + 1, s))
    assert out.shape == (N, 3, fits_h, fits_w)
    dx, dw, db = conv2d_backward(np.ones_like(out), cache)
    assert dx.shape == x.shape and dw.shape == w.shape and db.shape == b.shape


# ------------------------------------------------------------------ bad input
GOOD = dict(x=np.zeros((2, 3, 5, 5)), w=np.zeros((4, 3, 3, 3)), b=np.zeros(4))


@pytest.mark.parametrize("forward", [conv2d_forward, conv2d_forward_naive])
@pytest.mark.parametrize("change,kwargs,error,match", [
    (dict(x=np.zeros((3, 5, 5))), {}, ValueError, r"expected x with 4 dimensions.*got shape \(3, 5, 5\)"),
    (dict(x=[[1.0]]), {}, TypeError, "expected x to be a numpy.ndarray, got list"),
    (dict(w=np.zeros((4, 2, 3, 3))), {}, ValueError, r"expected w with 3 input channels.*got w of shape \(4, 2, 3, 3\)"),
    (dict(b=np.zeros(3)), {}, ValueError, r"expected b of shape \(4,\), got \(3,\)"),
    (dict(w=np.zeros((4, 3, 7, 3))), {}, ValueError, "kernel height 7.*larger than the padded input height 5"),
    ({}, dict(stride=0), ValueError, "expected stride >= 1, got 0"),
    ({}, dict(padding=-1), ValueError, "expected padding >= 0, got -1"),
    ({}, dict(dilation=(1, 0)), ValueError, "expected dilation >= 1, got 0"),
    ({}, dict(stride=1.5), TypeError, "expected stride to be an int"),
    ({}, dict(padding=(1, 2, 3)), ValueError, "expected padding to be an int or an \\(h, w\\) pair"),
    (dict(x=np.array([["a"]] * 4).reshape(1, 1, 2, 2)), {}, TypeError, "expected x to hold numbers, got dtype <U1"),
])
def test_bad_input(forward, change, kwargs, error, match):
    args = {**GOOD, **change}
    with pytest.raises(error, match=forward.__name__ + ": " + match):
        forward(args["x"], args["w"], args["b"], **kwargs)


@pytest.mark.parametrize("forward,backward", [(conv2d_forward, conv2d_backward),
                                              (conv2d_forward_naive, conv2d_backward_naive)])
def test_bad_dout(forward, backward):
    out, cache = forward(GOOD["x"], GOOD["w"], GOOD["b"])
    with pytest.raises(ValueError, match=backward.__name__ + r".*\(2, 4, 3, 3\), got \(2, 4, 3, 2\)"):
        backward(np.zeros((2, 4, 3, 2)), cache)


def test_layer_bad_input():
    layer = Conv2D(3, 4, 3, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"Conv2D.backward: called before forward"):
        layer.backward(np.zeros((1, 4, 3, 3)))
    with pytest.raises(ValueError, match=r"Conv2D: expected x with 3 channels .*got shape \(1, 2, 5, 5\)"):
        layer.forward(np.zeros((1, 2, 5, 5)))
    with pytest.raises(ValueError, match=r"Conv2D: conv2d_forward: expected x with 4 dimensions"):
        layer.forward(np.zeros((3, 5, 5)))
    with pytest.raises(ValueError, match="Conv2D: expected stride >= 1, got 0"):
        Conv2D(3, 4, 3, stride=0)
    with pytest.raises(TypeError, match="Conv2D: expected rng to be a numpy.random.Generator"):
        Conv2D(3, 4, 3, rng=42)


def test_input_grad_false_skips_dx_only():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(3, 2, 7, 6))
    full = Conv2D(2, 4, 3, padding=1, rng=np.random.default_rng(0))
    first = Conv2D(2, 4, 3, padding=1, rng=np.random.default_rng(0), input_grad=False)
    dout = rng.normal(size=(3, 4, 7, 6))
    out_full, out_first = full.forward(x), first.forward(x)
    np.testing.assert_array_equal(out_full, out_first)
    assert full.backward(dout) is not None
    assert first.backward(dout) is None
    for key in ("weight", "bias"):
        np.testing.assert_array_equal(first.grads[key], full.grads[key])
    assert "input_grad=False" in repr(first) and "input_grad" not in repr(full)
    _, cache = conv2d_forward(x, full.params["weight"], full.params["bias"], padding=1)
    dx, dw, db = conv2d_backward(dout, cache, input_grad=False)
    assert dx is None
    np.testing.assert_array_equal(dw, full.grads["weight"])
    with pytest.raises(TypeError, match="Conv2D: expected input_grad to be a bool"):
        Conv2D(2, 4, 3, input_grad=0)


def test_bias_and_its_gradient_come_from_the_products():
    """The bias is added by the product with a row of ones (and db read off the dW
    product): a large bias and a float32 batch-last input still match the loop version."""
    rng = np.random.default_rng(4)
    x = rng.normal(size=(5, 3, 6, 6)).astype(np.float32)
    x = np.ascontiguousarray(x.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2)
    w = rng.normal(size=(2, 3, 3, 3)).astype(np.float32)
    b = np.array([100.0, -3.5], np.float32)
    out, cache = conv2d_forward(x, w, b, padding=1)
    ref, ref_cache = conv2d_forward_naive(x.astype(np.float64), w.astype(np.float64),
                                          b.astype(np.float64), padding=1)
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-4)
    dout = rng.normal(size=out.shape).astype(np.float32)
    dx, dw, db = conv2d_backward(dout, cache)
    rdx, rdw, rdb = conv2d_backward_naive(dout.astype(np.float64), ref_cache)
    assert db.dtype == np.float32 and db.flags.owndata
    np.testing.assert_allclose(db, rdb, rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(dw, rdw, rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(dx, rdx, rtol=1e-5, atol=1e-4)


def test_transposing_copy_of_aliasing_strides():
    """A (N, 32, 16, 16) float32 input has a 32 KB sample stride: conv2d_forward stages it
    in longer rows first (cnnbook.conv._padded_batch_last); the numbers stay the same."""
    rng = np.random.default_rng(5)
    x = rng.normal(size=(12, 32, 16, 16)).astype(np.float32)
    w = rng.normal(size=(4, 32, 3, 3)).astype(np.float32)
    b = rng.normal(size=4).astype(np.float32)
    for padding in (0, 1):
        out, _ = conv2d_forward(x, w, b, padding=padding)
        ref, _ = conv2d_forward(x.copy(order="F"), w, b, padding=padding)  # not staged
        np.testing.assert_array_equal(out, ref)


# ------------------------------------------------------------------ groups (grouped, depthwise)
# (x shape, F, kernel, stride, padding, dilation, groups): groups 1, 2 and C (depthwise,
# F = C and F = 2C), with strides, padding, dilation and a 1x1 kernel
GROUPED = [((2, 4, 6, 5), F, k, s, p, d, g)
           for g, F in [(1, 4), (2, 6), (4, 4), (4, 8)]
           for k, s, p, d in [((3, 3), 1, 1, 1), ((2, 3), 2, 0, 1), ((1, 1), 1, 0, 1),
                              ((3, 2), (2, 1), (1, 0), (1, 2))]]


def test_grouped_matrix_covers_groups_1_2_and_C():
    assert {m[-1] for m in GROUPED} == {1, 2, 4}


@pytest.mark.parametrize("x_shape,F,kernel,stride,padding,dilation,groups", GROUPED)
def test_grouped_gradcheck_and_naive_agree(x_shape, F, kernel, stride, padding, dilation,
                                           groups):
    rng = np.random.default_rng(hash((x_shape, F, kernel, groups)) % 2**32)
    x = rng.normal(size=x_shape)
    w = rng.normal(size=(F, x_shape[1] // groups) + kernel)
    b = rng.normal(size=F)
    opts = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    result = check_layer(conv2d_forward, x, w, b, **opts)
    assert result.max_error < 1e-7, str(result)
    out, cache = conv2d_forward(x, w, b, **opts)
    out_n, cache_n = conv2d_forward_naive(x, w, b, **opts)
    np.testing.assert_allclose(out, out_n, rtol=1e-12, atol=1e-12)
    dout = rng.normal(size=out.shape)
    for g, g_n in zip(conv2d_backward(dout, cache), conv2d_backward_naive(dout, cache_n)):
        np.testing.assert_allclose(g, g_n, rtol=1e-12, atol=1e-12)


def test_grouped_is_the_groups_convolved_apart():
    """Group g of a grouped convolution is a plain convolution of its channels."""
    rng = np.random.default_rng(3)
    x, w, b = rng.normal(size=(2, 6, 5, 5)), rng.normal(size=(4, 3, 3, 3)), rng.normal(size=4)
    out, _ = conv2d_forward(x, w, b, groups=2)
    for g in range(2):
        part, _ = conv2d_forward(x[:, 3 * g:3 * g + 3], w[2 * g:2 * g + 2], b[2 * g:2 * g + 2])
        np.testing.assert_allclose(out[:, 2 * g:2 * g + 2], part, rtol=1e-12, atol=1e-12)


def test_grouped_input_grad_false():
    rng = np.random.default_rng(4)
    x, w, b = rng.normal(size=(1, 4, 5, 5)), rng.normal(size=(4, 1, 3, 3)), np.zeros(4)
    out, cache = conv2d_forward(x, w, b, groups=4)
    dx, dw, db = conv2d_backward(np.ones(out.shape), cache, input_grad=False)
    assert dx is None and dw.shape == w.shape and db.shape == (4,)


@pytest.mark.parametrize("x_shape,w_shape,groups,words", [
    ((1, 3, 5, 5), (4, 1, 3, 3), 2, ["conv2d_forward", "groups", "in_channels C = 3", "groups=2"]),
    ((1, 4, 5, 5), (3, 2, 3, 3), 2, ["conv2d_forward", "out_channels F = 3", "groups=2"]),
    ((1, 4, 5, 5), (4, 4, 3, 3), 2, ["conv2d_forward", "2 input channels", "C/groups = 4/2",
                                     "(4, 4, 3, 3)"]),
    ((1, 4, 5, 5), (4, 4, 3, 3), 0, ["conv2d_forward", "groups", "0"]),
])
def test_grouped_bad_input(x_shape, w_shape, groups, words):
    for forward in (conv2d_forward, conv2d_forward_naive):
        with pytest.raises(ValueError) as e:
            forward(np.zeros(x_shape), np.zeros(w_shape), np.zeros(w_shape[0]), groups=groups)
        for word in words:
            assert word.replace("conv2d_forward", forward.__name__) in str(e.value)


def test_conv2d_layer_groups():
    rng = np.random.default_rng(5)
    layer = Conv2D(4, 8, 3, padding=1, groups=4, rng=rng)
    assert layer.params["weight"].shape == (8, 1, 3, 3)
    assert "groups=4" in repr(layer)
    x = rng.normal(size=(2, 4, 5, 5))
    out = layer.forward(x)
    dx = layer.backward(np.ones(out.shape))
    _, cache = conv2d_forward_naive(x, layer.params["weight"], layer.params["bias"],
                                    padding=1, groups=4)
    dx_n, dw_n, _ = conv2d_backward_naive(np.ones(out.shape), cache)
    np.testing.assert_allclose(dx, dx_n, atol=1e-12)
    np.testing.assert_allclose(layer.grads["weight"], dw_n, atol=1e-12)
    with pytest.raises(ValueError, match="Conv2D: expected groups to divide out_channels F = 6"):
        Conv2D(4, 6, 3, groups=4)
