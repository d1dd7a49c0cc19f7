"""Explorers of a network: a trained classifier's view of one digit (prediction, feature maps,
saliency) and gradient norms through deep plain and residual stacks."""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..analysis import input_grad_norms, plain_and_residual_stacks, saliency
from ..train import predict
from ..viz.curves import plot_grad_norm_profile
from ..viz.digits import plot_digit_prediction, update_digit_prediction
from ..viz.features import draw_saliency
from ._figure import STYLE, FigureView

__all__ = ["saliency_explorer", "digit_explorer", "depth_explorer"]


def saliency_explorer(model, x, y, *, index=0):
    r"""Pick an image and a class; see the saliency map of that class score.

    Parameters
    ----------
    model : Layer
        A trained classifier, (N, 1, H, W) -> (N, K) logits.
    x : ndarray, shape (N, 1, H, W)
    y : ndarray, shape (N,)
        True labels (shown in the title).
    index : int
        Image shown first.

    Returns
    -------
    ipywidgets.VBox
        ``children = [image slider, class dropdown, Image]``; ``.state["result"]`` is
        ``(index, class, saliency map)`` of the last redraw.
    """
    K = model.forward(x[:1]).shape[1]
    pick = widgets.IntSlider(value=index, min=0, max=len(x) - 1, description="image",
                             continuous_update=False, style=STYLE)
    cls = widgets.Dropdown(options=[("predicted", -1)] + [(str(k), k) for k in range(K)],
                           value=-1, description="class \\(k\\)", style=STYLE)

    def draw(fig):
        i = pick.value
        xi = x[i:i + 1]
        logits = model.forward(xi)
        pred = int(logits.argmax())
        c = pred if cls.value < 0 else cls.value
        grad = saliency(model, xi, c)
        draw_saliency(fig, xi, grad, titles=[f"label {int(y[i])}, predicted {pred}"])
        fig.suptitle(f"saliency of class {c} for image {i}", fontsize=10)
        return i, c, np.abs(grad).max(axis=1)[0]

    return FigureView(draw, (4.2, 5.2)).explorer([pick, cls])


def digit_explorer(model, x, y, *, index=0):
    r"""Pick a digit: see it, the predicted probabilities and the first-layer feature maps.

    Parameters
    ----------
    model : Sequential
        A trained classifier (N, 1, H, W) -> (N, K) logits.
    x : ndarray, shape (N, 1, H, W)
    y : ndarray, shape (N,)
        True labels.
    index : int
        Digit shown first.

    Returns
    -------
    ipywidgets.VBox
        ``children = [index slider, Image]``; ``.state["result"]`` is
        ``(index, predicted class)`` of the last redraw.
    """
    pick = widgets.IntSlider(value=index, min=0, max=len(x) - 1, description="test digit",
                             continuous_update=False, style=STYLE)

    def draw(fig):
        i = pick.value
        plot_digit_prediction(model, x[i], int(y[i]), fig=fig)
        return i, int(predict(model, x[i:i + 1]).argmax())

    view = FigureView(draw, (11, 3.4))
    out, state = view.image, view.state

    def step(_change):  # same panels, another digit: redraw only what changed
        i = pick.value
        changed = update_digit_prediction(view.fig, model, x[i], int(y[i]))
        state["result"] = i, int(predict(model, x[i:i + 1]).argmax())
        view.show_changed(changed)

    pick.observe(step, names="value")
    view.refresh()
    box = widgets.VBox([pick, out])
    box.state = state
    return box


def depth_explorer(*, depth=20, gain=1.0, width=32, batch=64, seed=0):
    r"""Depth and weight-scale sliders: gradient norms through plain and residual stacks.

    Builds :func:`plain_and_residual_stacks`, draws a batch of inputs and an upstream
    gradient from ``seed``, and plots :func:`cnnbook.viz.input_grad_norms` of both.

    Returns
    -------
    ipywidgets.VBox
        ``children = [depth slider, gain slider, Image]``; ``.state["result"]`` is the
        dict ``{"plain": norms, "residual": norms}`` of the last redraw.
    """
    depth_slider = widgets.IntSlider(value=depth, min=2, max=50, description="depth",
                                     continuous_update=False, style=STYLE)
    gain_slider = widgets.FloatSlider(value=gain, min=0.25, max=2.0, step=0.25,
                                      description="weight scale", continuous_update=False,
                                      style=STYLE)

    def draw(fig):
        plain, residual = plain_and_residual_stacks(depth_slider.value, width=width,
                                                    gain=gain_slider.value, seed=seed)
        rng = np.random.default_rng(seed + 1)
        x = rng.normal(size=(batch, width))
        dout = rng.normal(size=(batch, width))
        norms = {"plain": input_grad_norms(plain, x, dout),
                 "residual": input_grad_norms(residual, x, dout)}
        plot_grad_norm_profile(norms, ax=fig.subplots(),
                               title=f"{depth_slider.value} tanh blocks, weight scale "
                                     f"{gain_slider.value:g}")
        return norms

    return FigureView(draw, (6.5, 3.6)).explorer([depth_slider, gain_slider])
