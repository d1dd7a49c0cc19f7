"""One-hot backward passes through pooling, and the window coverage of a convolution."""
import numpy as np
import pytest

from cnnbook.receptive_field import pool_step_gradients, window_coverage


def test_pool_step_gradients_sends_one_to_the_window_maximum_or_spreads_it():
    fmap = np.array([[1.0, 5, 2, 0], [3, 4, 9, 1], [0, 2, 1, 1], [7, 1, 3, 8]])
    out, dx = pool_step_gradients(fmap, 2, 2, "max", (0, 1))
    np.testing.assert_array_equal(out, [[5, 9], [7, 8]])
    want = np.zeros((4, 4))
    want[1, 2] = 1.0
    np.testing.assert_array_equal(dx, want)
    out, dx = pool_step_gradients(fmap, 2, 2, "avg", (1, 0))
    want = np.zeros((4, 4))
    want[2:, :2] = 0.25
    np.testing.assert_array_equal(dx, want)
    _, dx = pool_step_gradients(fmap, 3, 1, "avg", None)  # overlapping windows add up
    np.testing.assert_allclose(dx * 9, window_coverage(4, 4, 3))
    with pytest.raises(ValueError, match="pool_step_gradients"):
        pool_step_gradients(fmap, 2, 2, "min", (0, 0))
    with pytest.raises(ValueError, match="pool_step_gradients"):
        pool_step_gradients(fmap, 2, 2, "max", (2, 0))


def test_window_coverage_values():
    np.testing.assert_array_equal(window_coverage(4, 4, 3), [[1, 2, 2, 1], [2, 4, 4, 2],
                                                             [2, 4, 4, 2], [1, 2, 2, 1]])
    np.testing.assert_array_equal(window_coverage(5, 5, 2, stride=2), [[1, 1, 1, 1, 0]] * 4
                                  + [[0, 0, 0, 0, 0]])


def test_receptive_field_formula_matches_the_measured_one():
    from cnnbook.layers import AvgPool2D, Conv2D, ReLU, Sequential
    from cnnbook.receptive_field import measured_receptive_field, receptive_field_sizes
    rng = np.random.default_rng(0)
    nets = [Sequential(Conv2D(1, 1, 3, padding=1, rng=rng), Conv2D(1, 1, 3, padding=1, rng=rng)),
            Sequential(Conv2D(1, 1, 3, padding=1, rng=rng), AvgPool2D(2),
                       Conv2D(1, 1, 3, padding=1, rng=rng)),
            Sequential(Conv2D(1, 2, 5, rng=rng), ReLU(), AvgPool2D(2), Conv2D(2, 1, 5, rng=rng),
                       AvgPool2D(2)),
            Sequential(Conv2D(1, 1, 3, stride=2, dilation=2, rng=rng),
                       Conv2D(1, 1, (3, 2), stride=(1, 2), dilation=(1, 3), rng=rng)),
            Sequential(Conv2D(1, 1, 3, rng=rng), AvgPool2D(3, stride=2), Conv2D(1, 1, 3, rng=rng))]
    expected = [(5, 5), (8, 8), (16, 16), (9, 11), (9, 9)]
    for net, r in zip(nets, expected):
        assert receptive_field_sizes(net)[-1] == r
        assert measured_receptive_field(net, 32) == r
