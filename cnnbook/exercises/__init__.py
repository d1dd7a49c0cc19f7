"""Exercises: the reader writes a backward pass, :func:`check` tests it and says what is wrong.

>>> from cnnbook.exercises import check
>>> def relu_backward(dout, x):
...     return dout * (x > 0)
>>> result = check("relu_backward", relu_backward)  # doctest: +ELLIPSIS
relu_backward: all 2 cases pass ...
>>> result.passed
True

``check(name, fn)`` first compares ``fn``'s parameters with the way it is called (see
:data:`CALLS`), then calls it on a series of cases, easy ones first, each adding one hard
feature (a batch, several channels, a stride, padding, overlapping windows, ...), compares
every output with the package's own kernels (:mod:`cnnbook.functional`,
:mod:`cnnbook.losses`, :mod:`cnnbook.optim`), prints a short report and returns a
:class:`CheckResult`. Whatever ``fn`` does (raise, return ``None``, a wrong shape or dtype,
outputs in the wrong order, change its input, run for longer than
:data:`~cnnbook.exercises.runner.TIME_LIMIT` seconds) is reported, never raised; so is a
misspelt exercise name or something that is not a function. For the first failing case the
report gives its inputs, the wrong output, its worst entry, and a hint: exact when the
answer matches a catalogued mistake (:mod:`.mistakes`), from the error's pattern otherwise
(:mod:`.diagnose`). The hint names the principle; ``hint="code"`` adds the line of code.
``result.case`` holds the failing case to rerun and print.

The dtype rule: every case's inputs are float64, and every output keeps the inputs' dtype
(float32 or integer outputs are reported as wrong).

Modules: :mod:`.cases` (calls, cases, reference answers), :mod:`.runner` (runs one
case safely), :mod:`.mistakes` (the catalogue), :mod:`.diagnose` (hints), :mod:`.report`
(the result and its text).
"""
from __future__ import annotations

import difflib
import warnings

import numpy as np

from .cases import SPECS
from .report import HINT_MODES, CheckResult, FailedCase, failed, report
from .runner import TIME_LIMIT, run_case, signature_problem

__all__ = ["check", "CheckResult", "FailedCase", "NAMES", "CALLS", "TIME_LIMIT"]

#: The exercises, in the book's order.
NAMES = ("mse", "softmax_cross_entropy", "sgd_momentum_step", "adam_step", "relu_backward",
         "sigmoid_backward", "dropout_backward", "linear_forward", "linear_backward", "conv2d_forward",
         "conv2d_backward", "max_pool2d_forward", "max_pool2d_backward",
         "avg_pool2d_backward", "batch_norm2d_backward",
         "global_avg_pool2d_backward")

#: How :func:`check` calls each exercise, and what it expects back.
CALLS = {n: f"{SPECS[n].call} -> {', '.join(SPECS[n].outputs)}" for n in NAMES}


def _misuse(name, fn, hint, time_limit) -> str | None:
    """What is wrong with the arguments of ``check`` itself, or None."""
    if not isinstance(name, str):
        return (f"check: the first argument is the exercise's name, a str such as "
                f"\"relu_backward\"; got {type(name).__name__} {name!r:.60}")
    if name not in SPECS:
        close = difflib.get_close_matches(name, NAMES, n=1, cutoff=0.5)
        guess = f" Did you mean {close[0]}?" if close else ""
        return (f"check: there is no exercise {name!r}.{guess}\n"
                f"  The exercises: {', '.join(NAMES)}")
    if hint not in HINT_MODES:
        return f"check: hint must be one of {', '.join(map(repr, HINT_MODES))}; got {hint!r}"
    if not isinstance(time_limit, (int, float)) or not time_limit > 0:
        return f"check: time_limit must be a positive number of seconds; got {time_limit!r}"
    if not callable(fn):
        what = type(fn).__name__
        if isinstance(fn, np.ndarray):
            what = f"a numpy array of shape {fn.shape}"
        elif isinstance(fn, tuple):
            what = f"a tuple of {len(fn)}"
        elif isinstance(fn, str):
            what = f"the string {fn!r}"
        return (f"{name}: the second argument must be your function itself; you passed "
                f"{what}. Pass the function without calling it: "
                f"check(\"{name}\", my_{name}), not check(\"{name}\", my_{name}(...))")
    return None


def check(name: str, fn, *, hint: str = "principle", quiet: bool = False,
          time_limit: float = TIME_LIMIT) -> CheckResult:
    """Run the exercise ``name`` on ``fn`` and print what is right and what is wrong.

    Parameters
    ----------
    name : str
        One of :data:`NAMES`.
    fn : callable
        The reader's function, called as in :data:`CALLS`.
    hint : {"principle", "code"}
        ``"principle"`` names what is wrong; ``"code"`` also prints the line of code.
    quiet : bool
        Do not print the report (it is still in ``.message``).
    time_limit : float
        Seconds each case may take before the check gives up on it.

    Returns
    -------
    CheckResult
        ``.passed`` (bool), ``.message`` (the report), ``.case`` (the first failing
        case: ``.inputs``, ``.expected``, ``.got``, ``.call(fn)``).
    """
    problem = _misuse(name, fn, hint, time_limit)
    if problem is None:
        spec = SPECS[name]
        wrong_signature = signature_problem(spec, fn)
        if wrong_signature:
            params = ", ".join(spec.params)
            problem = (f"{name}: your function's parameters do not fit the check's call "
                       f"{spec.call}: it {wrong_signature}.\n"
                       f"  Define it as def my_{name}({params}): ... (no case was run)")
    if problem is not None:
        result = failed(name, problem)
    else:
        cases = spec.cases()
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            refs = [spec.reference(c) for c in cases]
        outcomes = []
        for case, ref in zip(cases, refs):
            outcomes.append(run_case(spec, case, fn, ref, time_limit))
            if outcomes[0].kind == "not-written" or outcomes[-1].kind == "timeout":
                break
        result = report(spec, cases, outcomes, refs, hint)
    if not quiet:
        print(result.message)
    return result
