"""check_layer pairs kernels through functional.BACKWARD (derived from the modules by name)."""
import numpy as np
import pytest

import cnnbook.functional as F
from cnnbook.gradcheck import check_layer


def test_every_forward_kernel_has_its_twin_in_the_table():
    forwards = [n for n in F.__all__ if "_forward" in n]
    assert forwards, "functional exports no kernels?"
    for name in forwards:
        forward = getattr(F, name)
        assert F.BACKWARD.get(forward) is getattr(F, name.replace("_forward", "_backward")), name
    assert len(F.BACKWARD) == len(forwards)


def _double_forward(x):
    return 2 * x, None


def _double_backward(dout, cache):
    return 2 * dout


def test_own_kernel_needs_backward_argument():
    x = np.random.default_rng(0).normal(size=(3, 4))
    with pytest.raises(ValueError, match=r"check_layer: expected backward= for '_double_forward', "
                                         r"a kernel not listed in cnnbook.functional.BACKWARD"):
        check_layer(_double_forward, x)
    assert check_layer(_double_forward, x, backward=_double_backward).max_error < 1e-9
    wrong = check_layer(_double_forward, x, backward=lambda dout, cache: dout)
    assert wrong.max_error > 0.1


def test_explicit_backward_overrides_the_table():
    x = np.random.default_rng(0).normal(size=(2, 5))
    result = check_layer(F.relu_forward, x, backward=lambda dout, cache: dout)  # wrong on x < 0
    assert result.max_error > 0.1


def test_printed_table_layout():
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(2, 3, 5, 5)), rng.normal(size=(4, 3, 3, 3)), rng.normal(size=4)
    lines = str(check_layer(F.conv2d_forward, x, w, b, stride=2)).splitlines()
    assert lines[0] == "gradient check of conv2d_forward"
    assert lines[1] == (f"{'wrt':<10}{'max rel. error':>16}  {'at index':<16}"
                        f"{'analytic':>12}{'numeric':>14}")
    assert [line.split()[0] for line in lines[2:]] == ["x", "w", "b"]


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(backward=3), TypeError, r"check_layer: expected backward to be callable, got 3 \(int\)"),
    (dict(h=0.0), ValueError, r"check_layer: expected h in \(0, inf\), got 0.0"),
    (dict(rng=1), TypeError, r"check_layer: expected rng to be a numpy.random.Generator"),
])
def test_check_layer_options(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        check_layer(F.relu_forward, np.ones((2, 2)), **kwargs)


def test_result_keeps_the_whole_gradients_it_compared():
    from cnnbook.gradcheck import numerical_gradient
    rng = np.random.default_rng(3)
    x, w, b = rng.normal(size=(2, 2, 5, 6)), rng.normal(size=(3, 2, 3, 3)), rng.normal(size=3)
    dout = rng.normal(size=(2, 3, 3, 2))
    result = check_layer(F.conv2d_forward, x, w, b, dout=dout, stride=(1, 2))
    assert set(result.numeric) == set(result.analytic) == set(result.errors())
    num_x = numerical_gradient(lambda v: F.conv2d_forward(v, w, b, stride=(1, 2))[0], x, dout)
    np.testing.assert_array_equal(result.numeric["x"], num_x)
    _, cache = F.conv2d_forward(x, w, b, stride=(1, 2))
    np.testing.assert_array_equal(result.analytic["x"], F.conv2d_backward(dout, cache)[0])
    for what, err, index, ana, num in result.rows:  # the table's entries come from them
        assert result.analytic[what][index] == ana and result.numeric[what][index] == num
