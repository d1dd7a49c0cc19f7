"""The batch-norm training explorer: its table of runs is trained once when it is built
(cnnbook.sweeps, tested in test_sweeps.py), and a step only draws a slice of it."""
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


def test_bn_explorer_steps_draw_slices_of_the_table():
    x, y = _data()
    box = bn_training_explorer(_build, x, y, lrs=(0.05, 0.1), lr=0.1, epochs=2,
                               epochs_max=4, batch_size=8)
    box.set(lr=0.05, epochs=3)
    for bn, name in ((False, "without BN"), (True, "with BN")):
        np.testing.assert_array_equal(box.result[name], box.runs[bn, 0.05][:3])
        np.testing.assert_array_equal(box.result[name], _fresh(x, y, bn, 0.05, 3))


def test_bn_explorer_steps_update_the_figure_as_a_full_draw_shows_it():
    """Steps change the curves, limits and title in place (blitted): the lines hold the
    losses and the picture is the one a full draw of the figure makes."""
    from helpers import png_pixels

    x, y = _data()
    box = bn_training_explorer(_build, x, y, lrs=(0.05, 0.1), lr=0.1, epochs=2,
                               epochs_max=4, batch_size=8)
    lr, epochs = box.controls["lr"], box.controls["epochs"]
    for control, value in ((epochs, 4), (lr, 0.05), (epochs, 1), (lr, 0.1)):
        updates = box.view.state["updates"]
        control.value = value
        assert box.view.state["updates"] == updates + 1
        ax = box.fig.axes[0]
        for line in ax.lines:
            np.testing.assert_array_equal(line.get_ydata(), box.result[line.get_label()])
            np.testing.assert_array_equal(line.get_xdata(), np.arange(1, epochs.value + 1))
        assert box.view.state["title"] == f"SGD, lr={lr.value:g}, momentum=0.9"
        blitted, full = png_pixels(box.view.image.value), png_pixels(box.view.render())
        assert (np.abs(blitted - full).max(axis=2) > 0).sum() < 0.001 * full[..., 0].size
