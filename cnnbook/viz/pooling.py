"""Pooling figures: the forward values and where the backward pass sends the gradient.

Values come from :func:`cnnbook.receptive_field.pool_step_gradients`; these functions
only draw. :class:`PoolFigure` builds the three panels once and redraws them in place for
other settings (:func:`draw_pool` draws it once); :func:`update_pool_cell` redraws only what
depends on the chosen output cell.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from ..pooling import pool_output_size
from ..receptive_field import pool_step_gradients
from .animation import offline_animation
from .heatmaps import annotate_grid, fix_layout, label_image_axes, set_grid_values, set_image

__all__ = ["PoolFigure", "draw_pool", "update_pool_cell", "pool_cell_artists", "show_pool",
           "pool_animation"]


def _outline_window(ax, i, j, kernel_size, stride, color, lw=2.0, ls="-"):
    ax.add_patch(Rectangle((stride * j - 0.5, stride * i - 0.5), kernel_size,
                               kernel_size, fill=False, ec=color, lw=lw, ls=ls))


def _annotation_size(values):
    return 8 if values.shape[1] <= 8 else 6


class PoolFigure:
    r"""The three panels of :func:`draw_pool`, built once on ``fig``; :meth:`set` redraws
    them in place for any mode, kernel size, stride and cell.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        Cleared first.
    fmap : ndarray, shape (H, W)
    out_columns : int, optional
        Width of the output panel, in cells (at least 4): by default the first output's
        width. An explorer passes the widest output it can show, so the panels keep their
        places whatever the output's shape.
    fmt : str
        Number format of the input and output annotations.

    Attributes
    ----------
    ax_in, ax_out, ax_dx : matplotlib.axes.Axes
    result : (out, dx) of the last :meth:`set`
    """

    def __init__(self, fig, fmap, *, kernel_size=2, stride=None, mode="max", cell=(0, 0),
                 out_columns=None, fmt="{:.2f}"):
        self.fmap = fmap = np.asarray(fmap, dtype=np.float64)
        self.fmt = fmt
        self.setting = None
        stride = kernel_size if stride is None else stride
        out, dx = pool_step_gradients(fmap, kernel_size, stride, mode, cell)
        H, W = fmap.shape
        width = out.shape[1] if out_columns is None else out_columns
        fig.clear()
        self.fig = fig
        self.ax_in, self.ax_out, self.ax_dx = ax_in, ax_out, ax_dx = fig.subplots(
            1, 3, gridspec_kw=dict(width_ratios=[W + 3, max(width, 4) + 2, W + 2]))
        # Output values lie within the input's range (a maximum or a mean of inputs).
        vmin, vmax = float(fmap.min()), float(fmap.max())
        ax_in.imshow(fmap, cmap="viridis", vmin=vmin, vmax=vmax)
        annotate_grid(ax_in, fmap, fmt=fmt, fontsize=_annotation_size(fmap))
        ax_in.set_title(f"input $x$, {H}×{W}", fontsize=9)
        label_image_axes(ax_in, shape=fmap.shape)
        self.out_image = ax_out.imshow(out, cmap="viridis", vmin=vmin, vmax=vmax)
        fig.colorbar(self.out_image, ax=ax_out, shrink=0.7,
                     label="value (scale shared with $x$)")
        shown = ax_dx.imshow(dx, cmap="Reds", vmin=0, vmax=1)
        label_image_axes(ax_dx, shape=dx.shape)
        fig.colorbar(shown, ax=ax_dx, shrink=0.7, label="gradient")
        self.suptitle = fig.suptitle("", fontsize=10)
        self.set(kernel_size=kernel_size, stride=stride, mode=mode, cell=cell)

    def set(self, *, kernel_size=2, stride=None, mode="max", cell=(0, 0)):
        """Show the pooling with these settings; returns the artists that changed (all
        of them are in :meth:`dynamic_artists`, the output panel as a whole axes)."""
        stride = kernel_size if stride is None else stride
        fmap, ax_out = self.fmap, self.ax_out
        out, dx = self.result = pool_step_gradients(fmap, kernel_size, stride, mode, cell)
        setting = (kernel_size, stride, mode)
        reshaped = setting != self.setting
        if reshaped:
            OH, OW = out.shape
            set_image(self.out_image, out)
            for text in list(ax_out.texts):
                text.remove()
            annotate_grid(ax_out, out, fmt=self.fmt, fontsize=_annotation_size(out),
                          image=self.out_image)
            ax_out.set_title(f"{mode} pool output $y$, {OH}×{OW}", fontsize=9)
            label_image_axes(ax_out, shape=out.shape)
            self.suptitle.set_text(f"{mode} pooling, kernel {kernel_size}×{kernel_size}, "
                                   f"stride {stride}")
        self.setting = setting
        update_pool_cell(self.ax_in, ax_out, self.ax_dx, out.shape, dx, kernel_size, stride,
                         cell)
        changed = pool_cell_artists(self.ax_in, ax_out, self.ax_dx, with_output=not reshaped)
        return changed + [ax_out, self.suptitle] if reshaped else changed

    def lay_out(self):
        """Lay the figure out once (see :func:`fix_layout`), with room for gradient colour-bar
        labels as wide as "0.15" (its range follows the gradient)."""
        fix_layout(self.fig, [(self.ax_dx.images[0], (0, 0.15))])

    def dynamic_artists(self):
        """Every artist :meth:`set` may change (for
        :meth:`cnnbook.widgets.FigureView.show_changed`)."""
        return (pool_cell_artists(self.ax_in, self.ax_out, self.ax_dx, with_output=False)
                + [self.ax_out, self.suptitle])


def draw_pool(fig, fmap, *, kernel_size=2, stride=None, mode="max", cell=(0, 0),
              fmt="{:.2f}"):
    r"""Draw a pooling forward pass and where its backward pass sends the gradient.

    Three panels on ``fig`` (cleared first): the input feature map with its values, the
    pooled output, and :math:`\partial L/\partial x` for an upstream gradient that is 1 at
    output ``cell`` and 0 elsewhere (``cell=None``: 1 everywhere, ``dout = ones``). Max
    pooling sends each window's gradient to its maximum (the first one, in row-major
    order, on ties); average pooling spreads it as :math:`1/k^2` over the window. Where
    windows overlap the contributions add up. (:class:`PoolFigure` keeps the panels to
    redraw them in place.)

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
    return PoolFigure(fig, fmap, kernel_size=kernel_size, stride=stride, mode=mode,
                      cell=cell, fmt=fmt).result


def pool_cell_artists(ax_in, ax_out, ax_dx, with_output=True):
    """The artists :func:`update_pool_cell` changes, in drawing order (for blitting): the
    gradient heatmap, its spines, cell texts, title and colour bar, and the outlines (with
    the spines of their axes, drawn over them; ``with_output=False``: not those of
    ``ax_out``)."""
    shown = ax_dx.images[0]
    cbar = shown.colorbar.ax if shown.colorbar is not None else None
    outlined = (ax_in, ax_out) if with_output else (ax_in,)
    return ([shown, *ax_dx.spines.values(), *ax_dx.texts, ax_dx.title, cbar]
            + [a for ax in outlined for a in (*ax.patches, *ax.spines.values())])


def update_pool_cell(ax_in, ax_out, ax_dx, out_shape, dx, kernel_size, stride, cell):
    """Redraw only what depends on the chosen cell: outlines, the gradient panel, its title."""
    for ax in (ax_in, ax_out):
        for patch in list(ax.patches):
            patch.remove()
    if cell is not None:
        _outline_window(ax_in, cell[0], cell[1], kernel_size, stride, "C3", lw=2.5)
        _outline_window(ax_out, cell[0], cell[1], 1, 1, "C3", lw=2.5)
    else:
        for i in range(out_shape[0]):
            for j in range(out_shape[1]):
                _outline_window(ax_in, i, j, kernel_size, stride, "C3", lw=0.8, ls="--")
    shown = ax_dx.images[0]
    shown.set_clim(0, max(float(dx.max()), 1e-12))  # before the texts: they follow it
    if len(ax_dx.texts) == dx.size:
        set_grid_values(shown, list(ax_dx.texts), dx, fmt="{:.3g}", skip_zero=True)
    else:
        for text in list(ax_dx.texts):
            text.remove()
        shown.set_data(dx)
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
    fig = plt.figure(figsize=figsize, dpi=dpi, constrained_layout=True)
    figure = PoolFigure(fig, fmap, kernel_size=kernel_size, stride=stride, mode=mode,
                        cell=cells[0])
    fig.canvas.draw()                 # lay out once, then only the cell-dependent parts change
    fig.set_layout_engine("none")
    settings = dict(kernel_size=kernel_size, stride=stride, mode=mode)
    return offline_animation(fig, lambda cell: figure.set(**settings, cell=cell), cells,
                             blit=True)
