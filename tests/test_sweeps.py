"""cnnbook.sweeps: every run of a sweep equals a fit from scratch with the same settings."""
import numpy as np

from cnnbook import layers as L
from cnnbook.losses import softmax_cross_entropy
from cnnbook.optim import SGD
from cnnbook.sweeps import batch_norm_sweep
from cnnbook.train import fit


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


def test_batch_norm_sweep_equals_fresh_fits():
    x, y = _data()
    table = batch_norm_sweep(_build, x, y, lrs=(0.02, 0.1), epochs=3, batch_size=8)
    assert set(table) == {(bn, lr) for bn in (False, True) for lr in (0.02, 0.1)}
    for (bn, lr), losses in table.items():
        np.testing.assert_array_equal(losses, _fresh(x, y, bn, lr, 3))


def test_batch_norm_sweep_keeps_the_epochs_before_a_divergence():
    x, y = _data()
    with np.errstate(all="ignore"):  # the loss grows ~1e50 per epoch until it overflows
        table = batch_norm_sweep(_build, x * 1e5, y, lrs=(1e4,), epochs=10, batch_size=8)
    losses = table[False, 1e4]
    assert losses.shape == (10,) and np.isfinite(losses[0]) and np.isnan(losses[-1])
    kept = int(np.isfinite(losses).sum())  # the epochs before the one that diverged
    assert np.isnan(losses[kept:]).all()
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(losses[:kept], _fresh(x * 1e5, y, False, 1e4, kept))
