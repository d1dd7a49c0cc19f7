"""Layer gradient checks on demonstration inputs (cnnbook.layer_checks), window coverage, and
the derivation checker's figures and explorer."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnnbook.gradcheck import GradCheckResult  # noqa: E402
from cnnbook.layer_checks import derivation_check, gradcheck_verdict  # noqa: E402
from cnnbook.receptive_field import window_coverage  # noqa: E402
from cnnbook.viz import plot_gradient_check, plot_window_coverage  # noqa: E402
from cnnbook.widgets import derivation_checker  # noqa: E402


def test_gradcheck_verdict_pass_and_fail():
    ok = GradCheckResult("k", rows=[("x", 3e-11, (0,), 1.0, 1.0), ("w", 2e-9, (0,), 1.0, 1.0)])
    assert gradcheck_verdict(ok) == "k: x, w  max rel. error < 1e-07  passed: True"
    bad = GradCheckResult("k", rows=[("x", 1 / 3, (0,), 2.0, 1.0)])
    assert gradcheck_verdict(bad) == "k: x  max rel. error = 0.3  passed: False"


@pytest.mark.parametrize("layer", ["conv", "max-pool", "avg-pool", "dense"])
def test_derivation_check_passes(layer):
    check = derivation_check(layer, stride=2, padding=1, dilation=2, height=7, width=5)
    assert check["result"].max_error < 1e-7
    assert check["analytic"].shape == check["numeric"].shape == (1, 2, 7, 5)
    np.testing.assert_allclose(check["analytic"], check["numeric"], atol=1e-7)


def test_derivation_check_shows_the_gradients_check_layer_compared():
    """The figure's numerical gradient is the central difference of the forward pass, and
    the analytic one its backward pass, on the inputs derived from the seed."""
    from cnnbook import functional as F
    from cnnbook.gradcheck import numerical_gradient

    check = derivation_check("conv", stride=2, padding=1, dilation=2, height=5, width=4)
    rng = np.random.default_rng(0)  # derivation_check's draws, in its order
    x, w, b = rng.normal(size=(1, 2, 5, 4)), rng.normal(size=(3, 2, 3, 3)), rng.normal(size=3)
    opts = dict(stride=2, padding=1, dilation=2)
    out, cache = F.conv2d_forward(x, w, b, **opts)
    dout = rng.normal(size=out.shape)
    np.testing.assert_array_equal(check["analytic"], F.conv2d_backward(dout, cache)[0])
    np.testing.assert_array_equal(
        check["numeric"], numerical_gradient(lambda a: F.conv2d_forward(a, w, b, **opts)[0],
                                             x, dout))


def test_derivation_check_rejects_bad_options():
    with pytest.raises(ValueError):
        derivation_check("max-pool", padding=2, kernel_size=3)
    with pytest.raises(ValueError):
        derivation_check("softmax")


def test_window_coverage_counts():
    # stride 1, no padding: the centre of a 5x5 input is read by all 9 windows of a 3x3 kernel
    cov = window_coverage(5, 5, 3)
    assert cov[2, 2] == 9 and cov[0, 0] == 1
    # stride 2 leaves gaps only where no window starts
    cov2 = window_coverage(5, 5, 3, stride=2)
    assert cov2[2, 2] == 4 and cov2[1, 1] == 1
    # total = number of windows x taps
    assert window_coverage(7, 6, 3, stride=2, padding=1, dilation=2).sum() <= 9 * 4 * 3


def test_plots_have_titles_labels_colorbars():
    a = np.arange(12.0).reshape(3, 4)
    fig = plot_gradient_check(a, a + 1e-10, title="t")
    images = [ax for ax in fig.axes if ax.images]
    assert len(images) == 3 and len(fig.axes) == 6  # three panels, three colour bars
    assert all(ax.get_title() and ax.get_xlabel() and ax.get_ylabel() for ax in images)
    assert fig._suptitle.get_text() == "t"
    plt.close(fig)
    fig = plot_window_coverage([dict(stride=1), dict(stride=2, dilation=2)], height=6, width=5)
    assert len([ax for ax in fig.axes if ax.images]) == 2 and len(fig.axes) == 3
    assert fig._suptitle.get_text()
    plt.close(fig)
    fig = plot_window_coverage([dict(stride=1), dict(stride=2), dict(dilation=2)], ncols=2)
    assert len([ax for ax in fig.axes if ax.images]) == 3
    assert [ax.get_title() for ax in fig.axes if ax.images] == ["stride 1", "stride 2",
                                                                "dilation 2"]
    plt.close(fig)


def test_widget_recomputes_on_change():
    w = derivation_checker()
    first = w.result
    assert first is not None and first["title"].startswith("conv")
    w.children[0].value = "avg-pool"
    assert w.result["title"].startswith("avg-pool")
    w.children[4].value = 10  # height
    assert w.result["analytic"].shape == (1, 2, 10, 9)
    w.children[0].value = "max-pool"
    w.children[2].value = 2  # padding 2 > 3 // 2: does not fit
    assert w.result is None
    plt.close("all")


def _scale_values(cax):
    """The values a colour bar of plot_gradient_check labels, and those at its marks."""
    bar = cax.colour_bar
    offset = bar["offset"].get_text().replace("−", "-")
    factor = float(offset) if offset else 1.0
    texts = [t for t in bar["texts"] if t.get_visible()]
    labels = np.array([float(t.get_text().replace("−", "-")) for t in texts]) * factor
    return labels, bar["marks"].get_ydata(), np.array([t.get_position()[1] for t in texts])


def test_gradient_check_colour_bars_label_their_colours():
    """Every label sits at its mark, at the height where the colour scale has that value."""
    rng = np.random.default_rng(0)
    a = 3 * rng.normal(size=(4, 6))
    fig = plot_gradient_check(a, a + 1e-10 * rng.normal(size=a.shape), title="t")
    for ax, cax in zip(fig.axes[:3], fig.axes[3:]):
        lo, hi = ax.images[0].get_clim()
        assert lo == -hi
        labels, marks, heights = _scale_values(cax)
        assert len(labels) >= 3 and np.all(np.abs(labels) <= hi * (1 + 1e-9))
        np.testing.assert_allclose(marks, heights)
        np.testing.assert_allclose(-hi + 2 * hi * heights, labels, atol=1e-9 * hi)
    assert fig.axes[5].colour_bar["offset"].get_text().startswith("1e")
    plt.close(fig)


def test_derivation_checker_steps_show_the_check_as_a_fresh_figure_would():
    """In-place steps (blitted, or fully drawn when the shape changes) hold the check's
    gradients, and the picture equals a figure drawn afresh for that check."""
    from helpers import png_pixels
    from cnnbook.layer_checks import gradcheck_verdict
    from cnnbook.widgets import FigureView

    box = derivation_checker(height=5, width=6)
    layer, stride, height, image = box.children[0], box.children[1], box.children[4], \
        box.children[-1]
    for control, value in ((layer, "avg-pool"), (height, 4), (stride, 1), (layer, "conv")):
        updates = box.view.state["updates"]
        control.value = value
        assert box.view.state["updates"] == updates + 1
        check = box.result
        a, n = check["analytic"][0, 0], check["numeric"][0, 0]
        drawn = [ax.images[0].get_array() for ax in box.fig.axes[:3]]
        for got, want in zip(drawn, (a, n, a - n)):
            np.testing.assert_array_equal(got, want)
        title = f"{check['title']}\n{gradcheck_verdict(check['result'])}"
        assert box.fig.get_suptitle() == title
        fresh = FigureView(lambda fig: plot_gradient_check(a, n, title=title, fig=fig),
                           figsize=(10, 3.4), layout=None)
        fresh.refresh()
        shown, want = png_pixels(image.value), png_pixels(fresh.image.value)
        assert shown.shape == want.shape
        assert (np.abs(shown - want).max(axis=2) > 0).sum() < 0.001 * want[..., 0].size
    assert check["analytic"].shape == (1, 2, 4, 6)
