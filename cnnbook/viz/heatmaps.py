"""Small arrays as heatmaps with their values written in the cells.

One rule decides the text colour (:func:`text_colour`), one helper writes the values
(:func:`annotate_grid`) and one updates them in place (:func:`set_grid_values`), so every
annotated figure of the book reads the same way and can be redrawn without rebuilding.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import AutoLocator

from .._checks import pair
from .layout import COLUMN_INCHES

__all__ = ["text_colour", "format_value", "annotate_grid", "set_grid_values", "show_array",
           "update_array", "set_image", "fix_layout", "show_arrays", "show_array_grid",
           "show_images", "label_image_axes", "diverging_limit"]


def text_colour(image, value):
    """Black or white text, whichever reads better on the colour ``image`` gives ``value``
    (for an array of values: an array of those colours, one per value)."""
    rgba = np.asarray(image.cmap(image.norm(value)), dtype=np.float64)
    light = 0.299 * rgba[..., 0] + 0.587 * rgba[..., 1] + 0.114 * rgba[..., 2] > 0.5
    colours = np.where(light, "black", "white")
    return str(colours) if colours.ndim == 0 else colours


def format_value(fmt, value):
    """``fmt.format(value)`` (or ``fmt(value)``), with a negative zero written as ``0``."""
    text = fmt(value) if callable(fmt) else fmt.format(value)
    if text.startswith("-"):
        try:
            if float(text) == 0:  # "-0", "-0.00": the sign of a rounded-away value
                text = text[1:]
        except ValueError:
            pass
    return text


def annotate_grid(ax, values, *, fmt="{:.2f}", fontsize=7, image=None, skip_zero=False,
                  offset=(0, 0)):
    r"""Write each value of a 2-D array into its cell of an ``imshow`` plot.

    The text is black on light cells and white on dark ones (:func:`text_colour`, judged
    from the colour the image gives the cell), so it stays readable with any colour map.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes holding the ``imshow`` of ``values`` (cell ``(i, j)`` centred at
        ``(j + offset[1], i + offset[0])``).
    values : ndarray, shape (H, W)
    fmt : str or callable
        Format of each number (``fmt.format(v)`` or ``fmt(v)``); ``-0`` is shown as ``0``.
    fontsize : float
    image : matplotlib.image.AxesImage, optional
        The image whose colours decide the text colour; default: the last image on ``ax``.
    skip_zero : bool
        Leave cells that are exactly 0 blank (for sparse gradients).
    offset : (int, int)
        Row and column of the first cell (e.g. ``-padding``).

    Returns
    -------
    list of matplotlib.text.Text
        One per cell in row-major order (blank for skipped cells), for
        :func:`set_grid_values`.
    """
    values = np.asarray(values)
    if values.ndim != 2:
        raise ValueError(f"annotate_grid: expected a 2-D array, got shape {values.shape}")
    if image is None and ax.images:
        image = ax.images[-1]
    texts = [ax.text(offset[1] + j, offset[0] + i, "", ha="center", va="center",
                     fontsize=fontsize) for i, j in np.ndindex(values.shape)]
    _write(texts, values, image, fmt, skip_zero)
    return texts


def _write(texts, values, image, fmt, skip_zero):
    values = values.ravel()
    colours = ["black"] * len(values) if image is None else text_colour(image, values)
    for text, v, colour in zip(texts, values, colours):
        text.set_text("" if skip_zero and v == 0 else format_value(fmt, v))
        text.set_color(str(colour))


def set_grid_values(image, texts, values, *, fmt="{:.2f}", skip_zero=False):
    """Update a heatmap drawn with :func:`annotate_grid` in place: image data and texts.

    ``values`` must have the shape the heatmap was drawn with.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.size != len(texts):
        raise ValueError(f"set_grid_values: expected {len(texts)} values, got shape "
                         f"{values.shape}")
    image.set_data(values)
    _write(texts, values, image, fmt, skip_zero)


def label_image_axes(ax, xlabel="column $j$", ylabel="row $i$", shape=None):
    """Axis labels of an image panel; one tick per cell on grids up to 16 wide (matplotlib's
    automatic ticks on larger ones)."""
    ax.set_xlabel(xlabel, fontsize=8)
    ax.set_ylabel(ylabel, fontsize=8)
    ax.tick_params(labelsize=7)
    if shape is not None and max(shape) <= 16:  # small grids: one tick per cell
        ax.set_xticks(range(shape[1]))
        ax.set_yticks(range(shape[0]))
    elif shape is not None:  # a panel redrawn in place may have had one tick per cell
        ax.xaxis.set_major_locator(AutoLocator())
        ax.yaxis.set_major_locator(AutoLocator())


def set_image(image, values, offset=(0, 0)):
    """Put ``values`` (2-D, any shape) into an ``imshow`` image in place: data, extent and
    axis limits, cell ``(i, j)`` centred at ``(j + offset[1], i + offset[0])`` as
    :func:`show_array` draws it. The colour range is left alone."""
    values = np.asarray(values)
    H, W = values.shape
    orow, ocol = offset
    image.set_data(values)
    image.set_extent((ocol - 0.5, ocol + W - 0.5, orow + H - 0.5, orow - 0.5))
    image.axes.relim()  # forget the old extent: a later autoscale must not bring it back


def fix_layout(fig, room=()):
    """Lay ``fig`` out once with its layout engine and keep the positions (the engine is
    removed): panels updated in place then never move, and no draw runs the engine again.

    ``room``: ``(image, (vmin, vmax))`` pairs, colour ranges set during the layout only,
    so that the colour bars of images whose range changes later keep room for wide tick
    labels (``(-0.15, 0.15)`` gives labels such as "−0.15").
    """
    saved = [(image, image.get_clim()) for image, _ in room]
    for image, lim in room:
        image.set_clim(*lim)
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
    for image, lim in saved:
        image.set_clim(*lim)
    fig.set_layout_engine("none")


def diverging_limit(a):
    """The largest ``|a|`` (1 for an empty or all-zero array): a symmetric colour range."""
    m = float(np.max(np.abs(a))) if np.size(a) else 1.0
    return m if m > 0 else 1.0


def show_array(ax, a, title, *, annotate=True, fmt="{:.2f}", cmap=None, vmin=None,
               vmax=None, symmetric=False, colorbar=True, fontsize=None, skip_zeros=False,
               extent_offset=0, xlabel="column $j$", ylabel="row $i$"):
    r"""Draw a small 2-D array as a heatmap, with its values written in the cells.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    a : array_like, shape (H, W)
    title : str
    annotate : bool
        Write each value in its cell (with ``fmt``, via :func:`annotate_grid`; the texts
        are kept in ``image.cell_texts`` for :func:`set_grid_values`).
    cmap : str, optional
        Default ``"viridis"``, or ``"RdBu_r"`` when ``symmetric``.
    vmin, vmax : float, optional
        Colour range; share them between panels whose values are compared.
    symmetric : bool
        Colour range symmetric about 0 (for gradients, which have both signs).
    colorbar : bool
        Add a colour bar beside the axes.
    skip_zeros : bool
        Leave cells holding exactly 0 blank (to make sparse gradients readable).
    extent_offset : int or (int, int)
        Index of the first row and column (e.g. ``-padding`` to label a padded array with
        the coordinates of the unpadded one).

    Returns
    -------
    matplotlib.image.AxesImage
    """
    a = np.asarray(a, dtype=np.float64)
    if a.ndim != 2:
        raise ValueError(f"show_array: expected a 2-D array, got shape {a.shape}")
    if symmetric:
        m = float(np.max(np.abs(a))) if vmax is None else float(vmax)
        m = m if m > 0 else 1.0
        vmin, vmax = -m, m
        cmap = cmap or "RdBu_r"
    cmap = cmap or "viridis"
    if vmin is None and vmax is None and np.ptp(a) == 0:
        vmin, vmax = float(a.min()) - 1, float(a.max()) + 1  # a constant array stays readable
    H, W = a.shape
    orow, ocol = pair(extent_offset, "extent_offset", "show_array", None)  # may be < 0
    image = ax.imshow(a, cmap=cmap, vmin=vmin, vmax=vmax,
                      extent=(ocol - 0.5, ocol + W - 0.5, orow + H - 0.5, orow - 0.5))
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_xticks(range(ocol, ocol + W))
    ax.set_yticks(range(orow, orow + H))
    ax.tick_params(labelsize=7)
    image.cell_texts = []
    image.cell_fontsize = fontsize  # None: chosen from the shape, again by update_array
    if annotate:
        image.cell_texts = annotate_grid(ax, a, fmt=fmt, fontsize=_cell_fontsize(image, a),
                                         image=image, skip_zero=skip_zeros,
                                         offset=(orow, ocol))
    if colorbar:
        ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    return image


def _cell_fontsize(image, a):
    if image.cell_fontsize is not None:
        return image.cell_fontsize
    return 9 if max(a.shape) <= 4 else 7 if max(a.shape) <= 6 else 5


def update_array(image, a, *, fmt="{:.2f}", skip_zeros=False, extent_offset=0):
    r"""Put new values, of any shape, into a panel drawn by :func:`show_array`, in place.

    The image data, extent and axis limits, the ticks (one per cell) and the cell texts
    (written again, with the font size :func:`show_array` would choose, when the shape
    changed) become those of ``show_array(ax, a, ..., annotate=<as drawn>)``; the colour
    range, colour bar, title and axis labels are left alone (set the colour range first:
    the texts' colour follows it). ``extent_offset`` as in :func:`show_array`.
    """
    a = np.asarray(a, dtype=np.float64)
    if a.ndim != 2:
        raise ValueError(f"update_array: expected a 2-D array, got shape {a.shape}")
    H, W = a.shape
    orow, ocol = pair(extent_offset, "extent_offset", "update_array", None)
    ax = image.axes
    reshaped = image.get_array().shape != a.shape or image.get_extent()[0] != ocol - 0.5 \
        or image.get_extent()[3] != orow - 0.5
    set_image(image, a, (orow, ocol))
    if reshaped:
        ax.set_xticks(range(ocol, ocol + W))
        ax.set_yticks(range(orow, orow + H))
    if not image.cell_texts:
        return
    if reshaped:
        for text in image.cell_texts:
            text.remove()
        image.cell_texts = annotate_grid(ax, a, fmt=fmt, fontsize=_cell_fontsize(image, a),
                                         image=image, skip_zero=skip_zeros,
                                         offset=(orow, ocol))
    else:
        _write(image.cell_texts, a, image, fmt, skip_zeros)


def show_arrays(arrays, titles, *, suptitle=None, share_scale=False, symmetric=False,
                panel_size=2.6, **kwargs):
    r"""A row of :func:`show_array` panels, one per 2-D array.

    ``share_scale=True`` gives all panels one colour range, so equal colours mean equal
    values. Other keyword arguments go to :func:`show_array`. Returns the figure.
    """
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    if len(arrays) != len(titles):
        raise ValueError(f"show_arrays: got {len(arrays)} arrays but {len(titles)} titles")
    fig, axes = plt.subplots(1, len(arrays), figsize=(panel_size * len(arrays) + 0.6,
                                                      panel_size + 0.4), squeeze=False)
    if share_scale:
        if symmetric:
            m = max(float(np.max(np.abs(a))) for a in arrays)
            kwargs.update(vmax=m)
        else:
            kwargs.update(vmin=min(float(a.min()) for a in arrays),
                          vmax=max(float(a.max()) for a in arrays))
    for ax, a, t in zip(axes[0], arrays, titles):
        show_array(ax, a, t, symmetric=symmetric, **kwargs)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def show_array_grid(arrays, titles, *, suptitle=None, symmetric=False, share_scale=None,
                    windows=None, panel_size=2.5, **kwargs):
    r"""A grid of :func:`show_array` panels (``arrays[r][k]`` in row ``r``, column ``k``).

    Parameters
    ----------
    arrays, titles : list of lists
        2-D arrays and their titles; ``None`` leaves a panel empty.
    symmetric : bool or list of bool
        Per column: colour range symmetric about 0 (gradients).
    share_scale : {None, "column", "all"}
        ``"column"``: one colour range per column (compare channels); ``"all"``: one
        range for all symmetric panels and one for all the others.
    windows : int or list, optional
        Per column: draw light lines every ``windows`` cells (pooling windows).
    Other keyword arguments go to :func:`show_array`. Returns the figure.
    """
    rows, cols = len(arrays), max(len(r) for r in arrays)
    per_col = lambda v: list(v) if isinstance(v, (list, tuple)) else [v] * cols  # noqa: E731
    symmetric, windows = per_col(symmetric), per_col(windows)
    fig, axes = plt.subplots(rows, cols, figsize=(panel_size * cols + 0.8,
                                                  panel_size * rows + 0.3), squeeze=False)
    present = [[None if a is None else np.asarray(a, dtype=np.float64) for a in r]
               for r in arrays]
    for k in range(cols):
        column = [r[k] for r in present if k < len(r) and r[k] is not None]
        if share_scale == "all":  # one range per kind: signed (symmetric) or not
            column = [a for r in present for kk, a in enumerate(r)
                      if a is not None and symmetric[kk] == symmetric[k]]
        for r in range(rows):
            ax = axes[r, k]
            a = present[r][k] if k < len(present[r]) else None
            if a is None:
                ax.axis("off")
                continue
            opts = dict(kwargs)
            if share_scale in ("column", "all"):
                if symmetric[k]:
                    opts["vmax"] = max(float(np.abs(c).max()) for c in column)
                else:
                    opts["vmin"] = min(float(c.min()) for c in column)
                    opts["vmax"] = max(float(c.max()) for c in column)
            show_array(ax, a, titles[r][k], symmetric=symmetric[k], **opts)
            if windows[k]:
                step = int(windows[k])
                for t in range(step, max(a.shape), step):
                    ax.axhline(t - 0.5, color="tab:orange", lw=1.5)
                    ax.axvline(t - 0.5, color="tab:orange", lw=1.5)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def show_images(images, titles=None, *, cmap="gray", ncols=None, share_scale=False,
                vmin=None, vmax=None, colorbar=True, annotate=False, fmt="{:.2f}",
                panel_size=2.6, suptitle=None):
    r"""Show 2-D arrays side by side, each with a title, axis labels and a colour bar.

    Parameters
    ----------
    images : sequence of ndarray, each (H, W)
    titles : sequence of str, optional
    cmap : str
    ncols : int, optional
        Panels per row (default: as many as fit the book's text column,
        :data:`cnnbook.viz.layout.COLUMN_INCHES`, at least one).
    share_scale : bool
        One colour scale for all panels (use it when values are to be compared).
    vmin, vmax : float, optional
        Colour limits (override ``share_scale``).
    colorbar : bool
    annotate : bool
        Write the values into the cells (small arrays only).
    panel_size : float
        Width of one panel in inches.
    suptitle : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    images = [np.asarray(im) for im in images]
    n = len(images)
    if n == 0:
        raise ValueError("show_images: expected at least one image, got none")
    titles = list(titles) if titles is not None else [f"image {k}" for k in range(n)]
    if len(titles) != n:
        raise ValueError(f"show_images: expected {n} titles, got {len(titles)}")
    if ncols is None:
        ncols = min(n, max(1, int(COLUMN_INCHES // panel_size)))
    nrows = -(-n // ncols)
    if share_scale and vmin is None and vmax is None:
        vmin = min(float(im.min()) for im in images)
        vmax = max(float(im.max()) for im in images)
    fig, axes = plt.subplots(nrows, ncols, figsize=(panel_size * ncols, panel_size * nrows),
                             squeeze=False, constrained_layout=True)
    for ax in axes.flat[n:]:
        ax.set_axis_off()
    for ax, im, title in zip(axes.flat, images, titles):
        shown = ax.imshow(im, cmap=cmap, vmin=vmin, vmax=vmax)
        ax.set_title(title, fontsize=9)
        label_image_axes(ax)
        if colorbar:
            fig.colorbar(shown, ax=ax, shrink=0.8)
        if annotate:
            annotate_grid(ax, im, fmt=fmt)
    if suptitle:
        fig.suptitle(suptitle)
    return fig
