"""What a network responds to: saliency maps and feature maps of a shifted image.

Gradients come from :func:`cnnbook.analysis.saliency`; these functions only draw.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["draw_saliency", "plot_saliency", "draw_shift_features"]


def draw_saliency(fig, images, grads, *, titles=None, across=False):
    r"""Draw images, their saliency :math:`|\partial z_k/\partial x|` and an overlay on ``fig``.

    Three rows (image, saliency on one shared colour scale with a colour bar, saliency
    over the image) and one column per image.

    Parameters
    ----------
    fig : matplotlib Figure
    images, grads : ndarray, shape (N, C, H, W)
        Images and the gradients from :func:`saliency`; channels are reduced with the
        maximum absolute value.
    titles : list of str, optional
        Column titles.
    across : bool
        One row per image instead, the three panels side by side (a short, wide figure,
        for one image).
    """
    images = np.asarray(images)
    sal = np.abs(np.asarray(grads)).max(axis=1)  # N,H,W
    n = len(images)
    vmax = float(sal.max()) or 1.0
    axes = fig.subplots(n, 3, squeeze=False).T if across else fig.subplots(3, n, squeeze=False)
    im = None
    for k in range(n):
        a0, a1, a2 = axes[:, k]
        a0.imshow(images[k, 0], cmap="gray_r", vmin=0, vmax=1)
        a0.set_title(titles[k] if titles else f"image {k}", fontsize=9)
        if across:
            a1.set_title(r"saliency $|\partial z_k/\partial x|$", fontsize=9)
            a2.set_title("overlay (red)", fontsize=9)
        im = a1.imshow(sal[k], cmap="hot", vmin=0, vmax=vmax)
        a2.imshow(images[k, 0], cmap="gray_r", vmin=0, vmax=2.5)  # faded digit
        rgba = np.zeros(sal[k].shape + (4,))  # H,W,4: red, opaque where salient
        rgba[..., 0] = 1.0
        rgba[..., 3] = np.clip(sal[k] / vmax, 0, 1)
        a2.imshow(rgba)
        for a in (a0, a1, a2):
            a.set_xticks([])
            a.set_yticks([])
    if not across:
        axes[0, 0].set_ylabel("image")
        axes[1, 0].set_ylabel(r"$|\partial z_k/\partial x|$")
        axes[2, 0].set_ylabel("overlay (red)")
    fig.colorbar(im, ax=axes[1:, :].ravel().tolist(), label=r"$|\partial z_k / \partial x|$",
                 shrink=0.8)
    if not fig.get_suptitle():
        fig.suptitle("saliency: gradient of the class score with respect to the pixels")
    return fig


def plot_saliency(images, grads, *, titles=None, figsize=None):
    """:func:`draw_saliency` on a new figure; returns the figure."""
    n = len(images)
    fig = plt.figure(figsize=figsize or (1.6 * n + 1.2, 5.2), dpi=90, constrained_layout=True)
    return draw_saliency(fig, images, grads, titles=titles)


def draw_shift_features(fig, image, shift, features, *, channel=0):
    r"""One channel of the feature maps of an image and of its shifted copy.

    Parameters
    ----------
    fig : matplotlib Figure
    image : ndarray, shape (1, H, W)
        The digit, already on its canvas (:func:`shift_image` with shift 0).
    shift : int
        Pixels to the right for the second row.
    features : dict
        ``name -> f`` with ``f(x)`` mapping (N, 1, H, W) to (N, F, h, w) feature maps
        (e.g. conv+ReLU, then with max pooling).
    channel : int
        Feature channel shown.
    """
    rows = {"original": image[None], f"shifted {shift} px": np.roll(image, shift, axis=-1)[None]}
    axes = fig.subplots(2, len(features) + 1, squeeze=False)
    # max pooling keeps the largest value, so one scale fits every column
    vmax = max(float(f(image[None])[0, channel].max()) for f in features.values()) or 1.0
    im = None
    for r, (row_name, x) in enumerate(rows.items()):
        axes[r, 0].imshow(x[0, 0], cmap="gray_r", vmin=0, vmax=1)
        axes[r, 0].set_title(row_name, fontsize=9)
        for k, (name, f) in enumerate(features.items(), start=1):
            base = f(image[None])[0, channel]
            fm = f(x)[0, channel]
            sim = float(np.sum(base * fm) / (np.linalg.norm(base) * np.linalg.norm(fm) + 1e-12))
            im = axes[r, k].imshow(fm, cmap="viridis", vmin=0, vmax=vmax)
            axes[r, k].set_title(f"{name}\ncos sim. to original {sim:.2f}", fontsize=8)
    fig.colorbar(im, ax=axes[:, 1:].ravel().tolist(), label="feature value", shrink=0.8)
    for a in axes.ravel():
        a.set_xticks([])
        a.set_yticks([])
    fig.suptitle(f"feature channel {channel}: the digit shifted by {shift} pixel(s)")
    return fig
