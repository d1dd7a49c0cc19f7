"""Textbook im2col/col2im: the convolution as matrix products, checked against the loops."""
import numpy as np
import pytest

from cnnbook.conv import conv2d_backward_naive, conv2d_forward, conv2d_forward_naive
from cnnbook.im2col import col2im, im2col, im2col_indices

OPTIONS = [dict(), dict(stride=2), dict(padding=1), dict(dilation=2),
           dict(stride=(2, 1), padding=(1, 2), dilation=(1, 2))]


def _conv_as_matmul(x, w, b, **opts):
    F, C, KH, KW = w.shape
    cols = im2col(x, (KH, KW), **opts)
    y = w.reshape(F, -1) @ cols + b[:, None]                 # F, N*OH*OW
    return cols, y


@pytest.mark.parametrize("opts", OPTIONS)
def test_forward_and_backward_equal_the_loops(opts):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 3, 7, 6))
    w = rng.normal(size=(4, 3, 3, 2))
    b = rng.normal(size=4)
    out, cache = conv2d_forward_naive(x, w, b, **opts)
    N, F, OH, OW = out.shape
    cols, y = _conv_as_matmul(x, w, b, **opts)
    assert np.allclose(y.reshape(F, N, OH, OW).transpose(1, 0, 2, 3), out)
    assert np.allclose(y.reshape(F, N, OH, OW).transpose(1, 0, 2, 3),
                       conv2d_forward(x, w, b, **opts)[0])
    dout = rng.normal(size=out.shape)
    dx, dw, db = conv2d_backward_naive(dout, cache)
    delta = dout.transpose(1, 0, 2, 3).reshape(F, -1)       # F, N*OH*OW
    assert np.allclose((delta @ cols.T).reshape(w.shape), dw)
    assert np.allclose(col2im(w.reshape(F, -1).T @ delta, x.shape, (3, 2), **opts), dx)
    assert np.allclose(delta.sum(axis=1), db)


@pytest.mark.parametrize("opts", OPTIONS)
def test_col2im_is_the_adjoint_of_im2col(opts):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 2, 5, 6))
    cols = im2col(x, 3, **opts)
    y = rng.normal(size=cols.shape)
    assert np.isclose(np.sum(cols * y), np.sum(x * col2im(y, x.shape, 3, **opts)))


def test_layout_on_a_tiny_input():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    cols = im2col(x, 2)
    assert cols.shape == (4, 9)
    assert list(cols[:, 0]) == [0, 1, 4, 5]           # window (0, 0), taps row-major
    assert list(cols[0]) == [0, 1, 2, 4, 5, 6, 8, 9, 10]   # tap (0, 0) in every window
    # col2im of ones counts how many windows read each pixel
    counts = col2im(np.ones_like(cols), x.shape, 2)[0, 0]
    assert counts.tolist() == [[1, 2, 2, 1], [2, 4, 4, 2], [2, 4, 4, 2], [1, 2, 2, 1]]


def test_indices_point_into_the_padded_input():
    index = im2col_indices((1, 1, 2, 2), 3, padding=1)
    assert index.shape == (9, 4)
    assert index.min() == 0 and index.max() == 15     # 4x4 padded input
    assert im2col(np.ones((1, 1, 2, 2)), 3, padding=1).sum() == 16  # each pixel read 4x


def test_dtype_kept():
    x = np.ones((1, 2, 4, 4), dtype=np.float32)
    assert im2col(x, 2).dtype == np.float32
    assert col2im(im2col(x, 2), x.shape, 2).dtype == np.float32


def test_bad_input():
    with pytest.raises(TypeError, match="im2col: expected x to be a numpy.ndarray"):
        im2col([[1.0]], 2)
    with pytest.raises(ValueError, match=r"im2col: expected x with 4 dimensions"):
        im2col(np.ones((3, 4, 4)), 2)
    with pytest.raises(ValueError, match="kernel height 5 .* larger than the padded input"):
        im2col(np.ones((1, 1, 4, 4)), 5)
    with pytest.raises(ValueError, match=r"col2im: expected cols of shape \(4, 9\), got \(4, 8\)"):
        col2im(np.ones((4, 8)), (1, 1, 4, 4), 2)
    with pytest.raises(TypeError, match="col2im: expected x_shape to be a tuple"):
        col2im(np.ones((4, 9)), [1, 1, 4, 4], 2)
    with pytest.raises(ValueError, match="im2col_indices: expected x_shape"):
        im2col_indices((1, 4, 4), 2)
