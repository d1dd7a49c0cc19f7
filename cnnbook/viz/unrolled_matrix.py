r"""The im2col matrix drawn as a map of which input pixel each entry reads.

The input's pixels are numbered 0, 1, ... in NCHW order and given one colour each; the
matrix :math:`X_{\text{col}}` of :func:`cnnbook.im2col.im2col` is drawn with the number
(and colour) of the pixel each entry copies, and "pad" where it reads zero padding. A
pixel read by several windows shows up in several columns: the overlap that ``col2im``
adds back.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

from ..im2col import im2col
from .heatmaps import show_array

__all__ = ["pixel_numbers_table", "plot_unrolled_matrix"]


def pixel_numbers_table(x_shape, kernel_size, *, stride=1, padding=0, dilation=1):
    r"""The im2col matrix of the pixel numbers: entry = number of the pixel read, -1 = padding.

    Computed with :func:`cnnbook.im2col.im2col` itself, applied to the input whose
    pixels hold their own number plus one (so the zero padding becomes -1).

    Returns
    -------
    numbers : ndarray, shape x_shape
        ``0, 1, ...`` in NCHW order.
    table : ndarray, shape (C*KH*KW, N*OH*OW)
    """
    numbers = np.arange(int(np.prod(x_shape)), dtype=np.float64).reshape(x_shape)
    table = im2col(numbers + 1, kernel_size, stride=stride, padding=padding,
                   dilation=dilation) - 1
    return numbers, table


def _pixel_cmap(n_pixels):
    base = plt.get_cmap("tab20").colors
    colours = ["#e6e6e6"] + [base[k % len(base)] for k in range(n_pixels)]  # grey = padding
    return ListedColormap(colours)


def _label(v):
    return "pad" if v < 0 else f"{v:.0f}"


def plot_unrolled_matrix(x_shape, kernel_size, *, stride=1, padding=0, dilation=1, fig=None):
    r"""Input pixels (numbered, one colour each) beside the im2col matrix built from them.

    Parameters
    ----------
    x_shape : tuple (N, C, H, W)
        Keep it tiny: every entry is written in its cell.
    kernel_size, stride, padding, dilation : int or (int, int)
        As in :func:`cnnbook.im2col.im2col`.
    fig : matplotlib.figure.Figure, optional

    Returns
    -------
    fig : matplotlib.figure.Figure
        ``fig.axes[0]`` shows the pixel numbers (the ``N*C`` images stacked vertically),
        ``fig.axes[1]`` the table of :func:`pixel_numbers_table`; ``fig.table`` holds it.
    """
    numbers, table = pixel_numbers_table(x_shape, kernel_size, stride=stride,
                                         padding=padding, dilation=dilation)
    N, C, H, W = x_shape
    if fig is None:
        rows = max(table.shape[0], N * C * H)
        fig = plt.figure(figsize=(min(2.0 + 0.5 * (W + table.shape[1]), 12), 0.5 * rows + 1.8),
                         dpi=80, layout="constrained")
    ax_in, ax_col = fig.subplots(1, 2, width_ratios=[W, table.shape[1]])
    n = numbers.size
    style = dict(cmap=_pixel_cmap(n), vmin=-1.5, vmax=n - 0.5, fmt=_label, colorbar=False,
                 fontsize=8)
    show_array(ax_in, numbers.reshape(N * C * H, W), "input $x$: pixel numbers", **style)
    show_array(ax_col, table, r"$X_{\mathrm{col}}$: pixel read by each entry", **style,
               xlabel=r"column = window $(n, i, j)$", ylabel=r"row = tap $(c, p, q)$")
    if N * C > 1:
        ax_in.set_ylabel(r"row $((n\,C + c)\,H + h)$")
    fig.table = table
    return fig
