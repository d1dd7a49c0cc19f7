"""All forward/backward kernels in one namespace.

Each kernel lives in the module of the concept it implements (``cnnbook.conv``,
``cnnbook.pooling``, ``cnnbook.dense``, ``cnnbook.activations``, ``cnnbook.batchnorm``),
beside its ``_naive`` loop twin and its layer class; this module only gathers them.

Conventions: ``*_forward(x, ..., *, options) -> (out, cache)`` and
``*_backward(dout, cache) -> dx`` or ``(dx, dw, db)``; NCHW layout; the input dtype
(float32 or float64) is preserved.
"""
from .activations import *  # noqa: F401,F403
from .batchnorm import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .dense import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from . import activations as _a, batchnorm as _b, conv as _c, dense as _d, pooling as _p

__all__ = [n for m in (_a, _b, _c, _d, _p) for n in m.__all__ if not n[:1].isupper()]
