"""Curves against steps or epochs: losses, training histories, gradient norms, error growth."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from ..loops import run_training_loop
from .animation import offline_animation
from .layout import COLUMN_INCHES

__all__ = ["plot_curves", "update_curves", "curves_artists", "plot_loss_history",
           "plot_history", "plot_grad_norms", "plot_grad_norm_profile", "plot_error_growth",
           "draw_training_loop", "training_loop_animation"]


def plot_curves(curves, *, xlabel, ylabel, title, logx=False, logy=False, ax=None,
                markers=False):
    r"""Several labelled curves on one axes (loss histories, schedules, throughput...).

    Parameters
    ----------
    curves : dict
        ``label -> y`` (plotted against 1, 2, ...) or ``label -> (x, y)``.
    xlabel, ylabel, title : str
    logx, logy : bool
        Logarithmic axes.
    ax : matplotlib Axes, optional
    markers : bool
        Draw a marker at every point.

    Returns
    -------
    ax : matplotlib Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5), dpi=90, constrained_layout=True)
    for label, values in curves.items():
        ax.plot(*_xy(values), marker="o" if markers else None, ms=3, label=label)
    if logx:
        ax.set_xscale("log")
    else:
        all_x = np.concatenate([np.ravel(_xy(v)[0]) for v in curves.values()]).astype(float)
        if np.all(all_x == np.round(all_x)):  # epochs, steps, shifts: integer ticks
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    return ax


def update_curves(ax, curves, *, title):
    r"""New values for the curves :func:`plot_curves` drew on ``ax`` (same labels), in place.

    Sets each labelled line's data, the axis limits and the title. Returns the artists that
    changed, for blitting (see :meth:`cnnbook.widgets.FigureView.show_changed`;
    :func:`curves_artists` lists every artist this may change).
    """
    lines = {line.get_label(): line for line in ax.lines}
    for label, values in curves.items():
        lines[label].set_data(*_xy(values))
    xlim = ax.get_xlim()
    ax.relim()
    ax.autoscale_view()
    ax.set_title(title)
    changed = [*ax.lines, ax.yaxis, *ax.spines.values(), ax.get_legend(), ax.title]
    return changed + ([ax.xaxis] if ax.get_xlim() != xlim else [])


def curves_artists(ax):
    """Every artist :func:`update_curves` may change on ``ax`` (the legend too: its best
    place follows the curves)."""
    return [*ax.lines, ax.xaxis, ax.yaxis, *ax.spines.values(), ax.get_legend(), ax.title]


def plot_loss_history(losses, *, ax=None, title="training loss", log=False):
    r"""Loss against gradient-descent step (step 0 = before any update). Returns the axes."""
    losses = np.asarray(losses, dtype=np.float64)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3))
    ax.plot(np.arange(losses.size), losses, marker="o", ms=3)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("loss $L$")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    return ax


def _epochs(values):
    return np.arange(1, len(values) + 1)


def _xy(values):
    """A curve of :func:`plot_curves`: ``(x, y)`` as given, or ``y`` against 1, 2, ..."""
    if isinstance(values, tuple) and len(values) == 2:
        return values
    return _epochs(values), values


def plot_history(history, *, ax=None):
    r"""Loss and accuracy per epoch, training and validation, from :func:`cnnbook.train.fit`.

    Parameters
    ----------
    history : dict
        ``fit``'s history: ``"loss"`` and, when present, ``"val_loss"``, ``"accuracy"``,
        ``"val_accuracy"`` (lists, one entry per epoch).
    ax : None, Axes or pair of Axes
        ``None`` creates a figure with one panel for the loss and, if the history has
        accuracies, a second one for them. A single Axes gets the loss curves only;
        a pair ``(ax_loss, ax_acc)`` gets both.

    Returns
    -------
    matplotlib.figure.Figure
    """
    has_acc = "accuracy" in history
    if ax is None:
        ncols = 2 if has_acc else 1
        fig, axes = plt.subplots(1, ncols, figsize=(COLUMN_INCHES / 2 * ncols, 3.2),
                                 squeeze=False)
        axes = list(axes[0])
    elif isinstance(ax, (list, tuple, np.ndarray)):
        axes = list(np.ravel(ax))
        fig = axes[0].figure
    else:
        axes = [ax]
        fig = ax.figure
    ax_loss = axes[0]
    ax_loss.plot(_epochs(history["loss"]), history["loss"], "o-", ms=3, label="training")
    if history.get("val_loss"):
        ax_loss.plot(_epochs(history["val_loss"]), history["val_loss"], "s--", ms=3,
                     label="validation")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("loss (mean per sample)")
    ax_loss.set_title("loss")
    ax_loss.legend()
    ax_loss.grid(alpha=0.3)
    if has_acc and len(axes) > 1:
        ax_acc = axes[1]
        ax_acc.plot(_epochs(history["accuracy"]), history["accuracy"], "o-", ms=3,
                    label="training")
        if history.get("val_accuracy"):
            ax_acc.plot(_epochs(history["val_accuracy"]), history["val_accuracy"], "s--",
                        ms=3, label="validation")
        ax_acc.set_xlabel("epoch")
        ax_acc.set_ylabel("accuracy")
        ax_acc.set_title("accuracy")
        ax_acc.legend(loc="lower right")
        ax_acc.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def plot_grad_norms(history, *, ax=None):
    r"""Mean gradient norm of every parameter per epoch, on a log scale.

    Parameters
    ----------
    history : dict
        ``fit``'s history; uses ``history["grad_norm"]``, a dict ``parameter name ->
        list`` (one mean :math:`\lVert \partial L/\partial\theta \rVert_2` per epoch).
    ax : Axes, optional
        Where to draw; a new figure if ``None``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.5, 3.6))
    else:
        fig = ax.figure
    norms = history["grad_norm"]
    for name, values in norms.items():
        style = "-" if name.endswith("weight") else "--"
        ax.plot(_epochs(values), values, style, marker="o", ms=3, label=name)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel(r"mean $\|\partial L/\partial\theta\|_2$ (log scale)")
    ax.set_title("gradient norm of each parameter")
    ax.legend(fontsize=8, ncol=2 if len(norms) > 4 else 1)
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    return fig


def plot_grad_norm_profile(norms, *, ax=None, title="gradient norm at each layer's input"):
    r"""``‖∂L/∂x_l‖`` against the layer index ``l``, log scale, one curve per network.

    Parameters
    ----------
    norms : dict
        ``label -> array`` from :func:`input_grad_norms`.
    """
    curves = {label: (np.arange(len(v)), v) for label, v in norms.items()}
    ax = plot_curves(curves, xlabel=r"layer $l$ (0 = network input)",
                     ylabel=r"$\|\partial L / \partial a_l\|$", title=title, logy=True,
                     ax=ax, markers=True)
    return ax


def plot_error_growth(distances, factor, *, ax=None, title="distance to the target per step"):
    r"""Distance :math:`\lVert y_{pred} - y_{true} \rVert` per step, log scale, with
    the prediction ``distances[0] * factor**t``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.5, 3.4))
    else:
        fig = ax.figure
    d = np.asarray(distances, dtype=float)
    t = np.arange(len(d))
    ax.semilogy(t, d, "o", ms=3, label="measured")
    ax.semilogy(t, d[0] * float(factor) ** t, "-", lw=1,
                label=f"$\\mathrm{{dist}}_0 \\cdot {factor:g}^t$")
    ax.set_xlabel("iteration $t$")
    ax.set_ylabel(r"$\|\hat y - y^*\|_2$ (log scale)")
    ax.set_title(title)
    ax.legend()
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    return fig


def draw_training_loop(fig, losses, weight, steps_max, lr, *, ahead=None):
    """Loss per update (left) and the first layer's filters side by side (right) on ``fig``.

    ``ahead``, the losses of a longer run from the same start, is drawn faintly behind
    (with the y range fixed to it), so that the first frames of an animation show where
    the curve is going instead of a single point in an empty panel.
    """
    ax_loss = fig.add_subplot(1, 2, 1)
    if ahead is not None:
        ahead = np.asarray(ahead, dtype=np.float64)
        ax_loss.plot(np.arange(ahead.size), ahead, color="0.8", lw=1.5,
                     label=f"all {ahead.size - 1} steps")
        ax_loss.set_ylim(0, 1.08 * float(np.max(ahead)))
    ax_loss.plot(np.arange(losses.size), losses, marker="o", ms=2, color="tab:blue",
                 label=f"first {losses.size - 1} steps")
    if ahead is not None:
        ax_loss.legend(loc="upper right", fontsize=9)
    ax_loss.set_xlim(0, steps_max)
    ax_loss.set_xlabel("update step t")
    ax_loss.set_ylabel("mean cross-entropy loss")
    ax_loss.set_title(f"loss after {losses.size - 1} steps (lr {lr:.3g}): {losses[-1]:.3f}")
    ax_loss.grid(alpha=0.3)
    F = weight.shape[0]
    grid = np.full((weight.shape[2], F * (weight.shape[3] + 1) - 1), np.nan)
    for f in range(F):
        start = f * (weight.shape[3] + 1)  # one blank column between filters
        grid[:, start:start + weight.shape[3]] = weight[f, 0]
    ax_w = fig.add_subplot(1, 2, 2)
    limit = float(np.nanmax(np.abs(grid))) or 1.0
    image = ax_w.imshow(grid, cmap="RdBu_r", vmin=-limit, vmax=limit)
    ax_w.set_title(f"the {F} conv filters at step {losses.size - 1}")
    ax_w.set_xticks([])
    ax_w.set_yticks([])
    fig.colorbar(image, ax=ax_w, shrink=0.7, label="weight")


def training_loop_animation(build, x, y, *, steps=(0, 2, 5, 10, 20, 40, 60), lr=0.1):
    r"""The static-HTML version of :func:`cnnbook.widgets.training_loop_explorer`: one
    precomputed frame per number of updates in ``steps`` (see :func:`offline_animation`)."""
    steps = list(steps)
    runs = {t: run_training_loop(build, x, y, steps=t, lr=lr) for t in steps}
    fig = plt.figure(figsize=(9.5, 3.2), dpi=72, constrained_layout=True)

    def draw_frame(t):
        fig.clear()
        losses, model = runs[t]
        draw_training_loop(fig, losses, model.params["0.weight"], max(steps), lr,
                           ahead=runs[max(steps)][0])

    draw_frame(steps[0])
    return offline_animation(fig, draw_frame, steps)
