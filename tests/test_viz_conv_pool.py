"""Convolution and pooling figures and explorers, annotated heatmaps, compute graphs and tangents."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnnbook import viz, widgets  # noqa: E402
from cnnbook.functional import (avg_pool2d_backward, avg_pool2d_forward,  # noqa: E402
                                conv2d_forward, max_pool2d_backward, max_pool2d_forward)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _quadratic(w):
    return (w - 1.0) ** 2, 2 * (w - 1.0)


# ---- compute graphs and tangents -------------------------------------------------------

def test_plot_compute_graph_draws_boxes_and_both_labels():
    nodes = {"x": (0, 0, "$x$"), "z": (1.5, 0, "$z$")}
    ax = viz.plot_compute_graph(nodes, [("x", "z", "fwd", "bwd")], title="graph")
    texts = [t.get_text() for t in ax.texts]
    assert {"$x$", "$z$", "fwd", "bwd"} <= set(texts)
    assert ax.get_title() == "graph"


def test_plot_loss_tangent_slope_and_step():
    ax = viz.plot_loss_tangent(_quadratic, 3.0, w_range=(-2, 4), lr=0.25)
    tangent = ax.lines[1]
    xs, ys = tangent.get_data()
    assert np.isclose((ys[1] - ys[0]) / (xs[1] - xs[0]), 4.0)   # dL/dw at w = 3
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    step = ax.lines[-1].get_data()
    assert np.isclose(step[0][0], 3.0 - 0.25 * 4.0)                # w - lr * grad


def test_tangent_explorer_recomputes():
    box = widgets.tangent_explorer(_quadratic, w0=0.0, w_range=(-2, 4))
    assert box.result == (0.0, 1.0, -2.0)
    box.children[0].value = 2.0
    assert box.result == (2.0, 1.0, 2.0)
    assert box.view.state["updates"] == 2


# ---- heatmaps, convolution and pooling -------------------------------------------------

def test_annotate_grid_writes_every_cell_with_contrasting_colours():
    fig, ax = plt.subplots()
    values = np.array([[0.0, 1.0], [0.5, 0.25]])
    ax.imshow(values, cmap="gray", vmin=0, vmax=1)
    texts = viz.annotate_grid(ax, values, fmt="{:.1f}")
    assert [t.get_text() for t in texts] == ["0.0", "1.0", "0.5", "0.2"]
    assert texts[0].get_color() == "white" and texts[1].get_color() == "black"
    skipped = viz.annotate_grid(ax, values, skip_zero=True)  # one text per cell, 0 left blank
    assert [t.get_text() for t in skipped] == ["", "1.00", "0.50", "0.25"]
    with pytest.raises(ValueError, match="2-D"):
        viz.annotate_grid(ax, np.zeros(3))


def test_show_images_titles_labels_colorbars_and_shared_scale():
    a, b = np.zeros((4, 4)), np.ones((4, 4)) * 2
    fig = viz.show_images([a, b], ["a", "b"], share_scale=True)
    image_axes = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in image_axes] == ["a", "b"]
    assert all(ax.get_xlabel() and ax.get_ylabel() for ax in image_axes)
    assert len(fig.axes) == 4                                  # two colour bars
    assert all(ax.images[0].get_clim() == (0.0, 2.0) for ax in image_axes)
    with pytest.raises(ValueError, match="titles"):
        viz.show_images([a, b], ["only one"])


def test_show_conv_matches_conv2d_forward_and_states_formula():
    rng = np.random.default_rng(0)
    image = rng.random((12, 10))
    kernel = viz.KERNELS_3X3["sharpen"]
    fig = viz.show_conv(image, kernel, stride=2, padding=1, dilation=2)
    ax_in, ax_kernel, ax_out = [ax for ax in fig.axes if ax.images]
    out = ax_out.images[0].get_array()
    expected, _ = conv2d_forward(image[None, None], kernel[None, None], np.zeros(1),
                                 stride=2, padding=1, dilation=2)
    np.testing.assert_allclose(out, expected[0, 0])
    assert out.shape == (5, 4)
    assert ax_out.get_title().endswith("= 5")                  # OH = ... = 5
    assert ax_in.get_title() and ax_kernel.get_title()
    assert len(fig.axes) == 6                                  # three colour bars


def test_kernels_are_3x3_and_blur_sums_to_one():
    assert all(k.shape == (3, 3) for k in viz.KERNELS_3X3.values())
    assert np.isclose(viz.KERNELS_3X3["blur (Gaussian)"].sum(), 1.0)
    assert viz.KERNELS_3X3["edge x (Sobel)"].sum() == 0


@pytest.mark.parametrize("mode", ["max", "avg"])
def test_draw_pool_gradient_matches_the_kernels(mode):
    x = np.array([[1.0, 3.0, 2.0, 0.0],
                  [3.0, 0.0, 1.0, 4.0],
                  [0.0, 0.0, 5.0, 5.0],
                  [2.0, 1.0, 5.0, 0.0]])
    fig = plt.figure()
    out, dx = viz.draw_pool(fig, x, kernel_size=3, stride=1, mode=mode, cell=None)
    fwd, bwd = ((max_pool2d_forward, max_pool2d_backward) if mode == "max"
                else (avg_pool2d_forward, avg_pool2d_backward))
    y, cache = fwd(x[None, None], kernel_size=3, stride=1)
    np.testing.assert_allclose(out, y[0, 0])
    np.testing.assert_allclose(dx, bwd(np.ones_like(y), cache)[0, 0])
    assert np.isclose(dx.sum(), out.size)                      # every window sends 1
    assert all(ax.get_title() for ax in fig.axes if ax.images)
    assert fig.get_suptitle().startswith(mode)


def test_draw_pool_max_tie_goes_to_first_maximum():
    x = np.array([[3.0, 3.0], [3.0, 3.0]])
    _, dx = viz.draw_pool(plt.figure(), x, kernel_size=2, mode="max", cell=(0, 0))
    np.testing.assert_array_equal(dx, [[1, 0], [0, 0]])
    with pytest.raises(ValueError, match="cell"):
        viz.draw_pool(plt.figure(), x, kernel_size=2, cell=(1, 0))
    with pytest.raises(ValueError, match="mode"):
        viz.draw_pool(plt.figure(), x, kernel_size=2, mode="min")


def test_offline_animations_embed_all_frames():
    image = np.random.default_rng(1).random((16, 16))
    html = viz.conv_animation(image, viz.KERNELS_3X3["blur (Gaussian)"], vary="stride",
                              values=(1, 2)).data
    assert html.count("data:image/png;base64") >= 2 and "https://" not in html
    html = viz.pool_animation(image[:2, :2], kernel_size=2).data
    assert html.count("data:image/png;base64") >= 2           # 1 cell + dout = ones
    html = viz.tangent_animation(_quadratic, [0.0, 1.0], w_range=(-1, 2), lr=0.5).data
    assert html.count("data:image/png;base64") >= 2
    with pytest.raises(ValueError, match="vary"):
        viz.conv_animation(image, np.ones((3, 3)), vary="size")


def test_conv_explorer_recomputes_on_every_control():
    image = np.random.default_rng(2).random((20, 20))
    box = widgets.conv_explorer(image)
    menu, scale, stride, padding, dilation, custom_box, _, _ = box.children
    assert box.result.shape == (18, 18)
    stride.value = 2
    assert box.result.shape == (9, 9)
    assert "stride 2" in box.view.state["title"]
    padding.value = 1
    dilation.value = 2
    assert box.result.shape == (9, 9)                 # (20+2-4-1)//2+1
    menu.value = "identity"
    first = box.result.copy()
    scale.value = 2.0
    np.testing.assert_allclose(box.result, 2 * first)
    menu.value = "custom"
    assert custom_box.layout.display == ""
    cells = custom_box.children[1].children
    for c in cells:
        c.value = 0.0
    assert np.all(box.result == 0)
    dilation.value = 6                                          # 13-wide kernel still fits
    padding.value = 0
    dilation.value = 6
    stride.value = 1
    assert box.result.shape == (8, 8)


def test_conv_explorer_reports_too_large_kernel_instead_of_raising():
    box = widgets.conv_explorer(np.zeros((6, 6)))
    box.children[4].value = 4                                   # span 9 > 6
    assert box.result is None


def test_pool_explorer_recomputes_and_clamps_the_cell():
    fmap = np.arange(36, dtype=float).reshape(6, 6)
    box = widgets.pool_explorer(fmap)
    mode, ksize, stride, which, row, col, _, _ = box.children
    out, dx = box.result
    assert out.shape == (3, 3) and dx[1, 1] == 1 and dx.sum() == 1
    row.value, col.value = 2, 2
    assert box.result[1][5, 5] == 1
    ksize.value = 3
    stride.value = 3                                            # output 2x2: cell clamped
    assert (row.value, col.value) == (1, 1)
    mode.value = "avg"
    np.testing.assert_allclose(box.result[1][3:6, 3:6], 1 / 9)
    which.value = "all ones"
    assert np.isclose(box.result[1].sum(), 4)


def test_pool_explorer_default_is_a_digit():
    box = widgets.pool_explorer()
    assert box.result[0].shape == (4, 4)
