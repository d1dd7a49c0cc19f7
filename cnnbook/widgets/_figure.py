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
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

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
        joined by ``" | "``) and ``updates`` (how many times the image was replaced).
    """

    def __init__(self, draw=None, figsize=(8, 3.4), *, dpi=72, layout="constrained"):
        self.fig = Figure(figsize=figsize, dpi=dpi, layout=layout)
        FigureCanvasAgg(self.fig)
        self.draw = draw
        self.image = widgets.Image(format="png")
        self.state = {"result": None, "title": None, "updates": 0}

    def refresh(self, *_):
        """Clear the figure, call ``draw(fig)`` and show the result."""
        self.fig.clear()
        self.state["result"] = self.draw(self.fig)
        self.show()

    def show(self):
        """Render the figure to PNG and put it in the image widget."""
        fig = self.fig
        titles = [fig.get_suptitle()] + [ax.get_title() for ax in fig.axes]
        for sub in fig.subfigs:
            titles += [sub.get_suptitle()] if hasattr(sub, "get_suptitle") else []
        self.state["title"] = " | ".join(t for t in titles if t)
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        self.image.value = buf.getvalue()
        self.state["updates"] += 1
