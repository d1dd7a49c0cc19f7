"""Gradient checks of single layer kernels on demonstration inputs, with a stable verdict.

:func:`derivation_check` builds non-trivial inputs for a convolution, pooling or dense
kernel, runs :func:`cnnbook.gradcheck.check_layer` and returns the analytic and numerical
input gradients; :func:`gradcheck_verdict` turns a check into one line of text that is the
same on every machine.
"""
from __future__ import annotations

import numpy as np

from . import functional as F
from .gradcheck import check_layer

__all__ = ["LAYERS", "derivation_check", "gradcheck_verdict"]

#: Layer kernels :func:`derivation_check` can check.
LAYERS = ("conv", "max-pool", "avg-pool", "dense")


def derivation_check(layer="conv", *, stride=1, padding=0, dilation=1, height=6, width=7,
                     kernel_size=3, seed=0):
    r"""Run one gradient check of a layer kernel in float64, on non-trivial inputs.

    Parameters
    ----------
    layer : {"conv", "max-pool", "avg-pool", "dense"}
        Kernel to check: ``conv2d_forward`` (2 input channels, 3 filters),
        ``max_pool2d_forward`` (tie-free input: a random permutation of values spaced
        0.1 apart), ``avg_pool2d_forward``, or flatten + ``linear_forward`` (4 outputs).
    stride, padding, dilation, kernel_size : int
        Options of the convolution or pooling (``dilation`` is for ``conv`` only; the
        dense layer ignores all four).
    height, width : int
        Spatial size of the input, shape ``(1, 2, height, width)``.
    seed : int
        Seed of the inputs, weights and upstream gradient.

    Returns
    -------
    dict
        ``result`` (a :class:`~cnnbook.gradcheck.GradCheckResult` over every input),
        ``analytic`` and ``numeric`` (:math:`\partial L/\partial x`, shape of ``x``) and
        ``title`` (the setting, as text).

    Raises
    ------
    ValueError
        If the options do not fit (kernel larger than the padded input, pooling padding
        over half the kernel, unknown layer).
    """
    if layer not in LAYERS:
        raise ValueError(f"derivation_check: expected layer in {LAYERS}, got {layer!r}")
    rng = np.random.default_rng(seed)
    shape = (1, 2, int(height), int(width))
    if layer == "max-pool":
        n = int(np.prod(shape))
        x = ((rng.permutation(n) + 0.5 - n / 2) * 0.1).reshape(shape)
    else:
        x = rng.normal(size=shape)
    opts = dict(stride=stride, padding=padding)
    if layer == "conv":
        forward = F.conv2d_forward
        args = (rng.normal(size=(3, 2, kernel_size, kernel_size)), rng.normal(size=3))
        opts["dilation"] = dilation
        title = (f"conv {kernel_size}×{kernel_size}, stride {stride}, padding {padding}, "
                 f"dilation {dilation}, input {height}×{width}")
    elif layer in ("max-pool", "avg-pool"):
        forward = F.max_pool2d_forward if layer == "max-pool" else F.avg_pool2d_forward
        args = ()
        opts["kernel_size"] = kernel_size
        title = (f"{layer} {kernel_size}×{kernel_size}, stride {stride}, padding {padding}, "
                 f"input {height}×{width}")
    else:
        x_flat = x.reshape(1, -1)
        w, b = rng.normal(size=(4, x_flat.shape[1])), rng.normal(size=4)
        out, _ = F.linear_forward(x_flat, w, b)
        result = check_layer(F.linear_forward, x_flat, w, b, dout=rng.normal(size=out.shape))
        return {"result": result, "analytic": result.analytic["x"].reshape(shape),
                "numeric": result.numeric["x"].reshape(shape),
                "title": f"flatten + dense (4 outputs), input {height}×{width}"}
    out, _ = forward(x, *args, **opts)
    result = check_layer(forward, x, *args, dout=rng.normal(size=out.shape), **opts)
    return {"result": result, "analytic": result.analytic["x"],
            "numeric": result.numeric["x"], "title": title}


def gradcheck_verdict(result, tol=1e-7, *, name=None):
    r"""One line of text that is the same on every machine: did the check pass?

    A passing check's error is rounding noise (about 1e-9 to 1e-12 in float64) whose
    exact digits vary between BLAS builds, so only its bound is printed. A failing
    check's error comes from the mathematics and is printed to one significant digit.

    Parameters
    ----------
    result : cnnbook.gradcheck.GradCheckResult
    tol : float
        Largest relative error that counts as a pass.
    name : str, optional
        Printed instead of ``result.name`` (a layer's repr can span several lines).

    Returns
    -------
    str
        e.g. ``"conv2d_forward: x, w, b  max rel. error < 1e-07  passed: True"``.
    """
    wrt = ", ".join(result.errors())
    err = result.max_error
    passed = err < tol
    if passed:
        size = f"< {tol:.0e}"
    else:
        size = f"= {err:.1g}"
    return f"{name or result.name}: {wrt}  max rel. error {size}  passed: {passed}"
