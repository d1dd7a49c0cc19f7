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
from matplotlib.patches import Rectangle

from ..im2col import im2col
from .heatmaps import show_array

__all__ = ["pixel_numbers_table", "unrolled_figsize", "plot_unrolled_matrix",
           "highlight_window"]


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


def unrolled_figsize(x_shape, table_shape):
    """Figure size (inches) that gives the cells of :func:`plot_unrolled_matrix` room."""
    N, C, H, W = x_shape
    rows = max(table_shape[0], N * C * H)
    return (min(2.0 + 0.5 * (W + table_shape[1]), 12), 0.5 * rows + 1.8)


def plot_unrolled_matrix(x_shape, kernel_size, *, stride=1, padding=0, dilation=1, fig=None,
                         window=None):
    r"""Input pixels (numbered, one colour each) beside the im2col matrix built from them.

    Parameters
    ----------
    x_shape : tuple (N, C, H, W)
        Keep it tiny: every entry is written in its cell.
    kernel_size, stride, padding, dilation : int or (int, int)
        As in :func:`cnnbook.im2col.im2col`.
    fig : matplotlib.figure.Figure, optional
    window : int, optional
        Outline column ``window`` of the matrix and the input pixels it reads
        (:func:`highlight_window` moves the outline).

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
        fig = plt.figure(figsize=unrolled_figsize(x_shape, table.shape), dpi=80,
                         layout="constrained")
    ax_in, ax_col = fig.subplots(1, 2, width_ratios=[W, table.shape[1]])
    n = numbers.size
    style = dict(cmap=_pixel_cmap(n), vmin=-1.5, vmax=n - 0.5, fmt=_label, colorbar=False,
                 fontsize=8)
    show_array(ax_in, numbers.reshape(N * C * H, W), "input $x$: pixel numbers", **style)
    show_array(ax_col, table, r"$X_{\mathrm{col}}$: pixel read by each entry", **style,
               xlabel=r"column = window $(n, i, j)$", ylabel=r"row = tap $(c, p, q)$")
    for ax in (ax_in, ax_col):
        ax.tick_params(labelsize=9)  # row and column numbers as large as the cells' labels
    if N * C > 1:
        ax_in.set_ylabel(r"row $((n\,C + c)\,H + h)$")
    fig.table = table
    fig.x_shape = tuple(x_shape)
    if window is not None:
        outline = dict(fill=False, lw=2.5, ec="black")
        fig.window_taps = [ax_in.add_patch(Rectangle((0, 0), 1, 1, **outline))
                           for _ in range(table.shape[0])]
        fig.window_column = ax_col.add_patch(
            Rectangle((-0.5, -0.5), 1, table.shape[0], **outline))
        highlight_window(fig, window)
    return fig


def highlight_window(fig, window):
    r"""Move the outlines of :func:`plot_unrolled_matrix` (drawn with ``window=``) to column
    ``window`` and to the input pixels its entries read (padding taps have no outline).

    Returns
    -------
    pixels : ndarray of int
        The pixel number each tap of that window reads (-1 for padding).
    """
    table = fig.table
    if not 0 <= window < table.shape[1]:
        raise ValueError(f"highlight_window: expected a column in [0, {table.shape[1] - 1}], "
                         f"got {window}")
    N, C, H, W = fig.x_shape
    pixels = table[:, window].astype(int)
    for rect, pixel in zip(fig.window_taps, pixels):
        rect.set_visible(bool(pixel >= 0))
        if pixel >= 0:
            row, col = divmod(int(pixel), W)                  # row of the stacked N*C*H image
            rect.set_xy((col - 0.5, row - 0.5))
    fig.window_column.set_x(window - 0.5)
    fig.axes[1].set_title(rf"$X_{{\mathrm{{col}}}}$: column {window} = one window", y=1.0)
    return pixels
