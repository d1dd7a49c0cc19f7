"""Pooling explorer: forward values and where the backward pass sends the gradient."""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..data import load_digits
from ..pooling import pool_output_size
from ..receptive_field import pool_step_gradients
from ..viz.pooling import draw_pool, pool_cell_artists, update_pool_cell
from ._figure import STYLE, FigureView

__all__ = ["pool_explorer"]


def pool_explorer(fmap=None):
    r"""Pooling explorer: forward values and where the backward pass sends the gradient.

    Parameters
    ----------
    fmap : ndarray, shape (H, W), optional
        Feature map; default the first 8×8 digit of :func:`cnnbook.data.load_digits`.

    Returns
    -------
    ipywidgets.VBox
        ``children = [mode, kernel size, stride, dout choice, row, column, Image]``;
        ``.state["result"]`` is ``(out, dx)`` of the last redraw.
    """
    if fmap is None:
        fmap = load_digits()[0][0, 0]
    fmap = np.asarray(fmap, dtype=np.float64)
    H, W = fmap.shape
    mode = widgets.ToggleButtons(options=["max", "avg"], value="max", description="pooling")
    ksize = widgets.IntSlider(value=2, min=1, max=min(4, H, W), description=r"kernel \(k\)",
                              continuous_update=False, style=STYLE)
    stride = widgets.IntSlider(value=2, min=1, max=4, description=r"stride \(s\)",
                               continuous_update=False, style=STYLE)
    which = widgets.ToggleButtons(options=["one cell", "all ones"], value="one cell",
                                  description=r"\(\delta\)")
    row = widgets.IntSlider(value=0, min=0, max=0, description="output row",
                            continuous_update=False, style=STYLE)
    col = widgets.IntSlider(value=0, min=0, max=0, description="output col",
                            continuous_update=False, style=STYLE)

    def sync_cell_range():
        OH = pool_output_size(H, ksize.value, stride.value)
        OW = pool_output_size(W, ksize.value, stride.value)
        row.max, col.max = OH - 1, OW - 1   # also clamps the values

    view = FigureView(figsize=(11, 3.6))
    drawn = {"key": None}  # (mode, k, s) of the panels on the figure

    def cell():
        return (row.value, col.value) if which.value == "one cell" else None

    def redraw():
        key = (mode.value, ksize.value, stride.value)
        if drawn["key"] != key:  # new forward pass: rebuild the three panels
            view.draw = lambda fig: draw_pool(fig, fmap, kernel_size=key[1], stride=key[2],
                                              mode=key[0], cell=cell())
            out_shape = (pool_output_size(H, key[1], key[2]), pool_output_size(W, key[1], key[2]))
            view.refresh(key=out_shape)  # panel widths follow the output's shape
            drawn["key"] = key
            return
        else:  # only the followed cell moved: update outlines and the gradient panel
            out, dx = pool_step_gradients(fmap, key[1], key[2], key[0], cell())
            ax_in, ax_out, ax_dx = [ax for ax in view.fig.axes if ax.images]
            update_pool_cell(ax_in, ax_out, ax_dx, out.shape, dx, key[1], key[2], cell())
            view.state["result"] = (out, dx)
            view.show_changed(pool_cell_artists(ax_in, ax_out, ax_dx))  # only these redrawn

    busy = {"on": False}

    def on_change(*_):
        if busy["on"]:
            return
        busy["on"] = True
        try:
            sync_cell_range()
        finally:
            busy["on"] = False
        redraw()

    for control in (mode, ksize, stride, which, row, col):
        control.observe(on_change, names="value")
    sync_cell_range()
    redraw()
    box = widgets.VBox([mode, ksize, stride, which, row, col, view.image])
    box.state = view.state
    return box
