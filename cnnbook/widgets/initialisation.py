"""Initialisation explorer: the scale of the initial weights against the signal scale by depth."""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..signal_propagation import block_stack, signal_profile
from ..viz.depth_profiles import plot_depth_profiles, update_depth_profiles
from ._figure import STYLE, FigureView

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
    ipywidgets.VBox
        Children: a ``FloatLogSlider`` (gain), a ``Dropdown`` (activation), the ``Image``.
        ``box.result`` holds the last ``SignalProfile``.
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, width))
    dout = rng.normal(size=(batch, width))

    def profile(g, act):
        stack = block_stack(depth, width, activation=act, init=init, gain=g,
                            rng=np.random.default_rng(seed + 1))
        return signal_profile(stack, x, dout)

    slider = widgets.FloatLogSlider(value=float(gain), base=2, min=-2, max=2, step=0.125,
                                    description=r"gain on the weights", readout_format=".3g",
                                    continuous_update=False, style=STYLE)
    act_box = widgets.Dropdown(options=["relu", "tanh", "sigmoid"], value=activation,
                               description="activation", style=STYLE)
    view = FigureView(figsize=(9, 3.4), layout=None)
    reference = "reference (gain 1)"
    styles = {reference: dict(color="0.6", ls="--", marker=None)}

    def title():
        return (f"{depth} blocks of Dense({width}) + {act_box.value}, "
                f"{init} init x {slider.value:.3g}")

    box = widgets.VBox([slider, act_box, view.image])
    box.state = view.state
    # the reference line is recomputed only when the activation changes
    cache = {"act": act_box.value, "reference": profile(1.0, act_box.value)}
    plot_depth_profiles({"gain": cache["reference"], reference: cache["reference"]},
                        fig=view.fig, styles=styles)

    def update(_change=None):
        if cache["act"] != act_box.value:
            cache.update(act=act_box.value, reference=profile(1.0, act_box.value))
        current = profile(slider.value, act_box.value)
        box.result = current
        update_depth_profiles(view.fig, {f"gain {slider.value:.3g}": current,
                                         reference: cache["reference"]}, title=title())
        view.show()

    for control in (slider, act_box):
        control.observe(update, names="value")
    update()
    return box
