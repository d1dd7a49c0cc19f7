"""Backpropagation through a convolution, one output pixel at a time.

:class:`ConvStepFigure` draws the input with the receptive field of output pixel
:math:`(n, f, i, j)`, the kernel, the one-hot upstream gradient and the gradients it sends
back (from :func:`cnnbook.receptive_field.conv_step_gradients`); it is built once and
:meth:`ConvStepFigure.set_pixel` moves the pixel by updating the artists in place.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from .._checks import pair
from ..receptive_field import conv_step_gradients
from .animation import offline_animation
from .conv import receptive_field_patch
from .heatmaps import fix_layout, set_grid_values, show_array, update_array

__all__ = ["ConvStepFigure", "plot_conv_step", "conv_step_animation"]

STEP_FIGSIZE = (10.5, 6.4)


class ConvStepFigure:
    """The five panels of :func:`plot_conv_step`, built once; ``set_pixel`` moves the pixel
    and ``set_conv`` changes the sample, filter, channel, stride, padding and dilation, both
    in place."""

    def __init__(self, x, w, b, *, n=0, f=0, c=0, stride=1, padding=0, dilation=1, fig=None):
        self.x = np.asarray(x, dtype=np.float64)
        self.w = np.asarray(w, dtype=np.float64)
        self.b = b
        ph, pw = pair(padding, "padding", "ConvStepFigure", 0)
        H, W = self.x.shape[2:]
        self.fig = fig = plt.figure(figsize=STEP_FIGSIZE) if fig is None else fig
        fig.clf()
        axes = self.axes = fig.subplots(2, 3).ravel()
        g = conv_step_gradients(self.x, self.w, b, n, f, 0, 0, stride=stride, padding=padding,
                                dilation=dilation)
        self.x_max = x_max = max(1.0, float(np.abs(self.x).max()))
        # 1. the input, padded, labelled in unpadded coordinates
        self.input = show_array(axes[0], np.pad(self.x[n, c], ((ph, ph), (pw, pw))), "\n",
                                annotate=False, cmap="Greys", vmin=0, vmax=x_max,
                                extent_offset=(-ph, -pw))
        self.border = axes[0].add_patch(Rectangle((-0.5, -0.5), W, H, fill=False, lw=1.5,
                                                  edgecolor="tab:blue", visible=False))
        # 2. the kernel
        self.kernel = show_array(axes[1], self.w[f, c], "", symmetric=True, xlabel="$q$",
                                 ylabel="$p$")
        # 3.-5. delta, dx, dw: drawn with a text in every cell, values set by set_pixel
        # (delta is one-hot: only its 1 is written)
        self.delta = show_array(axes[2], g["dout"][n, f], "\n", cmap="Greys", vmin=0, vmax=1,
                                fmt="{:.0f}", skip_zeros=True)
        self.dx = show_array(axes[3], g["dx"][n, c], "", symmetric=True,
                             vmax=float(np.abs(self.w[f, c]).max()))
        self.dw = show_array(axes[4], g["dw"][f, c], "", cmap="Greys", vmin=0, vmax=x_max,
                             xlabel="$q$", ylabel="$p$")
        axes[5].axis("off")
        self.note = axes[5].text(-0.05, 0.95, "", va="top", ha="left", fontsize=8.5,
                                 transform=axes[5].transAxes)
        self.patches = []
        self.result = None
        self.setting = None
        self.set_conv(n=n, f=f, c=c, stride=stride, padding=padding, dilation=dilation)
        if fig.get_layout_engine() is None:  # a caller's layout engine does it
            fig.tight_layout()

    def set_conv(self, *, n, f, c, stride, padding, dilation):
        """Show sample ``n``, filter ``f``, channel ``c`` and these convolution settings
        (call :meth:`set_pixel` next: the pixel's panels are not updated). Returns the
        artists that changed, beside those of :meth:`changing_artists`."""
        old = self.setting or (None,) * 6
        self.setting = (n, f, c, stride, padding, dilation)
        self.n, self.f, self.c = n, f, c
        self.conv = dict(stride=stride, padding=padding, dilation=dilation)
        axes, changed = self.axes, []
        if (n, c, padding) != (old[0], old[2], old[4]):
            ph, pw = pair(padding, "padding", "ConvStepFigure", 0)
            update_array(self.input, np.pad(self.x[n, c], ((ph, ph), (pw, pw))),
                         extent_offset=(-ph, -pw))
            self.border.set_visible(bool(ph or pw))
            changed.append(axes[0])
        if (f, c) != old[1:3]:
            w = self.w[f, c]
            m = float(np.abs(w).max()) or 1.0  # show_array's symmetric colour range
            self.kernel.set_clim(-m, m)  # before the texts: their colour follows it
            update_array(self.kernel, w)
            axes[1].set_title(f"kernel $w_{{{f},{c}}}$")
            self.dx.set_clim(-m, m)
            axes[4].set_title(r"$\partial L/\partial w$" + f" (kernel {f}, channel {c})")
            changed += [self.kernel, *axes[1].spines.values(), *self.kernel.cell_texts,
                        axes[1].title, self.kernel.colorbar.ax, self.dx.colorbar.ax,
                        axes[4].title]
        if (n, c) != (old[0], old[2]):
            axes[3].set_title(r"$\partial L/\partial x$" + f" (sample {n}, channel {c})")
            changed.append(axes[3].title)
        if (stride, padding, dilation) != old[3:]:  # the same artists on every such step
            out = conv_step_gradients(self.x, self.w, self.b, n, f, 0, 0, **self.conv)["dout"]
            update_array(self.delta, out[n, f], fmt="{:.0f}", skip_zeros=True)
            changed.append(axes[2])
        return changed

    def lay_out(self):
        """Lay the figure out once (see :func:`fix_layout`), with room for colour-bar labels
        as wide as "−0.15" beside the kernel and :math:`\\partial L/\\partial x`, whose
        ranges :meth:`set_conv` changes."""
        fix_layout(self.fig, [(self.kernel, (-0.15, 0.15)), (self.dx, (-0.15, 0.15))])

    def dynamic_artists(self):
        """Every artist :meth:`set_conv` and :meth:`set_pixel` may change (for
        :meth:`cnnbook.widgets.FigureView.show_changed`): the input and :math:`\\delta`
        panels as whole axes, the other panels' images, spines, texts and titles, two
        colour bars, the outlines and the note."""
        out = [self.axes[0], self.axes[2], self.kernel.colorbar.ax, self.dx.colorbar.ax,
               self.note, *self.patches]
        for k, image in ((1, self.kernel), (3, self.dx), (4, self.dw)):
            out += [image, *self.axes[k].spines.values(), *image.cell_texts,
                    self.axes[k].title]
        return out

    def changing_artists(self):
        """The artists :meth:`set_pixel` changes, in drawing order (for blitting): the three
        gradient heatmaps with their spines and cell texts, the outlines (and the input's
        spines, drawn over them), two titles and the note."""
        out = []
        for k, image in ((2, self.delta), (3, self.dx), (4, self.dw)):
            out += [image, *self.axes[k].spines.values(), *image.cell_texts]
        return out + self.patches + [*self.axes[0].spines.values(), self.axes[0].title,
                                     self.axes[2].title, self.note]

    def set_pixel(self, i, j):
        n, f, c = self.n, self.f, self.c
        g = self.result = conv_step_gradients(self.x, self.w, self.b, n, f, i, j, **self.conv)
        set_grid_values(self.delta, self.delta.cell_texts, g["dout"][n, f], fmt="{:.0f}",
                        skip_zero=True)
        set_grid_values(self.dx, self.dx.cell_texts, g["dx"][n, c], skip_zero=True)
        set_grid_values(self.dw, self.dw.cell_texts, g["dw"][f, c])
        for patch in self.patches:
            patch.remove()
        H, W = self.x.shape[2:]
        inside = np.array([(r, q) for r, q in g["taps"].reshape(-1, 2)
                           if 0 <= r < H and 0 <= q < W]).reshape(-1, 2)
        self.patches = (receptive_field_patch(self.axes[0], g["taps"])
                        + receptive_field_patch(self.axes[2], np.array([[i, j]]),
                                                bounding_box=False)
                        + receptive_field_patch(self.axes[3], inside, bounding_box=False,
                                                color="k"))
        # y given: no ticks above these panels, so the title stays at the top edge; matplotlib
        # would otherwise measure every tick label to place it on each (whole-panel) redraw
        self.axes[0].set_title(f"input $x_{{{n},{c}}}$, receptive field\nof "
                               f"$y_{{{n},{f},{i},{j}}}$", y=1.0)
        self.axes[2].set_title(r"$\delta = \partial L/\partial y$" + f" (map {f}):\n"
                               f"1 at $(i, j) = ({i}, {j})$", y=1.0)
        s, p, d = (pair(self.conv[k], k, "ConvStepFigure", 0)
                   for k in ("stride", "padding", "dilation"))
        s, p, d = (str(v[0]) if v[0] == v[1] else str(v) for v in (s, p, d))
        self.note.set_text(
            f"stride {s}, padding {p}, dilation {d}\n"
            "red: kernel taps (receptive field)\n"
            "blue: image border (outside: padding)\n\n"
            f"$\\delta$ = 1 at $(n, f, i, j) = ({n}, {f}, {i}, {j})$\n"
            f"taps inside the image: {len(inside)} of {g['taps'][..., 0].size}\n\n"
            "$\\partial L/\\partial x$: the kernel, on the taps\n"
            "    inside the image\n"
            "$\\partial L/\\partial w$: the input patch\n"
            "    (0 where a tap is in the padding)\n"
            f"$\\partial L/\\partial b$ = {g['db'].astype(int)}")
        return g


def plot_conv_step(x, w, b, n=0, f=0, i=0, j=0, *, c=0, stride=1, padding=0, dilation=1,
                   fig=None):
    r"""Five panels: the input with the receptive field of output pixel ``(n, f, i, j)``,
    the kernel ``w[f, c]``, the one-hot upstream gradient :math:`\delta`, and the gradients
    it sends back, ``dx[n, c]`` and ``dw[f, c]`` (computed with :func:`conv_step_gradients`).

    With :math:`\delta` equal to 1 at one pixel, ``dx[n, c]`` is the kernel ``w[f, c]``
    placed on the receptive field and ``dw[f, c]`` is the input patch under it. Taps in
    the zero padding (outside the blue image border) send nothing to ``dx`` and give 0 in
    ``dw``. Pass ``fig`` to redraw an existing figure. Returns the figure.
    """
    panel = ConvStepFigure(x, w, b, n=n, f=f, c=c, stride=stride, padding=padding,
                           dilation=dilation, fig=fig)
    panel.set_pixel(i, j)
    return panel.fig


def conv_step_animation(x, w, b, *, n=0, f=0, c=0, stride=1, padding=0, dilation=1,
                        pixels=None, interval=700, dpi=72):
    r"""Static-HTML slider stepping :func:`plot_conv_step` through output pixels.

    ``pixels`` is a list of ``(i, j)``; by default every pixel of output map ``f``, in
    row-major order. Returns the HTML of :func:`offline_animation`.
    """
    fig = plt.figure(figsize=STEP_FIGSIZE, dpi=dpi)
    panel = ConvStepFigure(x, w, b, n=n, f=f, c=c, stride=stride, padding=padding,
                           dilation=dilation, fig=fig)
    if pixels is None:
        OH, OW = panel.set_pixel(0, 0)["out"].shape[2:]
        pixels = [(i, j) for i in range(OH) for j in range(OW)]
    def frame(ij):
        panel.set_pixel(*ij)
        return panel.changing_artists()

    return offline_animation(fig, frame, pixels, interval=interval, blit=True)
