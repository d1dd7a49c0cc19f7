"""Pooling explorer: forward values and where the backward pass sends the gradient."""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..data import load_digits
from ..pooling import pool_output_size
from ..viz.pooling import PoolFigure
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
    ksize = widgets.IntSlider(value=2, min=1, max=min(4, H, W), description=r"kernel \(KH = KW\)",
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

    panels = {}

    def cell():
        return (row.value, col.value) if which.value == "one cell" else None

    def build(fig):  # once: the output panel is as wide as the widest output (k = s = 1)
        panels["figure"] = PoolFigure(fig, fmap, kernel_size=ksize.value, stride=stride.value,
                                      mode=mode.value, cell=cell(), out_columns=W)
        panels["figure"].lay_out()  # once: the panels keep their places
        return panels["figure"].result

    view = FigureView(build, figsize=(11, 3.6))

    def redraw():
        figure = panels["figure"]
        changed = figure.set(ksize.value, stride.value, mode.value, cell())
        view.state["result"] = figure.result
        view.show_changed(changed, figure.dynamic_artists())  # only these are redrawn

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
    view.refresh(dynamic=lambda: panels["figure"].dynamic_artists())
    box = widgets.VBox([mode, ksize, stride, which, row, col, view.image])
    box.state = view.state
    return box
