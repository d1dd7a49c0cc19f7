"""Digits and a classifier's view of them: image grids, misclassified digits, the confusion
matrix, one digit's prediction with its feature maps, and first-layer filters.

Predictions and feature maps come from :func:`cnnbook.analysis.feature_maps`; these
functions only draw.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..analysis import feature_maps
from .heatmaps import annotate_grid

__all__ = ["show_digits", "show_misclassified", "plot_confusion_matrix", "show_filters",
           "plot_digit_prediction", "update_digit_prediction"]


def show_digits(images, titles, *, ncols=10, suptitle=None, title_color=None):
    r"""Small greyscale images in a grid, each with a title and no axes.

    Parameters
    ----------
    images : sequence of ndarray, each (H, W), values in [0, 1]
    titles : sequence of str
    ncols : int
    suptitle : str, optional
    title_color : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    n = len(images)
    ncols = min(ncols, n)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.3 * ncols, 1.55 * nrows + 0.5),
                             squeeze=False)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
        ax.axis("off")
    for ax, im, title in zip(axes.flat, images, titles):
        ax.axis("on")
        ax.imshow(im, cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(title, fontsize=8, color=title_color or "black")
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def show_misclassified(x, y_true, y_pred, *, max_images=16, ncols=8,
                       title="misclassified test digits"):
    r"""The images whose prediction is wrong, titled "true t / pred p".

    Parameters
    ----------
    x : ndarray, shape (N, 1, H, W)
    y_true, y_pred : ndarray of int, shape (N,)
    max_images : int
        Show at most this many (the first ones in order).
    ncols : int

    Returns
    -------
    matplotlib.figure.Figure or None
        ``None`` (and nothing drawn) when every prediction is right.
    """
    wrong = np.flatnonzero(np.asarray(y_true) != np.asarray(y_pred))[:max_images]
    if len(wrong) == 0:
        return None
    return show_digits([x[i, 0] for i in wrong],
                       [f"true {int(y_true[i])}\npred {int(y_pred[i])}" for i in wrong],
                       ncols=ncols, suptitle=f"{title} ({len(wrong)} shown)",
                       title_color="C3")


def plot_confusion_matrix(cm, *, class_names=None, ax=None, title="confusion matrix"):
    r"""A confusion matrix as an image with the count written in every cell.

    Parameters
    ----------
    cm : ndarray of int, shape (K, K)
        ``cm[i, j]`` = number of samples of true class ``i`` predicted as class ``j``.
    class_names : sequence of str, optional
        Tick labels; ``0 .. K-1`` if ``None``.
    ax : Axes, optional
    title : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    cm = np.asarray(cm)
    k = cm.shape[0]
    if ax is None:
        fig, ax = plt.subplots(figsize=(5.4, 4.6))
    else:
        fig = ax.figure
    image = ax.imshow(cm, cmap="Blues", vmin=0)
    fig.colorbar(image, ax=ax, label="number of test images")
    annotate_grid(ax, cm.astype(int), fmt="{:d}", fontsize=8, image=image, skip_zero=True)
    names = [str(c) for c in range(k)] if class_names is None else list(class_names)
    ax.set_xticks(range(k), names)
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def show_filters(weight, *, ncols=8, title="first-layer filters", annotate=False):
    r"""Every filter ``weight[f, 0]`` of a convolution as a small image, one colour scale.

    Parameters
    ----------
    weight : ndarray, shape (F, C, KH, KW)
        Only input channel 0 is shown.
    ncols : int
        Filters per row.
    title : str
    annotate : bool
        Write each weight in its cell (readable for 3x3 kernels at most).

    Returns
    -------
    matplotlib.figure.Figure
        A diverging colour map centred on 0 (red positive, blue negative) with one
        colour bar shared by all filters.
    """
    weight = np.asarray(weight)
    n = weight.shape[0]
    ncols = min(ncols, n)
    nrows = int(np.ceil(n / ncols))
    lim = float(np.abs(weight[:, 0]).max()) or 1.0
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.15 * ncols + 1.0, 1.25 * nrows + 0.6),
                             squeeze=False)
    image = None
    for f, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if f >= n:
            ax.axis("off")
            continue
        image = ax.imshow(weight[f, 0], cmap="RdBu_r", vmin=-lim, vmax=lim)
        ax.set_title(f"filter {f}", fontsize=8)
        if annotate:
            annotate_grid(ax, weight[f, 0], fmt="{:.1f}", fontsize=6, image=image)
    fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.8, label="weight")
    fig.suptitle(title)
    return fig


def plot_digit_prediction(model, image, label=None, *, fig=None, feature_layer=0):
    r"""One digit, the model's class probabilities and its first-layer feature maps.

    Parameters
    ----------
    model : Sequential
        A classifier (N, 1, H, W) -> (N, K) logits.
    image : ndarray, shape (1, H, W) or (H, W)
    label : int, optional
        The true class (shown in the title).
    fig : Figure, optional
        Drawn into (cleared first); a new figure if ``None``.
    feature_layer : int
        Index of the layer whose output is shown as feature maps (0: the first conv).

    Returns
    -------
    matplotlib.figure.Figure
    """
    if fig is None:
        fig = plt.figure(figsize=(11, 3.2), constrained_layout=True)
    fig.clear()
    x = np.asarray(image, dtype=float).reshape(np.shape(image)[-2:])
    probs, maps = feature_maps(model, x, feature_layer)
    pred = int(probs.argmax())
    sub_img, sub_p, sub_maps = fig.subfigures(1, 3, width_ratios=[1.0, 1.5, 3.0])

    ax_img = sub_img.subplots()
    ax_img.imshow(x, cmap="gray_r", vmin=0, vmax=1)
    ax_img.set_xticks([])
    ax_img.set_yticks([])
    title = f"predicted {pred}" if label is None else f"true {int(label)}\npredicted {pred}"
    ax_img.set_title(title, color="black" if label is None or pred == label else "C3")

    ax_p = sub_p.subplots()
    colors = ["C2" if c == pred else "C0" for c in range(len(probs))]
    ax_p.bar(range(len(probs)), probs, color=colors)
    ax_p.set_ylim(0, 1)
    ax_p.set_xticks(range(len(probs)))
    ax_p.set_xlabel("class")
    ax_p.set_ylabel("probability")
    ax_p.set_title("softmax probabilities")

    nmaps = maps.shape[0]
    mcols = min(4, nmaps)  # two rows of four: maps large enough to read their titles
    mrows = int(np.ceil(nmaps / mcols))
    axes = sub_maps.subplots(mrows, mcols, squeeze=False)
    lim = float(np.abs(maps).max()) or 1.0
    shown = None
    for f, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if f >= nmaps:
            ax.axis("off")
            continue
        shown = ax.imshow(maps[f], cmap="RdBu_r", vmin=-lim, vmax=lim)
        ax.set_title(f"map {f}", fontsize=9)
    sub_maps.colorbar(shown, ax=axes.ravel().tolist(), shrink=0.8, label="value")
    sub_maps.suptitle(f"feature maps: output of layer {feature_layer} "
                      f"({model.layers[feature_layer].name})", fontsize=10)
    return fig


def update_digit_prediction(fig, model, image, label=None, *, feature_layer=0):
    r"""Show another digit on a figure drawn by :func:`plot_digit_prediction`, in place.

    The digit, its title, the probability bars and the feature maps (with their shared
    colour range) are updated; nothing else is touched. Returns the artists that changed
    (for blitting, see :meth:`cnnbook.widgets.FigureView.show_changed`).
    """
    x = np.asarray(image, dtype=float).reshape(np.shape(image)[-2:])
    probs, maps = feature_maps(model, x, feature_layer)
    pred = int(probs.argmax())
    sub_img, sub_p, sub_maps = fig.subfigs
    ax_img, ax_p = sub_img.axes[0], sub_p.axes[0]
    ax_img.images[0].set_data(x)
    ax_img.set_title(f"predicted {pred}" if label is None
                     else f"true {int(label)}\npredicted {pred}",
                     color="black" if label is None or pred == label else "C3")
    for c, bar in enumerate(ax_p.patches):
        bar.set_height(probs[c])
        bar.set_facecolor("C2" if c == pred else "C0")
    map_images = [ax.images[0] for ax in sub_maps.axes if ax.images]
    lim = float(np.abs(maps).max()) or 1.0
    for f, shown in enumerate(map_images):
        shown.set_data(maps[f])
        shown.set_clim(-lim, lim)
    artists = [ax_img.images[0], *ax_img.spines.values(), ax_img.title,
               *ax_p.patches, *ax_p.spines.values()]
    for shown in map_images:
        artists += [shown, *shown.axes.spines.values()]
        if shown.colorbar is not None:
            artists.append(shown.colorbar.ax)
    return artists
