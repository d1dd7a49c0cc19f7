"""The figure area shared by every explorer: a matplotlib figure built once, shown as a PNG.

The figure is a plain :class:`matplotlib.figure.Figure` (not a pyplot figure, so the
notebook never shows it a second time) rendered into an :class:`ipywidgets.Image`. A
control's callback redraws the figure (or updates its artists in place) and calls
:meth:`FigureView.show`, which replaces the image's bytes in one step: no blank output
in between, so the page does not jump.
"""
from __future__ import annotations

import io

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

__all__ = ["FigureView", "STYLE"]

#: Widget style that keeps long labels ("learning rate") whole.
STYLE = {"description_width": "initial"}


class FigureView:
    """A figure of ``figsize`` inches at ``dpi``, shown in ``self.image``.

    Parameters
    ----------
    draw : callable, optional
        ``draw(fig) -> result``: draws on the (cleared) figure; :meth:`refresh` calls it and
        keeps its return value in ``state["result"]``.
    figsize : (float, float)
    dpi : int
        Resolution of the PNG (72: the figure's size in inches times 72 pixels).
    layout : str or None
        Matplotlib layout engine (``"constrained"``, ``"tight"`` or ``None``).

    Attributes
    ----------
    fig : matplotlib.figure.Figure
    image : ipywidgets.Image
    state : dict
        ``result`` (of the last ``draw``), ``title`` (every non-empty title of the figure,
        joined by ``" | "``), ``updates`` (how many times the image was replaced) and
        ``figure`` (``fig``, to read the drawn artists) and ``view`` (this object).
    """

    def __init__(self, draw=None, figsize=(8, 3.4), *, dpi=72, layout="constrained"):
        self.fig = Figure(figsize=figsize, dpi=dpi, layout=layout)
        FigureCanvasAgg(self.fig)
        self.draw = draw
        self.layout = layout
        self.image = widgets.Image(format="png")
        self.state = {"result": None, "title": None, "updates": 0, "figure": self.fig,
                      "view": self}
        self._positions = {}  # layout key -> axes positions found by the layout engine
        self._background = None  # pixels without show_changed's artists
        self._animated = []  # the artists show_changed made animated

    def refresh(self, *_, key=None):
        """Clear the figure, call ``draw(fig)`` and show the result.

        The layout engine runs once per ``key`` (it costs as much as drawing the figure):
        later drawings with the same key and number of axes get the axes positions the
        engine found then. Pass a key that changes when the panels change shape.
        """
        fig = self.fig
        fig.clear()
        self._background, self._animated = None, []
        positions = self._positions.get(key)
        fig.set_layout_engine("none" if positions else self.layout)
        self.state["result"] = self.draw(fig)
        if positions and len(fig.axes) == len(positions) and not fig.subfigs:
            for ax, pos in zip(fig.axes, positions):
                ax.set_position(pos)
            self.show()
            return
        fig.set_layout_engine(self.layout)
        self.show()
        if self.layout is not None and not fig.subfigs:
            self._positions[key] = [ax.get_position() for ax in fig.axes]
            # In-place updates (show() without refresh) keep this layout: the engine
            # would otherwise run again on every draw.
            fig.set_layout_engine("none")

    def explorer(self, controls):
        """Redraw on every change of ``controls``, draw once, and return the explorer:
        a VBox of the controls above the image, with ``box.state`` = :attr:`state`."""
        for control in controls:
            control.observe(self.refresh, names="value")
        self.refresh()
        box = widgets.VBox([*controls, self.image])
        box.state = self.state
        return box

    def show(self):
        """Render the figure to PNG and put it in the image widget."""
        self._update_titles()
        self.image.value = self.render()
        self.state["updates"] += 1

    def show_changed(self, artists):
        """Show the figure after an in-place update that changed only ``artists`` (blitting).

        The first call after a :meth:`refresh` draws the figure once without ``artists``
        (they are made animated) and keeps those pixels; every call then restores them
        and draws only ``artists`` on top, by zorder as a full draw would (include the
        axes' spines with an image that reaches them, so they stay on top of it).
        Artists created later (new outlines) are made animated here too. The figure must
        not change otherwise (no layout change): call :meth:`refresh` for that.
        """
        fig, canvas = self.fig, self.fig.canvas
        artists = [a for a in artists if a is not None]
        for a in artists:
            a.set_animated(True)
        self._animated += artists
        if self._background is None:
            fig.set_layout_engine("none")  # the layout found by refresh() stays
            canvas.draw()
            self._background = canvas.copy_from_bbox(fig.bbox)
        else:
            canvas.restore_region(self._background)
        renderer = canvas.get_renderer()
        for a in sorted(artists, key=lambda a: a.get_zorder()):  # as Axes.draw orders them
            if a.get_visible():
                a.draw(renderer)
        self._update_titles()
        self.image.value = self._encode()
        self.state["updates"] += 1

    def _update_titles(self):
        fig = self.fig
        titles = [fig.get_suptitle()] + [ax.get_title() for ax in fig.axes]
        for sub in fig.subfigs:
            titles += [sub.get_suptitle()] if hasattr(sub, "get_suptitle") else []
        self.state["title"] = " | ".join(t for t in titles if t)

    def _encode(self):
        rgb = np.asarray(self.fig.canvas.buffer_rgba())[..., :3]
        buf = io.BytesIO()
        Image.fromarray(rgb).save(buf, format="png", compress_level=1)
        return buf.getvalue()

    def render(self):
        """The figure as PNG bytes: one Agg draw, RGB (no alpha), fast zlib level.

        ``savefig`` would draw the figure twice when a layout engine is set (once to lay
        it out, once to render) and keeps the alpha channel; the pixels are the same.
        """
        for a in self._animated:  # a full draw shows every artist (none is left out)
            a.set_animated(False)
        self._animated = []
        self._background = None
        self.fig.canvas.draw()
        return self._encode()
