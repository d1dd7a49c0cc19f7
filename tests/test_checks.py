"""One validation rule across the package (cnnbook._checks).

Wrong type -> TypeError, wrong value -> ValueError, no silent coercion (bool is not an int,
2.0 is not an int, numpy integers are ints), and the message names the layer or function,
the argument, what was expected and what was received.
"""
import functools

import numpy as np
import pytest

import cnnbook.functional as F
from cnnbook import data, losses, optim, train
from cnnbook.gradcheck import check_layer, numerical_gradient, rel_error
from cnnbook.layers import (AvgPool2D, BatchNorm2D, Conv2D, Dense, MaxPool2D, ReLU, Residual,
                            Sequential)

RNG = np.random.default_rng


def _x4(shape=(2, 3, 6, 6)):
    return RNG(0).normal(size=shape)


def _conv(**kw):
    x, w, b = _x4(), RNG(1).normal(size=(4, 3, 3, 3)), np.zeros(4)
    return F.conv2d_forward(x, w, b, **kw)


def _bn(**kw):
    opts = dict(running_mean=np.zeros(3), running_var=np.ones(3), training=True) | kw
    return F.batch_norm2d_forward(_x4(), np.ones(3), np.zeros(3), **opts)


def _model():
    return Sequential(Dense(4, 3, rng=RNG(0)))


def _fit(**kw):
    x, y = RNG(0).normal(size=(8, 4)), np.arange(8) % 3
    args = dict(epochs=1, batch_size=4, rng=RNG(0), progress=False) | kw
    loss_fn = args.pop("loss_fn", losses.softmax_cross_entropy)
    return train.fit(_model(), loss_fn, optim.SGD(lr=0.1), x, y, **args)


def _xy():
    return np.zeros((10, 2)), np.arange(10) % 2


# (call, exception, where, argument, expected (substring), received (substring))
CASES = [
    # layers
    (lambda: Conv2D(2.7, 3, 3), TypeError, "Conv2D", "in_channels", "an int", "2.7"),
    (lambda: Conv2D(2, "3", 3), TypeError, "Conv2D", "out_channels", "an int", "'3'"),
    (lambda: Conv2D(True, 3, 3), TypeError, "Conv2D", "in_channels", "an int", "True"),
    (lambda: Conv2D(0, 3, 3), ValueError, "Conv2D", "in_channels", ">= 1", "0"),
    (lambda: Conv2D(2, 3, 3.0), TypeError, "Conv2D", "kernel_size", "int or an (h, w) pair", "3.0"),
    (lambda: Conv2D(2, 3, (3, 3, 3)), ValueError, "Conv2D", "kernel_size", "(h, w) pair", "(3, 3, 3)"),
    (lambda: Conv2D(2, 3, 3, stride=0), ValueError, "Conv2D", "stride", ">= 1", "0"),
    (lambda: Conv2D(2, 3, 3, padding=-1), ValueError, "Conv2D", "padding", ">= 0", "-1"),
    (lambda: Conv2D(2, 3, 3, dilation=(1, 1.5)), TypeError, "Conv2D", "dilation", "an int", "1.5"),
    (lambda: Conv2D(2, 3, 3, rng=42), TypeError, "Conv2D", "rng", "numpy.random.Generator", "42"),
    (lambda: Conv2D(2, 3, 3, init="xavier"), ValueError, "Conv2D", "init", "'he' or 'glorot'", "'xavier'"),
    (lambda: Conv2D(2, 3, 3, init=1), TypeError, "Conv2D", "init", "'he' or 'glorot'", "1"),
    (lambda: Conv2D(2, 3, 3, dtype=np.int32), ValueError, "Conv2D", "dtype", "float32 or float64", "int32"),
    (lambda: Dense(2.7, 3), TypeError, "Dense", "in_features", "an int", "2.7"),
    (lambda: Dense(3, 0), ValueError, "Dense", "out_features", ">= 1", "0"),
    (lambda: Dense(3, 2, rng=0), TypeError, "Dense", "rng", "numpy.random.Generator", "0"),
    (lambda: Dense(3, 2, init="x"), ValueError, "Dense", "init", "'he' or 'glorot'", "'x'"),
    (lambda: Dense(3, 2, dtype="abc"), TypeError, "Dense", "dtype", "numpy dtype", "'abc'"),
    (lambda: MaxPool2D(2.0), TypeError, "MaxPool2D", "kernel_size", "an int", "2.0"),
    (lambda: MaxPool2D(2, stride=0), ValueError, "MaxPool2D", "stride", ">= 1", "0"),
    (lambda: AvgPool2D(2, padding="1"), TypeError, "AvgPool2D", "padding", "an int", "'1'"),
    (lambda: BatchNorm2D(3.0), TypeError, "BatchNorm2D", "num_features", "an int", "3.0"),
    (lambda: BatchNorm2D(3, momentum="a"), TypeError, "BatchNorm2D", "momentum", "a real number", "'a'"),
    (lambda: BatchNorm2D(3, momentum=1.5), ValueError, "BatchNorm2D", "momentum", "[0, 1]", "1.5"),
    (lambda: BatchNorm2D(3, eps=0.0), ValueError, "BatchNorm2D", "eps", "(0, inf)", "0.0"),
    (lambda: BatchNorm2D(3, eps=True), TypeError, "BatchNorm2D", "eps", "a real number", "True"),
    (lambda: BatchNorm2D(3, dtype=np.int64), ValueError, "BatchNorm2D", "dtype", "float32 or float64", "int64"),
    (lambda: Sequential(ReLU(), 3), TypeError, "Sequential", "argument", "a Layer", "3"),
    (lambda: Residual([ReLU()]), TypeError, "Residual", "inner", "a Layer", "list"),
    (lambda: ReLU().train(1), TypeError, "ReLU.train", "mode", "a bool", "1"),
    (lambda: _model().train("yes"), TypeError, "Sequential.train", "mode", "a bool", "'yes'"),
    # kernels' options
    (lambda: _conv(stride=1.0), TypeError, "conv2d_forward", "stride", "an int", "1.0"),
    (lambda: _conv(dilation=0), ValueError, "conv2d_forward", "dilation", ">= 1", "0"),
    (lambda: F.conv2d_forward_naive(_x4(), np.ones((4, 3, 3, 3)), np.zeros(4), padding=True),
     TypeError, "conv2d_forward_naive", "padding", "an int", "True"),
    (lambda: F.max_pool2d_forward(_x4(), kernel_size=np.float64(2)), TypeError,
     "max_pool2d_forward", "kernel_size", "an int", "2.0"),
    (lambda: F.avg_pool2d_forward(_x4(), kernel_size=2, stride=-1), ValueError,
     "avg_pool2d_forward", "stride", ">= 1", "-1"),
    (lambda: _bn(training=1), TypeError, "batch_norm2d_forward", "training", "a bool", "1"),
    (lambda: _bn(momentum="0.1"), TypeError, "batch_norm2d_forward", "momentum", "a real number", "'0.1'"),
    (lambda: _bn(eps=-1.0), ValueError, "batch_norm2d_forward", "eps", "(0, inf)", "-1.0"),
    # optimizers and schedules
    (lambda: optim.SGD(lr="a"), TypeError, "SGD", "lr", "a real number", "'a'"),
    (lambda: optim.SGD(lr=0.0), ValueError, "SGD", "lr", "(0, inf)", "0.0"),
    (lambda: optim.SGD(lr=0.1, momentum=-0.5), ValueError, "SGD", "momentum", "[0, inf)", "-0.5"),
    (lambda: optim.SGD(lr=0.1, momentum=0.9, nesterov=1), TypeError, "SGD", "nesterov", "a bool", "1"),
    (lambda: optim.SGD(lr=0.1, weight_decay=None), TypeError, "SGD", "weight_decay", "a real number", "None"),
    (lambda: optim.Adam(lr=float("nan")), ValueError, "Adam", "lr", "(0, inf)", "nan"),
    (lambda: optim.Adam(betas=0.9), TypeError, "Adam", "betas", "a pair", "0.9"),
    (lambda: optim.Adam(betas=(0.9, 0.99, 0.1)), ValueError, "Adam", "betas", "a pair", "3 values"),
    (lambda: optim.Adam(betas=(0.9, 1.0)), ValueError, "Adam", "betas[1]", "[0, 1)", "1.0"),
    (lambda: optim.Adam(eps=0), ValueError, "Adam", "eps", "(0, inf)", "0.0"),
    (lambda: optim.gradient_descent(lambda x: x, 1.0, lr=0.1, steps=2.0), TypeError,
     "gradient_descent", "steps", "an int", "2.0"),
    (lambda: optim.gradient_descent(lambda x: x, 1.0, lr=-1, steps=2), ValueError,
     "gradient_descent", "lr", "(0, inf)", "-1"),
    (lambda: optim.gradient_descent(3, 1.0, lr=0.1, steps=2), TypeError,
     "gradient_descent", "grad_fn", "callable", "3"),
    (lambda: optim.step_decay(0.1, 1, drop=0.5, every=0), ValueError, "step_decay", "every", ">= 1", "0"),
    (lambda: optim.step_decay(0.1, True, drop=0.5, every=2), TypeError, "step_decay", "epoch", "an int", "True"),
    (lambda: optim.cosine_annealing(0.1, 1, total=10, lr_min=0.5), ValueError,
     "cosine_annealing", "lr_min", "[0, 0.1]", "0.5"),
    (lambda: optim.cosine_annealing(0.1, 1, total=2.5), TypeError, "cosine_annealing", "total", "an int", "2.5"),
    (lambda: optim.Schedule(optim.SGD(lr=0.1), "fn"), TypeError, "Schedule", "fn", "callable", "'fn'"),
    (lambda: optim.Schedule(optim.SGD(lr=0.1), lambda e: 0.1).step(-1), ValueError,
     "Schedule.step", "epoch", ">= 0", "-1"),
    (lambda: optim.Schedule(optim.SGD(lr=0.1), lambda e: "x").step(0), TypeError,
     "Schedule.step", "fn(epoch)", "a real number", "'x'"),
    # losses
    (lambda: losses.softmax(np.ones((2, 3)), axis=1.0), TypeError, "softmax", "axis", "an int", "1.0"),
    (lambda: losses.log_softmax(np.ones((2, 3)), axis=2), ValueError, "log_softmax", "axis", "[-2, 2)", "2"),
    # training
    (lambda: _fit(epochs=0), ValueError, "fit", "epochs", ">= 1", "0"),
    (lambda: _fit(epochs=1.0), TypeError, "fit", "epochs", "an int", "1.0"),
    (lambda: _fit(batch_size=True), TypeError, "fit", "batch_size", "an int", "True"),
    (lambda: _fit(rng=0), TypeError, "fit", "rng", "numpy.random.Generator", "0"),
    (lambda: _fit(progress="no"), TypeError, "fit", "progress", "a bool", "'no'"),
    (lambda: _fit(loss_fn="mse"), TypeError, "fit", "loss_fn", "callable", "'mse'"),
    (lambda: _fit(schedule=3), TypeError, "fit", "schedule", "a Schedule or a function", "int"),
    (lambda: _fit(validation=np.zeros(3)), TypeError, "fit", "validation", "a pair", "ndarray"),
    (lambda: train.evaluate(_model(), losses.mse, *_xy(), batch_size=0), ValueError,
     "evaluate", "batch_size", ">= 1", "0"),
    (lambda: train.predict(_model(), np.zeros((2, 4)), batch_size=2.0), TypeError,
     "predict", "batch_size", "an int", "2.0"),
    # data
    (lambda: data.train_test_split(*_xy(), test_size="0.2", rng=RNG(0)), TypeError,
     "train_test_split", "test_size", "a float in (0, 1) or an int", "'0.2'"),
    (lambda: data.train_test_split(*_xy(), test_size=1.5, rng=RNG(0)), ValueError,
     "train_test_split", "test_size", "a float in (0, 1) or an int", "1.5"),
    (lambda: data.train_test_split(*_xy(), rng=RNG(0), stratify=1), TypeError,
     "train_test_split", "stratify", "a bool", "1"),
    (lambda: data.train_test_split(*_xy(), rng=None), TypeError,
     "train_test_split", "rng", "numpy.random.Generator", "None"),
    (lambda: data.batches(*_xy(), batch_size=2, shuffle=0), TypeError, "batches", "shuffle", "a bool", "0"),
    (lambda: data.batches(*_xy(), batch_size=2, drop_last="y"), TypeError, "batches", "drop_last", "a bool", "'y'"),
    (lambda: data.batches(*_xy(), batch_size=2.0), TypeError, "batches", "batch_size", "an int", "2.0"),
    (lambda: data.bars(4, rng=RNG(0), noise=-0.1), ValueError, "bars", "noise", "[0, inf)", "-0.1"),
    (lambda: data.crosses(4, rng=RNG(0), noise="a"), TypeError, "crosses", "noise", "a real number", "'a'"),
    (lambda: data.shapes(4.0, rng=RNG(0)), TypeError, "shapes", "n", "an int", "4.0"),
    (lambda: data.shapes(4, size=4, rng=RNG(0)), ValueError, "shapes", "size", ">= 8", "4"),
    (lambda: data.step_edge(8, orientation="diagonal"), ValueError, "step_edge", "orientation",
     "'vertical' or 'horizontal'", "'diagonal'"),
    (lambda: data.checkerboard(8, square=0), ValueError, "checkerboard", "square", ">= 1", "0"),
    (lambda: data.load_digits(dtype=np.int8), ValueError, "load_digits", "dtype", "float32 or float64", "int8"),
    (lambda: data.load_mnist("a", "b", dtype=np.uint8), ValueError, "load_mnist", "dtype",
     "float32 or float64", "uint8"),
    # gradient checks
    (lambda: check_layer(F.relu_forward, np.ones(3), h=0.0), ValueError, "check_layer", "h", "(0, inf)", "0.0"),
    (lambda: check_layer(F.relu_forward, np.ones(3), backward="relu_backward"), TypeError,
     "check_layer", "backward", "callable", "'relu_backward'"),
    (lambda: numerical_gradient(np.sum, np.ones(3), h="1e-5"), TypeError,
     "numerical_gradient", "h", "a real number", "'1e-5'"),
    (lambda: rel_error(np.ones(2), np.ones(2), floor=-1.0), ValueError, "rel_error", "floor", "(0, inf)", "-1.0"),
]


@pytest.mark.parametrize("call, exc, where, arg, expected, received", CASES,
                         ids=[f"{c[2]}-{c[3]}-{i}" for i, c in enumerate(CASES)])
def test_bad_option_raises_a_clear_error(call, exc, where, arg, expected, received):
    with pytest.raises(exc) as info:
        call()
    assert type(info.value) is exc  # not a subclass: the rule is TypeError vs ValueError
    message = str(info.value)
    assert message.startswith(f"{where}: "), message
    for part in (arg, expected, received):
        assert part in message, f"{part!r} not in {message!r}"


@pytest.mark.parametrize("value", [np.int64(3), np.int32(3), 3])
def test_numpy_integers_are_ints(value):
    assert Conv2D(value, value, value, rng=RNG(0)).in_channels == 3
    assert Dense(value, value, rng=RNG(0)).out_features == 3
    assert MaxPool2D(value).kernel_size == (3, 3)


def test_integers_are_fine_for_float_options():
    assert optim.SGD(lr=1).lr == 1.0
    assert BatchNorm2D(2, momentum=0).momentum == 0.0


@pytest.mark.parametrize("attr", ["params", "grads", "buffers"])
def test_read_only_attribute_raises_attribute_error(attr):
    model = _model()
    with pytest.raises(AttributeError, match=rf"^Sequential: {attr} is read-only"):
        setattr(model, attr, {})


def test_partial_call_sites_keep_working():
    schedule = functools.partial(optim.step_decay, 0.1, drop=0.5, every=2)
    assert optim.Schedule(optim.SGD(lr=0.1), schedule).step(np.int64(2)) == 0.05
