r"""Loss explorer: the logits of one example, its softmax and the gradient :math:`\hat y - y`."""
from __future__ import annotations

import numpy as np

from ..losses import softmax, softmax_cross_entropy
from ..viz.losses import plot_softmax_bars, update_softmax_bars
from . import _controls as controls
from ._explorer import Explorer
from ._figure import FigureView

__all__ = ["softmax_explorer"]


def softmax_explorer(logits=(2.0, 1.0, -1.0), true_class=0):
    r"""Sliders for the logits of one example and its true class.

    Each change recomputes :func:`cnnbook.losses.softmax_cross_entropy` and redraws
    :func:`cnnbook.viz.plot_softmax_bars` (logits, probabilities, gradient :math:`\hat y - y`) in
    place.

    Returns
    -------
    Explorer
        Settings ``z0, z1, ...`` (the logits) and ``true_class``; ``.result`` is
        ``{"loss", "p", "grad"}``.
    """
    settings = {f"z{k}": controls.number(rf"\(z_{k}\)", v, -6.0, 6.0, 0.1, readout=".1f")
                for k, v in enumerate(logits)}
    settings["true_class"] = controls.choice("true class", range(len(logits)), int(true_class))
    view = FigureView(figsize=(9, 3), layout="tight")
    plot_softmax_bars(np.asarray(logits, dtype=float), int(true_class), fig=view.fig)
    view.fig.canvas.draw()              # lay out once: fixed axes, only the bars,
    view.fig.set_layout_engine("none")  # the target marks and the title change

    def update(true_class, **z):
        z = np.array([list(z.values())])
        loss, grad = softmax_cross_entropy(z, np.array([true_class]))
        view.show_changed(update_softmax_bars(view.fig, z[0], true_class))
        return {"loss": loss, "p": softmax(z)[0], "grad": grad[0]}

    return Explorer("softmax_explorer", settings, view, update,
                    offline={"z0": [-3.0, -1.0, 0.0, 1.0, 2.0, 3.0, 5.0],
                             "true_class": list(range(len(logits)))})
