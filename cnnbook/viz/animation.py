"""Offline animations: a slider over precomputed frames that works in static HTML."""
from __future__ import annotations

import base64
import io
import re
import uuid

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import HTML
from matplotlib.animation import DISPLAY_TEMPLATE, JS_INCLUDE, STYLE_INCLUDE
from matplotlib.axes import Axes
from PIL import Image

__all__ = ["offline_animation", "figure_png", "draw_in_order", "draw_without",
           "without_drawn_children"]

# matplotlib's player draws its buttons as font-awesome icons from a CDN stylesheet;
# offline they would be blank, so the player here uses text symbols instead.
_ICONS = {  # characters that common fonts (DejaVu, Liberation, system UI fonts) all have
    "fa fa-fast-backward": "&laquo;", "fa fa-fast-forward": "&raquo;", "fa fa-minus": "&minus;",
    "fa fa-pause": "||", "fa fa-play fa-flip-horizontal": "&#9664;", "fa fa-play": "&#9654;",
    "fa fa-plus": "+", "fa fa-step-backward": "&lsaquo;", "fa fa-step-forward": "&rsaquo;",
}
_MODES = ("once", "loop", "reflect")
_EXTERNAL_LINK = re.compile(r"<link[^>]+href=['\"]https?://[^'\"]+['\"][^>]*>\s*", re.I)


def figure_png(fig, *, draw=True, alpha=True, compress_level=6) -> bytes:
    """The figure's Agg canvas as PNG bytes, at the figure's own dpi.

    ``draw``: draw the figure once first (what ``savefig(format="png")`` gives, without
    savefig's extra draw); ``False`` encodes the canvas as it is (e.g. after blitting).
    ``alpha=False`` drops the alpha channel; ``compress_level`` is zlib's (1 is fastest).
    """
    if draw:
        fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())
    out = io.BytesIO()
    Image.fromarray(pixels if alpha else pixels[..., :3]).save(
        out, format="png", compress_level=compress_level)
    return out.getvalue()


def draw_in_order(fig, artists, renderer):
    """Draw ``artists`` of ``fig`` in the order a full draw would: axes by axes (figure-level
    artists such as the suptitle last), by zorder within one axes (an Axes itself, or its
    background patch, first)."""
    axes = {id(ax): k for k, ax in enumerate(fig.axes)}
    backgrounds = {id(ax.patch): k for k, ax in enumerate(fig.axes)}  # their .axes is None

    def order(a):
        if id(a) in backgrounds:
            return backgrounds[id(a)], -np.inf
        ax = a if isinstance(a, Axes) else a.axes
        return (len(axes), a.get_zorder()) if ax is None else \
            (axes.get(id(ax), len(axes)), -np.inf if a is ax else a.get_zorder())

    for a in sorted(artists, key=order):
        if a.get_visible():
            a.draw(renderer)


def without_drawn_children(artists):
    """``artists`` less those whose Axes is among them too: drawing an Axes draws them."""
    whole = {id(a) for a in artists if isinstance(a, Axes)}
    return [a for a in artists if a.axes is None or a is a.axes or id(a.axes) not in whole]


def draw_without(fig, artists):
    """Draw ``fig`` without ``artists`` (runs its layout engine, if any) and return those
    pixels: the background that blitting restores before drawing ``artists`` on top."""
    for a in artists:
        a.set_animated(True)
    fig.canvas.draw()
    background = fig.canvas.copy_from_bbox(fig.bbox)
    for a in artists:
        a.set_animated(False)
    return background


def offline_animation(fig, draw_frame, frames, *, interval=400, default_mode="once",
                      blit=False):
    r"""A slider over precomputed frames that works in static HTML with no kernel.

    Each frame is drawn once and embedded as a PNG, under the small JavaScript player of
    matplotlib's ``FuncAnimation.to_jshtml`` (slider, play and step buttons). Unlike
    ``to_jshtml``, which draws every frame three times (its frame loop, an idle redraw
    and ``savefig``), this draws each frame once; and its buttons are plain text symbols
    instead of icons from a font-awesome stylesheet on a CDN, so the page loads nothing
    from outside.

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
    default_mode : {"once", "loop", "reflect"}
        What the player does at the last frame.
    blit : bool
        ``True`` when ``draw_frame`` updates the figure in place and returns the artists it
        changed. The figure is then drawn once without them (the background) and each
        frame draws only them on top: the same pixels as a full draw, for a fraction of its
        time. An artist a frame changes for the first time (or creates) joins them, and the
        background is drawn again without it.

    Returns
    -------
    IPython.display.HTML
        Display it as a cell's last expression.
    """
    if default_mode not in _MODES:
        raise ValueError(f"offline_animation: default_mode must be one of {_MODES}, "
                         f"got {default_mode!r}")
    frames = list(frames)
    if not frames:
        raise ValueError("offline_animation: frames is empty; give at least one value")
    pngs, dynamic, background, drawn = [], [], None, {}
    try:
        for value in frames:
            changed = draw_frame(value)
            if not blit:
                pngs.append(base64.b64encode(figure_png(fig)).decode("ascii"))
                continue
            known = {id(a) for a in dynamic}
            new = [a for a in changed if a is not None and id(a) not in known]
            dynamic = [a for a in dynamic + new if a.get_figure() is not None]  # not removed
            if background is None or any(id(a) in drawn for a in new):
                # (again) the figure without them; artists created since it was drawn,
                # such as new outlines, are not in it and need not be left out
                background = draw_without(fig, dynamic)
                drawn = {id(a): a for a in fig.findobj()}  # kept alive: ids stay unique
            else:
                fig.canvas.restore_region(background)
            draw_in_order(fig, without_drawn_children(dynamic), fig.canvas.get_renderer())
            pngs.append(base64.b64encode(figure_png(fig, draw=False)).decode("ascii"))
    finally:
        plt.close(fig)
    return HTML(_player_html(pngs, interval=interval, default_mode=default_mode))


def _player_html(pngs, *, interval, default_mode):
    """matplotlib's to_jshtml player around base64 PNG frames, with text-symbol buttons."""
    fill = "\n" + "".join(f'  frames[{i}] = "data:image/png;base64,{data}"\n'
                          for i, data in enumerate(pngs))
    modes = {f"{m}_checked": ("checked" if m == default_mode else "") for m in _MODES}
    html = JS_INCLUDE + STYLE_INCLUDE + DISPLAY_TEMPLATE.format(
        id=uuid.uuid4().hex, Nframes=len(pngs), fill_frames=fill,
        interval=int(interval), **modes)
    html = _EXTERNAL_LINK.sub("", html)
    for cls, symbol in _ICONS.items():
        html = html.replace(f'<i class="{cls}"></i>', symbol)
    return html
