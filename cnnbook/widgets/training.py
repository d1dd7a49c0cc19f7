"""Training explorers: the six-step loop, kernel recovery, training with and without batch norm."""
from __future__ import annotations

import numpy as np

from ..functional import conv2d_forward
from ..loops import recover_kernel_fast, run_training_loop
from ..sweeps import batch_norm_sweep
from ..viz.curves import curves_artists, draw_training_loop, plot_curves, update_curves
from ..viz.kernel_recovery import plot_recovery, recovery_artists, update_recovery
from . import _controls as controls
from ._explorer import Explorer
from ._figure import FigureView

__all__ = ["training_loop_explorer", "kernel_recovery_explorer", "bn_training_explorer"]


def training_loop_explorer(build, x, y, *, steps=20, steps_max=60, lr=0.1):
    r"""Slide the number of updates (and the learning rate): the model is re-initialised,
    trained with :func:`run_training_loop`, and its loss curve and first-layer filters
    are drawn.

    Parameters
    ----------
    build : callable
        ``build() -> Layer`` whose first layer is a ``Conv2D`` (its filters are shown).
    x, y : ndarray
        Inputs ``(N, C, H, W)`` and integer labels ``(N,)``.
    steps, steps_max : int
        Initial and largest number of updates.
    lr : float
        Initial learning rate.

    Returns
    -------
    Explorer
        Settings ``steps`` and ``lr``; ``.result`` is ``(losses, model)``.
    """
    settings = {"steps": controls.steps(steps, 0, steps_max),
                "lr": controls.learning_rate(lr, -3, 0.5, 0.25)}
    runs = {}  # (steps, lr) -> (losses, model): a setting seen before is not rerun
    view = FigureView(figsize=(9.5, 3.2))

    def update(steps, lr):
        if (steps, lr) not in runs:
            runs[steps, lr] = run_training_loop(build, x, y, steps=steps, lr=lr)
        losses, model = runs[steps, lr]

        def draw(fig):
            draw_training_loop(fig, losses, model.params["0.weight"], steps_max, lr)
            return losses, model
        return view.refresh(draw)

    some = sorted({0, 5, 10, 20, 40, steps_max, steps})
    return Explorer("training_loop_explorer", settings, view, update, rows=[list(settings)],
                    offline={"steps": [t for t in some if t <= steps_max],
                             "lr": sorted({0.01, 0.1, 1.0, lr})})


def kernel_recovery_explorer(x, w_true, *, lr=0.1, steps=200, noise=0.0, momentum=0.9,
                             seed=0):
    r"""Recover ``w_true`` from ``(x, conv(x, w_true) + noise)`` with chosen settings.

    Parameters
    ----------
    x : ndarray, shape (N, 1, H, W)
        Input images.
    w_true : ndarray, shape (k, k)
        The kernel that makes the targets (bias 0).
    lr, steps, momentum
        As in :func:`recover_kernel`; ``lr``, ``steps`` and ``noise`` get controls.
    noise : float
        Standard deviation of Gaussian noise added to the targets, drawn from
        ``np.random.default_rng(seed)`` (the same draw every time).

    Returns
    -------
    Explorer
        Settings ``lr, steps, noise``; ``.result`` is the :func:`recover_kernel` result
        (computed by its faster twin :func:`~cnnbook.loops.recover_kernel_fast`).
    """
    w_true = np.asarray(w_true, dtype=float)
    clean, _ = conv2d_forward(x, w_true[None, None], np.zeros(1))
    settings = {"lr": controls.learning_rate(lr, -3, 0, 0.1),
                "steps": controls.steps(steps, 10, 1000, 10, description="steps"),
                "noise": controls.number("noise std", noise, 0.0, 2.0, 0.1,
                                         readout=".1f")}
    fits = {}  # (lr, steps, noise) -> recover_kernel result: a setting seen before is reused

    def fit_now(lr, steps, noise):
        if (lr, steps, noise) not in fits:
            rng = np.random.default_rng(seed)
            y = clean + noise * rng.standard_normal(clean.shape)
            fits[lr, steps, noise] = recover_kernel_fast(x, y, lr=lr, steps=steps,
                                                         momentum=momentum)
        return fits[lr, steps, noise]

    def status(result):
        err = np.abs(result["weight"][0, 0] - w_true).max()
        return "DIVERGED (the loss exploded): lower the learning rate" if result["diverged"] \
            else f"max |learned - true| = {err:.3g}"

    view = FigureView(figsize=(10.5, 3.3))
    title = {}  # the figure's suptitle (a Text), set by draw

    def draw(fig, result):
        if len(result["kernels"]) == 0:
            title["text"] = fig.suptitle("diverged at the first step: lower the learning rate")
            return result
        plot_recovery(result, w_true, fig=fig)
        title["text"] = fig.suptitle(status(result), fontsize=10)
        return result

    def dynamic():  # what a step may change: blitted over a background without them
        return recovery_artists(view.fig) + [title["text"]]

    def label_width():
        """Characters of the widest colour-bar label: the layout kept from the first drawing
        has room for labels that wide, a diverged fit needs more (-750 instead of -2)."""
        cbar = view.fig.axes[1].images[0].colorbar
        return max((len(t.get_text()) for t in cbar.ax.get_yticklabels()), default=0)

    shown = {"result": None}

    def update(**s):
        result = fit_now(**s)
        before, shown["result"] = shown["result"], result
        if len(result["kernels"]) == 0 or before is None or len(before["kernels"]) == 0:
            # to or from the one-line "diverged" figure; the first layout is kept (key None)
            view.refresh(lambda fig: draw(fig, result), dynamic=dynamic)
            if before is None:
                shown["first"] = shown["width"] = label_width()
            return result
        changed = update_recovery(view.fig, result, w_true)  # same panels: what changed only
        if label_width() != shown["width"]:  # a layout for these labels (once per width)
            shown["width"] = label_width()
            key = None if shown["width"] == shown["first"] else shown["width"]
            view.refresh(lambda fig: draw(fig, result), key=key, dynamic=dynamic)
            return result
        title["text"].set_text(status(result))
        view.show_changed(changed + [title["text"]], dynamic())
        return result

    return Explorer("kernel_recovery_explorer", settings, view, update,
                    offline={"lr": sorted({0.01, 0.1, 0.5, lr}),
                             "steps": sorted({30, 100, 300, steps}),
                             "noise": sorted({0.0, 1.0, noise})})


def bn_training_explorer(build, x, y, *, lrs=(0.01, 0.03, 0.1, 0.2, 0.5), lr=0.2, epochs=3,
                         epochs_max=10, batch_size=32, momentum=0.9, seed=0):
    r"""Learning-rate slider: the same network trained with and without batch norm.

    Every run is trained once, when the explorer is built
    (:func:`cnnbook.sweeps.batch_norm_sweep`: each learning rate of ``lrs``, with and
    without batch norm, ``epochs_max`` epochs); a step of a control only draws the curves
    it picks from that table.

    Parameters
    ----------
    build : callable
        ``build(batch_norm: bool, rng) -> model``; called with a fresh
        ``np.random.default_rng(seed)`` for each run, so both runs start alike.
    x, y : ndarray
        Training images (N, 1, H, W) and integer labels (N,).
    lrs : sequence of float
        Learning rates offered by the slider.
    lr : float
        The initial one (must be in ``lrs``).
    epochs, epochs_max : int
        Epochs shown first, and the most the slider offers.
    batch_size, momentum, seed
        Training settings (:class:`cnnbook.optim.SGD`, :func:`cnnbook.train.fit`).

    Returns
    -------
    Explorer
        Settings ``lr`` and ``epochs``; ``.result`` is ``{"without BN": losses, "with BN":
        losses}`` as drawn (NaN after a divergence); ``.runs`` is the
        :func:`~cnnbook.sweeps.batch_norm_sweep` table.
    """
    runs = batch_norm_sweep(build, x, y, lrs=lrs, epochs=epochs_max, batch_size=batch_size,
                   momentum=momentum, seed=seed)
    settings = {"lr": controls.learning_rate(lr, values=lrs),
                "epochs": controls.integer("epochs", epochs, 1, epochs_max)}

    def curves(lr, epochs):
        return {("with BN" if bn else "without BN"): runs[bn, lr][:epochs]
                for bn in (False, True)}

    def title(lr):
        return f"SGD, lr={lr:g}, momentum={momentum:g}"

    view = FigureView(figsize=(6.0, 3.4))
    ax = view.fig.subplots()
    plot_curves(curves(lr, epochs), xlabel="epoch", ylabel="training loss", markers=True,
                title=title(lr), ax=ax)
    view.fig.canvas.draw()  # lay out once: the first step shows it, later ones change it

    def update(lr, epochs):
        result = curves(lr, epochs)
        view.show_changed(update_curves(ax, result, title=title(lr)), curves_artists(ax))
        return result

    box = Explorer("bn_training_explorer", settings, view, update,
                   offline={"lr": list(lrs),
                            "epochs": sorted({1, 2, 3, 5, 7, epochs, epochs_max})})
    box.runs = runs
    return box
