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
    first = w.last_check
    assert first is not None and first["title"].startswith("conv")
    w.children[0].value = "avg-pool"
    assert w.last_check["title"].startswith("avg-pool")
    w.children[4].value = 10  # height
    assert w.last_check["analytic"].shape == (1, 2, 10, 9)
    w.children[0].value = "max-pool"
    w.children[2].value = 2  # padding 2 > 3 // 2: does not fit
    assert w.last_check is None
    plt.close("all")
