"""Explorers draw what they compute: after a control moves, the artists hold the new values.

Each test moves one control and compares the drawn data (image arrays, cell texts, line
data) with the same computation done directly in the core.
"""
import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers import png_pixels  # noqa: E402
from cnnbook import layers as L  # noqa: E402
from cnnbook.layer_checks import derivation_check  # noqa: E402
from cnnbook.loops import run_training_loop  # noqa: E402
from cnnbook.receptive_field import conv_step_gradients, pool_step_gradients  # noqa: E402
from cnnbook.viz import ConvStepFigure, format_value  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from cnnbook.widgets import (backprop_step_through, conv_explorer,  # noqa: E402
                             derivation_checker, pool_explorer, training_loop_explorer)


def _images(fig):
    return [ax.images[0] for ax in fig.axes if ax.images]


def test_step_through_draws_the_gradients_of_the_chosen_pixel():
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(1, 1, 6, 6)), rng.normal(size=(2, 1, 3, 3)), np.zeros(2)
    box = backprop_step_through(x, w, b, f=1, i=0, j=0)
    j_box = box.controls["j"]
    assert type(box.children[-1]).__name__ == "Image"  # the figure, below the controls
    updates = box.view.state["updates"]
    j_box.value = 2
    assert box.view.state["updates"] == updates + 1  # one new picture per step
    want = conv_step_gradients(x, w, b, 0, 1, 0, 2)
    np.testing.assert_array_equal(box.result["dx"], want["dx"])
    delta, dx, dw = _images(box.fig)[2:5]  # input, kernel, delta, dx, dw
    np.testing.assert_array_equal(delta.get_array(), want["dout"][0, 1])
    np.testing.assert_array_equal(dx.get_array(), want["dx"][0, 0])
    np.testing.assert_array_equal(dw.get_array(), want["dw"][1, 0])


def test_step_through_cell_texts_equal_the_drawn_values():
    rng = np.random.default_rng(1)
    x, w, b = rng.normal(size=(1, 1, 6, 6)), rng.normal(size=(1, 1, 3, 3)), np.zeros(1)
    panel = ConvStepFigure(x, w, b, padding=1, fig=Figure())
    for i, j in [(0, 0), (3, 4), (5, 5)]:
        g = panel.set_pixel(i, j)
        np.testing.assert_array_equal(panel.dx.get_array(), g["dx"][0, 0])
        np.testing.assert_array_equal(panel.dw.get_array(), g["dw"][0, 0])
        texts = [t.get_text() for t in panel.dw.cell_texts]
        assert texts == [format_value("{:.2f}", v) for v in g["dw"][0, 0].ravel()]
        dx_texts = [t.get_text() for t in panel.dx.cell_texts]
        assert dx_texts == ["" if v == 0 else format_value("{:.2f}", v)
                            for v in g["dx"][0, 0].ravel()]


def test_pool_explorer_moves_the_gradient_to_the_chosen_cell():
    fmap = np.arange(36, dtype=float).reshape(6, 6) % 7
    box = pool_explorer(fmap)
    mode, row, col = box.controls["mode"], box.controls["row"], box.controls["col"]
    row.value, col.value = 1, 2
    out, dx = pool_step_gradients(fmap, 2, 2, "max", (1, 2))
    np.testing.assert_array_equal(box.result[1], dx)
    drawn_dx = _images(box.fig)[2]
    np.testing.assert_array_equal(drawn_dx.get_array(), dx)
    labels = [t.get_text() for t in drawn_dx.axes.texts]
    assert labels == ["" if v == 0 else format_value("{:.3g}", v) for v in dx.ravel()]
    mode.value = "avg"
    out, dx = pool_step_gradients(fmap, 2, 2, "avg", (1, 2))
    np.testing.assert_array_equal(box.result[0], out)
    np.testing.assert_allclose(box.result[1], dx)
    assert dx.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("explorer", ["step", "pool"])
def test_blitted_steps_show_the_new_values_and_repeat_exactly(explorer):
    """In-place steps redraw only the changed artists over a saved background: the picture
    changes, the artists hold the computed values, a step back gives the same bytes, and
    the picture is (up to a few antialiased pixels) the one a full draw makes."""
    rng = np.random.default_rng(2)
    if explorer == "step":
        x, w, b = rng.normal(size=(1, 1, 6, 6)), rng.normal(size=(2, 1, 3, 3)), np.zeros(2)
        box = backprop_step_through(x, w, b, f=0, i=0, j=0)
        control = box.controls["j"]  # output column j
    else:
        fmap = rng.uniform(size=(6, 6))
        box = pool_explorer(fmap)
        control = box.controls["col"]  # output col
    image = box.view.image
    pngs = {}
    for v in (1, 2, 0, 1):
        before = image.value
        control.value = v
        assert image.value != before
        pngs.setdefault(v, set()).add(image.value)
        drawn = _images(box.fig)
        if explorer == "step":
            want = conv_step_gradients(x, w, b, 0, 0, 0, v)
            np.testing.assert_array_equal(drawn[3].get_array(), want["dx"][0, 0])
            np.testing.assert_array_equal(drawn[4].get_array(), want["dw"][0, 0])
        else:
            out, dx = pool_step_gradients(fmap, 2, 2, "max", (0, v))
            np.testing.assert_array_equal(drawn[2].get_array(), dx)
    assert all(len(p) == 1 for p in pngs.values())  # same setting, same picture
    blitted, full = png_pixels(image.value), png_pixels(box.view.render())
    assert blitted.shape == full.shape
    assert (np.abs(blitted - full).max(axis=2) > 0).sum() < 0.001 * full[..., 0].size


def test_conv_explorer_never_writes_minus_zero():
    box = conv_explorer(np.random.default_rng(0).uniform(size=(12, 12)))
    kernel_menu, scale = box.controls["kernel"], box.controls["scale"]
    kernel_menu.value = "edge x (Sobel)"  # has zeros: -1 x 0 must read "0", not "-0"
    scale.value = -1.0
    assert box.view.image.value[:4] == b"\x89PNG"  # a picture was sent
    kernel_ax = [ax for ax in box.fig.axes if ax.images][1]
    labels = [t.get_text() for t in kernel_ax.texts]
    np.testing.assert_array_equal(kernel_ax.images[0].get_array(),
                                  -np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]))
    assert labels == ["1", "0", "-1", "2", "0", "-2", "1", "0", "-1"]


@pytest.mark.parametrize("v, text", [(-0.0, "0.00"), (-0.001, "0.00"), (-0.5, "-0.50"),
                                     (0.25, "0.25")])
def test_format_value_drops_the_sign_of_zero(v, text):
    assert format_value("{:.2f}", v) == text
    assert format_value("{:.3g}", -0.0) == "0"


def test_derivation_checker_checks_the_setting_shown():
    box = derivation_checker()
    sliders = list(box.controls.values())[1:]
    assert all(not s.continuous_update for s in sliders)  # one check per release
    updates = box.view.state["updates"]
    box.controls["width"].value = 8
    assert box.view.state["updates"] == updates + 1
    want = derivation_check("conv", stride=2, padding=1, dilation=2, height=7, width=8)
    np.testing.assert_allclose(box.result["analytic"], want["analytic"])
    assert box.result["title"] == want["title"]


def test_training_loop_explorer_draws_the_loss_of_the_chosen_learning_rate():
    def build():
        rng = np.random.default_rng(0)
        return L.Sequential(L.Conv2D(1, 2, 3, rng=rng), L.ReLU(), L.MaxPool2D(2), L.Flatten(),
                            L.Dense(2 * 2 * 2, 3, rng=rng))

    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(6, 1, 6, 6)), np.array([0, 1, 2, 0, 1, 2])
    box = training_loop_explorer(build, x, y, steps=5, steps_max=20)
    steps_slider, lr_slider = box.controls["steps"], box.controls["lr"]
    steps_slider.value = 12
    lr_slider.value = 0.01
    want, _ = run_training_loop(build, x, y, steps=12, lr=lr_slider.value)
    np.testing.assert_array_equal(box.result[0], want)
    line = box.fig.axes[0].lines[0]
    np.testing.assert_array_equal(line.get_ydata(), want)  # the curve drawn is that loss
    other, _ = run_training_loop(build, x, y, steps=12, lr=0.1)
    assert not np.allclose(want, other)  # the learning rate matters for these numbers


def test_bn_training_explorer_epochs_continue_the_run_exactly():
    """The table's runs, trained one epoch at a time, equal a fit from scratch; fewer
    epochs are a slice of them."""
    from cnnbook.losses import softmax_cross_entropy
    from cnnbook.optim import SGD
    from cnnbook.train import fit
    from cnnbook.widgets import bn_training_explorer

    def build(batch_norm, r):
        layers = [L.Conv2D(1, 2, 3, padding=1, rng=r)]
        layers += [L.BatchNorm2D(2)] if batch_norm else []
        return L.Sequential(*layers, L.ReLU(), L.Flatten(), L.Dense(2 * 4 * 4, 3, rng=r))

    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(40, 1, 4, 4)), rng.integers(0, 3, size=40)
    box = bn_training_explorer(build, x, y, lrs=(0.05, 0.1), lr=0.1, epochs=1, batch_size=8)
    epochs = box.controls["epochs"]
    for e in (3, 2):
        epochs.value = e
        for bn, name in ((False, "without BN"), (True, "with BN")):
            hist = fit(build(bn, np.random.default_rng(0)), softmax_cross_entropy,
                       SGD(0.1, momentum=0.9), x, y, epochs=e, batch_size=8,
                       rng=np.random.default_rng(1), progress=False)
            np.testing.assert_array_equal(box.result[name], hist["loss"])
            line = [ln for ln in box.fig.axes[0].lines if ln.get_label() == name]
            np.testing.assert_array_equal(line[0].get_ydata(), hist["loss"])


def test_conv_explorer_kernel_steps_redraw_kernel_and_output_in_place():
    from cnnbook.conv import conv2d_forward
    from cnnbook.viz import KERNELS_3X3

    img = np.random.default_rng(4).uniform(size=(12, 12))
    box = conv_explorer(img)
    kernel_menu, scale, stride = (box.controls[k] for k in ("kernel", "scale", "stride"))
    image = box.view.image
    first = image.value
    stride.value = 2  # a new setting: full redraw; then kernel steps are blitted on it
    for name, sc in (("sharpen", 1.0), ("sharpen", -0.5), ("blur (Gaussian)", 2.0)):
        kernel_menu.value, scale.value = name, sc
        k = sc * KERNELS_3X3[name]
        want, _ = conv2d_forward(img[None, None], k[None, None], np.zeros(1), stride=2)
        _, drawn_k, drawn_out = _images(box.fig)
        np.testing.assert_array_equal(drawn_k.get_array(), k)
        np.testing.assert_allclose(drawn_out.get_array(), want[0, 0])
        np.testing.assert_allclose(box.result, want[0, 0])
        assert [t.get_text() for t in drawn_k.axes.texts] == \
            [format_value("{:.3g}", v) for v in k.ravel()]
    blitted, full = png_pixels(image.value), png_pixels(box.view.render())
    assert (np.abs(blitted - full).max(axis=2) > 0).sum() < 0.001 * full[..., 0].size
    kernel_menu.value, scale.value, stride.value = "edge x (Sobel)", 1.0, 1
    assert png_pixels(image.value).shape == png_pixels(first).shape
