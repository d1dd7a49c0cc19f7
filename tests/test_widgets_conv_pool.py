"""Convolution, pooling and step-through explorers redraw in place across shape changes.

After stride, padding, dilation, kernel size or mode steps the figure kept by an explorer
shows what a freshly built figure at the same settings shows (images, extents, colour
ranges, ticks, titles, cell texts, outlines), and the blitted picture is the one a full
draw of that figure makes.
"""
import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FixedLocator  # noqa: E402

from helpers import png_pixels  # noqa: E402
from cnnbook.viz import KERNELS_3X3, ConvStepFigure  # noqa: E402
from cnnbook.viz.conv import ConvFigure  # noqa: E402
from cnnbook.viz.pooling import PoolFigure  # noqa: E402
from cnnbook.widgets import backprop_step_through, conv_explorer, pool_explorer  # noqa: E402


def _shown(fig):
    """What the figure shows, panel by panel (positions of the axes left out)."""
    panels = []
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        panel = {"title": ax.get_title(), "xlim": ax.get_xlim(), "ylim": ax.get_ylim(),
                 "xticks": _ticks(ax.xaxis), "yticks": _ticks(ax.yaxis)}
        panel["images"] = [(im.get_array().tolist(), tuple(im.get_extent()), im.get_clim())
                           for im in ax.images]
        panel["texts"] = [(t.get_text(), tuple(t.get_position()), t.get_color(),
                           t.get_fontsize()) for t in ax.texts if t.get_visible()]
        panel["patches"] = [(type(p).__name__, tuple(np.round(p.get_bbox().bounds, 9)),
                             p.get_edgecolor(), p.get_linestyle())
                            for p in ax.patches if p.get_visible()]
        panel["lines"] = [tuple(map(tuple, ln.get_xydata())) for ln in ax.lines]
        panels.append(panel)
    return fig.get_suptitle(), panels


def _ticks(axis):
    """One tick per cell (fixed ticks) or matplotlib's automatic ones (which depend on the
    panel's size in pixels, a matter of layout)."""
    locator = axis.get_major_locator()
    return list(axis.get_ticklocs()) if isinstance(locator, FixedLocator) \
        else type(locator).__name__


def _assert_same(kept, fresh):
    (sup_k, kept), (sup_f, fresh) = _shown(kept), _shown(fresh)
    assert sup_k == sup_f
    assert len(kept) == len(fresh)
    for k, (a, b) in enumerate(zip(kept, fresh)):
        for key in a:
            if key in ("xlim", "ylim"):
                np.testing.assert_allclose(a[key], b[key], err_msg=f"panel {k} {key}")
            else:
                assert a[key] == b[key], f"panel {k}: {key} differs"


def _matches_full_draw(box):
    blitted = png_pixels(box.view.image.value)
    full = png_pixels(box.view.render())
    assert blitted.shape == full.shape
    assert (np.abs(blitted - full).max(axis=2) > 0).sum() < 0.001 * full[..., 0].size


def test_pool_explorer_shape_steps_show_a_fresh_figure():
    fmap = np.random.default_rng(0).uniform(size=(6, 6))
    box = pool_explorer(fmap)
    mode, ksize, stride, which, row, col = box.controls.values()
    image, fig = box.view.image, box.fig
    axes_before = list(fig.axes)
    steps = [(stride, 1), (col, 4), (ksize, 3), (mode, "avg"), (which, "all ones"),
             (stride, 3), (ksize, 1), (which, "one cell"), (row, 1)]
    for control, value in steps:
        before = image.value
        control.value = value
        assert image.value != before
        cell = (row.value, col.value) if which.value == "one cell" else None
        fresh = PoolFigure(Figure(), fmap, kernel_size=ksize.value, stride=stride.value,
                           mode=mode.value, cell=cell, out_columns=6)
        _assert_same(fig, fresh.fig)
        np.testing.assert_array_equal(box.result[1], fresh.result[1])
    assert fig.axes == axes_before  # the same panels, updated in place
    _matches_full_draw(box)


def test_conv_explorer_shape_steps_show_a_fresh_figure():
    img = np.random.default_rng(1).uniform(size=(12, 12))
    box = conv_explorer(img)
    menu, scale, stride, padding, dilation = box.controls.values()
    fig = box.fig
    steps = [(stride, 2), (padding, 2), (dilation, 3), (menu, "sharpen"), (scale, -0.5),
             (padding, 0), (stride, 3)]
    for control, value in steps:
        control.value = value
        name = menu.value if scale.value == 1 else f"{scale.value:g} × {menu.value}"
        fresh = ConvFigure(Figure(), img, scale.value * KERNELS_3X3[menu.value],
                           stride=stride.value, padding=padding.value,
                           dilation=dilation.value, kernel_name=name)
        _assert_same(fig, fresh.fig)
        np.testing.assert_array_equal(box.result, fresh.out)
    _matches_full_draw(box)
    shown = box.view.image.value
    dilation.value = 6  # does not fit: a message, the figure stays, then back
    assert box.result is None
    assert "does not fit" in box.message.value
    assert box.view.image.value == shown
    dilation.value = 1
    assert box.message.value == ""
    fresh = ConvFigure(Figure(), img, -0.5 * KERNELS_3X3["sharpen"], stride=3,
                       kernel_name="-0.5 × sharpen")
    _assert_same(fig, fresh.fig)
    _matches_full_draw(box)


def test_step_through_shape_steps_show_a_fresh_figure():
    rng = np.random.default_rng(2)
    x = rng.uniform(0.2, 1.0, size=(2, 2, 6, 6))
    w, b = rng.normal(size=(2, 2, 3, 3)), np.zeros(2)
    box = backprop_step_through(x, w, b, f=0, i=1, j=2)
    n_box, f_box, c_box, s_box, p_box, d_box, i_box, j_box = box.controls.values()
    fig = box.fig
    steps = [[(p_box, 2), (j_box, 5)], [(s_box, 2), (f_box, 1)], [(d_box, 2), (p_box, 1)],
             [(n_box, 1), (c_box, 1), (s_box, 1), (i_box, 0)]]
    for group in steps:  # compared with a fresh figure after each group of steps
        for control, value in group:
            control.value = value
        fresh = ConvStepFigure(x, w, b, n=n_box.value, f=f_box.value, c=c_box.value,
                               stride=s_box.value, padding=p_box.value,
                               dilation=d_box.value, fig=Figure(layout="tight"))
        g = fresh.set_pixel(i_box.value, j_box.value)
        _assert_same(fig, fresh.fig)
        np.testing.assert_array_equal(box.result["dx"], g["dx"])
    _matches_full_draw(box)
