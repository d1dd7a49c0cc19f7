"""Plotting helpers for the book's figures (matplotlib).

Every function draws on matplotlib axes it creates or is given, labels them (title, axis
labels, colour bar) and returns the figure or axes, so a notebook cell stays one line.
Sections below belong to the chapters that introduced them; functions are shared freely.
"""
from __future__ import annotations

import re

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["offline_animation"]


# --------------------------------------------------------------------------------------
# Static-HTML interactivity
# --------------------------------------------------------------------------------------

_EXTERNAL_LINK = re.compile(r"<link[^>]+href=['\"]https?://[^'\"]+['\"][^>]*>\s*", re.I)
# to_jshtml's buttons are font-awesome icons; offline they would be blank, so use text.
_ICONS = {
    "fa fa-fast-backward": "\u23ee", "fa fa-fast-forward": "\u23ed", "fa fa-minus": "\u2212",
    "fa fa-pause": "\u23f8", "fa fa-play fa-flip-horizontal": "\u25c0", "fa fa-play": "\u25b6",
    "fa fa-plus": "+", "fa fa-step-backward": "\u29cf", "fa fa-step-forward": "\u29d0",
}


def offline_animation(fig, draw_frame, frames, *, interval=400, default_mode="once"):
    r"""A slider over precomputed frames that works in static HTML with no kernel.

    ``matplotlib.animation.FuncAnimation(...).to_jshtml()`` embeds every frame as an image
    plus a small JavaScript player (slider, play/step buttons). Its output links a
    font-awesome stylesheet on a CDN; this helper removes that link so the page loads
    nothing from outside, and replaces the icon font's buttons with plain text symbols.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to animate; it is closed afterwards so it is not also shown statically.
    draw_frame : callable
        ``draw_frame(value)`` redraws ``fig`` for one parameter value.
    frames : sequence
        The parameter values, one frame each (keep it to a few dozen: each is a PNG).
    interval : int
        Milliseconds between frames when playing.

    Returns
    -------
    IPython.display.HTML
        Display it as a cell's last expression.
    """
    from IPython.display import HTML
    from matplotlib.animation import FuncAnimation

    frames = list(frames)
    anim = FuncAnimation(fig, lambda i: draw_frame(frames[i]), frames=len(frames),
                         interval=interval, repeat=False)
    html = anim.to_jshtml(default_mode=default_mode)
    plt.close(fig)
    html = _EXTERNAL_LINK.sub("", html)
    for cls, symbol in _ICONS.items():
        html = html.replace(f'<i class="{cls}"></i>', symbol)
    return HTML(html)
