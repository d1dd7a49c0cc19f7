"""kernel_taps: the one helper conv and pooling use to find what each kernel tap reads."""
import numpy as np
import pytest

from cnnbook import conv, pooling
from cnnbook._windows import kernel_taps, tap_slice
from cnnbook.activations import Elementwise
from cnnbook.functional import relu_backward, relu_forward, tanh_backward, tanh_forward
from cnnbook.layers import ReLU, Sigmoid, Tanh


@pytest.mark.parametrize("kernel, stride, dilation", [((3, 2), (1, 1), (1, 1)),
                                                      ((2, 3), (2, 1), (2, 3))])
def test_taps_read_the_positions_of_the_formula(kernel, stride, dilation):
    out_hw = (4, 3)
    taps = list(kernel_taps(kernel, stride, out_hw, dilation))
    assert [(p, q) for p, q, _, _ in taps] == [(p, q) for p in range(kernel[0])
                                                for q in range(kernel[1])]
    for p, q, rows, cols in taps:
        assert list(range(100)[rows]) == [stride[0] * i + dilation[0] * p for i in range(4)]
        assert list(range(100)[cols]) == [stride[1] * j + dilation[1] * q for j in range(3)]
    assert tap_slice(2, 3, 2, 1) == slice(6, 7, 2)


def test_conv_and_pooling_share_the_helper():
    assert conv.kernel_taps is pooling.kernel_taps is kernel_taps
    assert not hasattr(conv, "_window_slices") and not hasattr(pooling, "_taps")


def test_activation_layers_are_one_line_with_their_kernels():
    for cls in (ReLU, Sigmoid, Tanh):
        assert issubclass(cls, Elementwise) and cls.__bases__ == (Elementwise,)
        # (__slotnames__ is cached on the class by copy.copy, which fit(workers=) uses)
        assert set(vars(cls)) - {"__slotnames__"} <= {"__module__", "__doc__", "forward_kernel",
                                                      "backward_kernel", "__qualname__"}
        assert cls.__module__ == "cnnbook.activations"
    assert ReLU.forward_kernel is relu_forward and ReLU.backward_kernel is relu_backward
    assert Tanh.forward_kernel is tanh_forward and Tanh.backward_kernel is tanh_backward
    x = np.array([[-1.0, 2.0]])
    layer = ReLU()
    np.testing.assert_array_equal(layer.forward(x), [[0.0, 2.0]])
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), [[0.0, 1.0]])
    assert layer.grads == {}
