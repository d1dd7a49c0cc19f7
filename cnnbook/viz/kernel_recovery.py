"""Kernel recovery figures: a learned kernel beside the true one, the loss of the fit, and
the source article's input and output images.

The fit itself is :func:`cnnbook.loops.recover_kernel`; these functions only draw.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from .animation import offline_animation
from .heatmaps import set_grid_values, show_array

__all__ = ["plot_kernel_pair", "plot_recovery", "update_recovery", "recovery_artists",
           "recovery_animation",
           "show_article_output"]


def _kernel_heatmap(ax, a, title, lim):
    """An annotated kernel on a symmetric colour range ``[-lim, lim]`` (no colour bar)."""
    return show_array(ax, a, title, symmetric=True, vmax=lim, colorbar=False, fontsize=9,
                      xlabel="column", ylabel="row")


def _colour_limit(w, w_true):
    """The colour range ``[-lim, lim]`` of both kernels: their largest ``|value|`` rounded up
    to two significant digits, so that a kernel slightly above the true one (2.0003 against
    2) does not change the scale, and the colour bar, at every step of an explorer."""
    lim = float(max(np.abs(w).max(), np.abs(w_true).max()))
    if not np.isfinite(lim) or lim <= 0:
        return 1.0
    step = 10.0 ** (np.floor(np.log10(lim)) - 1)
    return float(np.ceil(lim / step - 1e-9) * step)


def plot_kernel_pair(learned, true, *, fig=None, titles=("learned kernel", "true kernel")):
    r"""Two kernels side by side as annotated heatmaps on one colour scale.

    Parameters
    ----------
    learned, true : ndarray, shape (KH, KW)
    fig : Figure, optional
        Drawn into (cleared first); a new figure if ``None``.
    titles : (str, str)

    Returns
    -------
    matplotlib.figure.Figure
    """
    if fig is None:
        fig = plt.figure(figsize=(7.6, 3.3))
    fig.clear()
    lim = float(max(np.abs(learned).max(), np.abs(true).max())) or 1.0
    axes = fig.subplots(1, 2)
    image = _kernel_heatmap(axes[0], np.asarray(learned), titles[0], lim)
    _kernel_heatmap(axes[1], np.asarray(true), titles[1], lim)
    fig.colorbar(image, ax=list(axes), shrink=0.85, label="weight")
    return fig


def plot_recovery(result, w_true, *, fig=None, step=None):
    r"""Loss curve (log scale) and the kernel at one step of a kernel recovery.

    Parameters
    ----------
    result : dict
        From :func:`cnnbook.loops.recover_kernel`: ``"loss"`` (one value per step),
        ``"steps"`` and ``"kernels"`` (the kernel at those steps).
    w_true : ndarray, shape (KH, KW)
        The kernel that made the targets.
    fig : Figure, optional
    step : int, optional
        Which recorded step to show (default: the last one).

    Returns
    -------
    matplotlib.figure.Figure
    """
    if fig is None:
        fig = plt.figure(figsize=(11, 3.3))
    fig.clear()
    steps = list(result["steps"])
    k = len(steps) - 1 if step is None else steps.index(step)
    ax_loss, ax_w, ax_true = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.4, 1, 1]})
    loss = np.asarray(result["loss"])
    ax_loss.semilogy(np.arange(len(loss)), loss, lw=1.2)
    ax_loss.semilogy([steps[k]], [loss[min(steps[k], len(loss) - 1)]], "o", color="C3")
    ax_loss.set_xlabel("gradient-descent step")
    ax_loss.set_ylabel("MSE loss (log scale)")
    ax_loss.set_title("loss")
    ax_loss.grid(alpha=0.3, which="both")
    w = np.asarray(result["kernels"][k])
    lim = _colour_limit(w, w_true)
    image = _kernel_heatmap(ax_w, w, f"kernel after {steps[k]} steps", lim)
    _kernel_heatmap(ax_true, np.asarray(w_true), "true kernel", lim)
    fig.colorbar(image, ax=[ax_w, ax_true], shrink=0.85, label="weight")
    return fig


def update_recovery(fig, result, w_true, *, step=None):
    r"""Another recovery (same kernel shape) on a figure drawn by :func:`plot_recovery`.

    The loss curve and its limits, the learned kernel's values, colours and title, and
    (when the colour range changes) the true kernel's colours and the colour bar are set in
    place. Returns the artists that changed, for blitting (see
    :meth:`cnnbook.widgets.FigureView.show_changed`; :func:`recovery_artists` lists every
    artist this may change).
    """
    steps = list(result["steps"])
    k = len(steps) - 1 if step is None else steps.index(step)
    ax_loss, ax_w, ax_true = fig.axes[:3]
    loss = np.asarray(result["loss"])
    curve, dot = ax_loss.lines[:2]
    curve.set_data(np.arange(len(loss)), loss)
    dot.set_data([steps[k]], [loss[min(steps[k], len(loss) - 1)]])
    xlim = ax_loss.get_xlim()
    ax_loss.relim()
    ax_loss.autoscale_view()
    changed = [curve, dot, ax_loss.yaxis, *ax_loss.spines.values()]
    if ax_loss.get_xlim() != xlim:  # another number of steps
        changed.append(ax_loss.xaxis)
    w = np.asarray(result["kernels"][k])
    lim = _colour_limit(w, w_true)
    new_range = ax_w.images[0].get_clim() != (-lim, lim)
    for ax, a in ((ax_w, w), (ax_true, np.asarray(w_true))):
        image = ax.images[0]
        if ax is ax_w or new_range:
            image.set_clim(-lim, lim)  # before the texts: their colour follows the cell's
            set_grid_values(image, image.cell_texts, a)
            changed += [image, *ax.spines.values(), *image.cell_texts]
        if image.colorbar is not None and new_range:
            changed.append(image.colorbar.ax)
    ax_w.title.set_text(f"kernel after {steps[k]} steps")  # keeps show_array's font
    return changed + [ax_w.title]


def recovery_artists(fig):
    """Every artist :func:`update_recovery` may change on a figure drawn by
    :func:`plot_recovery` (the dynamic artists of blitting); none on another figure."""
    if len(fig.axes) < 4:
        return []
    ax_loss, ax_w, ax_true = fig.axes[:3]
    artists = [*ax_loss.lines[:2], ax_loss.xaxis, ax_loss.yaxis, *ax_loss.spines.values(),
               ax_w.title]
    for ax in (ax_w, ax_true):
        image = ax.images[0]
        artists += [image, *ax.spines.values(), *image.cell_texts]
        if image.colorbar is not None:
            artists.append(image.colorbar.ax)
    return artists


def recovery_animation(result, w_true, *, max_frames=10, figsize=(10.5, 3.3), dpi=64):
    r"""Static-HTML slider over the kernel snapshots of a kernel recovery.

    Parameters
    ----------
    result : dict
        From :func:`cnnbook.loops.recover_kernel`.
    w_true : ndarray, shape (KH, KW)
    max_frames : int
        At most this many snapshots, evenly picked from ``result["steps"]`` (first and
        last included); each frame is a PNG in the page.

    Returns
    -------
    IPython.display.HTML
    """
    steps = list(result["steps"])
    pick = np.unique(np.round(np.linspace(0, len(steps) - 1, min(max_frames, len(steps))))
                     .astype(int))
    fig = plt.figure(figsize=figsize, dpi=dpi, constrained_layout=True)
    plot_recovery(result, w_true, fig=fig, step=steps[pick[0]])

    def frame(step):
        update_recovery(fig, result, w_true, step=step)
        return recovery_artists(fig)

    return offline_animation(fig, frame, [steps[k] for k in pick], blit=True)


def show_article_output(input_image, output_image, *, filled=16, valid=None):
    r"""The source article's input and output images, with the filled corner outlined.

    Parameters
    ----------
    input_image, output_image : ndarray, shape (H, W, 1)
        HWC arrays as in the article's code.
    filled : int
        Side of the corner its loop fills (``range(16)``).
    valid : int, optional
        Side of the output a "valid" 3x3 convolution would have (``H - 2``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    h = input_image.shape[0]
    valid = h - 2 if valid is None else valid
    fig, axes = plt.subplots(1, 2, figsize=(9.2, 4.0), constrained_layout=True)
    for ax, a, title in ((axes[0], input_image[..., 0], f"input_image {input_image.shape}"),
                         (axes[1], output_image[..., 0], f"output_image {output_image.shape}")):
        lim = float(np.abs(a).max()) or 1.0
        shown = ax.imshow(a, cmap="RdBu_r", vmin=-lim, vmax=lim)
        fig.colorbar(shown, ax=ax, shrink=0.8, label="value")
        ax.set_title(title)
        ax.set_xlabel("column $j$")
        ax.set_ylabel("row $i$")
    axes[1].add_patch(Rectangle((-0.5, -0.5), filled, filled, fill=False, ec="k", lw=2,
                                label=f"filled by the loop: {filled}x{filled}"))
    axes[1].add_patch(Rectangle((-0.5, -0.5), valid, valid, fill=False, ec="C2", lw=2, ls="--",
                                label=f"a valid 3x3 convolution: {valid}x{valid}"))
    axes[1].legend(loc="lower right", fontsize=8)
    return fig
