"""Initialisation explorer: the scale of the initial weights against the signal scale by depth."""
from __future__ import annotations

import numpy as np

from ..signal_propagation import block_stack, signal_profile
from ..viz.depth_profiles import plot_depth_profiles, update_depth_profiles
from . import _controls as controls
from ._explorer import Explorer
from ._figure import FigureView

__all__ = ["init_gain_explorer"]


def init_gain_explorer(*, gain=1.0, activation="relu", init="he", depth=30, width=128,
                       batch=128, seed=0):
    r"""A slider for the factor ``gain`` on the initial weights of a deep stack.

    Each change builds :func:`cnnbook.signal_propagation.block_stack` (``depth`` blocks of
    a ``width``-wide :class:`~cnnbook.dense.Dense` layer and ``activation``, weights from
    ``init`` times ``gain``, always from the same ``seed``), runs
    :func:`cnnbook.signal_propagation.signal_profile` on a fixed batch and a fixed upstream
    gradient, and moves the lines of :func:`cnnbook.viz.plot_depth_profiles` (the figure
    is built once). The dashed line is the same stack at ``gain = 1``.

    Returns
    -------
    Explorer
        Settings ``gain`` (log slider, base 2) and ``activation``; ``.result`` is the last
        ``SignalProfile``.
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, width))
    dout = rng.normal(size=(batch, width))

    def profile(g, act):
        stack = block_stack(depth, width, activation=act, init=init, gain=g,
                            rng=np.random.default_rng(seed + 1))
        return signal_profile(stack, x, dout)

    settings = {
        "gain": controls.log_number("gain on the weights", gain, -2, 2, 0.125, base=2),
        "activation": controls.choice("activation", ["relu", "tanh", "sigmoid"], activation),
    }
    view = FigureView(figsize=(9, 3.4), layout=None)
    reference = "reference (gain 1)"
    styles = {reference: dict(color="0.6", ls="--", marker=None)}
    references = {}  # activation -> the profile at gain 1

    def reference_of(act):
        if act not in references:
            references[act] = profile(1.0, act)
        return references[act]

    first = reference_of(activation)
    plot_depth_profiles({"gain": first, reference: first}, fig=view.fig, styles=styles)

    def update(gain, activation):
        current = profile(gain, activation)
        update_depth_profiles(view.fig, {f"gain {gain:.3g}": current,
                                         reference: reference_of(activation)},
                              title=f"{depth} blocks of Dense({width}) + {activation}, "
                                    f"{init} init x {gain:.3g}")
        view.show()
        return current

    return Explorer("init_gain_explorer", settings, view, update,
                    offline={"gain": [2.0 ** k for k in np.arange(-2, 2.01, 0.5)],
                             "activation": ["relu", "tanh", "sigmoid"]})
