"""The batch-norm training explorer's runs: trained on demand or in a background thread
(the shown setting first, then ahead), every run equals a fit from scratch with the same
settings."""
import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

from cnnbook import layers as L  # noqa: E402
from cnnbook.losses import softmax_cross_entropy  # noqa: E402
from cnnbook.optim import SGD  # noqa: E402
from cnnbook.train import fit  # noqa: E402
from cnnbook.widgets import bn_training_explorer  # noqa: E402


def _build(batch_norm, r):
    layers = [L.Conv2D(1, 2, 3, padding=1, rng=r)]
    layers += [L.BatchNorm2D(2)] if batch_norm else []
    return L.Sequential(*layers, L.ReLU(), L.Flatten(), L.Dense(2 * 4 * 4, 3, rng=r))


def _data():
    rng = np.random.default_rng(3)
    return rng.normal(size=(24, 1, 4, 4)), rng.integers(0, 3, size=24)


def _fresh(x, y, bn, lr, epochs):
    return fit(_build(bn, np.random.default_rng(0)), softmax_cross_entropy,
               SGD(lr, momentum=0.9), x, y, epochs=epochs, batch_size=8,
               rng=np.random.default_rng(1), progress=False)["loss"]


def test_bn_explorer_trains_ahead_the_runs_a_fresh_fit_gives():
    x, y = _data()
    lrs = (0.02, 0.05, 0.1)
    box = bn_training_explorer(_build, x, y, lrs=lrs, lr=0.05, epochs=2, batch_size=8)
    assert box.ahead is None  # building (and executing the notebook) trains nothing ahead
    lr, epochs = box.children[0], box.children[1]
    lr.value = 0.1  # the first step starts the thread
    box.ahead.join(timeout=120)
    assert not box.ahead.is_alive()
    assert box.wait(timeout=0)
    # it trained the other rates to 2 epochs and the shown one to the most (10) epochs:
    for rate, n in ((0.02, 2), (0.05, 2), (0.1, 10)):
        epochs.value = n
        lr.value = rate
        assert box.wait(timeout=0)  # trained ahead: drawn by the step itself
        for bn, name in ((False, "without BN"), (True, "with BN")):
            np.testing.assert_array_equal(box.state["result"][name],
                                          _fresh(x, y, bn, rate, n))
    assert box.state["title"] == "SGD, lr=0.1, momentum=0.9"


def test_bn_explorer_step_returns_at_once_and_the_thread_fills_in_the_epochs():
    """A step shows what is trained (nothing yet for a new rate: NaN, "training epoch 1 of
    2" in the title); the thread trains both runs an epoch at a time, redrawing after each,
    and the last drawing is the complete one."""
    x, y = _data()
    box = bn_training_explorer(_build, x, y, lrs=(0.05, 0.1), lr=0.1, epochs=2, batch_size=8)
    updates = box.state["updates"]
    box.children[0].value = 0.05
    assert box.state["updates"] == updates + 1
    assert box.state["title"] == "SGD, lr=0.05, momentum=0.9: training epoch 1 of 2"
    for losses in box.state["result"].values():
        assert np.isnan(losses).all() and losses.shape == (2,)
    assert box.wait(timeout=120)
    assert box.state["updates"] == updates + 1 + 4  # one drawing per trained epoch
    assert box.state["title"] == "SGD, lr=0.05, momentum=0.9"
    for bn, name in ((False, "without BN"), (True, "with BN")):
        np.testing.assert_array_equal(box.state["result"][name], _fresh(x, y, bn, 0.05, 2))
        line = [ln for ln in box.state["figure"].axes[0].lines if ln.get_label() == name][0]
        np.testing.assert_array_equal(line.get_ydata(), _fresh(x, y, bn, 0.05, 2))


def test_bn_explorer_without_training_ahead_trains_on_demand_only():
    x, y = _data()
    box = bn_training_explorer(_build, x, y, lrs=(0.05, 0.1), lr=0.1, epochs=1,
                               batch_size=8, background=False)
    box.children[1].value = 3
    assert box.ahead is None
    np.testing.assert_array_equal(box.state["result"]["with BN"], _fresh(x, y, True, 0.1, 3))


def test_bn_explorer_steps_update_the_figure_as_a_full_draw_shows_it():
    """Steps change the curves, limits and title in place (blitted): the lines hold the
    losses and the picture is the one a full draw of the figure makes."""
    from helpers import png_pixels

    x, y = _data()
    box = bn_training_explorer(_build, x, y, lrs=(0.05, 0.1), lr=0.1, epochs=2, batch_size=8,
                               background=False)
    lr, epochs, image = box.children
    for control, value in ((epochs, 4), (lr, 0.05), (epochs, 1), (lr, 0.1)):
        updates = box.state["updates"]
        control.value = value
        assert box.state["updates"] == updates + 1
        ax = box.state["figure"].axes[0]
        for line in ax.lines:
            np.testing.assert_array_equal(line.get_ydata(), box.state["result"][line.get_label()])
            np.testing.assert_array_equal(line.get_xdata(), np.arange(1, epochs.value + 1))
        assert box.state["title"] == f"SGD, lr={lr.value:g}, momentum=0.9"
        blitted, full = png_pixels(image.value), png_pixels(box.state["view"].render())
        assert (np.abs(blitted - full).max(axis=2) > 0).sum() < 0.001 * full[..., 0].size
