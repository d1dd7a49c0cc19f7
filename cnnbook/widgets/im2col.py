"""im2col explorer: pick a column of the unrolled matrix, see the window it holds."""
from __future__ import annotations

from ..viz.unrolled_matrix import (highlight_window, pixel_numbers_table, plot_unrolled_matrix,
                                   unrolled_figsize)
from . import _controls as controls
from ._explorer import Explorer
from ._figure import FigureView

__all__ = ["im2col_explorer"]


def im2col_explorer(x_shape=(1, 1, 4, 4), kernel_size=2, *, stride=1, padding=0, dilation=1,
                    window=0):
    r"""A slider over the columns of :math:`X_{\text{col}}` (:func:`cnnbook.im2col.im2col`).

    The figure of :func:`cnnbook.viz.plot_unrolled_matrix` is built once; each move of the
    slider only moves the outlines (:func:`cnnbook.viz.highlight_window`).

    Returns
    -------
    Explorer
        Setting ``window`` (the column); ``.result`` is the pixel numbers the selected
        window reads (-1 for padding).
    """
    opts = dict(stride=stride, padding=padding, dilation=dilation)
    _, table = pixel_numbers_table(x_shape, kernel_size, **opts)
    view = FigureView(figsize=unrolled_figsize(x_shape, table.shape), layout="constrained")
    plot_unrolled_matrix(x_shape, kernel_size, fig=view.fig, window=window, **opts)
    view.fig.canvas.draw()                   # lay out once, then keep the positions:
    view.fig.set_layout_engine("none")       # moving outlines needs no new layout
    columns = table.shape[1]
    settings = {"window": controls.integer(r"column (window)", window, 0, columns - 1)}
    settings["window"].continuous_update = True  # moving outlines is cheap

    def update(window):
        result = highlight_window(view.fig, window)
        view.show()
        return result

    return Explorer("im2col_explorer", settings, view, update,
                    offline={"window": list(range(columns))})
