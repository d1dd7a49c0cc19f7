"""A catalogue of the wrong answers students typically give, one module per concept.

Each :class:`Mistake` computes, for one case, the output(s) that mistake produces
(mostly by calling the package's kernels on altered inputs). When the student's
output equals one of them, and differs from the right answer, the report prints the
mistake's hint: the principle by default, the line of code on request. ``compute`` may
return ``None`` when the mistake makes no difference on a case (for example "stride
ignored" on a stride-1 case).

:data:`RAISED` holds, per exercise, the advice for an exception raised inside the
student's function (matched on its type and message); an exercise with no matching
advice gets none. :data:`NONFINITE` holds the advice for NaN/inf on large inputs.
"""
from __future__ import annotations

from . import activations, batchnorm, conv, dense, dropout, losses, optim, pooling
from ._base import Advice, Mistake

__all__ = ["Mistake", "Advice", "MISTAKES", "RAISED", "NONFINITE"]

_MODULES = (activations, losses, optim, dropout, dense, conv, pooling, batchnorm)

MISTAKES = {name: ms for mod in _MODULES for name, ms in mod.MISTAKES.items()}
RAISED = {name: advice for mod in _MODULES for name, advice in mod.RAISED.items()}
NONFINITE = {name: advice for mod in _MODULES
             for name, advice in getattr(mod, "NONFINITE", {}).items()}
