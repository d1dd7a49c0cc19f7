r"""Loss explorer: the logits of one example, its softmax and the gradient :math:`\hat y - y`."""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..losses import softmax, softmax_cross_entropy
from ..viz.losses import plot_softmax_bars, update_softmax_bars
from ._figure import STYLE, FigureView

__all__ = ["softmax_explorer"]


def softmax_explorer(logits=(2.0, 1.0, -1.0), true_class=0):
    r"""Sliders for the three logits of one example and its true class.

    Each change recomputes :func:`cnnbook.losses.softmax_cross_entropy` and redraws
    :func:`cnnbook.viz.plot_softmax_bars` (logits, probabilities, gradient :math:`\hat y - y`).

    Returns
    -------
    ipywidgets.VBox
        Children: three ``FloatSlider`` (logits), a ``Dropdown`` (true class), the
        ``Image``. ``box.result`` holds the last ``{"loss", "p", "grad"}``.
    """
    sliders = [widgets.FloatSlider(value=float(v), min=-6.0, max=6.0, step=0.1,
                                   description=rf"\(z_{k}\)", continuous_update=False,
                                   style=STYLE)
               for k, v in enumerate(logits)]
    cls = widgets.Dropdown(options=list(range(len(logits))), value=int(true_class),
                           description="true class", style=STYLE)
    def draw(fig):
        z = np.array([[s.value for s in sliders]])
        loss, grad = softmax_cross_entropy(z, np.array([cls.value]))
        box.result = {"loss": loss, "p": softmax(z)[0], "grad": grad[0]}
        plot_softmax_bars(z[0], cls.value, fig=fig)

    view = FigureView(draw, figsize=(9, 3), layout="tight")
    box = widgets.VBox(sliders + [cls, view.image])
    box.state = view.state

    def update(*_):  # fixed axes: only the bars, the target marks and the title change
        z = np.array([[s.value for s in sliders]])
        loss, grad = softmax_cross_entropy(z, np.array([cls.value]))
        box.result = {"loss": loss, "p": softmax(z)[0], "grad": grad[0]}
        view.show_changed(update_softmax_bars(view.fig, z[0], cls.value))

    for control in sliders + [cls]:
        control.observe(update, names="value")
    view.refresh()
    return box
