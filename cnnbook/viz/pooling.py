"""Pooling figures: the forward values and where the backward pass sends the gradient.

Values come from :func:`cnnbook.receptive_field.pool_step_gradients`; these functions
only draw. :func:`draw_pool` builds the three panels; :func:`update_pool_cell` redraws only
what depends on the chosen output cell.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from ..pooling import pool_output_size
from ..receptive_field import pool_step_gradients
from .animation import offline_animation
from .heatmaps import annotate_grid, label_image_axes

__all__ = ["draw_pool", "update_pool_cell", "pool_cell_artists", "show_pool",
           "pool_animation"]


def _outline_window(ax, i, j, kernel_size, stride, color, lw=2.0, ls="-"):
    ax.add_patch(Rectangle((stride * j - 0.5, stride * i - 0.5), kernel_size,
                               kernel_size, fill=False, ec=color, lw=lw, ls=ls))


def draw_pool(fig, fmap, *, kernel_size=2, stride=None, mode="max", cell=(0, 0),
              fmt="{:.2f}"):
    r"""Draw a pooling forward pass and where its backward pass sends the gradient.

    Three panels on ``fig`` (cleared first): the input feature map with its values, the
    pooled output, and :math:`\partial L/\partial x` for an upstream gradient that is 1 at
    output ``cell`` and 0 elsewhere (``cell=None``: 1 everywhere, ``dout = ones``). Max
    pooling sends each window's gradient to its maximum (the first one, in row-major
    order, on ties); average pooling spreads it as :math:`1/k^2` over the window. Where
    windows overlap the contributions add up.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    fmap : ndarray, shape (H, W)
    kernel_size : int
    stride : int, optional
        Defaults to ``kernel_size``.
    mode : {"max", "avg"}
    cell : (int, int) or None
        Output cell whose gradient is followed; ``None`` for ``dout = ones``.
    fmt : str
        Number format of the annotations.

    Returns
    -------
    out : ndarray, shape (OH, OW)
    dx : ndarray, shape (H, W)
    """
    fmap = np.asarray(fmap, dtype=np.float64)
    stride = kernel_size if stride is None else stride
    out, dx = pool_step_gradients(fmap, kernel_size, stride, mode, cell)
    OH, OW = out.shape

    fig.clear()
    ax_in, ax_out, ax_dx = fig.subplots(
        1, 3, gridspec_kw=dict(width_ratios=[fmap.shape[1], max(OW, 4) + 2, fmap.shape[1] + 2]))
    vmin, vmax = float(min(fmap.min(), out.min())), float(max(fmap.max(), out.max()))
    for ax, values, title in ((ax_in, fmap, f"input $x$, {fmap.shape[0]}×{fmap.shape[1]}"),
                              (ax_out, out, f"{mode} pool output $y$, {OH}×{OW}")):
        shown = ax.imshow(values, cmap="viridis", vmin=vmin, vmax=vmax)
        annotate_grid(ax, values, fmt=fmt, fontsize=7 if values.shape[1] <= 8 else 5)
        ax.set_title(title, fontsize=9)
        label_image_axes(ax, shape=values.shape)
    fig.colorbar(shown, ax=ax_out, shrink=0.7, label="value (scale shared with $x$)")
    shown = ax_dx.imshow(dx, cmap="Reds", vmin=0, vmax=1)
    label_image_axes(ax_dx, shape=dx.shape)
    fig.colorbar(shown, ax=ax_dx, shrink=0.7, label="gradient")
    fig.suptitle(f"{mode} pooling, kernel {kernel_size}×{kernel_size}, stride {stride}",
                 fontsize=10)
    update_pool_cell(ax_in, ax_out, ax_dx, out.shape, dx, kernel_size, stride, cell)
    return out, dx


def pool_cell_artists(ax_in, ax_out, ax_dx):
    """The artists :func:`update_pool_cell` changes, in drawing order (for blitting): the
    gradient heatmap, its spines, cell texts, title and colour bar, and the outlines (with
    the spines of their axes, drawn over them)."""
    shown = ax_dx.images[0]
    cbar = shown.colorbar.ax if shown.colorbar is not None else None
    return ([shown, *ax_dx.spines.values(), *ax_dx.texts, ax_dx.title, cbar]
            + [a for ax in (ax_in, ax_out) for a in (*ax.patches, *ax.spines.values())])


def update_pool_cell(ax_in, ax_out, ax_dx, out_shape, dx, kernel_size, stride, cell):
    """Redraw only what depends on the chosen cell: outlines, the gradient panel, its title."""
    for ax in (ax_in, ax_out):
        for patch in list(ax.patches):
            patch.remove()
    for text in list(ax_dx.texts):
        text.remove()
    if cell is not None:
        _outline_window(ax_in, cell[0], cell[1], kernel_size, stride, "C3", lw=2.5)
        _outline_window(ax_out, cell[0], cell[1], 1, 1, "C3", lw=2.5)
    else:
        for i in range(out_shape[0]):
            for j in range(out_shape[1]):
                _outline_window(ax_in, i, j, kernel_size, stride, "C3", lw=0.8, ls="--")
    shown = ax_dx.images[0]
    shown.set_data(dx)
    shown.set_clim(0, max(float(dx.max()), 1e-12))
    annotate_grid(ax_dx, dx, fmt="{:.3g}", fontsize=7, skip_zero=True, image=shown)
    which = f"$\\delta$ = 1 at cell {tuple(cell)}" if cell is not None else "$\\delta$ = ones"
    ax_dx.set_title(f"$\\partial L/\\partial x$ for {which}\nsum = {dx.sum():.3g}",
                    fontsize=9)


def show_pool(fmap, *, kernel_size=2, stride=None, mode="max", cell=(0, 0),
              figsize=(11, 3.6)):
    """New figure with :func:`draw_pool`; returns the figure."""
    fig = plt.figure(figsize=figsize, constrained_layout=True)
    draw_pool(fig, fmap, kernel_size=kernel_size, stride=stride, mode=mode, cell=cell)
    return fig


def pool_animation(fmap, *, kernel_size=2, stride=None, mode="max", figsize=(11, 3.6),
                   dpi=72):
    r"""Static-HTML slider stepping through the output cells of a pooling layer.

    Each frame is :func:`draw_pool` for one output cell (row by row); the last frame is
    ``dout = ones``, where the contributions of overlapping windows add up.

    Returns
    -------
    IPython.display.HTML
    """
    stride = kernel_size if stride is None else stride
    OH = pool_output_size(fmap.shape[0], kernel_size, stride)
    OW = pool_output_size(fmap.shape[1], kernel_size, stride)
    cells = [(i, j) for i in range(OH) for j in range(OW)] + [None]
    fmap = np.asarray(fmap, dtype=np.float64)
    fig = plt.figure(figsize=figsize, dpi=dpi, constrained_layout=True)
    draw_pool(fig, fmap, kernel_size=kernel_size, stride=stride, mode=mode, cell=cells[0])
    fig.canvas.draw()                 # lay out once, then only the cell-dependent parts change
    fig.set_layout_engine("none")
    ax_in, ax_out, ax_dx = [ax for ax in fig.axes if ax.images]

    def draw(cell):
        out, dx = pool_step_gradients(fmap, kernel_size, stride, mode, cell)
        update_pool_cell(ax_in, ax_out, ax_dx, out.shape, dx, kernel_size, stride, cell)

    return offline_animation(fig, draw, cells)
