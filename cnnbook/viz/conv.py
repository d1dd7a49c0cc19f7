"""Convolution figures: input, kernel and output of a convolution; receptive-field outlines;
how many windows read each input.

The convolution is :func:`cnnbook.functional.conv2d_forward`; coverage counts come from
:func:`cnnbook.receptive_field.window_coverage`. These functions only draw.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from ..conv import conv2d_forward, conv_output_size
from ..receptive_field import receptive_field_taps, window_coverage
from .animation import offline_animation
from .heatmaps import (annotate_grid, diverging_limit, fix_layout, label_image_axes,
                       set_grid_values, set_image)

__all__ = ["KERNELS_3X3", "ConvFigure", "draw_conv", "show_conv", "conv_animation",
           "receptive_field_patch", "plot_window_coverage"]


#: 3x3 kernels to apply to images. As in CNN libraries, "convolution" here is a
#: cross-correlation: the kernel is applied as written, not flipped.
KERNELS_3X3 = {
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=np.float64),
    "edge x (Sobel)": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float64),
    "edge y (Sobel)": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=np.float64),
    "blur (Gaussian)": np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], dtype=np.float64) / 16,
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=np.float64),
}


class ConvFigure:
    r"""The three panels of :func:`draw_conv`, built once on ``fig`` for one image;
    :meth:`set` redraws them in place for any kernel, stride, padding and dilation.

    Attributes
    ----------
    ax_in, ax_k, ax_out : matplotlib.axes.Axes
    out : ndarray, the output of the last :meth:`set`
    """

    def __init__(self, fig, image, kernel, *, stride=1, padding=0, dilation=1,
                 kernel_name="kernel"):
        self.image = image = np.asarray(image, dtype=np.float64)
        kernel = np.asarray(kernel, dtype=np.float64)
        self.setting = None
        out = self._output(kernel, stride, padding, dilation)  # raises before drawing
        fig.clear()
        self.fig = fig
        self.ax_in, self.ax_k, self.ax_out = ax_in, ax_k, ax_out = fig.subplots(
            1, 3, gridspec_kw=dict(width_ratios=[1, 0.55, 1]))
        self.shown_in = ax_in.imshow(np.pad(image, padding), cmap="gray", vmin=0, vmax=1)
        self.border = ax_in.add_patch(Rectangle((-0.5, -0.5), image.shape[1],
                                                image.shape[0], fill=False, ec="C1", lw=1,
                                                ls="--"))
        self.taps = ax_in.plot([], [], "s", ms=3, mfc="none", mec="C3", mew=1,
                               label="taps of window (0, 0)")[0]
        ax_in.legend(loc="lower left", fontsize=6, framealpha=0.8)
        label_image_axes(ax_in)
        fig.colorbar(self.shown_in, ax=ax_in, shrink=0.7)
        lim = diverging_limit(kernel)
        self.shown_k = ax_k.imshow(kernel, cmap="RdBu_r", vmin=-lim, vmax=lim)
        self.texts_k = annotate_grid(ax_k, kernel, fmt="{:.3g}", fontsize=8)
        label_image_axes(ax_k, "$q$", "$p$")
        ax_k.set_xticks(range(kernel.shape[1]))
        ax_k.set_yticks(range(kernel.shape[0]))
        fig.colorbar(self.shown_k, ax=ax_k, shrink=0.7)
        lim = diverging_limit(out)
        self.shown_out = ax_out.imshow(out, cmap="RdBu_r", vmin=-lim, vmax=lim)
        label_image_axes(ax_out)
        fig.colorbar(self.shown_out, ax=ax_out, shrink=0.7)
        self.set(kernel, stride=stride, padding=padding, dilation=dilation,
                 kernel_name=kernel_name)

    def _output(self, kernel, stride, padding, dilation):
        out, _ = conv2d_forward(self.image[None, None], kernel[None, None], np.zeros(1),
                                stride=stride, padding=padding, dilation=dilation)
        return np.asarray(out[0, 0])

    def set(self, kernel, *, stride=1, padding=0, dilation=1, kernel_name="kernel"):
        """Show the convolution of the image with ``kernel`` (of the shape drawn) at these
        settings. Returns the artists that changed (see :meth:`dynamic_artists`); raises
        ``ValueError``, drawing nothing, if the kernel does not fit the padded image."""
        kernel = np.asarray(kernel, dtype=np.float64)
        if kernel.shape != self.shown_k.get_array().shape:
            raise ValueError(f"ConvFigure.set: expected a kernel of shape "
                             f"{self.shown_k.get_array().shape}, got {kernel.shape}")
        out = self.out = self._output(kernel, stride, padding, dilation)
        (H, W), (KH, KW) = self.image.shape, kernel.shape
        ax_in, ax_k, ax_out = self.ax_in, self.ax_k, self.ax_out
        old = self.setting or (None,) * 5
        self.setting = (kernel.tobytes(), stride, padding, dilation, kernel_name)
        changed = [ax_out, self.shown_out.colorbar.ax]
        if old[2] != padding or old[3] != dilation:
            if old[2] != padding:
                set_image(self.shown_in, np.pad(self.image, padding), (-padding, -padding))
                self.border.set_visible(padding > 0)
                ax_in.set_title(f"input {H}×{W}, padding {padding}", fontsize=9)
            taps = receptive_field_taps(0, 0, (KH, KW), stride=stride, padding=padding,
                                        dilation=dilation)   # (row, col) of window (0, 0)
            self.taps.set_data(taps[..., 1].ravel(), taps[..., 0].ravel())
            changed.append(ax_in)
        if old[0] != self.setting[0]:
            lim = diverging_limit(kernel)
            self.shown_k.set_clim(-lim, lim)  # before the texts: their colour follows it
            set_grid_values(self.shown_k, self.texts_k, kernel, fmt="{:.3g}")
            changed += [self.shown_k, *ax_k.spines.values(), *self.texts_k,
                        self.shown_k.colorbar.ax]
        if old[3:] != self.setting[3:]:
            ax_k.set_title(f"{kernel_name}\n{KH}×{KW}, dilation {dilation}", fontsize=9)
            changed.append(ax_k.title)
        set_image(self.shown_out, out)
        lim = diverging_limit(out)
        self.shown_out.set_clim(-lim, lim)
        OH = conv_output_size(H, KH, stride, padding, dilation)
        ax_out.set_title(
            f"output {out.shape[0]}×{out.shape[1]}, stride {stride}\n"
            f"OH = ⌊({H} + 2·{padding} − {dilation}·({KH}−1) − 1)/{stride}⌋ + 1 = {OH}",
            fontsize=9)
        return changed

    def lay_out(self):
        """Lay the figure out once (see :func:`fix_layout`), with room for colour-bar labels
        as wide as "−0.15" beside the kernel and the output, whose ranges :meth:`set`
        changes."""
        fix_layout(self.fig, [(self.shown_k, (-0.15, 0.15)), (self.shown_out, (-0.15, 0.15))])

    def dynamic_artists(self):
        """Every artist :meth:`set` may change, for
        :meth:`cnnbook.widgets.FigureView.show_changed`: the input and output panels as
        whole axes, the kernel's image, spines, texts and title, two colour bars."""
        return [self.ax_in, self.shown_k, *self.ax_k.spines.values(), *self.texts_k,
                self.ax_k.title, self.shown_k.colorbar.ax, self.ax_out,
                self.shown_out.colorbar.ax]


def draw_conv(fig, image, kernel, *, stride=1, padding=0, dilation=1, kernel_name="kernel"):
    r"""Draw input, kernel and output of a 2-D convolution on ``fig`` (cleared first).

    The convolution is :func:`cnnbook.functional.conv2d_forward` (cross-correlation, bias
    0) of one single-channel image with one kernel. The input panel shows the *padded*
    input (the zero border in a frame) with the taps of the first window, the one that
    produces output ``(0, 0)``, marked; the output panel's title carries the output-size
    formula with the numbers filled in. (:class:`ConvFigure` keeps the panels to redraw
    them in place.)

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    image : ndarray, shape (H, W)
    kernel : ndarray, shape (KH, KW)
    stride, padding, dilation : int
    kernel_name : str
        Shown in the kernel panel's title.

    Returns
    -------
    out : ndarray, shape (OH, OW)
    """
    return ConvFigure(fig, image, kernel, stride=stride, padding=padding, dilation=dilation,
                      kernel_name=kernel_name).out


def show_conv(image, kernel, *, stride=1, padding=0, dilation=1, kernel_name="kernel",
              figsize=(10, 3.4)):
    """New figure with :func:`draw_conv`; returns the figure."""
    fig = plt.figure(figsize=figsize, constrained_layout=True)
    draw_conv(fig, image, kernel, stride=stride, padding=padding, dilation=dilation,
              kernel_name=kernel_name)
    return fig


def conv_animation(image, kernel, *, vary="dilation", values=(1, 2, 3, 4), stride=1,
                   padding=0, dilation=1, kernel_name="kernel", figsize=(10, 3.4), dpi=72):
    r"""Static-HTML slider over one convolution setting (no kernel needed to view it).

    Parameters
    ----------
    image, kernel : ndarray
        As in :func:`draw_conv`.
    vary : {"stride", "padding", "dilation"}
        The setting the slider steps through.
    values : sequence of int
    stride, padding, dilation : int
        The fixed values of the other settings.

    Returns
    -------
    IPython.display.HTML
    """
    if vary not in ("stride", "padding", "dilation"):
        raise ValueError(f"conv_animation: expected vary in stride/padding/dilation, "
                         f"got {vary!r}")
    settings = dict(stride=stride, padding=padding, dilation=dilation)
    values = list(values)
    fig = plt.figure(figsize=figsize, dpi=dpi, constrained_layout=True)
    figure = ConvFigure(fig, image, kernel, kernel_name=kernel_name,
                        **{**settings, vary: values[0]})
    figure.lay_out()  # once: every frame updates the panels in place

    def draw(value):
        figure.set(kernel, kernel_name=kernel_name, **{**settings, vary: value})
        return figure.dynamic_artists()

    return offline_animation(fig, draw, values, blit=True)


def receptive_field_patch(ax, taps, *, color="red", bounding_box=True, label=None):
    r"""Outline the input cells of a receptive field on a heatmap drawn by :func:`show_array`.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    taps : ndarray, shape (KH, KW, 2)
        From :func:`receptive_field_taps` (row, col per kernel tap).
    color : str
    bounding_box : bool
        Also draw a dashed box around the whole field (with dilation the taps have gaps).
    label : str, optional
        Legend label of the tap squares.

    Returns
    -------
    list of matplotlib.patches.Rectangle
    """
    taps = np.asarray(taps).reshape(-1, 2)
    patches = []
    for k, (r, c) in enumerate(taps):
        patch = Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, edgecolor=color, lw=2,
                          label=label if k == 0 else None)
        ax.add_patch(patch)
        patches.append(patch)
    if bounding_box and len(taps) > 1:
        r0, c0 = taps.min(axis=0)
        r1, c1 = taps.max(axis=0)
        box = Rectangle((c0 - 0.5, r0 - 0.5), c1 - c0 + 1, r1 - r0 + 1, fill=False,
                        edgecolor=color, lw=1, ls="--")
        ax.add_patch(box)
        patches.append(box)
    return patches


def plot_window_coverage(settings, *, height=9, width=9, kernel_size=3, ncols=None):
    r"""Side-by-side coverage maps (see :func:`window_coverage`) for several settings.

    Parameters
    ----------
    settings : list of dict
        Keyword arguments ``stride``, ``padding``, ``dilation`` for each panel.
    ncols : int, optional
        Panels per row (default: all in one row).

    Returns
    -------
    matplotlib.figure.Figure
    """
    maps = [window_coverage(height, width, kernel_size, **s) for s in settings]
    top = max(int(m.max()) for m in maps)
    ncols = len(maps) if ncols is None else max(1, min(int(ncols), len(maps)))
    nrows = -(-len(maps) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.1 * ncols + 0.8, 3.1 * nrows + 0.4),
                             dpi=90, squeeze=False, layout="constrained")
    for ax in axes.flat[len(maps):]:
        ax.set_visible(False)
    for ax, m, s in zip(axes.flat, maps, settings):
        im = ax.imshow(m, cmap="viridis", vmin=0, vmax=top)
        annotate_grid(ax, m, fmt="{:d}", fontsize=7, image=im)
        ax.set_title(", ".join(f"{k} {val}" for k, val in s.items()) or "stride 1",
                     fontsize=10)
        ax.set_xlabel("input column")
        ax.set_ylabel("input row")
    fig.colorbar(im, ax=list(axes.flat), shrink=0.9, label="windows reading this input")
    fig.suptitle(f"{kernel_size}×{kernel_size} kernel on a {height}×{width} input: "
                 r"terms summed into $\partial L/\partial x$", fontsize=11)
    return fig
