"""Explorers of a loss landscape: one weight and its tangent; gradient descent on a quadratic."""
from __future__ import annotations

import ipywidgets as widgets

from ..quadratic import Quadratic2D, descent_run
from ..viz.landscapes import plot_loss_tangent, plot_lr_explorer, update_lr_explorer
from ._figure import STYLE, FigureView

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
    ipywidgets.VBox
        ``children = [w slider, learning-rate slider, Image]``; ``.state["result"]`` holds
        ``(w, L, dL/dw)`` of the last redraw.
    """
    w_slider = widgets.FloatSlider(value=w0, min=w_range[0], max=w_range[1], step=0.05,
                                   description=r"weight \(w\)", continuous_update=False,
                                   readout_format=".2f")
    lr_slider = widgets.FloatSlider(value=lr, min=0.0, max=lr_max, step=0.1,
                                    description=r"step \(\eta\)", continuous_update=False)

    def draw(fig):
        ax = fig.subplots()
        w = w_slider.value
        plot_loss_tangent(loss_and_grad, w, w_range=w_range,
                          lr=lr_slider.value if lr_slider.value > 0 else None, ax=ax)
        loss, grad = loss_and_grad(w)
        return w, loss, grad

    return FigureView(draw, (6.5, 3.6)).explorer([w_slider, lr_slider])


def lr_explorer(curvatures=(1.0, 10.0), lr=0.1, steps=40, momentum=0.0, x0=(-4.0, 2.0)):
    r"""Learning-rate explorer: gradient descent on a 2-D ill-conditioned quadratic.

    Controls: learning rate (log scale), number of steps, momentum and the starting
    point. Each change reruns :func:`cnnbook.quadratic.descent_run` and redraws
    :func:`cnnbook.viz.plot_lr_explorer`; the title says "converges" or "diverges" and
    gives the bound :math:`2/\lambda_{\max}`.

    Returns
    -------
    ipywidgets.VBox
        Children: ``FloatLogSlider`` (lr), ``IntSlider`` (steps), ``FloatSlider``
        (momentum), two ``FloatSlider`` (start :math:`x_1, x_2`), the ``Image``.
        ``box.result`` holds the last ``{"path", "rate", "converges"}``.
    """

    quad = Quadratic2D(curvatures)
    style = STYLE
    lr_s = widgets.FloatLogSlider(value=lr, base=10, min=-3, max=0, step=0.05,
                            description=r"learning rate \(\eta\)", readout_format=".3g",
                            continuous_update=False, style=style)
    steps_s = widgets.IntSlider(value=steps, min=1, max=200, description="steps",
                          continuous_update=False, style=style)
    mom_s = widgets.FloatSlider(value=momentum, min=0.0, max=0.95, step=0.05,
                          description=r"momentum \(\rho\)", continuous_update=False,
                          style=style)
    x1_s = widgets.FloatSlider(value=x0[0], min=-5.0, max=5.0, step=0.1,
                         description=r"start \(x_1\)", continuous_update=False, style=style)
    x2_s = widgets.FloatSlider(value=x0[1], min=-3.0, max=3.0, step=0.1,
                         description=r"start \(x_2\)", continuous_update=False, style=style)
    controls = [lr_s, steps_s, mom_s, x1_s, x2_s]

    def settings():
        """The controls' values, and the run they give (kept in ``box.result``)."""
        start = (x1_s.value, x2_s.value)
        run = descent_run(quad, lr_s.value, steps_s.value, mom_s.value, start)
        box.result = {"path": run.path, "rate": run.rate, "converges": run.converges}
        return (quad, lr_s.value, steps_s.value, mom_s.value, start), run

    def draw(fig):
        args, run = settings()
        plot_lr_explorer(*args, fig=fig, run=run)

    view = FigureView(draw, figsize=(10, 3.6), layout="tight")
    box = widgets.VBox(controls + [view.image])
    box.state = view.state

    def update(*_):  # the contours stay: only the path, the loss panel and the title change
        args, run = settings()
        view.show_changed(update_lr_explorer(view.fig, *args, run=run))

    for control in controls:
        control.observe(update, names="value")
    view.refresh()
    return box
