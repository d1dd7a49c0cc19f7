"""Explorers of a network: a trained classifier's view of one digit (prediction, feature maps,
saliency) and gradient norms through deep plain and residual stacks."""
from __future__ import annotations

import numpy as np

from ..analysis import input_grad_norms, plain_and_residual_stacks, saliency
from ..train import predict
from ..viz.curves import plot_grad_norm_profile
from ..viz.digits import plot_digit_prediction, update_digit_prediction
from ..viz.features import draw_saliency
from . import _controls as controls
from ._explorer import Explorer
from ._figure import FigureView

__all__ = ["saliency_explorer", "digit_explorer", "depth_explorer"]


def _some(n, count):
    """``count`` indices spread over ``range(n)`` (all of them when there are fewer)."""
    return sorted({int(round(v)) for v in np.linspace(0, n - 1, min(n, count))})


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
    Explorer
        Settings ``index`` (the image) and ``cls`` (-1: the predicted class);
        ``.result`` is ``(index, class, saliency map)``.
    """
    K = model.forward(x[:1]).shape[1]
    settings = {
        "index": controls.integer("image", index, 0, len(x) - 1),
        "cls": controls.choice(r"class \(k\)", [("predicted", -1)] + [(str(k), k)
                                                                      for k in range(K)], -1),
    }
    view = FigureView(figsize=(7.0, 3.0))

    def update(index, cls):
        def draw(fig):
            xi = x[index:index + 1]
            pred = int(model.forward(xi).argmax())
            c = pred if cls < 0 else cls
            grad = saliency(model, xi, c)
            fig.suptitle(f"saliency of class {c} for image {index}", fontsize=11)
            draw_saliency(fig, xi, grad, titles=[f"label {int(y[index])}, predicted {pred}"],
                          across=True)
            return index, c, np.abs(grad).max(axis=1)[0]
        return view.refresh(draw)

    return Explorer("saliency_explorer", settings, view, update,
                    offline={"index": sorted(set(_some(len(x), 4)) | {index}),
                             "cls": [-1, *range(K)]})


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
    Explorer
        Setting ``index``; ``.result`` is ``(index, predicted class)``.
    """
    settings = {"index": controls.integer("test digit", index, 0, len(x) - 1)}
    view = FigureView(figsize=(10, 3.4))
    plot_digit_prediction(model, x[index], int(y[index]), fig=view.fig)
    view.fig.canvas.draw()  # lay out once: the first step shows it, later ones change it

    def update(index):  # same panels, another digit: redraw only what changed
        view.show_changed(update_digit_prediction(view.fig, model, x[index], int(y[index])))
        return index, int(predict(model, x[index:index + 1]).argmax())

    return Explorer("digit_explorer", settings, view, update,
                    offline={"index": sorted(set(_some(len(x), 15)) | {index})})


def depth_explorer(*, depth=20, gain=1.0, width=32, batch=64, seed=0):
    r"""Depth and weight-scale sliders: gradient norms through plain and residual stacks.

    Builds :func:`plain_and_residual_stacks`, draws a batch of inputs and an upstream
    gradient from ``seed``, and plots :func:`cnnbook.viz.input_grad_norms` of both.

    Returns
    -------
    Explorer
        Settings ``depth`` and ``gain``; ``.result`` is ``{"plain": norms, "residual":
        norms}``.
    """
    settings = {"depth": controls.integer("depth", depth, 2, 50),
                "gain": controls.number("weight scale", gain, 0.25, 2.0, 0.25)}
    view = FigureView(figsize=(6.5, 3.6))
    rng = np.random.default_rng(seed + 1)
    x = rng.normal(size=(batch, width))
    dout = rng.normal(size=(batch, width))

    def update(depth, gain):
        def draw(fig):
            plain, residual = plain_and_residual_stacks(depth, width=width, gain=gain,
                                                        seed=seed)
            norms = {"plain": input_grad_norms(plain, x, dout),
                     "residual": input_grad_norms(residual, x, dout)}
            plot_grad_norm_profile(norms, ax=fig.subplots(),
                                   title=f"{depth} tanh blocks, weight scale {gain:g}")
            return norms
        return view.refresh(draw)

    return Explorer("depth_explorer", settings, view, update,
                    offline={"depth": [2, 5, 10, 20, 30, 50], "gain": [0.5, 1.0, 1.5, 2.0]})
