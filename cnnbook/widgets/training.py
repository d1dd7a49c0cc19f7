"""Training explorers: the six-step loop, kernel recovery, training with and without batch norm."""
from __future__ import annotations

import threading
import time

import ipywidgets as widgets
import numpy as np

from ..functional import conv2d_forward
from ..loops import recover_kernel_fast, run_training_loop
from ..losses import softmax_cross_entropy
from ..optim import SGD
from ..train import TrainingDiverged, fit
from ..viz.curves import curves_artists, draw_training_loop, plot_curves, update_curves
from ..viz.kernel_recovery import plot_recovery, recovery_artists, update_recovery
from ._figure import STYLE, FigureView

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
    ipywidgets.VBox
        ``box.result`` holds the last ``(losses, model)``.
    """

    steps_slider = widgets.IntSlider(value=steps, min=0, max=steps_max, step=1,
                                     description="steps \\(t\\)", continuous_update=False,
                                     style=STYLE)
    lr_slider = widgets.FloatLogSlider(value=lr, base=10, min=-3, max=0.5, step=0.25,
                                       description="lr \\(\\eta\\)", continuous_update=False,
                                       style=STYLE)

    runs = {}  # (steps, lr) -> (losses, model): a setting seen before is not rerun

    def draw(fig):
        key = (steps_slider.value, lr_slider.value)
        if key not in runs:
            runs[key] = run_training_loop(build, x, y, steps=key[0], lr=key[1])
        losses, model = runs[key]
        draw_training_loop(fig, losses, model.params["0.weight"], steps_max, lr_slider.value)
        return losses, model

    view = FigureView(draw, (9.5, 3.2))
    out, state, refresh = view.image, view.state, view.refresh
    box = widgets.VBox([widgets.HBox([steps_slider, lr_slider]), out])
    box.state = state

    def update(*_):
        refresh()
        box.result = state["result"]

    steps_slider.observe(update, names="value")
    lr_slider.observe(update, names="value")
    update()
    return box


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
    ipywidgets.VBox
        ``children = [lr slider, steps slider, noise slider, Image]``;
        ``.state["result"]`` is the :func:`recover_kernel` result of the last redraw
        (computed by its faster twin :func:`~cnnbook.loops.recover_kernel_fast`).
    """
    w_true = np.asarray(w_true, dtype=float)
    clean, _ = conv2d_forward(x, w_true[None, None], np.zeros(1))
    lr_slider = widgets.FloatLogSlider(value=lr, base=10, min=-3, max=0, step=0.1,
                                       description="learning rate", readout_format=".3f",
                                       continuous_update=False, style=STYLE)
    steps_slider = widgets.IntSlider(value=steps, min=10, max=1000, step=10,
                                     description="steps", continuous_update=False, style=STYLE)
    noise_slider = widgets.FloatSlider(value=noise, min=0.0, max=2.0, step=0.1,
                                       description="noise std",
                                       continuous_update=False, style=STYLE)

    fits = {}  # (lr, steps, noise) -> recover_kernel result: a setting seen before is reused

    def fit_now():
        key = (lr_slider.value, steps_slider.value, noise_slider.value)
        if key not in fits:
            rng = np.random.default_rng(seed)
            y = clean + key[2] * rng.standard_normal(clean.shape)
            fits[key] = recover_kernel_fast(x, y, lr=key[0], steps=key[1], momentum=momentum)
        return fits[key]

    def status(result):
        err = np.abs(result["weight"][0, 0] - w_true).max()
        return "DIVERGED (the loss exploded): lower the learning rate" if result["diverged"] \
            else f"max |learned - true| = {err:.3g}"

    title = {}  # the figure's suptitle (a Text), set by draw

    def draw(fig):
        result = fit_now()
        if len(result["kernels"]) == 0:
            title["text"] = fig.suptitle("diverged at the first step: lower the learning rate")
            return result
        plot_recovery(result, w_true, fig=fig)
        title["text"] = fig.suptitle(status(result), fontsize=10)
        return result

    view = FigureView(draw, (10.5, 3.3))
    out, state = view.image, view.state

    def dynamic():  # what a step may change: blitted over a background without them
        return recovery_artists(view.fig) + [title["text"]]

    def label_width():
        """Characters of the widest colour-bar label: the layout kept from the first drawing
        has room for labels that wide, a diverged fit needs more (-750 instead of -2)."""
        cbar = view.fig.axes[1].images[0].colorbar
        return max((len(t.get_text()) for t in cbar.ax.get_yticklabels()), default=0)

    widths = {}

    def refresh(*_):
        result = fit_now()
        shown = state["result"]
        if len(result["kernels"]) == 0 or shown is None or len(shown["kernels"]) == 0:
            return view.refresh(dynamic=dynamic)  # to or from the one-line "diverged" figure
        state["result"] = result  # same panels: redraw what changed only
        changed = update_recovery(view.fig, result, w_true)
        if label_width() != widths["shown"]:  # a layout for these labels (once per width)
            widths["shown"] = label_width()
            key = None if widths["shown"] == widths["first"] else widths["shown"]
            return view.refresh(key=key, dynamic=dynamic)
        title["text"].set_text(status(result))
        view.show_changed(changed + [title["text"]], dynamic())

    for control in (lr_slider, steps_slider, noise_slider):
        control.observe(refresh, names="value")
    view.refresh(dynamic=dynamic)  # its layout is kept under the key None
    widths["first"] = widths["shown"] = label_width()
    box = widgets.VBox([lr_slider, steps_slider, noise_slider, out])
    box.state = state
    return box


def bn_training_explorer(build, x, y, *, lrs=(0.01, 0.03, 0.1, 0.2, 0.5), lr=0.2, epochs=3,
                         batch_size=32, momentum=0.9, seed=0, background=True):
    r"""Learning-rate slider: train the same network with and without batch norm.

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
    epochs, batch_size, momentum, seed
        Training settings (:class:`cnnbook.optim.SGD`, :func:`cnnbook.train.fit`).
    background : bool
        The first drawing (building the explorer, executing the notebook) trains its two
        runs before it returns. With ``background=True`` a control's step then returns at
        once: it shows the epochs already trained for the new setting, with "training
        epoch k of n" in the title, and a background thread trains the missing epochs,
        both runs one epoch at a time, redrawing after each. When the shown setting is
        complete and no step came for a second, the thread trains ahead: the other
        learning rates up to the shown epochs (nearest first), then the shown rate up to
        the most epochs, so later steps find their runs ready; it stops when there is
        nothing left. ``background=False``: every step trains what it needs before it
        draws. Either way a run is the same as a fit from scratch (one epoch after the
        other, same batches).

    Returns
    -------
    ipywidgets.VBox
        ``children = [learning-rate slider, epochs slider, Image]``; ``.state["result"]``
        is ``{"without BN": losses, "with BN": losses}`` as drawn (NaN for an epoch not
        trained yet and after a divergence); ``.wait(timeout=None)`` blocks until the
        shown setting is complete and drawn (True) or the timeout passed (False);
        ``.ahead`` is the latest background thread (``None`` before the first step).
    """
    lr_slider = widgets.SelectionSlider(options=list(lrs), value=lr,
                                        description="learning rate", continuous_update=False,
                                        style=STYLE)
    epoch_slider = widgets.IntSlider(value=epochs, min=1, max=10, description="epochs",
                                     continuous_update=False, style=STYLE)

    # (batch norm, lr) -> the run so far: its model, optimizer and shuffling rng keep going,
    # so more epochs train only the added ones and fewer are a slice of the losses (fit
    # called again continues exactly where it stopped: same batches, same momentum). A run
    # is trained by one thread at a time (its lock): the explorer's or the background one.
    runs, new_run = {}, threading.Lock()

    def advance(bn, lr, epochs):
        with new_run:
            run = runs.get((bn, lr))
            if run is None:
                run = runs[bn, lr] = {"model": build(bn, np.random.default_rng(seed)),
                                      "opt": SGD(lr, momentum=momentum),
                                      "rng": np.random.default_rng(seed + 1),
                                      "losses": [], "diverged": False,
                                      "lock": threading.Lock()}
        with run["lock"]:
            if len(run["losses"]) < epochs and not run["diverged"]:
                try:
                    hist = fit(run["model"], softmax_cross_entropy, run["opt"], x, y,
                               epochs=epochs - len(run["losses"]), batch_size=batch_size,
                               rng=run["rng"], progress=False)
                    run["losses"] += list(hist["loss"])
                except TrainingDiverged:
                    run["diverged"] = True  # in the epoch after the recorded ones
        return run

    not_started = {"losses": [], "diverged": False}

    def trained(bn, rate):
        return runs.get((bn, rate), not_started)

    def next_epoch(rates, target):
        """(batch norm, lr, epochs): the next epoch to train for ``rates``, in this order, up
        to ``target`` epochs, both runs of a rate one epoch at a time; None when none is
        left (a diverged run trains no further)."""
        for rate in rates:
            pending = [(len(run["losses"]), bn) for bn, run in
                       ((bn, trained(bn, rate)) for bn in (False, True))
                       if len(run["losses"]) < target and not run["diverged"]]
            if pending:
                have, bn = min(pending)
                return bn, rate, have + 1
        return None

    def losses(bn, rate, n):
        """The first ``n`` epochs' losses trained so far (NaN for the others)."""
        have = trained(bn, rate)["losses"][:n]
        return np.array(have + [np.nan] * (n - len(have)), dtype=float)

    def shown():
        return lr_slider.value, epoch_slider.value

    def missing():
        """(batch norm, lr, epochs) for the shown setting's next epoch, or None."""
        rate, n = shown()
        return next_epoch([rate], n)

    def train_shown():
        for bn in (False, True):
            advance(bn, *shown())

    def curves():
        rate, n = shown()
        return {("with BN" if bn else "without BN"): losses(bn, rate, n) for bn in (False, True)}

    def title():
        rate, n = shown()
        text, job = f"SGD, lr={rate:g}, momentum={momentum:g}", missing()
        return text if job is None else f"{text}: training epoch {job[2]} of {n}"

    def draw(fig):
        train_shown()  # the first drawing trains what it shows
        result = curves()
        plot_curves(result, xlabel="epoch", ylabel="training loss", markers=True,
                    title=title(), ax=fig.subplots())
        return result

    def ahead_job():
        """(batch norm, lr, epochs) that the thread trains ahead next, or None when done."""
        index = list(lrs).index(lr_slider.value)
        nearest = sorted(lrs, key=lambda r: abs(list(lrs).index(r) - index))
        return next_epoch(nearest, epoch_slider.value) \
            or next_epoch([lr_slider.value], epoch_slider.max)

    view = FigureView(draw, (6.0, 3.4))
    drawing = threading.Lock()  # the figure: a step's update or the thread's, not both
    complete = threading.Event()  # the shown setting is trained and drawn
    worker = threading.Lock()  # guards the thread's start and its decision to stop
    last_step = [0.0]

    def dynamic():  # what a step may change: blitted over a background without them
        return curves_artists(view.fig.axes[0])

    def redraw():
        with drawing:
            view.state["result"] = result = curves()
            changed = update_curves(view.fig.axes[0], result, title=title())
            view.show_changed(changed, dynamic())
            if missing() is None:
                complete.set()

    def work():
        while True:
            with worker:
                job = missing()
                if job is None:
                    wait = last_step[0] + 1.0 - time.monotonic()
                    job = ahead_job() if wait <= 0 else "wait"
                if job is None:
                    box.running = False
                    return
            if job == "wait":  # steps in quick succession: train ahead after they stop
                time.sleep(wait)
                continue
            advance(*job)
            rate, n = shown()
            if job[1] == rate and job[2] <= n:  # an epoch of the shown setting: show it
                redraw()

    def step(_change):
        complete.clear()
        last_step[0] = time.monotonic()
        if not background:
            train_shown()
        redraw()
        if background:
            with worker:
                if not box.running:
                    box.running = True
                    box.ahead = threading.Thread(target=work, daemon=True,
                                                 name="bn_training_explorer background")
                    box.ahead.start()

    view.refresh(dynamic=dynamic)  # the figure is built once; steps update it in place
    complete.set()
    box = widgets.VBox([lr_slider, epoch_slider, view.image])
    box.state, box.ahead, box.running = view.state, None, False
    box.wait = complete.wait
    for control in (lr_slider, epoch_slider):
        control.observe(step, names="value")
    return box
