"""The transposed-convolution recipe of cnnbook.transposed_conv against conv2d_backward."""
import numpy as np
import pytest

from cnnbook.conv import conv2d_backward, conv2d_forward, conv_output_size
from cnnbook.transposed_conv import conv_transpose2d, output_padding

CASES = [  # H, W, KH, KW, stride, padding, dilation
    (28, 28, 3, 3, 2, 0, 1),        # a = 1: the recipe without it gives 27x27
    (28, 28, 3, 3, 2, 1, 1),        # a = 0
    (28, 28, 3, 3, 3, 0, 1),        # a = 1
    (29, 27, 3, 3, 3, 0, 1),        # a = 2 and 0
    (13, 11, 3, 2, 2, 1, 2),        # dilation, non-square kernel
    (17, 16, 3, 3, (3, 2), (1, 0), (2, 3)),
    (9, 9, 3, 3, 2, 3, 1),          # padding beyond d(K-1): the recipe crops
    (8, 8, 1, 1, 2, 0, 1),
]


@pytest.mark.parametrize("H, W, KH, KW, stride, padding, dilation", CASES)
def test_matches_conv2d_backward(H, W, KH, KW, stride, padding, dilation):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, H, W))
    w = rng.standard_normal((4, 3, KH, KW))
    out, cache = conv2d_forward(x, w, np.zeros(4), stride=stride, padding=padding,
                                dilation=dilation)
    delta = rng.standard_normal(out.shape)
    dx = conv2d_backward(delta, cache)[0]
    pairs = [v if isinstance(v, tuple) else (v, v) for v in (stride, padding, dilation)]
    a = tuple(output_padding(size, k, s, p, d)
              for size, k, s, p, d in zip((H, W), (KH, KW), *pairs))
    dx_t = conv_transpose2d(delta, w, stride=stride, padding=padding, dilation=dilation,
                            output_padding=a)
    np.testing.assert_allclose(dx_t, dx, rtol=1e-12, atol=1e-12)
    short = conv_transpose2d(delta, w, stride=stride, padding=padding, dilation=dilation)
    assert short.shape[2:] == (H - a[0], W - a[1])
    np.testing.assert_allclose(short, dx[:, :, :H - a[0], :W - a[1]], rtol=1e-12, atol=1e-12)


def test_lenet_size_needs_the_extra_row():
    assert conv_output_size(28, 3, stride=2) == 13
    assert output_padding(28, 3, stride=2) == 1
    delta = np.ones((1, 1, 13, 13))
    assert conv_transpose2d(delta, np.ones((1, 1, 3, 3)), stride=2).shape == (1, 1, 27, 27)
    assert conv_transpose2d(delta, np.ones((1, 1, 3, 3)), stride=2,
                            output_padding=1).shape == (1, 1, 28, 28)


def test_bad_output_padding_names_the_function():
    with pytest.raises(ValueError, match="conv_transpose2d: expected output_padding below"):
        conv_transpose2d(np.ones((1, 1, 3, 3)), np.ones((1, 1, 3, 3)), stride=2,
                         output_padding=2)
