"""The figure area shared by every explorer: a matplotlib figure built once, shown as a PNG.

The figure is a plain :class:`matplotlib.figure.Figure` (not a pyplot figure, so the
notebook never shows it a second time) rendered into an :class:`ipywidgets.Image`. A
control's callback redraws the figure (or updates its artists in place) and calls
:meth:`FigureView.show`, which replaces the image's bytes in one step: no blank output
in between, so the page does not jump.
"""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..viz.animation import draw_in_order, draw_without, figure_png, without_drawn_children

__all__ = ["FigureView", "LIVE_WIDTH"]

#: Widest picture of a live explorer, in pixels (JupyterLab's output area is about 964 px
#: wide): figures are drawn at 96 dpi, or less when that would be wider. The picture is
#: shown at its own size (never stretched, so never blurred); it shrinks to a narrower
#: output area.
LIVE_WIDTH = 960


class FigureView:
    """A figure of ``figsize`` inches at ``dpi``, shown in ``self.image``.

    Parameters
    ----------
    draw : callable, optional
        ``draw(fig) -> result``: draws on the (cleared) figure; :meth:`refresh` calls it and
        keeps its return value in ``state["result"]``.
    figsize : (float, float)
    dpi : float, optional
        Resolution of the PNG; default 96, or less for a figure wider than
        :data:`LIVE_WIDTH` pixels at 96 dpi.
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

    def __init__(self, draw=None, figsize=(8, 3.4), *, dpi=None, layout="constrained"):
        dpi = min(96.0, LIVE_WIDTH / figsize[0]) if dpi is None else dpi
        self.fig = Figure(figsize=figsize, dpi=dpi, layout=layout)
        FigureCanvasAgg(self.fig)
        self.draw = draw
        self.layout = layout
        # at its own size (a column box would stretch it to the output's width), shrinking
        # to a narrower output
        self.image = widgets.Image(format="png", width=round(figsize[0] * dpi),
                                   layout=widgets.Layout(align_self="flex-start",
                                                         max_width="100%", height="auto"))
        self.state = {"result": None, "title": None, "updates": 0, "figure": self.fig,
                      "view": self}
        self._positions = {}  # layout key -> axes positions found by the layout engine
        self._background = None  # pixels without show_changed's dynamic artists
        self._layer = None  # (artists, pixels): the background with these drawn on it
        self._animated = []  # the artists show_changed made animated
        #: True while an explorer draws its offline pictures: show/show_changed send nothing
        self.paused = False
        #: the artists the last show_changed drew (None after a whole-figure show)
        self.last_changed = None

    def refresh(self, draw=None, *, key=None, dynamic=None):
        """Clear the figure, call ``draw(fig)`` (default: the ``draw`` given when the view
        was made) and show the figure; returns ``draw``'s result.

        The layout engine runs once per ``key`` (it costs as much as drawing the figure):
        later drawings with the same key and number of axes get the axes positions the
        engine found then. Pass a key that changes when the panels change shape.

        ``dynamic`` (a callable returning artists): the artists that later
        :meth:`show_changed` steps may change. The figure is then drawn without them, kept
        as the background of those steps, and they are drawn on top: the first step does
        not have to draw the background.
        """
        fig = self.fig
        fig.clear()
        self._reset_blitting()
        positions = self._positions.get(key)
        fig.set_layout_engine("none" if positions else self.layout)
        self.state["result"] = (draw or self.draw)(fig)
        reused = positions and len(fig.axes) == len(positions) and not fig.subfigs
        if reused:
            for ax, pos in zip(fig.axes, positions):
                ax.set_position(pos)
        elif positions:  # other panels than the key's: lay them out (``draw`` may
            fig.set_layout_engine(self.layout)  # have done it and removed the engine)
        if dynamic is None or self.paused:
            self.show()
        else:
            artists = list(dynamic())
            self._draw_background(artists)
            self._draw_on_top([], artists)
        if not reused and self.layout is not None and not fig.subfigs:
            self._positions[key] = [ax.get_position() for ax in fig.axes]
            # In-place updates (show() without refresh) keep this layout: the engine
            # would otherwise run again on every draw.
            fig.set_layout_engine("none")
        return self.state["result"]

    def show(self):
        """Render the figure to PNG and put it in the image widget."""
        self.last_changed = None
        if self.paused:
            return
        self._update_titles()
        self.image.value = self.render()
        self.state["updates"] += 1

    def show_changed(self, changed, dynamic=None):
        """Show the figure after an in-place update that changed only ``changed`` (blitting).

        ``dynamic`` (default ``changed``) lists every artist that in-place updates may
        change, the same ones on every call (artists created since, such as new outlines,
        may join). The first call after a :meth:`refresh` (without ``dynamic``) or a
        :meth:`render` draws the figure once without them and keeps those pixels (the
        background); every call then restores them and draws the artists on top, by
        zorder as a full draw would (include the axes' spines with an image that reaches
        them, so they stay on top of it). The dynamic artists that did not change are drawn
        on the background once and kept for the next steps that change the same artists,
        so a run of steps of one control draws only what that control changes.

        An artist may be a whole :class:`~matplotlib.axes.Axes` (e.g. a panel whose shape
        changes: its image, texts, ticks and title are drawn with it); ``changed`` may
        then also name some of its children: when the Axes itself has not changed, only
        they are drawn again. The figure must not change otherwise (no layout change):
        call :meth:`refresh` for that.
        """
        changed = [a for a in changed if a is not None]
        self.last_changed = changed
        if self.paused:
            return
        dynamic = changed if dynamic is None else [a for a in dynamic if a is not None]
        if self._background is None:
            self.fig.set_layout_engine("none")  # the layout found by refresh() stays
            self._draw_background(dynamic)
        self._draw_on_top(changed, dynamic)

    def _reset_blitting(self):
        for a in self._animated:
            a.set_animated(False)
        self._animated, self._background, self._layer = [], None, None

    def _draw_background(self, dynamic):
        """Draw the figure without ``dynamic`` and keep the pixels."""
        self._reset_blitting()
        self._background = draw_without(self.fig, dynamic)

    def _draw_on_top(self, changed, dynamic):
        """Restore the background, draw the unchanged dynamic artists (or the kept layer of
        them), then ``changed``; put the picture in the image widget."""
        fig, canvas = self.fig, self.fig.canvas
        ids = {id(a) for a in changed}
        rest = [a for a in dynamic if id(a) not in ids]
        changed = without_drawn_children(changed)
        for a in self._animated:
            a.set_animated(False)
        for a in changed:  # an Axes among rest draws all its children but these
            a.set_animated(True)
        self._animated = changed
        renderer = canvas.get_renderer()
        kept = {id(a) for a in self._layer[0]} if self._layer is not None else set()
        if kept and kept <= {id(a) for a in rest}:
            # The kept layer holds the artists the last step left unchanged (that step
            # changed the others): draw only the ones this step leaves unchanged as well.
            canvas.restore_region(self._layer[1])
            more = [a for a in rest if id(a) not in kept]
        else:
            canvas.restore_region(self._background)
            more = rest
        if more:
            draw_in_order(fig, more, renderer)
        if not rest:
            self._layer = None
        elif more or self._layer is None:
            self._layer = (rest, canvas.copy_from_bbox(fig.bbox))
        draw_in_order(fig, changed, renderer)
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
        return figure_png(self.fig, draw=False, alpha=False, compress_level=1)

    def pixels(self, dpi):
        """The whole figure drawn at ``dpi`` (e.g. for the offline pictures), as an RGB
        array; the figure keeps its own dpi."""
        self._reset_blitting()  # a full draw shows every artist (none is left out)
        old = self.fig.get_dpi()
        self.fig.set_dpi(dpi)
        try:
            self.fig.canvas.draw()
            return np.array(self.fig.canvas.buffer_rgba())[..., :3]
        finally:
            self.fig.set_dpi(old)

    def render(self):
        """The figure as PNG bytes: one Agg draw, RGB (no alpha), fast zlib level.

        ``savefig`` would draw the figure twice when a layout engine is set (once to lay
        it out, once to render) and keeps the alpha channel; the pixels are the same.
        """
        self._reset_blitting()  # a full draw shows every artist (none is left out)
        return figure_png(self.fig, alpha=False, compress_level=1)
