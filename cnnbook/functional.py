"""All forward/backward kernels in one namespace.

Each kernel lives in the module of the concept it implements (``cnnbook.conv``,
``cnnbook.pooling``, ``cnnbook.dense``, ``cnnbook.activations``, ``cnnbook.batchnorm``),
beside its ``_naive`` loop twin and its layer class; this module only gathers them.

Conventions: ``*_forward(x, ..., *, options) -> (out, cache)`` and
``*_backward(dout, cache) -> dx`` or ``(dx, dw, db)``; NCHW layout; the input dtype
(float32 or float64) is preserved. :data:`BACKWARD` pairs each forward kernel with its
backward kernel.
"""
from .activations import *  # noqa: F401,F403
from .batchnorm import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .dense import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from . import activations as _a, batchnorm as _b, conv as _c, dense as _d, pooling as _p

__all__ = [n for m in (_a, _b, _c, _d, _p) for n in m.__all__ if not n[:1].isupper()]
__all__ += ["BACKWARD"]

#: Every forward kernel and its backward twin, paired by hand (not by name), for
#: :func:`cnnbook.gradcheck.check_layer` and anything else that needs "the backward of f".
BACKWARD = {
    conv2d_forward: conv2d_backward,                          # noqa: F405
    conv2d_forward_naive: conv2d_backward_naive,              # noqa: F405
    max_pool2d_forward: max_pool2d_backward,                  # noqa: F405
    max_pool2d_forward_naive: max_pool2d_backward_naive,      # noqa: F405
    avg_pool2d_forward: avg_pool2d_backward,                  # noqa: F405
    avg_pool2d_forward_naive: avg_pool2d_backward_naive,      # noqa: F405
    linear_forward: linear_backward,                          # noqa: F405
    linear_forward_naive: linear_backward_naive,              # noqa: F405
    flatten_forward: flatten_backward,                        # noqa: F405
    flatten_forward_naive: flatten_backward_naive,            # noqa: F405
    relu_forward: relu_backward,                              # noqa: F405
    relu_forward_naive: relu_backward_naive,                  # noqa: F405
    sigmoid_forward: sigmoid_backward,                        # noqa: F405
    sigmoid_forward_naive: sigmoid_backward_naive,            # noqa: F405
    tanh_forward: tanh_backward,                              # noqa: F405
    tanh_forward_naive: tanh_backward_naive,                  # noqa: F405
    batch_norm2d_forward: batch_norm2d_backward,              # noqa: F405
    batch_norm2d_forward_naive: batch_norm2d_backward_naive,  # noqa: F405
}
