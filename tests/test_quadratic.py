"""Quadratic test functions and the convergence rate of (heavy-ball) gradient descent."""
import numpy as np
import pytest

from cnnbook.optim import gradient_descent
import warnings

from cnnbook.quadratic import Quadratic2D, descent_run, heavy_ball_rate


def test_quadratic_value_and_gradient():
    q = Quadratic2D((2.0, 8.0))
    x = np.array([1.5, -0.5])
    assert q(x) == pytest.approx(0.5 * (2 * 1.5 ** 2 + 8 * 0.25))
    np.testing.assert_allclose(q.grad(x), [3.0, -4.0])
    assert (q.mu, q.L) == (2.0, 8.0)
    with pytest.raises(ValueError, match="Quadratic2D"):
        Quadratic2D((1.0, -1.0))


@pytest.mark.parametrize("lr", [0.05, 0.19, 0.21, 0.3])
def test_rate_without_momentum_is_max_abs_one_minus_lr_lambda(lr):
    assert heavy_ball_rate([1.0, 10.0], lr) == pytest.approx(max(abs(1 - lr), abs(1 - 10 * lr)))


def test_optimal_heavy_ball_rate_and_measured_contraction():
    mu, L = 1.0, 100.0
    lr = 4 / (np.sqrt(L) + np.sqrt(mu)) ** 2
    momentum = ((np.sqrt(L) - np.sqrt(mu)) / (np.sqrt(L) + np.sqrt(mu))) ** 2
    rate = heavy_ball_rate([mu, L], lr, momentum)
    assert rate == pytest.approx(np.sqrt(momentum), rel=1e-6)  # (sqrt(k)-1)/(sqrt(k)+1)
    q = Quadratic2D((mu, L))
    path = gradient_descent(q.grad, np.array([1.0, 1.0]), lr=0.015, steps=200)
    measured = np.linalg.norm(path[-1]) / np.linalg.norm(path[-2])
    assert measured == pytest.approx(heavy_ball_rate([mu, L], 0.015), rel=1e-3)


@pytest.mark.parametrize("lr,momentum,verdict", [(0.1, 0.0, "converges"), (0.2, 0.0, "neither (rate = 1)"),
                                                 (0.25, 0.0, "diverges"), (0.25, 0.5, "converges")])
def test_descent_run_path_rate_bound_and_verdict(lr, momentum, verdict):
    q = Quadratic2D((1.0, 10.0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a diverging run is a result, not a warning
        run = descent_run(q, lr, 30, momentum, x0=(-4.0, 2.0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = gradient_descent(q.grad, np.array([-4.0, 2.0]), lr=lr, steps=30, momentum=momentum)
    np.testing.assert_array_equal(run.path, expected)
    assert run.rate == heavy_ball_rate([1.0, 10.0], lr, momentum)
    assert run.bound == pytest.approx(2 * (1 + momentum) / 10.0)
    assert run.verdict == verdict and run.converges == (verdict == "converges")
