"""Training loops written out step by step (forward, loss, backward, update), for reading.

:func:`cnnbook.train.fit` is the general loop (batches, epochs, history); the two loops
here are short enough to show whole in the book: :func:`run_training_loop` is the source
article's six steps on a model, :func:`recover_kernel` fits one convolution kernel to
input/output pairs with the functional kernels (:func:`recover_kernel_fast` is the same
fit, bit for bit, for the explorer that reruns it on every slider move).
"""
from __future__ import annotations

import numpy as np

from ._blas import blas_threads_for
from .functional import conv2d_backward, conv2d_forward
from .losses import mse, softmax_cross_entropy
from .optim import SGD

__all__ = ["run_training_loop", "recover_kernel", "recover_kernel_fast"]


def run_training_loop(build, x, y, *, steps, lr):
    r"""The article's six steps, written out: returns the loss before each update and the
    model after ``steps`` updates.

    1. initialise (``build()`` makes a freshly seeded model), then ``steps`` times:
    2. forward pass, 3. loss (softmax cross-entropy), 4. backward pass (every gradient),
    5. update (plain gradient descent, ``lr``); 6. repeat.

    Parameters
    ----------
    build : callable
        ``build() -> Layer``, seeded so that every call gives the same initial weights.
    x : ndarray, shape (N, C, H, W)
    y : ndarray of int, shape (N,)
    steps : int
        Number of updates.
    lr : float
        Learning rate.

    Returns
    -------
    losses : ndarray, shape (steps + 1,)
        ``losses[t]`` is the loss after ``t`` updates.
    model : Layer
    """
    model = build()                                          # 1 initialise
    optimizer = SGD(lr=lr)
    losses = []
    for _ in range(steps + 1):
        loss, dout = softmax_cross_entropy(model.forward(x), y)   # 2 forward, 3 loss
        losses.append(loss)
        if len(losses) > steps:
            break
        model.backward(dout)                                  # 4 backward
        optimizer.step(model.params, model.grads)             # 5 update; 6 repeat
    return np.array(losses), model


def recover_kernel(x, y, *, lr=0.1, steps=200, momentum=0.9, kernel_size=3, n_records=25):
    r"""Fit a convolution ``(w, b)`` to input/output pairs by gradient descent on the MSE.

    Starts from ``w = 0``, ``b = 0`` and repeats: forward with
    :func:`cnnbook.functional.conv2d_forward`, loss and ``dout`` with
    :func:`cnnbook.losses.mse`, ``dw`` and ``db`` with
    :func:`cnnbook.functional.conv2d_backward`, then one step of
    :class:`cnnbook.optim.SGD` (plain gradient descent when ``momentum=0``).

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
        Input images.
    y : ndarray, shape (N, 1, OH, OW)
        Target outputs (a "valid" convolution of ``x``: no padding, stride 1).
    lr : float
        Learning rate.
    steps : int
        Number of gradient-descent steps.
    momentum : float
        Momentum of :class:`cnnbook.optim.SGD`; ``0`` is plain gradient descent.
    kernel_size : int
    n_records : int
        About how many snapshots of the kernel to keep (spaced evenly in log(step)).

    Returns
    -------
    dict
        ``"weight"`` (1, C, k, k) and ``"bias"`` (1,): the fitted parameters;
        ``"loss"``: the loss before each step and after the last one (``steps + 1``
        values, fewer if it diverged); ``"steps"`` and ``"kernels"``: the recorded steps
        and ``weight[0, 0]`` at each; ``"diverged"``: whether it stopped early
        because the loss became inf/NaN or grew above ``1e10`` times its first value.
    """
    k = int(kernel_size)
    params = {"weight": np.zeros((1, x.shape[1], k, k)), "bias": np.zeros(1)}
    optimizer = SGD(lr=lr, momentum=momentum)
    record = set(np.unique(np.round(np.geomspace(1, steps + 1, n_records)).astype(int) - 1))
    record.add(steps)
    losses, rec_steps, kernels, diverged = [], [], [], False
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(steps + 1):
            out, cache = conv2d_forward(x, params["weight"], params["bias"])
            loss, dout = mse(out, y)
            if not np.isfinite(loss) or (losses and loss > 1e10 * losses[0]):
                diverged = True
                break
            losses.append(loss)
            if step in record:
                rec_steps.append(step)
                kernels.append(params["weight"][0, 0].copy())
            if step == steps:
                break
            _, dw, db = conv2d_backward(dout, cache)
            optimizer.step(params, {"weight": dw, "bias": db})
    return {"weight": params["weight"], "bias": params["bias"], "loss": np.array(losses),
            "steps": rec_steps, "kernels": kernels, "diverged": diverged}


def recover_kernel_fast(x, y, *, lr=0.1, steps=200, momentum=0.9, kernel_size=3, n_records=25):
    r""":func:`recover_kernel`, step for step and bit for bit, about four times faster.

    Same parameters and result. The input never changes during the fit, so its im2col
    matrix :math:`X_{\text{col}}` is built once (by ``conv2d_forward``); each step then
    does only the products ``conv2d_forward`` and ``conv2d_backward`` would do with it:
    :math:`\hat Y = W_{\text{row}} X_{\text{col}} + b`, the MSE,
    :math:`\partial L/\partial W_{\text{row}} = \Delta X_{\text{col}}^\top` and
    :math:`\partial L/\partial b = \Delta \mathbf 1` (no input gradient, which the fit
    does not use), and the same ``SGD`` step. The kernel-recovery explorer uses it.
    """
    k = int(kernel_size)
    params = {"weight": np.zeros((1, x.shape[1], k, k)), "bias": np.zeros(1)}
    optimizer = SGD(lr=lr, momentum=momentum)
    record = set(np.unique(np.round(np.geomspace(1, steps + 1, n_records)).astype(int) - 1))
    record.add(steps)
    _, (_, _, cols, *_) = conv2d_forward(x, params["weight"], params["bias"])
    n_taps, n_out = cols.shape                                 # C*k*k, OH*OW*N
    n, oh, ow = y.shape[0], y.shape[2], y.shape[3]
    losses, rec_steps, kernels, diverged = [], [], [], False
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(steps + 1):
            w_row = params["weight"].reshape(1, n_taps).astype(cols.dtype, copy=False)
            with blas_threads_for(1, n_out, n_taps):          # as in conv2d_forward
                out = np.matmul(w_row, cols)
            out += params["bias"].astype(cols.dtype, copy=False)[:, None]
            loss, dout = mse(out.reshape(1, oh, ow, n).transpose(3, 0, 1, 2), y)
            if not np.isfinite(loss) or (losses and loss > 1e10 * losses[0]):
                diverged = True
                break
            losses.append(loss)
            if step in record:
                rec_steps.append(step)
                kernels.append(params["weight"][0, 0].copy())
            if step == steps:
                break
            dout_mat = dout.transpose(1, 2, 3, 0).reshape(1, n_out)  # as in conv2d_backward
            db = dout_mat.sum(axis=1)
            with blas_threads_for(n_taps, 1, n_out):
                dw = np.matmul(cols, dout_mat.T).T.reshape(params["weight"].shape)
            optimizer.step(params, {"weight": dw, "bias": db})
    return {"weight": params["weight"], "bias": params["bias"], "loss": np.array(losses),
            "steps": rec_steps, "kernels": kernels, "diverged": diverged}
