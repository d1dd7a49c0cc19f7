"""Training loops written out step by step (forward, loss, backward, update), for reading.

:func:`cnnbook.train.fit` is the general loop (batches, epochs, history); the two loops
here are short enough to show whole in the book: :func:`run_training_loop` is the source
article's six steps on a model, :func:`recover_kernel` fits one convolution kernel to
input/output pairs with the functional kernels (:func:`recover_kernel_fast` is the same
fit, bit for bit, for the explorer that reruns it on every slider move).
"""
from __future__ import annotations

import numpy as np

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
    r""":func:`recover_kernel` as matrix-vector products: the same steps up to rounding,
    three to four times faster (the kernel-recovery explorer reruns it on every slider move).

    Same parameters and result. A "valid" convolution with one filter is the product of
    the input's patches, one row :math:`x_{n,:,i:i+k,j:j+k}` per output pixel, with the
    flattened kernel. The input never changes during the fit, so the patch matrix
    :math:`P` is built once; each step is then :math:`\hat y = P w + b`, the MSE and
    :math:`\delta = \partial L/\partial \hat y` from :func:`cnnbook.losses.mse`,
    :math:`\partial L/\partial w = P^\top \delta`, :math:`\partial L/\partial b =
    \sum \delta` and the same :class:`cnnbook.optim.SGD` step (no input gradient, which
    the fit does not use). Only the order of the sums differs from the convolution
    kernels, so losses agree to about 1e-6 relative until they reach the rounding floor
    (around 1e-30 for exact targets).
    """
    k = int(kernel_size)
    params = {"weight": np.zeros((1, x.shape[1], k, k)), "bias": np.zeros(1)}
    optimizer = SGD(lr=lr, momentum=momentum)
    record = set(np.unique(np.round(np.geomspace(1, steps + 1, n_records)).astype(int) - 1))
    record.add(steps)
    windows = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))  # N,C,OH,OW,k,k
    patches = windows.transpose(0, 2, 3, 1, 4, 5).reshape(-1, x.shape[1] * k * k)  # P, a copy
    target = np.asarray(y)[:, 0].reshape(-1)
    if target.size != len(patches):
        raise ValueError(f"recover_kernel_fast: expected y of shape {windows.shape[:1]} + "
                         f"(1,) + {windows.shape[2:4]} (a valid {k}x{k} convolution of x), "
                         f"got {np.shape(y)}")
    losses, rec_steps, kernels, diverged = [], [], [], False
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(steps + 1):
            out = patches @ params["weight"].reshape(-1) + params["bias"][0]
            loss, dout = mse(out, target)
            if not np.isfinite(loss) or (losses and loss > 1e10 * losses[0]):
                diverged = True
                break
            losses.append(loss)
            if step in record:
                rec_steps.append(step)
                kernels.append(params["weight"][0, 0].copy())
            if step == steps:
                break
            dw = (dout @ patches).reshape(params["weight"].shape)
            optimizer.step(params, {"weight": dw, "bias": np.array([dout.sum()])})
    return {"weight": params["weight"], "bias": params["bias"], "loss": np.array(losses),
            "steps": rec_steps, "kernels": kernels, "diverged": diverged}
