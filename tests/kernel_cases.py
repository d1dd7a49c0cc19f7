"""The registry of gradient-check cases: for every kernel of ``cnnbook.functional``, keyed by
its stem (``relu`` for ``relu_forward``/``relu_backward`` and their ``_naive`` twins), the
inputs and options on which tests/test_naive_twins.py checks both versions against central
differences and against each other.

A new kernel needs an entry here: tests/test_naive_twins.py fails for every stem of
``cnnbook.functional.__all__`` without one (and tests/test_golden.py for one without a
golden case). The option matrices of the larger kernels (conv, pooling, batch norm) also
run in their own test files; here every kernel gets at least its options' corners.
"""
import numpy as np
from helpers import tie_free

from cnnbook import functional as fn


def kernel_stems():
    """Stems of every forward kernel in ``cnnbook.functional.__all__`` (``conv2d``, ...)."""
    return sorted({n.split("_forward")[0] for n in fn.__all__ if "_forward" in n})


def _x(shape, seed=0, scale=3.0):
    """Tie-free float64 input without zeros (kinks of ReLU and max pooling stay away)."""
    return tie_free(shape, np.random.default_rng(seed), scale=scale)


def _normal(*shapes, seed=0):
    rng = np.random.default_rng(seed)
    return tuple(rng.normal(size=s) for s in shapes)


def _batch_norm(shape, training, seed):
    rng = np.random.default_rng(seed)
    C = shape[1]
    inputs = (rng.normal(size=shape) * 2 + 1, rng.normal(size=C), rng.normal(size=C))
    stats = dict(running_mean=rng.normal(size=C), running_var=rng.uniform(0.5, 2, size=C))
    return inputs, dict(stats, training=training, eps=1e-3)


ELEMENTWISE = [(1, 3), (2, 3, 5, 4)]
POOL = [((1, 2, 5, 6), dict(kernel_size=2)),                            # no overlap
        ((2, 1, 7, 6), dict(kernel_size=3, stride=2, padding=1)),       # overlap, padding
        ((1, 2, 6, 7), dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 0)))]

#: stem -> list of (inputs, options): ``check_layer(forward, *inputs, **options)``.
GRADCHECK = {
    "relu": [((_x(s),), {}) for s in ELEMENTWISE],
    "leaky_relu": [((_x(s),), dict(negative_slope=a)) for s in ELEMENTWISE
                   for a in (0.01, 0.0, 0.3, 1.0, -0.5)],
    "sigmoid": [((_x(s),), {}) for s in ELEMENTWISE],
    "tanh": [((_x(s),), {}) for s in ELEMENTWISE],
    "flatten": [((_x(s),), {}) for s in [(2, 3, 4), (1, 2, 3, 2)]],
    "linear": [(_normal((N, D), (M, D), (M,), seed=N), {}) for N, D, M in [(1, 1, 1), (3, 5, 2)]],
    "conv2d": [(_normal((2, 2, 6, 5), (3, 2, 3, 2), (3,), seed=1), opts) for opts in [
        {}, dict(stride=2, padding=1), dict(stride=(1, 2), padding=(2, 0), dilation=(1, 2))]],
    "max_pool2d": [((_x(s),), opts) for s, opts in POOL],
    "avg_pool2d": [((_x(s),), opts) for s, opts in POOL],
    "global_avg_pool2d": [((_x(s),), {}) for s in [(1, 1, 1, 1), (2, 3, 5, 7), (1, 2, 4, 1)]],
    # a given mask: the gradient check needs the same mask at every call
    "dropout": [((_x(s),), dict(p=p, mask=(np.random.default_rng(7).random(s) >= p) * 1.0))
                for s in ELEMENTWISE for p in (0.0, 0.3, 0.9)]
               + [((_x((2, 3)),), dict(p=0.5, training=False))],
    "batch_norm2d": [_batch_norm(s, training, seed=sum(s)) for s in [(3, 2, 3, 2)]
                     for training in (True, False)],
}
