"""Offline animations: a slider over precomputed frames that works in static HTML."""
from __future__ import annotations

import re

import matplotlib.pyplot as plt
from IPython.display import HTML
from matplotlib.animation import FuncAnimation

__all__ = ["offline_animation"]

_EXTERNAL_LINK = re.compile(r"<link[^>]+href=['\"]https?://[^'\"]+['\"][^>]*>\s*", re.I)
# to_jshtml's buttons are font-awesome icons; offline they would be blank, so use text.
_ICONS = {  # characters that common fonts (DejaVu, Liberation, system UI fonts) all have
    "fa fa-fast-backward": "&laquo;", "fa fa-fast-forward": "&raquo;", "fa fa-minus": "&minus;",
    "fa fa-pause": "||", "fa fa-play fa-flip-horizontal": "&#9664;", "fa fa-play": "&#9654;",
    "fa fa-plus": "+", "fa fa-step-backward": "&lsaquo;", "fa fa-step-forward": "&rsaquo;",
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
    frames = list(frames)
    anim = FuncAnimation(fig, lambda i: draw_frame(frames[i]), frames=len(frames),
                         interval=interval, repeat=False)
    html = anim.to_jshtml(default_mode=default_mode)
    plt.close(fig)
    html = _EXTERNAL_LINK.sub("", html)
    for cls, symbol in _ICONS.items():
        html = html.replace(f'<i class="{cls}"></i>', symbol)
    return HTML(html)
