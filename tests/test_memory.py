"""Cache bytes per layer and checkpointing (cnnbook.memory)."""
import numpy as np

from cnnbook.layers import Conv2D, Dense, Flatten, MaxPool2D, ReLU, Sequential
from cnnbook.memory import Checkpoint, cache_nbytes


def _net(cls, rng):
    return Sequential(cls(Conv2D(1, 4, 3, padding=1, rng=rng), ReLU(), MaxPool2D(2)),
                      cls(Conv2D(4, 6, 3, rng=rng), ReLU()), Flatten(),
                      Dense(6 * 2 * 2, 3, rng=rng))


def test_checkpoint_gradients_equal_plain_ones_exactly():
    x = np.random.default_rng(0).normal(size=(5, 1, 8, 8))
    dout = np.random.default_rng(1).normal(size=(5, 3))
    plain, ckpt = _net(Sequential, np.random.default_rng(2)), _net(Checkpoint, np.random.default_rng(2))
    assert np.array_equal(plain.forward(x), ckpt.forward(x))
    assert np.array_equal(plain.backward(dout), ckpt.backward(dout))
    assert plain.grads.keys() == ckpt.grads.keys()
    for k in plain.grads:
        assert np.array_equal(plain.grads[k], ckpt.grads[k]), k


def test_checkpoint_keeps_only_its_input():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 1, 8, 8))
    plain, ckpt = _net(Sequential, np.random.default_rng(4)), _net(Checkpoint, np.random.default_rng(4))
    plain.forward(x)
    ckpt.forward(x)
    kept = cache_nbytes(ckpt)
    assert kept["0"] == x.nbytes                       # the first segment keeps x only
    assert all(kept[k] == 0 for k in kept if k.startswith(("0.", "1.")))
    assert sum(kept.values()) < sum(cache_nbytes(plain).values())
    assert "Checkpoint(" in repr(ckpt)


def test_cache_nbytes_counts_shared_memory_once():
    relu1, relu2 = ReLU(), ReLU()
    model = Sequential(relu1, relu2)
    x = np.ones((2, 3))
    relu1._cache, relu2._cache = (x, x[:1]), (x.T,)     # the same memory three times
    assert cache_nbytes(model) == {"0": x.nbytes, "1": 0}


def test_cache_nbytes_of_a_conv_is_its_im2col_matrix():
    rng = np.random.default_rng(5)
    conv = Conv2D(2, 3, 3, rng=rng)
    conv.forward(rng.normal(size=(4, 2, 6, 6)))
    rows, cols = 2 * 3 * 3 + 1, 4 * 4 * 4        # (C KH KW + 1) x (OH OW N)
    assert cache_nbytes(Sequential(conv)) == {"0": rows * cols * 8}
