"""No gradient for the data in fit (param_backward), and data parallelism (fit(workers=k))."""
import numpy as np
import pytest

import cnnbook.conv
from cnnbook import train
from cnnbook.analysis import saliency
from cnnbook.gradcheck import check_layer
from cnnbook.layers import (BatchNorm2D, Conv2D, Dense, Flatten, MaxPool2D, ReLU, Residual,
                            Sequential)
from cnnbook.losses import softmax_cross_entropy
from cnnbook.optim import SGD
from cnnbook.parallel import DataParallel, replicate, shard_bounds


def lenet_like(seed, *, bn=False, dtype=np.float64):
    """conv -> (batch norm) -> ReLU -> pool -> conv -> ReLU -> pool -> dense, on 12x12."""
    rng = np.random.default_rng(seed)
    layers = [Conv2D(1, 4, 3, padding=1, rng=rng, dtype=dtype)]
    layers += [BatchNorm2D(4, dtype=dtype)] if bn else []
    layers += [ReLU(), MaxPool2D(2), Conv2D(4, 6, 3, rng=rng, dtype=dtype), ReLU(),
               MaxPool2D(2), Flatten(), Dense(6 * 2 * 2, 10, rng=rng, dtype=dtype)]
    return Sequential(*layers)


def data(n, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 1, 12, 12)).astype(dtype), rng.integers(0, 10, n)


class RecordingSGD(SGD):
    """SGD that keeps a copy of every gradient it is given."""

    def __init__(self, lr):
        super().__init__(lr)
        self.seen = []

    def step(self, params, grads):
        self.seen.append({k: g.copy() for k, g in grads.items()})
        super().step(params, grads)


def full_batch_grads(model, x, y):
    loss, dout = softmax_cross_entropy(model.forward(x), y)
    model.backward(dout)
    return loss, {k: g.copy() for k, g in model.grads.items()}


# ------------------------------------------------------------------ no input gradient

def test_fit_skips_the_input_gradient_of_the_first_layer(monkeypatch):
    calls = []
    real = cnnbook.conv.conv2d_backward

    def spy(dout, cache, *, input_grad=True):
        calls.append((cache[0], input_grad))          # (x shape, input_grad)
        return real(dout, cache, input_grad=input_grad)

    monkeypatch.setattr(cnnbook.conv, "conv2d_backward", spy)
    x, y = data(8)
    model = lenet_like(0)                             # default flags, as the book writes it
    train.fit(model, softmax_cross_entropy, SGD(0.1), x, y, epochs=1, batch_size=8,
              rng=np.random.default_rng(0), progress=False)
    assert calls == [((8, 4, 6, 6), True), ((8, 1, 12, 12), False)]
    calls.clear()
    dx = model.backward(softmax_cross_entropy(model.forward(x), y)[1])   # by hand: dx
    assert dx.shape == x.shape and [c[1] for c in calls] == [True, True]


@pytest.mark.parametrize("first", ["conv", "bn", "dense", "flatten-dense", "residual"])
def test_param_backward_gives_the_same_grads_as_backward(first):
    rng = np.random.default_rng(0)
    if first in ("conv", "bn"):
        model, x = lenet_like(0, bn=first == "bn"), data(5)[0]
        if first == "bn":
            model = Sequential(BatchNorm2D(1), *model.layers)
    elif first == "residual":
        model = Sequential(Residual(Sequential(Conv2D(1, 1, 3, padding=1, rng=rng), ReLU())),
                           Flatten(), Dense(144, 10, rng=rng))
        x = data(5)[0]
    else:
        x = rng.normal(size=(5, 1, 12, 12) if first == "flatten-dense" else (5, 144))
        model = Sequential(*([Flatten()] if first == "flatten-dense" else []),
                           Dense(144, 20, rng=rng), ReLU(), Dense(20, 10, rng=rng))
    dout = rng.normal(size=model.forward(x).shape)
    assert model.backward(dout).shape == x.shape
    expected = {k: g.copy() for k, g in model.grads.items()}
    for layer in model.layers:                       # start from nothing
        for g in layer.grads.values():
            g[...] = np.nan
    assert model.param_backward(dout) is None
    assert model.grads.keys() == expected.keys()
    for key, g in model.grads.items():
        np.testing.assert_array_equal(g, expected[key])


def test_layers_without_parameters_do_nothing_in_param_backward():
    relu, pool = ReLU(), MaxPool2D(2)
    assert relu.param_backward(np.ones(3)) is None     # not even a forward before it
    assert pool.param_backward(np.ones(3)) is None
    model = Sequential(Flatten(), ReLU())
    model.forward(np.ones((2, 3)))
    assert model.param_backward(np.ones((2, 3))) is None


def test_input_gradients_still_there_for_check_layer_and_saliency():
    model = lenet_like(0)
    x = data(3)[0]
    assert check_layer(model[0], x).max_error < 1e-7
    assert check_layer(model, x, rng=np.random.default_rng(1)).max_error < 1e-6
    assert saliency(model, x, [0, 1, 2]).shape == x.shape


def test_workers_1_is_the_plain_loop_bit_for_bit():
    """fit with the default workers=1 gives exactly the losses of forward, loss, backward
    (with dx) and step written by hand."""
    x, y = data(50)
    history = train.fit(lenet_like(0, dtype=np.float32), softmax_cross_entropy,
                        SGD(0.05, momentum=0.9), x.astype(np.float32), y, epochs=2,
                        batch_size=16, rng=np.random.default_rng(3), progress=False)
    model, opt, rng = lenet_like(0, dtype=np.float32), SGD(0.05, momentum=0.9), np.random.default_rng(3)
    losses = []
    for _ in range(2):
        total = 0.0
        for xb, yb in train.batches(x.astype(np.float32), y, batch_size=16, rng=rng):
            loss, dout = softmax_cross_entropy(model.forward(xb), yb)
            model.backward(dout)
            opt.step(model.params, model.grads)
            total += float(loss) * len(yb)
        losses.append(total / len(x))
    assert history["loss"] == losses


# ------------------------------------------------------------------ data parallelism

def test_shard_bounds():
    assert shard_bounds(64, 2) == [(0, 32), (32, 64)]
    assert shard_bounds(11, 3) == [(0, 4), (4, 8), (8, 11)]
    assert shard_bounds(2, 4) == [(0, 1), (1, 2)]      # a last batch smaller than workers


def test_replica_shares_parameters_and_owns_the_rest():
    model = lenet_like(0, bn=True)
    model.forward(data(4)[0])
    twin = replicate(model)
    for key, p in model.params.items():
        assert twin.params[key] is p
    for key, b in model.buffers.items():
        assert twin.buffers[key] is not b and np.array_equal(twin.buffers[key], b)
    assert all(layer._cache is None for layer in twin.layers)
    assert twin[0]._workspace is not model[0]._workspace and twin[0]._workspace.nbytes() == 0
    twin.forward(data(2)[0])                          # its own cache ...
    assert model[0]._cache[0] == (4, 1, 12, 12)       # ... the model's is untouched


def residual_net(seed):
    rng = np.random.default_rng(seed)
    return Sequential(Conv2D(1, 3, 3, padding=1, rng=rng), ReLU(),
                      Residual(Sequential(Conv2D(3, 3, 3, padding=1, rng=rng), ReLU())),
                      MaxPool2D(3), Flatten(), Dense(3 * 4 * 4, 10, rng=rng))


@pytest.mark.parametrize("workers, n, make", [(2, 64, lenet_like), (2, 11, lenet_like),
                                              (3, 10, lenet_like), (4, 4, lenet_like),
                                              (3, 7, residual_net)])
def test_shard_gradients_sum_to_the_full_batch_gradient(workers, n, make):
    """Shards weighted by their share of the batch: the gradient of the mean loss."""
    x, y = data(n)
    expected_loss, expected = full_batch_grads(make(0), x, y)
    model, opt = make(0), RecordingSGD(0.1)
    history = train.fit(model, softmax_cross_entropy, opt, x, y, epochs=1, batch_size=n,
                        rng=np.random.default_rng(0), progress=False, workers=workers)
    assert history["loss"][0] == pytest.approx(expected_loss, rel=1e-13)
    assert opt.seen[0].keys() == expected.keys()
    for key, g in expected.items():
        np.testing.assert_allclose(opt.seen[0][key], g, rtol=1e-12, atol=1e-15)


def test_parallel_training_follows_serial_training():
    """Several epochs, a last batch smaller than the others: same losses up to rounding."""
    x, y = data(70)
    runs = [train.fit(lenet_like(1), softmax_cross_entropy, SGD(0.05, momentum=0.9), x, y,
                      epochs=3, batch_size=16, rng=np.random.default_rng(2), progress=False,
                      validation=(x[:20], y[:20]), workers=w) for w in (1, 2)]
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        np.testing.assert_allclose(runs[1][key], runs[0][key], rtol=1e-10)


def test_batch_norm_statistics_are_per_shard():
    """With batch norm each shard is normalised with its own statistics (as PyTorch DDP):
    the summed gradient is that of the shards run one by one, not that of one big batch,
    and the running statistics are those of the first shard."""
    x, y = data(12)
    model, opt = lenet_like(0, bn=True), RecordingSGD(0.1)
    train.fit(model, softmax_cross_entropy, opt, x, y, epochs=1, batch_size=12,
              rng=np.random.default_rng(0), progress=False, workers=2)
    order = np.random.default_rng(0).permutation(12)  # the order fit's batches use
    xb, yb = x[order], y[order]
    shards = [lenet_like(0, bn=True) for _ in range(2)]
    per_shard = [full_batch_grads(m, xb[a:b], yb[a:b])[1]
                 for m, (a, b) in zip(shards, shard_bounds(12, 2))]
    whole = full_batch_grads(lenet_like(0, bn=True), xb, yb)[1]
    for key in whole:
        np.testing.assert_allclose(opt.seen[0][key], (per_shard[0][key] + per_shard[1][key]) / 2,
                                   rtol=1e-12, atol=1e-15)
    assert max(np.abs(opt.seen[0][k] - whole[k]).max() for k in whole) > 1e-6
    for key, value in shards[0].buffers.items():      # running stats: the first shard's
        np.testing.assert_allclose(model.buffers[key], value, rtol=1e-12)


def test_workers_float32_and_the_model_is_usable_afterwards():
    x, y = data(64, dtype=np.float32)
    model = lenet_like(0, dtype=np.float32)
    history = train.fit(model, softmax_cross_entropy, SGD(0.05), x, y, epochs=2,
                        batch_size=32, rng=np.random.default_rng(0), progress=False, workers=2)
    assert history["loss"][1] < history["loss"][0]
    assert all(g.dtype == np.float32 for g in model.grads.values())
    assert train.predict(model, x).shape == (64, 10)


def test_data_parallel_context():
    x, y = data(9)
    model = lenet_like(0)
    with DataParallel(model, softmax_cross_entropy, workers=3) as parallel:
        out, loss = parallel.forward_backward(x, y)
    expected_loss, expected = full_batch_grads(lenet_like(0), x, y)
    assert out.shape == (9, 10) and loss == pytest.approx(expected_loss, rel=1e-13)
    np.testing.assert_allclose(model.grads["0.weight"], expected["0.weight"], rtol=1e-12)


@pytest.mark.parametrize("workers, error, message", [
    (0, ValueError, "fit: expected workers >= 1, got 0"),
    (2.0, TypeError, "fit: expected workers to be an int, got 2.0"),
    (9, ValueError, r"fit: expected workers <= batch_size \(8\): each worker takes a shard "
                    r"of every batch, got workers=9"),
])
def test_bad_workers(workers, error, message):
    x, y = data(8)
    with pytest.raises(error, match=message):
        train.fit(lenet_like(0), softmax_cross_entropy, SGD(0.1), x, y, epochs=1,
                  batch_size=8, rng=np.random.default_rng(0), progress=False, workers=workers)


def test_max_pool_backward_twice_from_one_cache():
    """The backward pass leaves the forward's cache as it found it."""
    from cnnbook.functional import max_pool2d_backward, max_pool2d_forward
    rng = np.random.default_rng(0)
    x = np.maximum(rng.normal(size=(3, 2, 6, 6)), 0)           # ties at 0
    for stride in (2, 1):
        out, cache = max_pool2d_forward(x, kernel_size=2, stride=stride)
        dout = rng.normal(size=out.shape)
        first = max_pool2d_backward(dout, cache).copy()
        np.testing.assert_array_equal(max_pool2d_backward(dout, cache), first)
