"""What a catalogued mistake is, and what advice an exception in the student's code gets."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ... import functional as F

__all__ = ["Mistake", "Advice", "sigmoid"]


@dataclass(frozen=True)
class Mistake:
    """A wrong answer students give, and what to tell them.

    ``compute(case, reference)`` returns the output(s) the mistake produces on one case, as
    a dict ``{output name: value}``, a list of such dicts (several ways of writing the same
    mistake), or ``None`` when the mistake makes no difference on that case.
    ``hint`` names the principle that is broken (shown by default); ``code`` is the line
    that fixes it, shown only on request (``check(name, fn, hint="code")``).
    """
    key: str
    hint: str
    code: str
    compute: Callable


@dataclass(frozen=True)
class Advice:
    """What to say when the student's function raises an exception matching ``pattern``
    (a regular expression searched in ``"TypeName: message"``) in one exercise."""
    pattern: str
    hint: str
    code: str = ""


def sigmoid(x):
    return F.sigmoid_forward(np.asarray(x, dtype=np.float64))[0]
