r"""How the scale of activations and gradients changes with depth.

A deep stack of blocks ``z_l = W_l a_l + b_l``, ``a_{l+1} = f(z_l)`` either keeps the
size of its signals, or shrinks or grows them by about the same factor at every block,
which over tens of blocks means vanishing or exploding values. The forward pass sets the
scale of the activations, the backward pass that of the gradients.

* :func:`block_stack` builds such a stack from :class:`~cnnbook.dense.Dense` (or
  :class:`~cnnbook.conv.Conv2D`) layers and an activation, with the initialisation scaled
  by a ``gain``;
* :func:`signal_profile` runs one forward and one backward pass through a stack and
  returns, block by block, the standard deviation of the pre-activations and the root
  mean square of the gradients (a :class:`SignalProfile`);
* :func:`init_std` is the standard deviation each initialisation rule gives a weight.

For a layer with ``fan_in`` inputs per output and weights of variance
:math:`\operatorname{Var}(w)`, independent of zero-mean inputs,

.. math:: \operatorname{Var}(z) = \text{fan\_in}\, \operatorname{Var}(w)\, \mathbb E[a^2],

and behind a ReLU :math:`\mathbb E[a^2] = \operatorname{Var}(z_{\text{prev}})/2`, so
:math:`\operatorname{Var}(w) = 2/\text{fan\_in}` keeps :math:`\operatorname{Var}(z)` the same
at every depth (He et al., 2015).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import check_choice, check_float, check_int, check_rng
from .activations import ReLU, Sigmoid, Tanh
from .base import Layer, Sequential
from .conv import Conv2D
from .dense import Dense

__all__ = ["ACTIVATIONS", "init_std", "block_stack", "SignalProfile", "signal_profile"]

#: Activation name -> layer class, for :func:`block_stack`.
ACTIVATIONS = {"relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid}


def init_std(fan_in: int, fan_out: int, init: str = "he") -> float:
    r"""Standard deviation of one initial weight under ``init``.

    ``"he"``: :math:`\sqrt{2/\text{fan\_in}}`; ``"glorot"`` (uniform on :math:`[-a, a]`,
    :math:`a = \sqrt{6/(\text{fan\_in} + \text{fan\_out})}`): :math:`a/\sqrt 3 =
    \sqrt{2/(\text{fan\_in} + \text{fan\_out})}`. These are the rules of
    :func:`cnnbook.base.init_weight`.
    """
    where = "init_std"
    fan_in = check_int(fan_in, "fan_in", where, 1)
    fan_out = check_int(fan_out, "fan_out", where, 1)
    init = check_choice(init, "init", where, ("he", "glorot"))
    if init == "he":
        return float(np.sqrt(2.0 / fan_in))
    return float(np.sqrt(2.0 / (fan_in + fan_out)))


def block_stack(depth, width, *, activation="relu", init="he", gain=1.0, conv=False,
                kernel_size=3, rng):
    r"""A stack of ``depth`` blocks ``(linear layer, activation)`` of constant width.

    Parameters
    ----------
    depth : int
        Number of blocks.
    width : int
        Features of every :class:`~cnnbook.dense.Dense` layer (``conv=False``), or channels
        of every :class:`~cnnbook.conv.Conv2D` layer (``conv=True``; ``kernel_size``
        square, padding ``kernel_size // 2`` so the image size stays the same).
    activation : {"relu", "tanh", "sigmoid"}
    init : {"he", "glorot"}
        The layers' own initialisation (:func:`cnnbook.base.init_weight`).
    gain : float
        Every initial weight is multiplied by ``gain`` (1 keeps ``init`` as it is); biases
        start at 0.
    rng : numpy.random.Generator

    Returns
    -------
    Sequential
        Of ``depth`` blocks, each a ``Sequential(linear, activation)``; the form
        :func:`signal_profile` reads.
    """
    where = "block_stack"
    depth = check_int(depth, "depth", where, 1)
    width = check_int(width, "width", where, 1)
    activation = check_choice(activation, "activation", where, tuple(ACTIVATIONS))
    gain = check_float(gain, "gain", where, minimum=0.0)
    rng = check_rng(rng, where)
    blocks = []
    for _ in range(depth):
        if conv:
            linear = Conv2D(width, width, kernel_size, padding=kernel_size // 2, rng=rng,
                            init=init)
        else:
            linear = Dense(width, width, rng=rng, init=init)
        linear.params["weight"] *= gain
        blocks.append(Sequential(linear, ACTIVATIONS[activation]()))
    return Sequential(*blocks)


def _rms(a: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(a))))


@dataclass
class SignalProfile:
    r"""Scales of the signals in a stack of ``m`` blocks after one forward and backward pass.

    Attributes
    ----------
    preactivation_std : ndarray, shape (m,)
        Standard deviation of :math:`z_l`, the output of block ``l``'s linear layer.
    activation_rms : ndarray, shape (m + 1,)
        Root mean square of :math:`a_l`, the input of block ``l`` (``a_0 = x``, ``a_m``
        the stack's output).
    grad_rms : ndarray, shape (m + 1,)
        Root mean square of :math:`\partial L/\partial a_l` (entry ``m`` is the upstream
        gradient ``dout``).
    weight_grad_rms : ndarray, shape (m,)
        Root mean square of :math:`\partial L/\partial W_l`.
    slope_rms : ndarray, shape (m,)
        Root mean square of the local slope :math:`f'(z_l)` of block ``l``'s activation
        (the derivative of the rest of the block, entry by entry).
    flat_fraction : ndarray, shape (m,)
        Fraction of the entries of block ``l`` whose slope is below ``flat`` (0.01 by
        default): saturated sigmoid/tanh units, inactive ReLU units.
    """

    preactivation_std: np.ndarray
    activation_rms: np.ndarray
    grad_rms: np.ndarray
    weight_grad_rms: np.ndarray
    slope_rms: np.ndarray
    flat_fraction: np.ndarray


def signal_profile(stack, x, dout, *, flat=0.01) -> SignalProfile:
    r"""One forward and one backward pass through ``stack``, measured block by block.

    Parameters
    ----------
    stack : Sequential
        Of blocks, each a ``Sequential`` whose first layer has a ``"weight"`` parameter
        (as built by :func:`block_stack`).
    x : ndarray
        Input batch of the stack.
    dout : ndarray
        Upstream gradient :math:`\partial L/\partial a_m`, the shape of the stack's output.
    flat : float
        Slope below which an entry counts as flat (for ``flat_fraction``).

    Returns
    -------
    SignalProfile
    """
    where = "signal_profile"
    if not isinstance(stack, Sequential):
        raise TypeError(f"{where}: expected stack to be a Sequential of blocks, "
                        f"got {type(stack).__name__}")
    for l, block in enumerate(stack):
        if not (isinstance(block, Sequential) and len(block) >= 1
                and isinstance(block[0], Layer) and "weight" in block[0].params):
            raise ValueError(f"{where}: expected block {l} to be a Sequential whose first "
                             f"layer has a 'weight' parameter, got {block!r}")
    a = np.asarray(x)
    pre_std, act_rms, slope_rms, flat_frac = [], [_rms(a)], [], []
    for block in stack:
        z = block[0].forward(a)
        pre_std.append(float(np.std(z)))
        a = z
        for layer in block.layers[1:]:
            a = layer.forward(a)
        act_rms.append(_rms(a))
        slope = np.ones_like(a)             # f'(z): the rest of the block's backward of ones
        for layer in reversed(block.layers[1:]):
            slope = layer.backward(slope)
        slope_rms.append(_rms(slope))
        flat_frac.append(float(np.mean(np.abs(slope) < flat)))
    dout = np.asarray(dout)
    if dout.shape != a.shape:
        raise ValueError(f"{where}: expected dout of shape {a.shape} (the stack's output), "
                         f"got {dout.shape}")
    grad = dout
    grad_rms, wgrad_rms = [_rms(grad)], []
    for block in reversed(stack.layers):
        grad = block.backward(grad)
        grad_rms.append(_rms(grad))
        wgrad_rms.append(_rms(block[0].grads["weight"]))
    return SignalProfile(np.array(pre_std), np.array(act_rms), np.array(grad_rms[::-1]),
                         np.array(wgrad_rms[::-1]), np.array(slope_rms), np.array(flat_frac))
