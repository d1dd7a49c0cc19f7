"""One control builder per kind of setting, so that every explorer shows a stride (a padding,
a learning rate...) the same way: same widget, label, readout and update policy.

Every slider updates on release (``continuous_update=False``: one redraw per move, not one
per tick) and keeps its whole label (``STYLE``).
"""
from __future__ import annotations

import ipywidgets as widgets

__all__ = ["STYLE", "integer", "number", "log_number", "choice", "stride", "padding",
           "dilation", "kernel_size", "learning_rate", "steps"]

#: Widget style that keeps long labels ("learning rate") whole.
STYLE = {"description_width": "initial"}


def integer(description, value, low, high, step=1):
    """An integer slider from ``low`` to ``high``."""
    return widgets.IntSlider(value=int(value), min=low, max=high, step=step,
                             description=description, continuous_update=False, style=STYLE)


def number(description, value, low, high, step, readout=".2f"):
    """A float slider from ``low`` to ``high``."""
    return widgets.FloatSlider(value=float(value), min=low, max=high, step=step,
                               description=description, readout_format=readout,
                               continuous_update=False, style=STYLE)


def log_number(description, value, low_exp, high_exp, step, base=10, readout=".3g"):
    """A float slider on a log scale, from ``base**low_exp`` to ``base**high_exp``; the
    readout shows three significant digits (as the figures' titles do)."""
    return widgets.FloatLogSlider(value=float(value), base=base, min=low_exp, max=high_exp,
                                  step=step, description=description, readout_format=readout,
                                  continuous_update=False, style=STYLE)


def choice(description, options, value=None):
    """A drop-down menu (``options``: values, or ``(label, value)`` pairs)."""
    options = list(options)
    first = options[0][1] if isinstance(options[0], tuple) else options[0]
    return widgets.Dropdown(options=options, value=first if value is None else value,
                            description=description, style=STYLE)


def stride(value=1, high=4):
    return integer(r"stride \(s\)", value, 1, high)


def padding(value=0, high=4):
    return integer(r"padding \(P\)", value, 0, high)


def dilation(value=1, high=4):
    return integer(r"dilation \(d\)", value, 1, high)


def kernel_size(value=3, low=1, high=4):
    return integer(r"kernel \(KH = KW\)", value, low, high)


def learning_rate(value, low_exp=-3, high_exp=0, step=0.05, values=None):
    r"""The learning rate :math:`\eta`: a log slider, or a slider over ``values`` when only
    those are offered (e.g. runs trained in advance)."""
    if values is not None:
        return widgets.SelectionSlider(options=list(values), value=value,
                                       description=r"learning rate \(\eta\)",
                                       continuous_update=False, style=STYLE)
    return log_number(r"learning rate \(\eta\)", value, low_exp, high_exp, step)


def steps(value, low, high, step=1, description=r"steps \(t\)"):
    return integer(description, value, low, high, step)
