"""Training sweeps: the same network trained once per setting, for a table of runs.

Used where a figure or explorer shows many trainings side by side and must not train on
every step (:func:`cnnbook.widgets.bn_training_explorer`).
"""
from __future__ import annotations

import numpy as np

from .losses import softmax_cross_entropy
from .optim import SGD
from .train import TrainingDiverged, fit

__all__ = ["batch_norm_sweep"]


def batch_norm_sweep(build, x, y, *, lrs, epochs, batch_size=32, momentum=0.9, seed=0):
    r"""A network trained with and without batch norm, for each learning rate of ``lrs``
    (the runs behind :func:`cnnbook.widgets.bn_training_explorer`).

    For each learning rate, ``build(batch_norm, rng)`` with ``batch_norm`` False and True,
    trained for ``epochs`` epochs (:class:`cnnbook.optim.SGD` with
    ``momentum``, :func:`cnnbook.train.fit`, batches shuffled by
    ``np.random.default_rng(seed + 1)``, weights from ``np.random.default_rng(seed)``).

    Returns
    -------
    dict
        ``(batch_norm, lr) -> losses``: the training loss after each epoch, ``epochs``
        values, NaN from the epoch in which a run diverged on.
    """
    table = {}
    for lr in lrs:
        for bn in (False, True):
            model = build(bn, np.random.default_rng(seed))
            opt, rng, losses = SGD(lr, momentum=momentum), np.random.default_rng(seed + 1), []
            try:  # one epoch at a time: a divergence keeps the epochs before it
                for _ in range(epochs):
                    hist = fit(model, softmax_cross_entropy, opt, x, y, epochs=1,
                               batch_size=batch_size, rng=rng, progress=False)
                    losses += list(hist["loss"])
            except TrainingDiverged:
                pass
            table[bn, lr] = np.array(losses + [np.nan] * (epochs - len(losses)))
    return table
