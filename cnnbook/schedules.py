r"""Learning-rate schedules: :func:`step_decay` and :func:`cosine_annealing` give the
learning rate of an epoch; :class:`Schedule` writes it into an optimizer's ``lr``
(:mod:`cnnbook.optim` re-exports all three).
"""
from __future__ import annotations

import math

from ._checks import check_callable, check_float, check_int

__all__ = ["step_decay", "cosine_annealing", "Schedule"]

def step_decay(lr0: float, epoch: int, *, drop: float, every: int) -> float:
    r"""Learning rate multiplied by ``drop`` once every ``every`` epochs.

    Parameters
    ----------
    lr0 : float
        Learning rate of epoch 0.
    epoch : int
        Epoch, counted from 0.
    drop : float
        Factor :math:`\gamma > 0` (e.g. 0.1 or 0.5).
    every : int
        Number of epochs :math:`s \ge 1` between drops.

    Returns
    -------
    lr : float

    Notes
    -----
    .. math::

        \eta_e = \eta_0 \, \gamma^{\lfloor e / s \rfloor}

    (``torch.optim.lr_scheduler.StepLR`` with ``step_size=s``, ``gamma=γ``).

    Examples
    --------
    >>> [step_decay(0.1, e, drop=0.5, every=2) for e in range(5)]
    [0.1, 0.1, 0.05, 0.05, 0.025]
    """
    where = "step_decay"
    lr0 = check_float(lr0, "lr0", where, minimum=0.0, min_open=True)
    epoch = check_int(epoch, "epoch", where, 0)
    drop = check_float(drop, "drop", where, minimum=0.0, min_open=True)
    every = check_int(every, "every", where, 1)
    return lr0 * drop ** (epoch // every)


def cosine_annealing(lr0: float, epoch: int, *, total: int, lr_min: float = 0.0) -> float:
    r"""Learning rate that falls from ``lr0`` to ``lr_min`` along half a cosine.

    Parameters
    ----------
    lr0 : float
        Learning rate of epoch 0.
    epoch : int
        Epoch, counted from 0; from ``total`` on the rate stays at ``lr_min``.
    total : int
        Number of epochs :math:`T \ge 1` of the decay.
    lr_min : float
        Final learning rate, :math:`0 \le \eta_{\min} \le \eta_0`.

    Returns
    -------
    lr : float

    Notes
    -----
    .. math::

        \eta_e = \eta_{\min} + \tfrac12 (\eta_0 - \eta_{\min})
            \Bigl(1 + \cos\frac{\pi \min(e, T)}{T}\Bigr)

    (``torch.optim.lr_scheduler.CosineAnnealingLR`` with ``T_max=T`` for
    :math:`e \le T`).

    Examples
    --------
    >>> [round(cosine_annealing(1.0, e, total=4), 4) for e in range(6)]
    [1.0, 0.8536, 0.5, 0.1464, 0.0, 0.0]
    """
    where = "cosine_annealing"
    lr0 = check_float(lr0, "lr0", where, minimum=0.0, min_open=True)
    epoch = check_int(epoch, "epoch", where, 0)
    total = check_int(total, "total", where, 1)
    lr_min = check_float(lr_min, "lr_min", where, minimum=0.0, maximum=lr0)
    e = min(epoch, total)
    return lr_min + 0.5 * (lr0 - lr_min) * (1 + math.cos(math.pi * e / total))


class Schedule:
    r"""Set ``optimizer.lr`` from a function of the epoch.

    Parameters
    ----------
    optimizer : SGD or Adam
        Any object with an ``lr`` attribute.
    fn : callable
        ``fn(epoch) -> lr``, e.g.
        ``functools.partial(step_decay, 0.1, drop=0.5, every=10)``.

    Examples
    --------
    >>> from functools import partial
    >>> from cnnbook.optim import SGD
    >>> opt = SGD(lr=0.1)
    >>> schedule = Schedule(opt, partial(step_decay, 0.1, drop=0.5, every=10))
    >>> schedule.step(25)
    0.025
    >>> opt.lr
    0.025
    """

    def __init__(self, optimizer, fn) -> None:
        if not hasattr(optimizer, "lr"):
            raise TypeError(
                f"Schedule: expected an optimizer with an lr attribute, "
                f"got {type(optimizer).__name__}"
            )
        check_callable(fn, "fn", "Schedule")
        self.optimizer = optimizer
        self.fn = fn

    def step(self, epoch: int) -> float:
        """Set and return the learning rate of ``epoch``."""
        epoch = check_int(epoch, "epoch", "Schedule.step", 0)
        lr = check_float(self.fn(epoch), "fn(epoch)", "Schedule.step", minimum=0.0)
        self.optimizer.lr = lr
        return lr

    def __repr__(self) -> str:
        return f"Schedule({self.optimizer!r}, {getattr(self.fn, '__name__', self.fn)!r})"
