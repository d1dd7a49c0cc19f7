"""All forward/backward kernels in one namespace.

Each kernel lives in the module of the concept it implements (``cnnbook.conv``,
``cnnbook.pooling``, ``cnnbook.dense``, ``cnnbook.activations``, ``cnnbook.batchnorm``,
``cnnbook.dropout``),
beside its ``_naive`` loop twin and its layer class; this module only gathers them.

Conventions: ``*_forward(x, ..., *, options) -> (out, cache)`` and
``*_backward(dout, cache) -> dx`` or ``(dx, dw, db)``; NCHW layout; the input dtype
(float32 or float64) is preserved. :data:`BACKWARD` pairs each forward kernel with its
backward kernel by name.
"""
from .activations import *  # noqa: F401,F403
from .batchnorm import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .dense import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from . import activations as _a, batchnorm as _b, conv as _c, dense as _d, pooling as _p
from . import dropout as _do

__all__ = [n for m in (_a, _b, _c, _d, _do, _p) for n in m.__all__ if not n[:1].isupper()]
__all__ += ["BACKWARD"]

#: Pairs whose names do not follow ``x_forward`` <-> ``x_backward`` (none today).
_UNNAMED_PAIRS: dict = {}

#: Every forward kernel and its backward twin, for :func:`cnnbook.gradcheck.check_layer`
#: and anything else that needs "the backward of f": derived from the modules' ``__all__``
#: by name, ``x_forward`` -> ``x_backward`` and ``x_forward_naive`` -> ``x_backward_naive``
#: (``tests/test_naive_twins.py`` fails when a kernel lacks its backward or loop twin).
BACKWARD = {globals()[n]: globals()[n.replace("_forward", "_backward")]
            for n in __all__ if "_forward" in n
            and n.replace("_forward", "_backward") in __all__} | _UNNAMED_PAIRS
