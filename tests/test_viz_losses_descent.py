"""Loss figures, gradient-descent paths on quadratics, and their explorers."""
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers import png_pixels  # noqa: E402
from cnnbook import viz, widgets  # noqa: E402
from cnnbook.analysis import loss_curve  # noqa: E402
from cnnbook.quadratic import Quadratic2D, heavy_ball_rate  # noqa: E402
from cnnbook.losses import binary_cross_entropy_with_logits, mse  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _titles(fig):
    return [ax.get_title() for ax in fig.axes] + [fig._suptitle.get_text() if fig._suptitle else ""]


def test_loss_curve_matches_formulas():
    x = np.linspace(-2, 2, 9)
    losses, grads = loss_curve(mse, x, 1.0)
    np.testing.assert_allclose(losses, (x - 1) ** 2)
    np.testing.assert_allclose(grads, 2 * (x - 1))
    losses, grads = loss_curve(binary_cross_entropy_with_logits, x, 1.0)
    np.testing.assert_allclose(grads, 1 / (1 + np.exp(-x)) - 1)


def test_plot_loss_and_gradient_labels():
    x = np.linspace(-1, 1, 5)
    fig = viz.plot_loss_and_gradient(x, {"y=0": loss_curve(mse, x, 0.0)},
                                     xlabel="prediction", title="MSE", grad_ylim=(-3, 3))
    assert len(fig.axes) == 2
    assert all(ax.get_xlabel() == "prediction" for ax in fig.axes)
    assert fig.axes[1].get_ylim() == (-3, 3)
    assert "MSE" in _titles(fig)


def test_plot_softmax_ce_vs_logit():
    fig = viz.plot_softmax_ce_vs_logit(others=(1.0, -1.0), true_class=1, n=11)
    assert len(fig.axes) == 2
    assert all(ax.get_xlabel() and ax.get_ylabel() and ax.get_title() for ax in fig.axes)
    # the gradient components of one example sum to zero
    ys = np.array([line.get_ydata() for line in fig.axes[1].get_lines()[:3]])
    np.testing.assert_allclose(ys.sum(axis=0), 0, atol=1e-12)


def test_plot_softmax_bars_redraws_into_fig():
    fig = viz.plot_softmax_bars([2.0, 1.0, -1.0], 0)
    first = fig._suptitle.get_text()
    assert len(fig.axes) == 3 and "loss" in first
    same = viz.plot_softmax_bars([5.0, 1.0, -1.0], 0, fig=fig)
    assert same is fig and len(fig.axes) == 3
    assert fig._suptitle.get_text() != first


def test_quadratic2d_and_rate():
    q = Quadratic2D((1.0, 10.0))
    assert (q.L, q.mu) == (10.0, 1.0)
    assert q(np.array([1.0, 1.0])) == pytest.approx(5.5)
    np.testing.assert_allclose(q.grad(np.array([1.0, 1.0])), [1.0, 10.0])
    assert q(np.zeros((3, 4, 2))).shape == (3, 4)
    assert heavy_ball_rate([1.0, 10.0], 0.1) == pytest.approx(0.9)
    assert heavy_ball_rate([1.0, 10.0], 0.199) < 1 < heavy_ball_rate([1.0, 10.0], 0.201)
    # momentum moves the bound to 2 (1 + mu) / L
    assert heavy_ball_rate([1.0, 10.0], 0.29, 0.5) < 1 < heavy_ball_rate([1.0, 10.0], 0.31, 0.5)
    with pytest.raises(ValueError):
        Quadratic2D((1.0, -1.0))


def test_path_plots_have_labels_and_colorbar():
    from cnnbook.optim import gradient_descent

    q = Quadratic2D((1.0, 10.0))
    path = gradient_descent(q.grad, np.array([-4.0, 2.0]), lr=0.1, steps=10)
    ax = viz.plot_gd_paths_2d(q, {"a": path}, title="paths")
    assert ax.get_title() == "paths" and ax.get_xlabel() and ax.get_ylabel()
    assert len(ax.figure.axes) == 2  # the colour bar
    ax = viz.plot_loss_histories(q, {"a": path})
    assert ax.get_yscale() == "log" and ax.get_xlabel()
    ax = viz.plot_gd_path_1d(lambda x: x ** 2, gradient_descent(lambda x: 2 * x, 1.5, lr=0.9, steps=5),
                             title="1-D")
    assert ax.get_title() == "1-D"


@pytest.mark.parametrize("lr,word", [(0.1, "converges"), (0.25, "diverges")])
def test_plot_lr_explorer_title(lr, word):
    q = Quadratic2D((1.0, 10.0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the divergence warning must be caught inside
        fig = viz.plot_lr_explorer(q, lr, steps=400)
    title = fig._suptitle.get_text()
    assert word in title and r"2/\lambda_{\max}$ = 0.2" in title


def test_softmax_explorer_recomputes():
    w = widgets.softmax_explorer(logits=(2.0, 1.0, -1.0), true_class=0)
    before = w.result["loss"]
    np.testing.assert_allclose(w.result["grad"].sum(), 0, atol=1e-12)
    w.children[0].value = 5.0          # raise the true-class logit
    assert w.result["loss"] < before
    w.children[3].value = 2            # change the true class
    assert w.result["grad"][2] < 0
    assert plt.get_fignums() == []     # figures are closed after display


def test_softmax_explorer_bars_hold_the_values_and_match_a_full_draw():
    """Steps redraw only the bars, marks and title (blitting) over the fixed axes."""

    from cnnbook.losses import softmax
    w = widgets.softmax_explorer(logits=(2.0, 1.0, -1.0), true_class=0)
    first = w.children[-1].value
    w.children[1].value = 3.0
    w.children[3].value = 2
    fig = w.fig
    z = np.array([2.0, 3.0, -1.0])
    p = softmax(z[None])[0]
    for ax, want in zip(fig.axes[:3], (z, p, p - np.eye(3)[2])):
        np.testing.assert_allclose([b.get_height() for b in ax.patches], want)
    np.testing.assert_array_equal(fig.axes[1].lines[0].get_ydata(), [0, 0, 1])
    assert "true class 2" in w.view.state["title"]

    np.testing.assert_array_equal(png_pixels(w.children[-1].value),
                                  png_pixels(w.view.render()))
    w.children[3].value, w.children[1].value = 0, 1.0
    assert w.children[-1].value == first  # back at the start: the same picture


def test_lr_explorer_steps_draw_the_new_path_and_match_a_full_draw():
    """Steps redraw only the path, the loss panel and the title over the contours."""
    w = widgets.lr_explorer(lr=0.1, steps=20)
    first = w.children[-1].value
    w.children[0].value = 0.15
    w.children[1].value = 30
    fig = w.fig
    path = w.result["path"]
    assert len(path) == 31
    np.testing.assert_allclose(np.column_stack(fig.axes[0].lines[0].get_data()), path)
    assert fig.axes[1].get_xlim() == (0, 30)
    assert "lr = 0.15" in w.view.state["title"]

    np.testing.assert_array_equal(png_pixels(w.children[-1].value),
                                  png_pixels(w.view.render()))
    w.children[0].value, w.children[1].value = 0.1, 20
    assert w.children[-1].value == first  # back at the start: the same picture


def test_lr_explorer_recomputes():
    w = widgets.lr_explorer(lr=0.1, steps=20)
    assert w.result["converges"] and len(w.result["path"]) == 21
    w.children[0].value = 0.5          # above 2/lambda_max = 0.2
    assert not w.result["converges"]
    w.children[0].value = 0.25
    w.children[2].value = 0.5          # momentum 0.5: bound 2 (1 + 0.5) / 10 = 0.3
    assert w.result["converges"]
    w.children[1].value = 5
    assert len(w.result["path"]) == 6
    w.children[3].value = 1.0
    np.testing.assert_allclose(w.result["path"][0], [1.0, 2.0])
