r"""Quadratic test functions for optimisers, and the convergence rate of gradient descent on them.

On :math:`f(x) = \tfrac12 x^\top A x` every eigen-direction of :math:`A` evolves on its own,
so whether (heavy-ball) gradient descent converges, and how fast, has a closed form:
:func:`heavy_ball_rate`. :class:`Quadratic2D` is the two-dimensional case the book draws;
:func:`descent_run` runs gradient descent on it and says what the closed form predicts.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from .optim import gradient_descent

__all__ = ["Quadratic2D", "heavy_ball_rate", "DescentRun", "descent_run"]


class Quadratic2D:
    r"""The quadratic :math:`f(x) = \tfrac12 x^\top A x` with curvatures along the axes.

    Parameters
    ----------
    curvatures : (float, float)
        Eigenvalues of :math:`A = \operatorname{diag}(\lambda_{\min}, \lambda_{\max})`: the curvature along
        :math:`x_1` and along :math:`x_2`. Their ratio :math:`\kappa = \lambda_{\max}/\lambda_{\min}` is the condition
        number.

    Attributes
    ----------
    A : ndarray, shape (2, 2)
    L, mu : float
        Largest and smallest curvature.
    """

    def __init__(self, curvatures=(1.0, 10.0)):
        c = np.asarray(curvatures, dtype=np.float64)
        if c.shape != (2,) or np.any(c <= 0):
            raise ValueError(f"Quadratic2D: expected two positive curvatures, got {curvatures!r}")
        self.A = np.diag(c)
        self.L, self.mu = float(c.max()), float(c.min())

    def __call__(self, x):
        """:math:`f(x)` for ``x`` of shape (..., 2)."""
        x = np.asarray(x, dtype=np.float64)
        with np.errstate(over="ignore", invalid="ignore"):
            return 0.5 * np.einsum("...i,ij,...j->...", x, self.A, x)

    def grad(self, x):
        r""":math:`\nabla f(x) = A x` for ``x`` of shape (2,)."""
        return self.A @ np.asarray(x, dtype=np.float64)

    def __repr__(self):
        return f"Quadratic2D(curvatures=({self.A[0, 0]:g}, {self.A[1, 1]:g}))"


def heavy_ball_rate(curvatures, lr, momentum=0.0):
    r"""Asymptotic contraction factor per step of (heavy-ball) gradient descent.

    On a quadratic with Hessian eigenvalues :math:`\lambda`, each eigen-direction obeys
    :math:`\begin{pmatrix} x_{t+1} \\ x_t \end{pmatrix} = \begin{pmatrix} 1 + \rho - \eta
    \lambda & -\rho \\ 1 & 0 \end{pmatrix} \begin{pmatrix} x_t \\ x_{t-1} \end{pmatrix}`;
    the rate is the largest spectral radius of these matrices. Below 1: converges;
    above 1: diverges. With momentum :math:`\rho = 0` it is :math:`\max_\lambda |1 - \eta\lambda|`.

    Returns
    -------
    float
    """
    radius = 0.0
    for lam in np.atleast_1d(np.asarray(curvatures, dtype=np.float64)):
        m = np.array([[1 + momentum - lr * lam, -momentum], [1.0, 0.0]])
        radius = max(radius, float(np.max(np.abs(np.linalg.eigvals(m)))))
    return radius


@dataclass(frozen=True)
class DescentRun:
    """A gradient-descent run on a :class:`Quadratic2D` and its predicted fate.

    ``path`` has shape ``(steps + 1, 2)`` (a diverging path ends in non-finite rows);
    ``rate`` is :func:`heavy_ball_rate`; ``bound`` the largest stable learning rate,
    :math:`2(1 + \\rho)/\\lambda_{\\max}` for momentum :math:`\\rho`.
    """

    path: np.ndarray
    rate: float
    bound: float

    @property
    def converges(self) -> bool:
        return self.rate < 1 - 1e-12

    @property
    def verdict(self) -> str:
        if self.converges:
            return "converges"
        return "diverges" if self.rate > 1 + 1e-12 else "neither (rate = 1)"


def descent_run(quad, lr, steps, momentum=0.0, x0=(-4.0, 2.0)) -> DescentRun:
    """Run :func:`cnnbook.optim.gradient_descent` on ``quad`` from ``x0``.

    Its divergence warning is silenced: a diverging run is a result here, and
    :attr:`DescentRun.verdict` says so.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = gradient_descent(quad.grad, np.asarray(x0, dtype=np.float64), lr=lr,
                                steps=int(steps), momentum=momentum)
    return DescentRun(path=path, rate=heavy_ball_rate(np.diag(quad.A), lr, momentum),
                      bound=2 * (1 + momentum) / quad.L)
