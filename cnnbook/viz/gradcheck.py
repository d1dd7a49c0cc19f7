"""Gradient-check figures: analytic and numerical gradients side by side, and their difference."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.markers import TICKRIGHT
from matplotlib.ticker import MaxNLocator, ScalarFormatter
from matplotlib.transforms import ScaledTranslation

__all__ = ["plot_gradient_check", "update_gradient_check"]

#: (title, colour map) of the three panels.
_PANELS = (("analytic (backward pass)", "RdBu_r"),
           ("numerical (central differences)", "RdBu_r"),
           ("analytic − numerical", "PuOr_r"))

# Fixed margins in inches (no layout engine: it would cost as much as the drawing): room
# above the images for the figure and panel titles, below for the column ticks and label,
# left of each image for the row ticks and label, right of it for the colour bar. The
# colour bar ends _CBAR_SHORT below the top of the tallest image, so that the factor above
# it (1e-10) stays clear of the panel title.
_TOP, _BOTTOM, _LEFT, _RIGHT = 0.85, 0.55, 0.55, 0.72  # _TOP: a two-line title
_CBAR_PAD, _CBAR_WIDTH, _CBAR_MIN_HEIGHT, _CBAR_SHORT = 0.1, 0.13, 1.2, 0.3
_CBAR_FONTSIZE, _CBAR_LABELS = 8, 12


def plot_gradient_check(analytic, numeric, *, title="", fig=None):
    r"""Three heatmaps: analytic :math:`\partial L/\partial x`, the central-difference
    estimate, and their difference (on its own colour scale).

    The panels are placed at fixed margins (the figure's layout engine is switched off), so
    :func:`update_gradient_check` can show other gradients on the same artists.

    Parameters
    ----------
    analytic, numeric : ndarray, shape (H, W)
        One channel of the two gradients.
    title : str
        Figure title (the setting that was checked).
    fig : matplotlib.figure.Figure, optional
        Cleared and redrawn (for animations); a new figure if omitted.

    Returns
    -------
    matplotlib.figure.Figure
        ``fig.axes``: the three image panels, then their three colour bars.
    """
    if fig is None:
        fig = plt.figure(figsize=(10, 3.2), dpi=90)
    fig.clf()
    fig.set_layout_engine("none")
    for name, cmap in _PANELS:
        ax = fig.add_axes((0, 0, 1, 1))
        ax.imshow(np.zeros((1, 1)), cmap=cmap, vmin=-1, vmax=1)
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("input column $v$")
        ax.set_ylabel("input row $h$")
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))  # pixel indices
        ax.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
    for k, (_, cmap) in enumerate(_PANELS):
        _colour_bar(fig.add_axes((0, 0, 1, 1)), cmap, powerlimits=(-2, 2) if k == 2 else None)
    fig.suptitle("", fontsize=11)
    update_gradient_check(fig, analytic, numeric, title=title)
    return fig


def update_gradient_check(fig, analytic, numeric, *, title=""):
    r"""Other gradients on a figure drawn by :func:`plot_gradient_check`, in place.

    Sets the three images (data, extent, colour scale, with the labels of their colour
    bars) and the title, and places the panels for the new shape. Returns the artists that
    changed: when the shape is the one shown before, nothing else did (blit them, see
    :meth:`cnnbook.widgets.FigureView.show_changed`); otherwise the panels moved and the
    whole figure must be drawn.
    """
    analytic = np.asarray(analytic, dtype=np.float64)
    numeric = np.asarray(numeric, dtype=np.float64)
    diff = analytic - numeric
    vmax = max(float(np.abs(analytic).max()), float(np.abs(numeric).max()), 1e-300)
    dmax = max(float(np.abs(diff).max()), 1e-300)
    height, width = analytic.shape
    fw, fh = fig.get_size_inches()
    slot = fw / 3
    max_w, max_h = slot - _LEFT - _RIGHT, fh - _TOP - _BOTTOM
    w_in = min(max_w, max_h * width / height)  # square pixels, as large as fits
    h_in = w_in * height / width
    cbar_h = min(max(h_in, _CBAR_MIN_HEIGHT), max_h - _CBAR_SHORT)
    changed = []
    for k, (data, lim) in enumerate(((analytic, vmax), (numeric, vmax), (diff, dmax))):
        ax, cax = fig.axes[k], fig.axes[3 + k]
        image = ax.images[0]
        image.set_data(data)
        image.set_extent((-0.5, width - 0.5, height - 0.5, -0.5))  # also the axes limits
        image.set_clim(-lim, lim)
        left = k * slot + _LEFT + (max_w - w_in) / 2
        bottom = _BOTTOM + (max_h - h_in) / 2
        ax.set_position((left / fw, bottom / fh, w_in / fw, h_in / fh))
        cax.set_position(((left + w_in + _CBAR_PAD) / fw, (_BOTTOM + (max_h - cbar_h) / 2) / fh,
                          _CBAR_WIDTH / fw, cbar_h / fh))
        changed += [image, *ax.spines.values(), *_set_colour_bar(cax, lim, cbar_h)]
    suptitle = fig.suptitle(title or r"$\partial L/\partial x$, channel 0 of sample 0",
                            fontsize=11)
    return changed + [suptitle]


def _colour_bar(cax, cmap, powerlimits=None):
    """A colour bar for the range ``[-lim, lim]`` that :func:`_set_colour_bar` relabels.

    The colours and the frame do not depend on ``lim`` (drawn once); the tick marks are
    one line and the labels a pool of texts, rewritten in place: much cheaper to draw
    again than a :class:`~matplotlib.colorbar.Colorbar`, whose axis lays out its ticks.
    The ticks and labels are those of a colour bar (matplotlib's locator and formatter).
    """
    cax.pcolormesh([0, 1], np.linspace(0, 1, 257), np.linspace(-1, 1, 256)[:, None],
                   cmap=cmap, vmin=-1, vmax=1)  # as a colour bar draws its colours
    cax.set_xticks([])
    cax.set_yticks([])
    cax.set_xlim(0, 1)
    cax.set_ylim(0, 1)
    marks = Line2D([], [], ls="none", marker=TICKRIGHT, ms=3.5, mew=0.8, color="k",
                   transform=cax.transAxes, clip_on=False)
    cax.add_line(marks)
    texts = [cax.text(1.0, 0.5, "", transform=cax.transAxes, fontsize=_CBAR_FONTSIZE,
                      ha="left", va="center", visible=False) for _ in range(_CBAR_LABELS)]
    above = cax.transAxes + ScaledTranslation(0, 5 / 72, cax.figure.dpi_scale_trans)
    offset = cax.text(0.0, 1.0, "", transform=above, fontsize=_CBAR_FONTSIZE, ha="left",
                      va="bottom")  # clear of the top label
    formatter = ScalarFormatter()
    if powerlimits is not None:
        formatter.set_powerlimits(powerlimits)
    formatter.create_dummy_axis()
    cax.colour_bar = {"marks": marks, "texts": texts, "offset": offset, "formatter": formatter}


def _set_colour_bar(cax, lim, height):
    """Ticks and labels of a :func:`_colour_bar` ``height`` inches tall for ``[-lim, lim]``;
    returns the artists to draw again."""
    bar = cax.colour_bar
    nbins = max(2, int(height * 72 / (2 * _CBAR_FONTSIZE)))  # as a colour bar's axis
    ticks = MaxNLocator(nbins=nbins, steps=[1, 2, 2.5, 5, 10]).tick_values(-lim, lim)
    ticks = ticks[np.abs(ticks) <= lim * (1 + 1e-10)][:_CBAR_LABELS]
    formatter = bar["formatter"]
    formatter.axis.set_view_interval(-lim, lim)
    labels = formatter.format_ticks(ticks)
    where = (ticks + lim) / (2 * lim)
    bar["marks"].set_data(np.ones_like(where), where)
    for k, text in enumerate(bar["texts"]):
        text.set_visible(k < len(ticks))
        if k < len(ticks):
            text.set_text(labels[k])
            text.set_position((1.0 + 0.07 / _CBAR_WIDTH, where[k]))  # clear of the marks
    bar["offset"].set_text(formatter.get_offset())
    return [bar["marks"], *bar["texts"], bar["offset"]]
