import os
import time
from functools import partial

import numpy as np
import pytest

from cnnbook import data, train
from cnnbook.base import Layer
from cnnbook.layers import BatchNorm2D, Conv2D, Dense, Flatten, MaxPool2D, ReLU, Sequential
from cnnbook.losses import mse, softmax_cross_entropy
from cnnbook.optim import SGD, Adam, Schedule, cosine_annealing


@pytest.fixture(scope="module")
def digits_split():
    x, y = data.load_digits()
    return data.train_test_split(x, y, test_size=0.2, rng=np.random.default_rng(0), stratify=True)


def small_cnn(seed, filters=16, hidden=10):
    rng = np.random.default_rng(seed)
    return Sequential(
        Conv2D(1, filters, 3, padding=1, rng=rng),  # N,F,8,8
        ReLU(),
        MaxPool2D(2),                                # N,F,4,4
        Flatten(),                                   # N,F*16
        Dense(filters * 16, hidden, rng=rng),        # N,10
    )


def mlp(seed, hidden=32, out=10):
    rng = np.random.default_rng(seed)
    return Sequential(Flatten(), Dense(64, hidden, rng=rng), ReLU(), Dense(hidden, out, rng=rng))


def test_cnn_learns_digits(digits_split):
    """Conv-ReLU-MaxPool-Dense on the real 8x8 digits: > 95% test accuracy in < 1 s."""
    x_train, x_test, y_train, y_test = digits_split
    model = small_cnn(seed=0)
    opt = Adam(lr=1e-2)
    epochs = 10
    start = time.perf_counter()
    history = train.fit(model, softmax_cross_entropy, opt, x_train, y_train, epochs=epochs,
                        batch_size=32, rng=np.random.default_rng(1), progress=False,
                        validation=(x_test, y_test),
                        schedule=Schedule(opt, partial(cosine_annealing, 1e-2, total=epochs)))
    seconds = time.perf_counter() - start
    loss, accuracy = train.evaluate(model, softmax_cross_entropy, x_test, y_test)
    print(f"digits CNN: {seconds:.2f} s, test accuracy {accuracy:.4f}")
    assert accuracy > 0.95
    assert history["val_accuracy"][-1] == accuracy and history["val_loss"][-1] == loss
    assert history["loss"][-1] < history["loss"][0] / 4
    assert history["accuracy"][-1] > 0.98

    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy", "lr", "grad_norm"}
    for key in ("loss", "accuracy", "val_loss", "val_accuracy", "lr"):
        assert len(history[key]) == epochs
    assert set(history["grad_norm"]) == {"0.weight", "0.bias", "4.weight", "4.bias"}
    assert all(len(v) == epochs and min(v) > 0 for v in history["grad_norm"].values())
    np.testing.assert_allclose(history["lr"], [cosine_annealing(1e-2, e, total=epochs)
                                               for e in range(epochs)])
    assert model.training  # put back in the mode it had


def test_history_regression_and_callable_schedule():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3))
    y = x @ np.array([[1.0], [-2.0], [0.5]])  # N,1 float targets: no accuracy
    model = Sequential(Dense(3, 1, rng=rng))
    opt = SGD(lr=0.1)
    history = train.fit(model, mse, opt, x, y, epochs=3, batch_size=16, rng=rng,
                        progress=False, validation=(x[:8], y[:8]), schedule=lambda e: 0.1 / (e + 1))
    assert set(history) == {"loss", "val_loss", "lr", "grad_norm"}
    assert history["lr"] == [0.1, 0.05, 0.1 / 3] and opt.lr == 0.1 / 3
    assert [len(history[k]) for k in ("loss", "val_loss")] == [3, 3]
    assert history["loss"][-1] < history["loss"][0]
    loss, accuracy = train.evaluate(model, mse, x, y)
    assert accuracy is None and loss == pytest.approx(mse(model.forward(x), y)[0])


def test_grad_norm_is_mean_gradient_norm():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(12, 1, 8, 8)), rng.integers(0, 10, size=12)
    model = mlp(seed=0)
    loss, dout = softmax_cross_entropy(model.forward(x), y)
    model.backward(dout)
    expected = {k: np.linalg.norm(g) for k, g in model.grads.items()}
    history = train.fit(model, softmax_cross_entropy, SGD(lr=0.1), x, y, epochs=1,
                        batch_size=12, rng=rng, progress=False)  # one batch = whole set
    assert history["loss"][0] == pytest.approx(loss)
    for key, norm in expected.items():
        assert history["grad_norm"][key][0] == pytest.approx(norm)


def test_fit_is_deterministic(digits_split):
    x_train, _, y_train, _ = digits_split
    runs = [train.fit(mlp(seed=3), softmax_cross_entropy, SGD(lr=0.1, momentum=0.9),
                      x_train[:300], y_train[:300], epochs=2, batch_size=50,
                      rng=np.random.default_rng(7), progress=False) for _ in range(2)]
    assert runs[0] == runs[1]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_too_large_lr_raises_clear_error(digits_split):
    # Two stacked Dense layers: each step multiplies the weights' growth, so the logits
    # overflow. (With a ReLU between them a huge lr kills the units instead: the loss
    # stays large but finite.)
    x_train, _, y_train, _ = digits_split
    rng = np.random.default_rng(0)
    model = Sequential(Flatten(), Dense(64, 32, rng=rng), Dense(32, 10, rng=rng))
    with pytest.raises(FloatingPointError,
                       match=r"^fit: loss became (nan|inf) at epoch \d+, batch \d+; "
                             r"try a smaller learning rate \(lr=100\)$") as info:
        train.fit(model, softmax_cross_entropy, SGD(lr=100), x_train, y_train,
                  epochs=5, batch_size=32, rng=np.random.default_rng(0), progress=False)
    err = info.value
    assert isinstance(err, train.TrainingDiverged)
    assert err.lr == 100 and err.epoch >= 1 and err.batch >= 1 and not np.isfinite(err.loss)
    assert model.training


class ModeSpy(Layer):
    """Identity layer that records the training flag of every forward pass."""

    def __init__(self):
        super().__init__()
        self.modes = []

    def forward(self, x):
        self.modes.append(self.training)
        return x

    def backward(self, dout):
        return dout


def test_train_mode_for_batches_eval_mode_for_validation():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(10, 64)), rng.integers(0, 4, size=10)
    spy = ModeSpy()
    model = Sequential(Dense(64, 4, rng=rng), spy)
    model.eval()
    train.fit(model, softmax_cross_entropy, SGD(lr=0.1), x, y, epochs=2, batch_size=5,
              rng=rng, progress=False, validation=(x, y))
    assert spy.modes == [True, True, False] * 2
    assert not model.training  # restored
    spy.modes.clear()
    model.train()
    out = train.predict(model, x, batch_size=3)
    assert spy.modes == [False] * 4 and model.training
    np.testing.assert_allclose(out, model.forward(x))


def test_save_load_round_trip(tmp_path, digits_split):
    x_train, x_test, y_train, _ = digits_split

    def build(seed):
        rng = np.random.default_rng(seed)
        return Sequential(Conv2D(1, 4, 3, rng=rng), BatchNorm2D(4), ReLU(), Flatten(),
                          Dense(4 * 6 * 6, 10, rng=rng))

    model = build(0)
    train.fit(model, softmax_cross_entropy, Adam(lr=1e-2), x_train[:256], y_train[:256],
              epochs=1, batch_size=64, rng=np.random.default_rng(0), progress=False)
    path = tmp_path / "weights.npz"
    train.save_weights(model, path)
    assert os.listdir(tmp_path) == ["weights.npz"]  # no temporary file left
    with np.load(path) as npz:
        assert set(npz.files) == set(model.params) | set(model.buffers)
        assert "1.running_mean" in npz.files

    other = build(1)
    arrays_before = {k: v for k, v in other.params.items()}
    assert not np.array_equal(train.predict(other, x_test), train.predict(model, x_test))
    assert train.load_weights(other, str(path)) is other
    np.testing.assert_array_equal(train.predict(other, x_test), train.predict(model, x_test))
    for key, array in other.params.items():
        assert array is arrays_before[key]  # copied in place

    train.save_weights(other, path)  # overwriting an existing file works
    assert os.listdir(tmp_path) == ["weights.npz"]


def test_load_mismatched_model_names_the_problem(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "mlp.npz"
    train.save_weights(mlp(seed=0, hidden=32), path)
    other = Sequential(Flatten(), Dense(64, 16, rng=rng), ReLU(), Dense(16, 10, rng=rng),
                       ReLU(), Dense(10, 10, rng=rng))
    before = {k: v.copy() for k, v in other.params.items()}
    with pytest.raises(ValueError) as info:
        train.load_weights(other, path)
    message = str(info.value)
    assert message.startswith("load_weights: ") and "mlp.npz" in message
    assert "missing keys ['5.weight', '5.bias']" in message
    assert "'1.weight' expected (16, 64) got (32, 64)" in message
    assert "'3.weight' expected (10, 16) got (10, 32)" in message
    for key, value in other.params.items():  # nothing was copied
        np.testing.assert_array_equal(value, before[key])
    small = Sequential(Flatten(), Dense(64, 32, rng=rng))
    with pytest.raises(ValueError, match=r"unexpected keys \['3.weight', '3.bias'\]"):
        train.load_weights(small, path)


def test_progress_output(capsys):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(20, 64)), rng.integers(0, 3, size=20)
    model = Sequential(Dense(64, 3, rng=rng))
    train.fit(model, softmax_cross_entropy, SGD(lr=0.1), x, y, epochs=2, batch_size=8,
              rng=rng, progress=False)
    assert capsys.readouterr() == ("", "")
    train.fit(model, softmax_cross_entropy, SGD(lr=0.1), x, y, epochs=2, batch_size=8,
              rng=rng, progress=True)
    err = capsys.readouterr().err
    assert "epoch 2/2" in err and "loss=" in err and "acc=" in err


@pytest.mark.parametrize("change, exc, match", [
    (dict(y=np.zeros(9, int)), ValueError, r"len\(x\)=10 and len\(y\)=9"),
    (dict(batch_size=0), ValueError, "batch_size >= 1, got 0"),
    (dict(epochs=0), ValueError, "epochs >= 1, got 0"),
    (dict(rng=42), TypeError, "rng to be a numpy.random.Generator"),
    (dict(x=[[0.0]] * 10), TypeError, "x to be a numpy.ndarray"),
    (dict(validation=(np.zeros((3, 4)), np.zeros(2, int))), ValueError,
     r"len\(x_val\)=3 and len\(y_val\)=2"),
    (dict(schedule=0.1), TypeError, "schedule"),
    (dict(clip_norm=0.0), ValueError, r"clip_norm in \(0, inf\), got 0.0"),
])
def test_fit_checks_arguments(change, exc, match):
    rng = np.random.default_rng(0)
    args = dict(x=np.zeros((10, 4)), y=np.zeros(10, int), epochs=1, batch_size=4, rng=rng)
    args |= change
    model = Sequential(Dense(4, 2, rng=rng))
    with pytest.raises(exc, match=f"^fit: .*{match}"):
        train.fit(model, softmax_cross_entropy, SGD(lr=0.1), progress=False, **args)


def test_fit_clip_norm_caps_the_length_of_every_step():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(8, 4)) * 100, rng.integers(0, 3, size=8)
    model = Sequential(Dense(4, 3, rng=rng))
    before = {k: v.copy() for k, v in model.params.items()}
    history = train.fit(model, softmax_cross_entropy, SGD(lr=1.0), x, y, epochs=1,
                        batch_size=8, rng=rng, progress=False, clip_norm=0.01)
    step = np.sqrt(sum(((model.params[k] - before[k]) ** 2).sum() for k in before))
    unclipped = np.sqrt(sum(n[0] ** 2 for n in history["grad_norm"].values()))
    assert unclipped > 1 and step == pytest.approx(0.01, rel=1e-3)
