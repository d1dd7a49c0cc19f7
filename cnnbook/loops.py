"""Training loops written out step by step (forward, loss, backward, update), for reading.

:func:`cnnbook.train.fit` is the general loop (batches, epochs, history); the two loops
here are short enough to show whole in the book: :func:`run_training_loop` is the source
article's six steps on a model, :func:`recover_kernel` fits one convolution kernel to
input/output pairs with the functional kernels (``fast=True``, or
:func:`recover_kernel_fast`, computes the same steps with :func:`valid_conv_by_patches`
for the explorer that reruns the fit on every slider move).
"""
from __future__ import annotations

import numpy as np

from .functional import conv2d_backward, conv2d_forward
from .losses import mse, softmax_cross_entropy
from .optim import SGD

__all__ = ["run_training_loop", "recover_kernel", "recover_kernel_fast",
           "valid_conv_by_patches"]


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


def recover_kernel(x, y, *, lr=0.1, steps=200, momentum=0.9, kernel_size=3, n_records=25,
                   fast=False):
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
    fast : bool
        Compute the same convolution as matrix-vector products
        (:func:`valid_conv_by_patches`, for the explorer that reruns the fit on every
        slider move).

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
    forward, backward = (valid_conv_by_patches(x, y, k) if fast
                         else (conv2d_forward, conv2d_backward))
    params = {"weight": np.zeros((1, x.shape[1], k, k)), "bias": np.zeros(1)}
    optimizer = SGD(lr=lr, momentum=momentum)
    record = set(np.unique(np.round(np.geomspace(1, steps + 1, n_records)).astype(int) - 1))
    record.add(steps)
    losses, rec_steps, kernels, diverged = [], [], [], False
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(steps + 1):
            out, cache = forward(x, params["weight"], params["bias"])
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
            _, dw, db = backward(dout, cache)
            optimizer.step(params, {"weight": dw, "bias": db})
    return {"weight": params["weight"], "bias": params["bias"], "loss": np.array(losses),
            "steps": rec_steps, "kernels": kernels, "diverged": diverged}


def recover_kernel_fast(x, y, **options):
    """:func:`recover_kernel` with ``fast=True`` (same options and result)."""
    return recover_kernel(x, y, fast=True, **options)


def valid_conv_by_patches(x, y, kernel_size):
    r"""A forward/backward pair with the signature of ``conv2d_forward`` /
    ``conv2d_backward`` for one filter, no padding and stride 1 on this ``x`` only, as
    matrix-vector products: three to four times faster in :func:`recover_kernel`.

    Each output pixel is the product of one row of the patch matrix :math:`P` (the
    input's window :math:`x_{n,:,i:i+k,j:j+k}`, flattened) with the flattened kernel. The
    input never changes during a fit, so :math:`P` is built once; then
    :math:`\hat y = P w + b`, :math:`\partial L/\partial w = P^\top \delta`,
    :math:`\partial L/\partial b = \sum \delta`, and no input gradient (``None``), which
    the fit does not use. Only the order of the sums differs from the convolution kernels,
    so a fit takes the same steps but not bit for bit the same numbers: on chapter 4.1's
    photo, over 90 settings of the explorer's ranges, the fitted weights agreed to 3e-15
    and the losses to 1e-12 relative while above 1e-6 (1e-9 above 1e-12); near the
    rounding floor (below about 1e-20 with exact targets) the two differ in every digit.
    """
    k = int(kernel_size)
    windows = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))  # N,C,OH,OW,k,k
    patches = windows.transpose(0, 2, 3, 1, 4, 5).reshape(-1, x.shape[1] * k * k)  # P, a copy
    out_shape = windows.shape[:1] + (1,) + windows.shape[2:4]
    if np.shape(y) != out_shape:
        raise ValueError(f"recover_kernel: expected y of shape {out_shape} (a valid {k}x{k} "
                         f"convolution of x), got {np.shape(y)}")

    def forward(_x, w, b):
        return (patches @ w.reshape(-1) + b[0]).reshape(out_shape), w.shape

    def backward(dout, w_shape):
        dout = dout.reshape(-1)
        return None, (dout @ patches).reshape(w_shape), np.array([dout.sum()])
    return forward, backward
