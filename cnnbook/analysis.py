"""Probing a network: gradients by layer, saliency, feature maps, and the test inputs used.

These are the computations behind the figures of :mod:`cnnbook.viz` that look inside a
model: :func:`input_grad_norms` (how the gradient's size changes with depth),
:func:`saliency` (which pixels a class score is sensitive to), :func:`feature_maps`
(the output of one layer and the class probabilities), :func:`shift_image` (a digit moved
on a canvas, to test translation invariance), :func:`plain_and_residual_stacks` (deep tanh
stacks with and without skip connections) and :func:`loss_curve` (a loss and its gradient
along one prediction).
"""
from __future__ import annotations

import copy

import numpy as np

from .activations import Tanh
from .base import Sequential, eval_mode
from .dense import Dense
from .losses import softmax
from .residual import Residual

__all__ = ["input_grad_norms", "saliency", "feature_maps", "shift_image",
           "plain_and_residual_stacks", "loss_curve"]


def input_grad_norms(model, x, dout):
    r"""Norm of the gradient with respect to the input of every layer of ``model``.

    Runs ``model``'s layers forward on ``x``, then backward from ``dout`` one layer at a
    time, recording :math:`\lVert \partial L/\partial a_l \rVert_2` where :math:`a_l` is
    the input of layer :math:`l` (:math:`a_0 = x`) and :math:`L = \sum \delta \odot y`.

    Parameters
    ----------
    model : Sequential
        Iterating over it gives its layers.
    x : ndarray, shape (N, ...)
    dout : ndarray, shape of the model's output
        Upstream gradient :math:`\delta`.

    Returns
    -------
    norms : ndarray, shape (len(model) + 1,)
        ``norms[l]`` for the input of layer ``l``; ``norms[-1]`` is ``||dout||``.
    """
    layers = list(model)
    h = x
    for layer in layers:
        h = layer.forward(h)
    if np.shape(dout) != h.shape:
        raise ValueError(f"input_grad_norms: expected dout of shape {h.shape}, "
                         f"got {np.shape(dout)}")
    grad = np.asarray(dout, dtype=np.float64)
    norms = [np.linalg.norm(grad)]
    for layer in reversed(layers):
        grad = layer.backward(grad)
        norms.append(np.linalg.norm(grad))
    return np.array(norms[::-1])


def saliency(model, x, classes):
    r"""Gradient of class scores (pre-softmax logits) with respect to the input images.

    For each sample :math:`n` with class :math:`c_n` it returns
    :math:`\partial z_{n, c_n} / \partial x_n`, computed by one backward pass with the
    upstream gradient set to the one-hot vector of :math:`c_n` (Simonyan et al., 2014).
    The model runs in evaluation mode (and is put back in the mode it had).

    Parameters
    ----------
    model : Layer
        Maps (N, C, H, W) images to (N, K) logits.
    x : ndarray, shape (N, C, H, W)
    classes : int or array of int, shape (N,)
        The class whose score is differentiated, per sample.

    Returns
    -------
    grad : ndarray, shape (N, C, H, W)
        Signed gradient; saliency maps usually show ``np.abs(grad).max(axis=1)``.
    """
    with eval_mode(model):
        logits = model.forward(x)  # N,K
        classes = np.broadcast_to(np.asarray(classes), (logits.shape[0],))
        dout = np.zeros_like(logits)
        dout[np.arange(logits.shape[0]), classes] = 1.0  # one-hot at the class
        return model.backward(dout)  # N,C,H,W


def shift_image(image, shift, *, pad=4):
    r"""Place ``image`` (..., H, W) on a zero canvas padded by ``pad`` and move it right.

    Returns an array (..., H + 2 pad, W + 2 pad); ``shift`` pixels to the right
    (negative: left), ``|shift| <= pad`` so nothing wraps around.
    """
    if abs(int(shift)) > pad:
        raise ValueError(f"shift_image: expected |shift| <= pad={pad}, got shift={shift}")
    image = np.asarray(image)
    widths = [(0, 0)] * (image.ndim - 2) + [(pad, pad), (pad, pad)]
    canvas = np.pad(image, widths)
    return np.roll(canvas, int(shift), axis=-1)


def plain_and_residual_stacks(depth, *, width=32, gain=1.0, seed=0):
    r"""Two stacks of ``depth`` blocks ``tanh(W x + b)`` with the same weights.

    The plain stack applies the blocks one after the other; the residual one wraps each in
    :class:`cnnbook.residual.Residual` (``x + tanh(W x + b)``). Weights are Glorot-uniform
    (standard deviation ``1/sqrt(width)``) times ``gain``.

    Returns
    -------
    plain, residual : Sequential
    """
    rng = np.random.default_rng(seed)
    plain, residual = [], []
    for _ in range(depth):
        dense = Dense(width, width, rng=rng, init="glorot")
        dense.params["weight"] *= gain
        twin = copy.deepcopy(dense)  # same weights, separate arrays and cache
        plain.append(Sequential(dense, Tanh()))
        residual.append(Residual(Sequential(twin, Tanh())))
    return Sequential(*plain), Sequential(*residual)


def loss_curve(loss_fn, values, target):
    r"""Loss and gradient of a one-element prediction, at each of ``values``.

    Parameters
    ----------
    loss_fn : callable
        ``loss_fn(pred, target) -> (loss, grad)``, e.g. :func:`cnnbook.losses.mse`.
    values : array_like, shape (n,)
        Predictions (values, probabilities or logits) to evaluate.
    target : float
        The target :math:`y` of the single element.

    Returns
    -------
    losses, grads : ndarray, shape (n,)
        :math:`L` and :math:`\partial L/\partial \text{pred}` at each value.
    """
    values = np.asarray(values, dtype=np.float64)
    target = np.array([float(target)])
    losses = np.empty_like(values)
    grads = np.empty_like(values)
    for i, v in enumerate(values):
        loss, grad = loss_fn(np.array([v]), target)
        losses[i], grads[i] = loss, grad[0]
    return losses, grads


def feature_maps(model, image, layer=0):
    r"""Class probabilities of one image and the output of one of ``model``'s layers.

    The model runs in evaluation mode (and is put back in the mode it had).

    Parameters
    ----------
    model : Sequential
        A classifier (N, C, H, W) -> (N, K) logits.
    image : ndarray, shape (H, W), (C, H, W) or (1, C, H, W)
    layer : int
        Index of the layer whose output is returned.

    Returns
    -------
    probs : ndarray, shape (K,)
        Softmax of the logits.
    maps : ndarray
        Output of layer ``layer`` for this image, without the batch axis.
    """
    x = np.asarray(image, dtype=np.float64)
    x = x.reshape((1,) * (4 - x.ndim) + x.shape) if x.ndim < 4 else x
    if not 0 <= layer < len(model.layers):
        raise ValueError(f"feature_maps: expected layer in [0, {len(model.layers)}), "
                         f"got {layer}")
    with eval_mode(model):
        h, maps = x, None
        for i, lay in enumerate(model.layers):
            h = lay.forward(h)
            if i == layer:
                maps = np.array(h[0])
    return softmax(h)[0], maps
