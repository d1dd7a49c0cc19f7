"""Training figures (history, confusion matrix, filters, digits), the model summary and the
kernel-recovery loop with its figures and explorer."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers import png_pixels  # noqa: E402
from cnnbook import viz, widgets  # noqa: E402
from cnnbook.base import summary  # noqa: E402
from cnnbook.loops import recover_kernel  # noqa: E402
from cnnbook.functional import conv2d_forward  # noqa: E402
from cnnbook.layers import (BatchNorm2D, Conv2D, Dense, Flatten, MaxPool2D,  # noqa: E402
                            ReLU, Sequential)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _history(epochs=4, accuracy=True):
    h = {"loss": list(np.linspace(2.0, 0.5, epochs)), "val_loss": list(np.linspace(2.1, 0.7, epochs)),
         "lr": [0.01] * epochs,
         "grad_norm": {"0.weight": list(np.geomspace(1, 0.1, epochs)),
                       "0.bias": list(np.geomspace(0.5, 0.05, epochs))}}
    if accuracy:
        h["accuracy"] = list(np.linspace(0.5, 0.9, epochs))
        h["val_accuracy"] = list(np.linspace(0.4, 0.85, epochs))
    return h


def _small_cnn(rng, bn=False):
    layers = [Conv2D(1, 4, 3, padding=1, rng=rng)]
    if bn:
        layers.append(BatchNorm2D(4))
    layers += [ReLU(), MaxPool2D(2), Flatten(), Dense(4 * 4 * 4, 10, rng=rng)]
    return Sequential(*layers)


def _conv(x, w):
    return conv2d_forward(x, w[None, None], np.zeros(1))[0]


def _sobel_pairs():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 1, 12, 12))
    w = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
    y, _ = conv2d_forward(x, w[None, None], np.zeros(1))
    return x, y, w


# ---- training curves ---------------------------------------------------------------

def test_plot_history_draws_loss_and_accuracy_panels():
    fig = viz.plot_history(_history())
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["loss", "accuracy"]
    for ax in fig.axes:
        assert ax.get_xlabel() == "epoch" and ax.get_ylabel()
        assert len(ax.get_lines()) == 2  # training and validation
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["training", "validation"]


def test_plot_history_without_accuracy_or_on_given_axes():
    fig = viz.plot_history(_history(accuracy=False))
    assert [ax.get_title() for ax in fig.axes] == ["loss"]
    fig, ax = plt.subplots()
    assert viz.plot_history(_history(), ax=ax) is fig
    assert ax.get_title() == "loss"
    fig, axes = plt.subplots(1, 2)
    viz.plot_history(_history(), ax=axes)
    assert axes[1].get_title() == "accuracy"


def test_plot_grad_norms_one_log_line_per_parameter():
    fig = viz.plot_grad_norms(_history())
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    assert ax.get_title() and ax.get_xlabel() == "epoch" and ax.get_ylabel()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["0.weight", "0.bias"]
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), np.geomspace(1, 0.1, 4))


# ---- evaluation figures --------------------------------------------------------------

def test_plot_confusion_matrix_writes_nonzero_counts_and_colorbar():
    cm = np.array([[5, 1, 0], [0, 4, 0], [2, 0, 3]])
    fig = viz.plot_confusion_matrix(cm)
    ax = fig.axes[0]
    assert len(fig.axes) == 2  # matrix + colour bar
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    assert sorted(t.get_text() for t in ax.texts if t.get_text()) == sorted(["5", "1", "4", "2", "3"])


def test_show_filters_one_panel_per_filter_on_a_shared_symmetric_scale():
    w = np.random.default_rng(0).standard_normal((6, 1, 3, 3))
    fig = viz.show_filters(w, ncols=4)
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 6
    lim = np.abs(w[:, 0]).max()
    assert all(im.get_clim() == (-lim, lim) for im in images)
    assert fig.get_suptitle()
    assert any(ax.get_ylabel() == "weight" for ax in fig.axes)  # colour bar


def test_show_misclassified_titles_and_none_when_all_right():
    x = np.random.default_rng(0).random((5, 1, 8, 8))
    y = np.array([0, 1, 2, 3, 4])
    assert viz.show_misclassified(x, y, y) is None
    fig = viz.show_misclassified(x, y, np.array([0, 7, 2, 3, 9]))
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["true 1\npred 7", "true 4\npred 9"]
    assert "2 shown" in fig.get_suptitle()


def test_summary_shapes_counts_and_mode_untouched():
    rng = np.random.default_rng(0)
    model = _small_cnn(rng, bn=True)
    before = {k: v.copy() for k, v in model.buffers.items()}
    text = summary(model, (1, 8, 8))
    assert model.training  # put back in training mode
    for k, v in model.buffers.items():
        np.testing.assert_array_equal(v, before[k])  # eval mode: running stats untouched
    assert "(4, 8, 8)" in text and "(64,)" in text and "(10,)" in text
    total = sum(layer.num_parameters() for layer in model.layers)
    assert text.strip().endswith(f"trainable parameters: {total}")
    model.eval()
    summary(model, (1, 8, 8))
    assert not model.training


def test_plot_digit_prediction_probabilities_and_feature_maps():
    model = _small_cnn(np.random.default_rng(0))
    image = np.random.default_rng(1).random((1, 8, 8))
    fig = viz.plot_digit_prediction(model, image, 3)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0].startswith("true 3")
    assert "softmax probabilities" in titles
    assert sum(t.startswith("map ") for t in titles) == 4
    bars = [ax for ax in fig.axes if ax.get_title() == "softmax probabilities"][0].patches
    assert len(bars) == 10
    np.testing.assert_allclose(sum(b.get_height() for b in bars), 1.0)


# ---- kernel recovery (4.1) -------------------------------------------------------------

def test_recover_kernel_finds_sobel_and_records_snapshots():
    x, y, w = _sobel_pairs()
    result = recover_kernel(x, y, lr=0.05, steps=300, momentum=0.9)
    assert not result["diverged"]
    np.testing.assert_allclose(result["weight"][0, 0], w, atol=1e-6)
    assert abs(result["bias"][0]) < 1e-6
    assert len(result["loss"]) == 301 and result["loss"][-1] < 1e-12 < result["loss"][0]
    assert result["steps"][0] == 0 and result["steps"][-1] == 300
    np.testing.assert_array_equal(result["kernels"][0], np.zeros((3, 3)))
    assert len(result["kernels"]) == len(result["steps"])


def test_recover_kernel_reports_divergence():
    x, y, _ = _sobel_pairs()
    result = recover_kernel(x, y, lr=5.0, steps=200, momentum=0.0)
    assert result["diverged"]
    assert len(result["loss"]) < 201 and np.all(np.isfinite(result["loss"]))


def test_plot_recovery_and_kernel_pair_share_a_colour_scale():
    x, y, w = _sobel_pairs()
    result = recover_kernel(x, y, lr=0.05, steps=50)
    fig = viz.plot_recovery(result, w)
    ax_loss = fig.axes[0]
    assert ax_loss.get_yscale() == "log" and ax_loss.get_title() == "loss"
    assert fig.axes[1].get_title() == "kernel after 50 steps"
    assert fig.axes[1].images[0].get_clim() == fig.axes[2].images[0].get_clim()
    assert "-0.00" not in [t.get_text() for t in fig.axes[1].texts]
    fig = viz.plot_kernel_pair(-w, w)
    assert fig.axes[0].images[0].get_clim() == (-2.0, 2.0) == fig.axes[1].images[0].get_clim()
    assert len(fig.axes[0].texts) == 9


def test_recovery_animation_is_offline_html():
    x, y, w = _sobel_pairs()
    result = recover_kernel(x, y, lr=0.05, steps=20)
    html = viz.recovery_animation(result, w, max_frames=3).data
    assert "<img" in html or "data:image/png" in html
    assert "https://" not in html and "http://" not in html


def test_kernel_recovery_explorer_recomputes_when_controls_move():
    x, _, w = _sobel_pairs()
    x = 3 * x  # curvature ~ 2 * 9 * E[x^2]: lr = 1 with momentum 0.9 diverges
    box = widgets.kernel_recovery_explorer(x, w, lr=0.01, steps=50)
    lr, steps, noise, _, _ = box.children
    first = box.result
    assert box.view.state["updates"] == 1 and "max |learned - true|" in box.view.state["title"]
    steps.value = 100
    assert box.view.state["updates"] == 2 and len(box.result["loss"]) == 101
    want = recover_kernel(x, _conv(x, w), lr=0.01, steps=100, momentum=0.9)
    np.testing.assert_allclose(box.result["loss"], want["loss"], rtol=1e-12)  # same fit
    noise.value = 1.0
    assert not np.allclose(box.result["weight"], first["weight"])
    lr.value = 1.0
    assert box.result["diverged"] and "DIVERGED" in box.view.state["title"]


def test_kernel_recovery_explorer_steps_draw_the_new_fit_and_match_a_full_draw():
    """Steps are blitted: the loss panel and kernels hold the new fit, the picture is the
    one a full draw makes, and a setting seen before gives the same bytes."""
    x, _, w = _sobel_pairs()
    box = widgets.kernel_recovery_explorer(x, w, lr=0.01, steps=50)
    lr, steps, noise, _, image = box.children
    pngs = {}
    for control, value in ((steps, 100), (steps, 60), (lr, 0.03), (noise, 0.5), (lr, 0.01),
                           (noise, 0.0), (steps, 100)):
        control.value = value
        result = box.result
        fig = box.fig
        np.testing.assert_array_equal(fig.axes[0].lines[0].get_ydata(), result["loss"])
        np.testing.assert_array_equal(fig.axes[1].images[0].get_array(),
                                      result["kernels"][-1])
        assert fig.axes[1].get_title() == f"kernel after {result['steps'][-1]} steps"
        lo, hi = fig.axes[1].images[0].get_clim()
        assert fig.axes[2].images[0].get_clim() == (lo, hi) == (-hi, hi)  # one scale, also
        lim = max(np.abs(result["kernels"][-1]).max(), np.abs(w).max())  # when only the
        assert lim <= hi <= 1.1 * lim  # learned kernel was redrawn; both kernels inside
        pngs.setdefault((lr.value, steps.value, noise.value), set()).add(image.value)
    assert len(pngs[0.01, 100, 0.0]) == 1

    blitted, full = png_pixels(image.value), png_pixels(box.view.render())
    assert (np.abs(blitted - full).max(axis=2) > 0).sum() < 0.001 * full[..., 0].size


def test_kernel_recovery_explorer_keeps_wider_colour_bar_labels_inside_the_figure():
    """A diverged fit has labels like -750 instead of -2: the panels are laid out again for
    them (nothing clipped), and a step back to small labels blits on a layout for those."""
    x, _, w = _sobel_pairs()
    box = widgets.kernel_recovery_explorer(3 * x, w, lr=0.01, steps=50)
    lr = box.children[0]
    for value in (1.0, 0.02):
        lr.value = value
        fig = box.fig
        renderer = fig.canvas.get_renderer()
        cbar = fig.axes[1].images[0].colorbar
        labels = [cbar.ax.yaxis.label, *cbar.ax.get_yticklabels()]
        assert all(t.get_window_extent(renderer).x1 <= fig.bbox.x1 for t in labels)
        assert ("DIVERGED" in box.view.state["title"]) == (value == 1.0)


# ---- article figures (4.1) ---------------------------------------------------------------

def test_show_article_output_outlines_filled_and_valid_regions():
    rng = np.random.default_rng(0)
    inp = rng.standard_normal((32, 32, 1))
    out = np.zeros_like(inp)
    out[:16, :16] = 1.0
    fig = viz.show_article_output(inp, out)
    ax = fig.axes[1]
    assert ax.get_title() == "output_image (32, 32, 1)"
    sizes = sorted(p.get_width() for p in ax.patches)
    assert sizes == [16, 30]


def test_plot_error_growth_draws_measured_and_predicted():
    d = 2.0 * 1.02 ** np.arange(11)
    fig = viz.plot_error_growth(d, 1.02)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and ax.get_title()
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), d)


def test_digit_explorer_recomputes_when_index_moves():
    model = _small_cnn(np.random.default_rng(0))
    x = np.random.default_rng(1).random((5, 1, 8, 8))
    y = np.arange(5)
    box = widgets.digit_explorer(model, x, y, index=0)
    pick, _, _ = box.children
    assert box.view.state["updates"] == 1 and box.result[0] == 0
    pick.value = 3
    assert box.view.state["updates"] == 2 and box.result[0] == 3
    assert "true 3" in box.view.state["title"]


def test_digit_explorer_step_draws_the_new_digit_maps_and_probabilities():
    """Steps are blitted in place: the artists hold the new digit's values and the picture
    is the one a full draw of the same figure makes."""

    from cnnbook.analysis import feature_maps
    model = _small_cnn(np.random.default_rng(0))
    x = np.random.default_rng(1).random((5, 1, 8, 8))
    box = widgets.digit_explorer(model, x, np.arange(5), index=0)
    pick, _, image = box.children
    first = image.value
    for i in (3, 1, 0):
        pick.value = i
        fig = box.fig
        probs, maps = feature_maps(model, x[i, 0], 0)
        np.testing.assert_array_equal(fig.subfigs[0].axes[0].images[0].get_array(), x[i, 0])
        np.testing.assert_allclose([b.get_height() for b in fig.subfigs[1].axes[0].patches],
                                   probs)
        drawn = [ax.images[0].get_array() for ax in fig.subfigs[2].axes if ax.images]
        np.testing.assert_allclose(np.array(drawn), maps)
    assert image.value == first  # back at digit 0: the same picture

    np.testing.assert_array_equal(png_pixels(image.value),
                                  png_pixels(box.view.render()))
