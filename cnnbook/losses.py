r"""Loss functions, each returning ``(loss, grad)``.

``loss`` is a Python float and ``grad`` is :math:`\partial L/\partial(\text{first
argument})`, with the shape and dtype (float32 or float64) of that argument. The gradient
is where backpropagation starts: pass it to the last layer's ``backward``.

Reduction is the PyTorch default ``'mean'``: over *all* elements for :func:`mse`,
:func:`binary_cross_entropy` and :func:`binary_cross_entropy_with_logits`; over the
batch :math:`N` for :func:`softmax_cross_entropy`.

Which cross-entropy?

* **Binary cross-entropy** (sigmoid outputs): every output is its own yes/no question,
  and several may be "yes" at once (multi-label: "has a cat", "has a dog").
  Prefer :func:`binary_cross_entropy_with_logits` on the raw scores over
  :func:`binary_cross_entropy` on probabilities: it never takes ``log(0)``.
* **Softmax cross-entropy**: each example belongs to exactly one of :math:`K` classes
  (a digit is 0, ..., or 9). :func:`softmax_cross_entropy` takes the raw scores
  (logits) and applies the softmax itself.

Every function is stable for logits as large as :math:`\pm 1000`: no overflow, no
``log(0)`` and no warnings. Underflow of ``exp`` to 0 does happen and is the intended
result, so it is silenced locally (it would otherwise raise under
``np.errstate(all='raise')``).
"""
from __future__ import annotations

import numpy as np

from ._checks import as_float_array, check_finite_prob, check_int, check_shape
from .activations import sigmoid_forward

__all__ = [
    "mse",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "softmax",
    "log_softmax",
    "softmax_cross_entropy",
]


def _check_nonempty(x: np.ndarray, name: str, where: str) -> None:
    if x.size == 0:
        raise ValueError(
            f"{where}: expected {name} with at least one element, got shape {tuple(x.shape)}"
        )


def _check_axis(axis, x: np.ndarray, where: str) -> int:
    axis = check_int(axis, "axis", where)
    if x.ndim == 0:
        raise ValueError(f"{where}: expected z with at least 1 dimension, got shape ()")
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(
            f"{where}: expected axis in [-{x.ndim}, {x.ndim}) for z of shape "
            f"{tuple(x.shape)}, got {axis}"
        )
    return int(axis)


# ---------------------------------------------------------------------------- MSE

def mse(pred: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
    r"""Mean squared error over all elements.

    Parameters
    ----------
    pred : ndarray, any shape
        Predictions :math:`\hat y`.
    target : ndarray, shape of ``pred``
        Targets :math:`y`.

    Returns
    -------
    loss : float
    grad : ndarray, shape and dtype of ``pred``
        :math:`\partial L / \partial \hat y`.

    Notes
    -----
    With :math:`E` the number of elements (no factor :math:`\tfrac12`, as in PyTorch):

    .. math::

        L = \frac{1}{E} \sum_i (\hat y_i - y_i)^2, \qquad
        \frac{\partial L}{\partial \hat y_i} = \frac{2}{E} (\hat y_i - y_i).

    Examples
    --------
    >>> loss, grad = mse(np.array([1.0, 2.0]), np.array([0.0, 0.0]))
    >>> loss, grad.tolist()
    (2.5, [1.0, 2.0])
    """
    where = "mse"
    pred = as_float_array(pred, "pred", where)
    target = as_float_array(target, "target", where)
    check_shape(target, pred.shape, "target", where)
    _check_nonempty(pred, "pred", where)
    diff = pred - target
    loss = float(np.mean(diff * diff))
    grad = (2.0 / pred.size) * diff
    return loss, grad.astype(pred.dtype, copy=False)


# ---------------------------------------------------------------- binary cross-entropy

def binary_cross_entropy(prob: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
    r"""Binary cross-entropy of probabilities, averaged over all elements.

    Use it when every output is an independent yes/no probability (a sigmoid output);
    for one class out of :math:`K` use :func:`softmax_cross_entropy`. If you have the
    scores before the sigmoid, :func:`binary_cross_entropy_with_logits` is more stable.

    Parameters
    ----------
    prob : ndarray, any shape
        Predicted probabilities :math:`p \in [0, 1]`.
    target : ndarray, shape of ``prob``
        Targets :math:`y \in [0, 1]` (0/1 labels or soft targets).

    Returns
    -------
    loss : float
    grad : ndarray, shape and dtype of ``prob``
        :math:`\partial L / \partial p`.

    Raises
    ------
    ValueError
        If ``prob`` or ``target`` has a value outside :math:`[0, 1]` or NaN.

    Notes
    -----
    With :math:`E` the number of elements and :math:`\hat y` the probabilities:

    .. math::

        L = -\frac{1}{E} \sum_i \bigl[ y_i \log \hat y_i + (1 - y_i) \log(1 - \hat y_i) \bigr],
        \qquad
        \frac{\partial L}{\partial \hat y_i} = \frac{1}{E} \, \frac{\hat y_i - y_i}{\hat y_i (1 - \hat y_i)}.

    As in PyTorch, each logarithm is clamped at :math:`-100` (so :math:`p = 0` or
    :math:`1` gives a large but finite loss) and the denominator
    :math:`p_i(1 - p_i)` of the gradient at :math:`10^{-12}`.

    Examples
    --------
    >>> loss, grad = binary_cross_entropy(np.array([0.5, 0.5]), np.array([1.0, 0.0]))
    >>> round(loss, 6), grad.tolist()
    (0.693147, [-1.0, 1.0])
    """
    where = "binary_cross_entropy"
    prob = as_float_array(prob, "prob", where)
    target = as_float_array(target, "target", where)
    check_shape(target, prob.shape, "target", where)
    _check_nonempty(prob, "prob", where)
    check_finite_prob(prob, "prob", where)
    check_finite_prob(target, "target", where)
    # log(0) = -inf is expected at p = 0 or 1 and clamped right away
    with np.errstate(divide="ignore", under="ignore"):
        log_p = np.maximum(np.log(prob), -100.0)
        log_1mp = np.maximum(np.log1p(-prob), -100.0)
        loss = 0.0 - float(np.mean(target * log_p + (1 - target) * log_1mp))  # 0.0 - x: no "-0.0"
        grad = (prob - target) / np.maximum(prob * (1 - prob), 1e-12) / prob.size
    return loss, grad.astype(prob.dtype, copy=False)


def binary_cross_entropy_with_logits(logits: np.ndarray,
                                     target: np.ndarray) -> tuple[float, np.ndarray]:
    r"""Sigmoid followed by binary cross-entropy, computed stably from the logits.

    Use it when every output is an independent yes/no question (multi-label); for one
    class out of :math:`K` use :func:`softmax_cross_entropy`.

    Parameters
    ----------
    logits : ndarray, any shape
        Raw scores :math:`z`; the probabilities are :math:`\sigma(z) = 1/(1 + e^{-z})`.
    target : ndarray, shape of ``logits``
        Targets :math:`y \in [0, 1]`.

    Returns
    -------
    loss : float
    grad : ndarray, shape and dtype of ``logits``
        :math:`\partial L / \partial z`.

    Notes
    -----
    The loss of one element, :math:`-y \log\sigma(z) - (1-y)\log(1-\sigma(z))`, is
    rewritten so that ``exp`` only sees non-positive numbers:

    .. math::

        \ell(z, y) = \max(z, 0) - z y + \log\bigl(1 + e^{-|z|}\bigr), \qquad
        L = \frac{1}{E} \sum_i \ell(z_i, y_i).

    The sigmoid's derivative :math:`\sigma(1-\sigma)` cancels the denominator of the
    binary cross-entropy gradient, leaving

    .. math::

        \frac{\partial L}{\partial z_i} = \frac{1}{E} \bigl(\sigma(z_i) - y_i\bigr).

    Examples
    --------
    >>> loss, grad = binary_cross_entropy_with_logits(np.array([0.0, 1000.0]),
    ...                                               np.array([1.0, 1.0]))
    >>> round(loss, 6), grad.tolist()
    (0.346574, [-0.25, 0.0])
    """
    where = "binary_cross_entropy_with_logits"
    logits = as_float_array(logits, "logits", where)
    target = as_float_array(target, "target", where)
    check_shape(target, logits.shape, "target", where)
    _check_nonempty(logits, "logits", where)
    check_finite_prob(target, "target", where)
    with np.errstate(under="ignore"):
        per_element = (np.maximum(logits, 0) - logits * target
                       + np.log1p(np.exp(-np.abs(logits))))
        loss = float(np.mean(per_element))
        grad = (sigmoid_forward(logits)[0] - target) / logits.size  # the stable sigmoid
    return loss, grad.astype(logits.dtype, copy=False)


# ---------------------------------------------------------------------------- softmax

def log_softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    r"""Logarithm of :func:`softmax`, computed without forming tiny probabilities.

    Parameters
    ----------
    z : ndarray, any shape with at least one dimension
        Logits.
    axis : int
        Axis over which the probabilities sum to 1 (the class axis).

    Returns
    -------
    log_p : ndarray, shape and dtype of ``z``

    Notes
    -----
    With :math:`m = \max_j z_j` (subtracting it changes nothing but keeps ``exp`` at
    most 1):

    .. math::

        \log \operatorname{softmax}(z)_k = (z_k - m) - \log \sum_j e^{z_j - m}.

    Examples
    --------
    >>> np.exp(log_softmax(np.array([1000.0, 1000.0]))).tolist()
    [0.5, 0.5]
    """
    where = "log_softmax"
    z = as_float_array(z, "z", where)
    axis = _check_axis(axis, z, where)
    shifted = z - np.max(z, axis=axis, keepdims=True)
    with np.errstate(under="ignore"):
        return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    r"""Softmax probabilities, stable for large logits.

    Parameters
    ----------
    z : ndarray, any shape with at least one dimension
        Logits.
    axis : int
        Axis over which the probabilities sum to 1 (the class axis).

    Returns
    -------
    p : ndarray, shape and dtype of ``z``

    Notes
    -----
    Softmax does not change when a constant is added to every logit, so the largest
    logit :math:`m` is subtracted first and ``exp`` never overflows:

    .. math::

        \operatorname{softmax}(z)_k = \frac{e^{z_k}}{\sum_j e^{z_j}}
        = \frac{e^{z_k - m}}{\sum_j e^{z_j - m}}, \qquad m = \max_j z_j.

    Examples
    --------
    >>> softmax(np.array([[0.0, 0.0], [1000.0, -1000.0]])).tolist()
    [[0.5, 0.5], [1.0, 0.0]]
    """
    where = "softmax"
    z = as_float_array(z, "z", where)
    axis = _check_axis(axis, z, where)
    shifted = z - np.max(z, axis=axis, keepdims=True)
    with np.errstate(under="ignore"):
        e = np.exp(shifted)
        return e / np.sum(e, axis=axis, keepdims=True)


def _check_labels(labels, n: int, k: int, where: str) -> np.ndarray:
    """Return labels as int class indices (N,) or float probabilities (N, K)."""
    if not isinstance(labels, np.ndarray):
        raise TypeError(
            f"{where}: expected labels to be a numpy.ndarray, got {type(labels).__name__}"
        )
    if labels.shape not in ((n,), (n, k)):
        raise ValueError(
            f"{where}: expected labels of shape ({n},) or ({n}, {k}), got {labels.shape}"
        )
    if labels.ndim == 1:
        if not np.issubdtype(labels.dtype, np.integer):
            raise TypeError(
                f"{where}: expected labels of shape ({n},) to be integer class indices, "
                f"got dtype {labels.dtype} (use labels.astype(int), or one-hot labels "
                f"of shape ({n}, {k}))"
            )
        lo, hi = int(labels.min()), int(labels.max())
        if lo < 0 or hi >= k:
            raise ValueError(
                f"{where}: expected labels in [0, {k}) for {k} classes, "
                f"got values in [{lo}, {hi}]"
            )
        return labels
    labels = as_float_array(labels, "labels", where)
    check_finite_prob(labels, "labels", where)
    row_sums = labels.sum(axis=1)
    tol = np.sqrt(np.finfo(labels.dtype).eps)
    bad = np.abs(row_sums - 1) > tol
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(
            f"{where}: expected each row of labels of shape ({n}, {k}) to sum to 1, "
            f"got {float(row_sums[i]):g} in row {i}"
        )
    return labels


def softmax_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    r"""Softmax followed by cross-entropy, averaged over the batch.

    Use it when each example belongs to exactly one of :math:`K` classes. For outputs
    that are independent yes/no questions use
    :func:`binary_cross_entropy_with_logits` instead.

    Parameters
    ----------
    logits : ndarray, shape (N, K)
        Raw class scores :math:`z` (no softmax applied).
    labels : ndarray, shape (N,) or (N, K)
        Either integer class indices in :math:`[0, K)`, or one-hot / probability rows
        :math:`y` (entries in :math:`[0, 1]`, each row summing to 1). Class index
        :math:`y_n` means the one-hot row :math:`y_{nk} = [k = y_n]`.

    Returns
    -------
    loss : float
    grad : ndarray, shape (N, K), dtype of ``logits``
        :math:`\partial L / \partial z`.

    Notes
    -----
    With :math:`\hat y_n = \operatorname{softmax}(z_n)` (see :func:`log_softmax` for the
    stable form):

    .. math::

        L = -\frac{1}{N} \sum_{n=0}^{N-1} \sum_{k=0}^{K-1} y_{nk} \log \hat y_{nk}.

    Since :math:`\log \hat y_{nk} = z_{nk} - \log \sum_{k'} e^{z_{nk'}}` and
    :math:`\partial \log \sum_{k'} e^{z_{nk'}} / \partial z_{nk} = \hat y_{nk}`,

    .. math::

        \frac{\partial L}{\partial z_{nk}}
        = -\frac{1}{N} \sum_{k'} y_{nk'} \bigl([k' = k] - \hat y_{nk}\bigr)
        = \frac{1}{N} \Bigl(\hat y_{nk} \sum_{k'} y_{nk'} - y_{nk}\Bigr)
        = \frac{\hat y_{nk} - y_{nk}}{N},

    using :math:`\sum_{k'} y_{nk'} = 1`: the predicted minus the true distribution.

    Examples
    --------
    >>> loss, grad = softmax_cross_entropy(np.zeros((2, 4)), np.array([0, 3]))
    >>> bool(np.isclose(loss, np.log(4)))
    True
    >>> grad[0].tolist()
    [-0.375, 0.125, 0.125, 0.125]
    """
    where = "softmax_cross_entropy"
    logits = as_float_array(logits, "logits", where)
    if logits.ndim != 2:
        raise ValueError(
            f"{where}: expected logits with 2 dimensions (N, K), "
            f"got shape {tuple(logits.shape)} ({logits.ndim} dimensions)"
        )
    n, k = logits.shape
    if n == 0 or k == 0:
        raise ValueError(
            f"{where}: expected logits of shape (N, K) with N >= 1 and K >= 1, "
            f"got {tuple(logits.shape)}"
        )
    labels = _check_labels(labels, n, k, where)
    log_p = log_softmax(logits, axis=1)  # N,K
    with np.errstate(under="ignore"):
        p = np.exp(log_p)  # N,K
    if labels.ndim == 1:
        rows = np.arange(n)
        loss = 0.0 - float(np.mean(log_p[rows, labels]))  # 0.0 - x: no "-0.0"
        grad = p.copy()
        grad[rows, labels] -= 1
    else:
        loss = 0.0 - float(np.mean(np.sum(labels * log_p, axis=1)))  # 0.0 - x: no "-0.0"
        grad = p - labels
    grad /= n
    return loss, grad.astype(logits.dtype, copy=False)
