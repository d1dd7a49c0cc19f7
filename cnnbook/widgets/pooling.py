"""Pooling explorer: forward values and where the backward pass sends the gradient."""
from __future__ import annotations

import numpy as np

from ..data import load_digits
from ..pooling import pool_output_size
from ..viz.pooling import PoolFigure
from . import _controls as controls
from ._explorer import Explorer
from ._figure import FigureView

__all__ = ["pool_explorer"]


def pool_explorer(fmap=None):
    r"""Pooling explorer: forward values and where the backward pass sends the gradient.

    Parameters
    ----------
    fmap : ndarray, shape (H, W), optional
        Feature map; default the first 8×8 digit of :func:`cnnbook.data.load_digits`.

    Returns
    -------
    Explorer
        Settings ``mode, kernel_size, stride, delta`` ("one cell" or "all ones"), ``row,
        col`` (the output cell; their ranges follow the output size); ``.result`` is
        ``(out, dx)``.
    """
    if fmap is None:
        fmap = load_digits()[0][0, 0]
    fmap = np.asarray(fmap, dtype=np.float64)
    H, W = fmap.shape
    settings = {
        "mode": controls.choice("pooling", ["max", "avg"], "max"),
        "kernel_size": controls.kernel_size(2, high=min(4, H, W)),
        "stride": controls.stride(2, high=4),
        "delta": controls.choice(r"\(\delta\)", ["one cell", "all ones"], "one cell"),
        "row": controls.integer("output row", 0, 0, 0),
        "col": controls.integer("output col", 0, 0, 0),
    }

    def constrain():  # the cell sliders follow the output size (clamping their values)
        k, s = settings["kernel_size"].value, settings["stride"].value
        settings["row"].max = pool_output_size(H, k, s) - 1
        settings["col"].max = pool_output_size(W, k, s) - 1

    def options(mode, kernel_size, stride, delta, row, col):
        return dict(mode=mode, kernel_size=kernel_size, stride=stride,
                    cell=(row, col) if delta == "one cell" else None)

    constrain()
    view = FigureView(figsize=(9, 3.9))
    # built once: the output panel is as wide as the widest output (k = s = 1)
    figure = PoolFigure(view.fig, fmap, out_columns=W,
                        **options(**{k: c.value for k, c in settings.items()}))
    figure.lay_out()  # once: the panels keep their places

    def update(**s):
        changed = figure.set(**options(**s))
        view.show_changed(changed, figure.dynamic_artists())  # only these are redrawn
        return figure.result

    return Explorer("pool_explorer", settings, view, update, constrain=constrain,
                    offline={"mode": ["max", "avg"], "kernel_size": [2, 3],
                             "stride": [1, 2, 3], "delta": ["one cell", "all ones"]})
