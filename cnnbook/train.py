r"""The training loop, evaluation, prediction and weight files.

One step of mini-batch training, the loop the book builds by hand in its first chapters:

.. code-block:: python

    out = model.forward(xb)               # N,K
    loss, dout = loss_fn(out, yb)         # scalar, N,K
    model.backward(dout)                  # fills model.grads
    optimizer.step(model.params, model.grads)   # updates the arrays in place

:func:`fit` repeats it over shuffled mini-batches for a number of epochs and records a
history that the book plots: loss and accuracy per epoch, the learning rate, and the
mean gradient norm of every parameter. It calls ``model.param_backward(dout)`` rather than
``backward``: the same parameter gradients without the gradient of the data, which nobody
uses (PyTorch skips it too). ``fit(..., workers=k)`` runs each batch as ``k`` shards on
``k`` threads and sums their gradients (:mod:`cnnbook.parallel`). :func:`evaluate` and :func:`predict` run the
model in evaluation mode; :func:`save_weights` / :func:`load_weights` store ``params``
and ``buffers`` in an ``.npz`` file.
"""
from __future__ import annotations

import math
import os
import tempfile
from contextlib import closing, nullcontext

import numpy as np

from ._checks import (as_float_array, check_bool, check_callable, check_float, check_int,
                      check_rng, check_xy)
from ._extras import progress_bar
from .base import eval_mode, preserve_mode
from .clipping import clip_grad_norm
from .data import batches
from .parallel import DataParallel

__all__ = ["fit", "evaluate", "predict", "save_weights", "load_weights", "TrainingDiverged"]


class TrainingDiverged(FloatingPointError):
    """The loss became NaN or infinite during :func:`fit`.

    Attributes
    ----------
    epoch, batch : int
        Where it happened, both counted from 1.
    lr : float or None
        The learning rate in use.
    loss : float
        The offending value (``nan``, ``inf`` or ``-inf``).
    """

    def __init__(self, message: str, *, epoch: int, batch: int, lr, loss: float) -> None:
        super().__init__(message)
        self.epoch, self.batch, self.lr, self.loss = epoch, batch, lr, loss


# --------------------------------------------------------------------------- checks

def _check_model(model, where: str) -> None:
    for attr in ("forward", "backward", "params", "grads", "train", "eval"):
        if not hasattr(model, attr):
            raise TypeError(
                f"{where}: expected model to be a Layer or Sequential (with forward, backward, "
                f"params, grads, train, eval), got {type(model).__name__} without {attr!r}"
            )


def _check_xy(x, y, where: str, xname: str = "x", yname: str = "y"):
    """A non-empty data set with float inputs."""
    x = as_float_array(x, xname, where)
    return check_xy(x, y, where, xname, yname, min_samples=1)


def _is_class_labels(y: np.ndarray) -> bool:
    """Integer labels of shape (N,) mean classification; anything else is regression."""
    return y.ndim == 1 and np.issubdtype(y.dtype, np.integer)


def _n_correct(out: np.ndarray, y: np.ndarray, where: str) -> int:
    if out.ndim != 2 or out.shape[0] != len(y):
        raise ValueError(
            f"{where}: integer labels of shape ({len(y)},) need model outputs of shape "
            f"({len(y)}, K) to compute accuracy, got {tuple(out.shape)}"
        )
    return int(np.sum(np.argmax(out, axis=1) == y))


# --------------------------------------------------------------------------- training

def fit(model, loss_fn, optimizer, x: np.ndarray, y: np.ndarray, *, epochs: int,
        batch_size: int, rng: np.random.Generator, validation=None, progress: bool = True,
        schedule=None, workers: int = 1, clip_norm: float | None = None) -> dict:
    r"""Train ``model`` by mini-batch gradient descent.

    Every epoch visits the training samples once, in a new random order drawn from
    ``rng``, in batches of ``batch_size`` (the last one may be smaller). Each batch does
    ``forward``, ``loss_fn``, ``param_backward`` (``backward`` without the gradient of the
    data) and ``optimizer.step(model.params, model.grads)``. The model is in training mode (``model.train()``) for the batches and
    in evaluation mode for ``validation``; at the end it is put back in the mode it had.

    Parameters
    ----------
    model : Layer or Sequential
        Has ``forward``, ``backward``, ``params``, ``grads``, ``train()`` and ``eval()``.
    loss_fn : callable
        ``loss_fn(out, yb) -> (loss, dout)`` with ``loss`` the mean over the batch and
        ``dout`` of the shape of ``out``, e.g. :func:`cnnbook.losses.softmax_cross_entropy`.
    optimizer : SGD, Adam or any object with ``step(params, grads)``
        Its ``lr`` attribute, if any, is recorded and quoted when training diverges.
    x : ndarray, shape (N, ...)
        Inputs, e.g. (N, C, H, W) images.
    y : ndarray, shape (N,) or (N, ...)
        Targets. Integer labels of shape (N,) make it a classification problem: accuracy
        is ``mean(argmax(out, axis=1) == y)``. Other targets (regression) get no accuracy.
    epochs : int >= 1
    batch_size : int >= 1
    rng : numpy.random.Generator
        Shuffles the samples; the same seed (and the same initial weights) gives the
        same training run.
    validation : (x_val, y_val) or None
        Evaluated with :func:`evaluate` after every epoch.
    progress : bool, default True
        Show a ``tqdm`` progress bar over all batches with the running loss and accuracy
        of the epoch (when tqdm is installed: ``pip install 'cnnbook[book]'``); ``False``
        prints nothing.
    schedule : None, callable or Schedule
        Sets the learning rate at the start of each epoch (counted from 0): a
        :class:`cnnbook.optim.Schedule` of this optimizer (``schedule.step(epoch)``) or a
        function ``epoch -> lr`` written into ``optimizer.lr``.
    workers : int >= 1, default 1
        Data parallelism on threads (:class:`cnnbook.parallel.DataParallel`): each batch is
        split into ``workers`` shards of nearly equal size, each shard runs forward and
        backward on its own thread with its own copy of the layers (sharing the parameter
        arrays), and the shards' gradients, weighted by their share of the batch, are summed
        into ``model.grads``: the gradient of the whole batch up to rounding. Batch
        normalisation then normalises each shard with its own statistics, as PyTorch's
        ``DistributedDataParallel`` does. At most ``batch_size``. ``1`` runs everything on
        the calling thread.
    clip_norm : float or None
        Before each step, scale the gradients so that their global norm is at most
        ``clip_norm`` (:func:`cnnbook.clipping.clip_grad_norm`); ``grad_norm`` in the
        history is measured before clipping.

    Returns
    -------
    history : dict
        Lists with one entry per epoch:

        * ``"loss"``: mean training loss over the epoch's batches (weighted by batch size);
        * ``"accuracy"``: training accuracy (classification only);
        * ``"val_loss"``, ``"val_accuracy"``: with ``validation`` (accuracy for
          classification only);
        * ``"lr"``: ``optimizer.lr`` during the epoch (``None`` if it has none);
        * ``"grad_norm"``: a dict ``parameter name -> list``, the mean over the epoch's
          batches of :math:`\lVert \partial L / \partial \theta \rVert_2` of each
          parameter, keyed as in ``model.params`` (``"0.weight"``).

    Raises
    ------
    TrainingDiverged
        A subclass of ``FloatingPointError``, as soon as a batch loss is NaN or
        infinite: "loss became nan at epoch E, batch B; try a smaller learning rate
        (lr=...)". The parameters then hold the values after the last (bad) step:
        build a new model before training again. A ReLU network given a far too
        large learning rate often does not reach NaN: its units die and the loss stays
        large but finite, so look at ``history["loss"]`` too.
    """
    where = "fit"
    x, y, val_set, set_lr = _check_fit_args(model, loss_fn, optimizer, x, y, epochs,
                                            batch_size, rng, validation, progress, schedule)
    workers = _check_workers(workers, batch_size, where)
    if clip_norm is not None:
        check_float(clip_norm, "clip_norm", where, minimum=0.0, min_open=True)
    history = _new_history(model, y, val_set)
    bar = progress_bar(total=epochs * math.ceil(len(x) / batch_size), disable=not progress,
                       unit="batch", leave=True)
    # No gradient for the data: param_backward fills model.grads and skips dL/dx.
    backward = getattr(model, "param_backward", model.backward)
    parallel = DataParallel(model, loss_fn, workers) if workers > 1 else nullcontext()
    with preserve_mode(model), closing(bar), parallel:
        for epoch in range(epochs):
            lr = _start_epoch(epoch, epochs, set_lr, optimizer, bar)
            model.train()
            stats = _EpochStats(history["grad_norm"], _is_class_labels(y))
            for b, (xb, yb) in enumerate(batches(x, y, batch_size=batch_size, rng=rng)):
                if workers > 1:  # the three steps below on shards, gradients summed
                    out, loss = parallel.forward_backward(xb, yb)
                    loss = _finite_loss(loss, where, epoch, b, lr)
                else:
                    out = model.forward(xb)                          # forward
                    loss, dout = loss_fn(out, yb)                    # loss
                    loss = _finite_loss(loss, where, epoch, b, lr)   # stops on NaN/inf
                    backward(dout)                                   # backward: fills model.grads
                stats.add_batch(out, yb, loss, model.grads)      # (before the step changes them)
                if clip_norm is not None:
                    clip_grad_norm(model.grads, clip_norm)       # caps the step's length
                optimizer.step(model.params, model.grads)        # step: updates params in place
                bar.set_postfix(stats.postfix(), refresh=False)
                bar.update(1)
            _end_epoch(history, stats, lr, model, loss_fn, val_set, bar)
    return history


# --------------------------------------------------------------------------- fit's bookkeeping

def _check_fit_args(model, loss_fn, optimizer, x, y, epochs, batch_size, rng, validation,
                    progress, schedule):
    """Validate the arguments of :func:`fit`; return ``(x, y, validation, set_lr)``."""
    where = "fit"
    _check_model(model, where)
    check_callable(loss_fn, "loss_fn", where)
    if not callable(getattr(optimizer, "step", None)):
        raise TypeError(
            f"{where}: expected optimizer with a step(params, grads) method, got {type(optimizer).__name__}"
        )
    x, y = _check_xy(x, y, where)
    check_int(epochs, "epochs", where, 1)
    check_int(batch_size, "batch_size", where, 1)
    check_rng(rng, where)
    check_bool(progress, "progress", where)
    if validation is not None:
        if not (isinstance(validation, (tuple, list)) and len(validation) == 2):
            raise TypeError(f"{where}: expected validation to be a pair (x_val, y_val) or None, "
                            f"got {type(validation).__name__}")
        validation = _check_xy(*validation, where, "x_val", "y_val")
    return x, y, validation, _schedule_setter(schedule, optimizer, where)


def _check_workers(workers, batch_size: int, where: str) -> int:
    """``workers`` as an int in ``[1, batch_size]``: each worker needs a sample of a batch."""
    workers = check_int(workers, "workers", where, 1)
    if workers > batch_size:
        raise ValueError(f"{where}: expected workers <= batch_size ({batch_size}): each worker "
                         f"takes a shard of every batch, got workers={workers}")
    return workers


def _new_history(model, y, validation) -> dict:
    """Empty history lists: accuracy only for class labels, val_* only with validation."""
    history: dict = {"loss": []}
    if _is_class_labels(y):
        history["accuracy"] = []
    if validation is not None:
        history["val_loss"] = []
        if _is_class_labels(validation[1]):
            history["val_accuracy"] = []
    history["lr"] = []
    history["grad_norm"] = {name: [] for name in model.params}
    return history


class _EpochStats:
    """Running sums over one epoch's batches: loss, correct predictions, gradient norms."""

    def __init__(self, param_names, classify: bool) -> None:
        self.classify = classify
        self.loss_sum, self.correct, self.seen, self.n_batches = 0.0, 0, 0, 0
        self.norm_sums = dict.fromkeys(param_names, 0.0)

    def add_batch(self, out, yb, loss: float, grads: dict) -> None:
        n = len(yb)
        self.seen += n
        self.n_batches += 1
        self.loss_sum += loss * n
        if self.classify:
            self.correct += _n_correct(out, yb, "fit")
        for name, g in grads.items():
            self.norm_sums[name] = self.norm_sums.get(name, 0.0) + float(np.linalg.norm(g))

    def postfix(self) -> dict:
        """Running loss (and accuracy) of the epoch, for the progress bar."""
        postfix = {"loss": f"{self.loss_sum / self.seen:.4f}"}
        if self.classify:
            postfix["acc"] = f"{self.correct / self.seen:.3f}"
        return postfix


def _start_epoch(epoch: int, epochs: int, set_lr, optimizer, bar):
    """Apply the schedule; return the learning rate of this epoch (``None`` if none)."""
    if set_lr is not None:
        set_lr(epoch)
    bar.set_description(f"epoch {epoch + 1}/{epochs}")
    return getattr(optimizer, "lr", None)


def _finite_loss(loss, where: str, epoch: int, b: int, lr) -> float:
    """The batch loss as a float; :class:`TrainingDiverged` if it is NaN or infinite."""
    loss = float(loss)
    if not math.isfinite(loss):
        lr_text = f"lr={lr:g}" if isinstance(lr, (int, float)) else f"lr={lr!r}"
        raise TrainingDiverged(
            f"{where}: loss became {loss} at epoch {epoch + 1}, batch {b + 1}; "
            f"try a smaller learning rate ({lr_text})",
            epoch=epoch + 1, batch=b + 1, lr=lr, loss=loss)
    return loss


def _end_epoch(history: dict, stats: _EpochStats, lr, model, loss_fn, validation, bar) -> None:
    """Append the epoch's means (and the validation scores) to ``history``."""
    history["loss"].append(stats.loss_sum / stats.seen)
    if stats.classify:
        history["accuracy"].append(stats.correct / stats.seen)
    history["lr"].append(lr)
    for name, total in stats.norm_sums.items():
        history["grad_norm"].setdefault(name, []).append(total / stats.n_batches)
    if validation is not None:
        postfix = stats.postfix()
        val_loss, val_acc = evaluate(model, loss_fn, *validation)
        history["val_loss"].append(val_loss)
        postfix["val_loss"] = f"{val_loss:.4f}"
        if val_acc is not None:
            history["val_accuracy"].append(val_acc)
            postfix["val_acc"] = f"{val_acc:.3f}"
        bar.set_postfix(postfix, refresh=False)


def _schedule_setter(schedule, optimizer, where: str):
    """Turn ``schedule`` into a function ``epoch -> None`` that sets the learning rate."""
    if schedule is None:
        return None
    if callable(getattr(schedule, "step", None)):
        target = getattr(schedule, "optimizer", optimizer)
        if target is not optimizer:
            raise ValueError(f"{where}: expected schedule to drive the optimizer passed to fit, "
                             f"got a schedule of another optimizer ({target!r})")
        return schedule.step
    if callable(schedule):
        if not hasattr(optimizer, "lr"):
            raise TypeError(f"{where}: a schedule needs an optimizer with an lr attribute, "
                            f"got {type(optimizer).__name__}")

        def set_lr(epoch: int) -> None:
            optimizer.lr = float(schedule(epoch))
        return set_lr
    raise TypeError(f"{where}: expected schedule to be None, a Schedule or a function "
                    f"epoch -> lr, got {type(schedule).__name__}")


# --------------------------------------------------------------------------- inference

def _forward_batches(model, x: np.ndarray, batch_size: int):
    """Yield ``(start, out)`` for consecutive batches, in evaluation mode."""
    with eval_mode(model):
        for start in range(0, len(x), batch_size):
            yield start, model.forward(x[start:start + batch_size])


def evaluate(model, loss_fn, x: np.ndarray, y: np.ndarray, *,
             batch_size: int = 256) -> tuple[float, float | None]:
    r"""Mean loss and accuracy of ``model`` on ``(x, y)``, in evaluation mode.

    Parameters
    ----------
    model : Layer or Sequential
    loss_fn : callable
        ``loss_fn(out, yb) -> (loss, dout)``; ``dout`` is ignored.
    x : ndarray, shape (N, ...)
    y : ndarray, shape (N,) or (N, ...)
    batch_size : int >= 1, default 256
        Samples per forward pass; only memory depends on it.

    Returns
    -------
    loss : float
        Batch losses averaged with weights proportional to batch size (the loss over
        the whole set when ``loss_fn`` returns a batch mean).
    accuracy : float or None
        Fraction of ``argmax(out, axis=1) == y`` for integer labels of shape (N,);
        ``None`` otherwise.
    """
    where = "evaluate"
    _check_model(model, where)
    x, y = _check_xy(x, y, where)
    batch_size = check_int(batch_size, "batch_size", where, 1)
    classify = _is_class_labels(y)
    loss_sum, correct = 0.0, 0
    for start, out in _forward_batches(model, x, batch_size):
        yb = y[start:start + batch_size]
        loss, _ = loss_fn(out, yb)
        loss_sum += float(loss) * len(yb)
        if classify:
            correct += _n_correct(out, yb, where)
    n = len(x)
    return loss_sum / n, (correct / n if classify else None)


def predict(model, x: np.ndarray, *, batch_size: int = 256) -> np.ndarray:
    r"""Outputs of ``model`` on ``x``, computed batch by batch in evaluation mode.

    Parameters
    ----------
    model : Layer or Sequential
    x : ndarray, shape (N, ...)
    batch_size : int >= 1, default 256

    Returns
    -------
    out : ndarray, shape (N, ...)
        ``model.forward`` of the whole of ``x`` (e.g. logits of shape (N, K); class
        predictions are ``out.argmax(axis=1)``).
    """
    where = "predict"
    _check_model(model, where)
    x = as_float_array(x, "x", where)
    if x.ndim == 0 or len(x) == 0:
        raise ValueError(f"{where}: expected x of shape (N, ...) with N >= 1, got shape {x.shape}")
    batch_size = check_int(batch_size, "batch_size", where, 1)
    return np.concatenate([out for _, out in _forward_batches(model, x, batch_size)])


# --------------------------------------------------------------------------- weight files

def _state(model, where: str) -> dict[str, np.ndarray]:
    """``params`` and ``buffers`` in one dict (the arrays themselves, not copies)."""
    params = dict(model.params)
    buffers = dict(getattr(model, "buffers", {}))
    clash = sorted(set(params) & set(buffers))
    if clash:
        raise ValueError(f"{where}: expected distinct names for params and buffers, got {clash} in both")
    return params | buffers


def save_weights(model, path) -> None:
    r"""Write the model's ``params`` and ``buffers`` to an ``.npz`` file.

    The file maps each key of ``model.params`` and ``model.buffers`` (``"0.weight"``,
    ``"2.running_mean"``) to its array, so ``np.load(path)["0.weight"]`` works. It is
    written to a temporary file in the same directory and then renamed over ``path``
    (``os.replace``), so an interrupted save never leaves a half-written file.

    Parameters
    ----------
    model : Layer or Sequential
    path : str or path-like
        Used exactly as given (no ``.npz`` is appended).
    """
    where = "save_weights"
    _check_model(model, where)
    state = _state(model, where)
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **state)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def load_weights(model, path):
    r"""Copy the arrays of an ``.npz`` file from :func:`save_weights` into ``model``.

    Nothing is copied unless the file matches the model exactly: the same keys as
    ``model.params`` and ``model.buffers``, and the same shape for each. The values are
    copied into the model's existing arrays (``np.copyto``), so references held by an
    optimizer or a plot stay valid; a float64 file loads into a float32 model.

    Parameters
    ----------
    model : Layer or Sequential
    path : str or path-like
        Read with ``allow_pickle=False``.

    Returns
    -------
    model
        The same object, for chaining.

    Raises
    ------
    ValueError
        Naming the file, listing missing and unexpected keys and every shape mismatch
        (expected vs got).
    """
    where = "load_weights"
    _check_model(model, where)
    state = _state(model, where)
    path = os.fspath(path)
    npz = np.load(path, allow_pickle=False)
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise ValueError(f"{where}: expected an .npz file written by save_weights, "
                         f"got a single array in {path!r}")
    with npz:
        stored = {key: npz[key] for key in npz.files}

    missing = [k for k in state if k not in stored]
    unexpected = [k for k in stored if k not in state]
    mismatched = [f"{k!r} expected {tuple(state[k].shape)} got {tuple(stored[k].shape)}"
                  for k in state if k in stored and stored[k].shape != state[k].shape]
    if missing or unexpected or mismatched:
        problems = []
        if missing:
            problems.append(f"missing keys {missing}")
        if unexpected:
            problems.append(f"unexpected keys {unexpected}")
        if mismatched:
            problems.append("shape mismatch: " + ", ".join(mismatched))
        raise ValueError(f"{where}: {path!r} does not match the model: " + "; ".join(problems))
    for key, dst in state.items():
        np.copyto(dst, stored[key], casting="same_kind")
    return model
