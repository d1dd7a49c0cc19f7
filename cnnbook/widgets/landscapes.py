"""Explorers of a loss landscape: one weight and its tangent; gradient descent on a quadratic."""
from __future__ import annotations

import numpy as np

from ..quadratic import Quadratic2D, descent_run
from ..viz.landscapes import plot_loss_tangent, plot_lr_explorer, update_lr_explorer
from . import _controls as controls
from ._explorer import Explorer
from ._figure import FigureView

__all__ = ["tangent_explorer", "lr_explorer"]


def tangent_explorer(loss_and_grad, *, w0=0.0, w_range=(-4.0, 4.0), lr=1.0,
                     lr_max=5.0):
    r"""Move one weight and see the loss, the tangent backprop computed, and a descent step.

    Parameters
    ----------
    loss_and_grad : callable
        ``loss_and_grad(w) -> (L, dL/dw)``.
    w0 : float
        Initial weight.
    w_range : (float, float)
        Slider range and plot range.
    lr : float
        Initial learning rate :math:`\eta` of the step shown (0 hides the step).

    Returns
    -------
    Explorer
        Settings ``w`` and ``lr``; ``.result`` is ``(w, L, dL/dw)``.
    """
    settings = {"w": controls.number(r"weight \(w\)", w0, w_range[0], w_range[1], 0.05),
                "lr": controls.number(r"step \(\eta\)", lr, 0.0, lr_max, 0.1, readout=".1f")}
    view = FigureView(figsize=(6.5, 3.6))

    def update(w, lr):
        def draw(fig):
            plot_loss_tangent(loss_and_grad, w, w_range=w_range, lr=lr if lr > 0 else None,
                              ax=fig.subplots())
            loss, grad = loss_and_grad(w)
            return w, loss, grad
        return view.refresh(draw)

    lo, hi = w_range
    return Explorer("tangent_explorer", settings, view, update,
                    offline={"w": [round(v, 2) for v in np.linspace(lo, hi, 9)],
                             "lr": sorted({0.0, round(lr / 2, 1), float(lr)})})


def lr_explorer(curvatures=(1.0, 10.0), lr=0.1, steps=40, momentum=0.0, x0=(-4.0, 2.0)):
    r"""Learning-rate explorer: gradient descent on a 2-D ill-conditioned quadratic.

    Controls: learning rate (log scale), number of steps, momentum and the starting
    point. Each change reruns :func:`cnnbook.quadratic.descent_run` and redraws
    :func:`cnnbook.viz.plot_lr_explorer`; the title says "converges" or "diverges" and
    gives the bound :math:`2/\lambda_{\max}`.

    Returns
    -------
    Explorer
        Settings ``lr, steps, momentum, x1, x2``; ``.result`` is ``{"path", "rate",
        "converges"}``.
    """
    quad = Quadratic2D(curvatures)
    settings = {
        "lr": controls.learning_rate(lr, -3, 0, 0.05),
        "steps": controls.steps(steps, 1, 200, description="steps"),
        "momentum": controls.number(r"momentum \(\rho\)", momentum, 0.0, 0.95, 0.05),
        "x1": controls.number(r"start \(\theta_1\)", x0[0], -5.0, 5.0, 0.1, readout=".1f"),
        "x2": controls.number(r"start \(\theta_2\)", x0[1], -3.0, 3.0, 0.1, readout=".1f"),
    }
    view = FigureView(figsize=(10, 3.6), layout="tight")
    plot_lr_explorer(quad, lr, steps, momentum, x0, fig=view.fig)
    view.fig.canvas.draw()              # lay out once: the contours and axes stay,
    view.fig.set_layout_engine("none")  # only the path, the loss panel and the title move

    def update(lr, steps, momentum, x1, x2):
        run = descent_run(quad, lr, steps, momentum, (x1, x2))
        view.show_changed(update_lr_explorer(view.fig, quad, lr, steps, momentum, (x1, x2),
                                             run=run))
        return {"path": run.path, "rate": run.rate, "converges": run.converges}

    rates = [0.01, 0.02, 0.05, 0.1, 0.15, 0.18, 0.2, 0.21, 0.3]
    return Explorer("lr_explorer", settings, view, update,
                    offline={"lr": rates, "momentum": [0.0, 0.5, 0.9]})
