"""Layer classes: thin objects over the kernels of :mod:`cnnbook.functional`.

Every layer has ``forward(x)``, ``backward(dout) -> dx``, ``params`` and ``grads``
dicts (same keys), ``buffers`` for non-trainable state, and ``train()``/``eval()``.
The classes are defined beside their kernels; this module gathers them.

Initialisation: ``Conv2D`` and ``Dense`` draw weights from He (Kaiming) normal
initialisation, :math:`\\mathcal N(0, 2/\\text{fan\\_in})`, suited to ReLU networks
(He et al., 2015); biases start at zero. ``init="glorot"`` gives Glorot (Xavier)
uniform, :math:`U(-r, r)` with :math:`r = \\sqrt{6/(\\text{fan\\_in}+\\text{fan\\_out})}`
(Glorot & Bengio, 2010), derived for tanh networks.
"""
from .activations import *  # noqa: F401,F403
from .base import Layer, Sequential  # noqa: F401
from .batchnorm import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .dense import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .residual import Residual  # noqa: F401
from . import activations as _a, batchnorm as _b, conv as _c, dense as _d, pooling as _p
from . import dropout as _do

__all__ = ["Layer", "Sequential", "Residual"] + [
    n for m in (_a, _b, _c, _d, _do, _p) for n in m.__all__ if n[:1].isupper()
]
