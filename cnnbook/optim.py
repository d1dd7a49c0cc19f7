r"""Gradient descent and the optimizers: SGD with momentum, RMSprop, Adam and AdamW.

* :func:`gradient_descent` runs plain (or heavy-ball) gradient descent on a function
  given by its gradient and returns every iterate: the 1-D and 2-D demos of the book.
* :class:`SGD`, :class:`RMSprop`, :class:`Adam` and :class:`AdamW` update a network's parameters. ``step(params, grads)``
  takes two dicts ``name -> ndarray`` (``model.params`` and ``model.grads``) and
  changes the arrays of ``params`` **in place**: they belong to the layers, so the
  optimizer never rebinds them. The optimizer's own state (velocities, moments, step
  counts) is kept in ``optimizer.state``, keyed by parameter name.
* :func:`clip_grad_norm` (from :mod:`cnnbook.clipping`) rescales gradients whose global
  norm is too large; :func:`step_decay`, :func:`cosine_annealing` and :class:`Schedule`
  (from :mod:`cnnbook.schedules`) set the learning rate of an epoch.

The update rules follow ``torch.optim`` (``SGD`` with ``dampening=0``, ``Adam`` and
``AdamW`` with ``amsgrad=False``), so a step here and a step there give the same numbers.
"""
from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from ._checks import as_float_array, check_bool, check_callable, check_float, check_int, check_shape
from .clipping import clip_grad_norm
from .schedules import Schedule, cosine_annealing, step_decay

__all__ = [
    "gradient_descent",
    "SGD",
    "RMSprop",
    "Adam",
    "AdamW",
    "clip_grad_norm",
    "step_decay",
    "cosine_annealing",
    "Schedule",
]


# ------------------------------------------------------------------ gradient descent

def gradient_descent(grad_fn, x0, *, lr: float, steps: int,
                     momentum: float = 0.0) -> np.ndarray:
    r"""Run gradient descent from ``x0`` and return every iterate.

    Parameters
    ----------
    grad_fn : callable
        ``grad_fn(x)`` returns :math:`\nabla f(x)`, an array of the shape of ``x0``.
    x0 : float or ndarray, any shape
        Starting point (a float for a 1-D demo, shape (2,) for a 2-D one).
    lr : float
        Learning rate :math:`\eta > 0`.
    steps : int
        Number of updates, :math:`\ge 0`.
    momentum : float
        Heavy-ball coefficient :math:`\rho \ge 0`; 0 (the default) is plain gradient
        descent.

    Returns
    -------
    path : ndarray, shape (steps + 1, \*x0.shape)
        ``path[0]`` is ``x0`` and ``path[t]`` is :math:`x_t`, in float64. If the
        iteration diverges, the path is shorter (see Warns).

    Warns
    -----
    RuntimeWarning
        If an iterate is not finite (the iteration diverged to inf or NaN). The path
        then stops at, and includes, that first non-finite iterate.

    Notes
    -----
    Plain gradient descent and, with :math:`\rho > 0`, heavy-ball momentum in the form
    :class:`SGD` uses (:math:`v_0 = 0`):

    .. math::

        v_{t+1} = \rho v_t + \nabla f(x_t), \qquad x_{t+1} = x_t - \eta \, v_{t+1}.

    On :math:`f(x) = \tfrac{L}{2} x^2` plain descent gives
    :math:`x_{t+1} = (1 - \eta L) x_t`: it converges for :math:`\eta < 2/L` and diverges
    for :math:`\eta > 2/L`.

    Examples
    --------
    >>> path = gradient_descent(lambda x: 2 * x, 1.0, lr=0.25, steps=3)
    >>> path.tolist()
    [1.0, 0.5, 0.25, 0.125]
    """
    where = "gradient_descent"
    check_callable(grad_fn, "grad_fn", where)
    if isinstance(x0, numbers.Real) and not isinstance(x0, (bool, np.bool_)):
        x = np.array(float(x0))
    else:
        x = as_float_array(x0, "x0", where).astype(np.float64)  # a copy
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{where}: expected a finite x0, got {x0!r}")
    lr = check_float(lr, "lr", where, minimum=0.0, min_open=True)
    steps = check_int(steps, "steps", where, 0)
    momentum = check_float(momentum, "momentum", where, minimum=0.0)

    path = [x]
    velocity = np.zeros_like(x)
    for t in range(1, steps + 1):
        grad = np.asarray(grad_fn(x.copy()), dtype=np.float64)
        check_shape(grad, x.shape, "grad_fn(x)", where)
        # overflow to inf is detected below and reported once, as a divergence
        with np.errstate(over="ignore", invalid="ignore"):
            velocity = momentum * velocity + grad
            x = x - lr * velocity
        path.append(x)
        if not np.all(np.isfinite(x)):
            warnings.warn(
                f"{where}: diverged at step {t} with lr={lr:g}: the iterate is not finite; "
                f"returning the {t + 1} iterates up to and including it",
                RuntimeWarning, stacklevel=2,
            )
            break
    return np.stack(path)


# ------------------------------------------------------------------------ optimizers

class _Optimizer:
    """Shared checks and state handling of :class:`SGD` and :class:`Adam`."""

    def __init__(self, lr: float) -> None:
        self.lr = check_float(lr, "lr", self.name, minimum=0.0, min_open=True)
        self.state: dict[str, dict] = {}

    @property
    def name(self) -> str:
        return type(self).__name__

    def zero_state(self) -> None:
        """Forget all velocities, moments and step counts (``lr`` is kept)."""
        self.state = {}

    def _check(self, params: dict, grads: dict) -> dict[str, np.ndarray]:
        where = f"{self.name}.step"
        for what, d in (("params", params), ("grads", grads)):
            if not isinstance(d, dict):
                raise TypeError(
                    f"{where}: expected {what} to be a dict name -> ndarray, "
                    f"got {type(d).__name__}"
                )
        missing = [k for k in params if k not in grads]
        extra = [k for k in grads if k not in params]
        if missing or extra:
            key = (missing or extra)[0]
            raise ValueError(
                f"{where}: expected grads with the keys of params, got "
                + (f"no gradient for {key!r}" if missing else f"an extra gradient {key!r}")
            )
        checked = {}
        for key, p in params.items():
            if not isinstance(p, np.ndarray) or p.dtype not in (np.float32, np.float64):
                got = p.dtype if isinstance(p, np.ndarray) else type(p).__name__
                raise TypeError(
                    f"{where}: expected params[{key!r}] to be a float32/float64 "
                    f"numpy.ndarray (updated in place), got {got}"
                )
            g = as_float_array(grads[key], f"grads[{key!r}]", where)
            check_shape(g, p.shape, f"grads[{key!r}]", where)
            checked[key] = g
        return checked


class SGD(_Optimizer):
    r"""Stochastic gradient descent with optional momentum, Nesterov and weight decay.

    Parameters
    ----------
    lr : float
        Learning rate :math:`\eta > 0`.
    momentum : float
        Momentum coefficient :math:`\rho \ge 0` (0: plain SGD).
    nesterov : bool
        Use Nesterov momentum (needs ``momentum > 0``).
    weight_decay : float
        L2 penalty :math:`\lambda \ge 0`, added to the gradient.

    Attributes
    ----------
    lr : float
        May be changed between steps, e.g. by a :class:`Schedule`.
    state : dict
        ``state[name]["velocity"]``: the momentum buffer :math:`v` of each parameter.

    Notes
    -----
    For every parameter :math:`\theta` with gradient :math:`g` (``torch.optim.SGD``
    with ``dampening=0``; :math:`v_0 = 0`):

    .. math::

        g &\leftarrow g + \lambda \theta \\
        v &\leftarrow \rho v + g \\
        \theta &\leftarrow \theta - \eta \,
            \begin{cases} g + \rho v & \text{Nesterov} \\ v & \text{otherwise.} \end{cases}

    With :math:`\rho = 0` this is :math:`\theta \leftarrow \theta - \eta g`.

    Examples
    --------
    >>> w = np.array([1.0, -2.0])
    >>> opt = SGD(lr=0.1, momentum=0.9)
    >>> opt.step({"w": w}, {"w": np.array([1.0, 1.0])})
    >>> opt.step({"w": w}, {"w": np.array([1.0, 1.0])})
    >>> w.round(6).tolist()  # steps of 0.1 and 0.19
    [0.71, -2.29]
    """

    def __init__(self, lr: float, momentum: float = 0.0, nesterov: bool = False,
                 weight_decay: float = 0.0) -> None:
        super().__init__(lr)
        self.momentum = check_float(momentum, "momentum", self.name, minimum=0.0)
        self.weight_decay = check_float(weight_decay, "weight_decay", self.name, minimum=0.0)
        nesterov = check_bool(nesterov, "nesterov", self.name)
        if nesterov and self.momentum == 0:
            raise ValueError(
                f"{self.name}: expected momentum > 0 with nesterov=True, got momentum=0"
            )
        self.nesterov = bool(nesterov)

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Update every array of ``params`` in place with its entry of ``grads``."""
        grads = self._check(params, grads)
        for key, p in params.items():
            g = grads[key]
            if self.weight_decay:
                g = g + self.weight_decay * p
            if self.momentum:
                state = self.state.setdefault(key, {})
                if "velocity" not in state:
                    state["velocity"] = np.zeros_like(p)
                v = state["velocity"]
                v *= self.momentum
                v += g
                update = g + self.momentum * v if self.nesterov else v
            else:
                update = g
            p -= self.lr * update

    def __repr__(self) -> str:
        return (f"SGD(lr={self.lr:g}, momentum={self.momentum:g}, "
                f"nesterov={self.nesterov}, weight_decay={self.weight_decay:g})")


class Adam(_Optimizer):
    r"""Adam: momentum on the gradient, step size scaled per parameter.

    Parameters
    ----------
    lr : float
        Learning rate :math:`\eta > 0`.
    betas : (float, float)
        Decay rates :math:`(\beta_1, \beta_2)`, each in :math:`[0, 1)`, of the first and
        second moment estimates.
    eps : float
        :math:`\epsilon > 0` added to the denominator.
    weight_decay : float
        L2 penalty :math:`\lambda \ge 0`, added to the gradient (not AdamW's decoupled
        decay).

    Attributes
    ----------
    lr : float
        May be changed between steps, e.g. by a :class:`Schedule`.
    state : dict
        ``state[name]``: ``"step"`` (int :math:`t`), ``"m"`` and ``"v"`` (the moment
        estimates) of each parameter.

    Notes
    -----
    For every parameter :math:`\theta` with gradient :math:`g` (``torch.optim.Adam``;
    :math:`m_0 = v_0 = 0`, :math:`t` counts this parameter's steps from 1):

    .. math::

        g &\leftarrow g + \lambda \theta \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g \\
        v_t &= \beta_2 v_{t-1} + (1 - \beta_2) g^2 \\
        \theta &\leftarrow \theta - \frac{\eta}{1 - \beta_1^t} \,
            \frac{m_t}{\sqrt{v_t} / \sqrt{1 - \beta_2^t} + \epsilon}.

    The factors :math:`1/(1-\beta^t)` undo the bias of :math:`m` and :math:`v` towards
    their zero start; the first step therefore moves each parameter by about
    :math:`\eta`, whatever the scale of its gradient.

    Examples
    --------
    >>> w = np.array([1.0, -2.0])
    >>> Adam(lr=0.1).step({"w": w}, {"w": np.array([3.0, -0.01])})
    >>> w.round(6).tolist()
    [0.9, -1.9]
    """

    def __init__(self, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        super().__init__(lr)
        if not isinstance(betas, (tuple, list)):
            raise TypeError(f"{self.name}: expected betas to be a pair (beta1, beta2), "
                            f"got {betas!r} ({type(betas).__name__})")
        if len(betas) != 2:
            raise ValueError(f"{self.name}: expected betas to be a pair (beta1, beta2), "
                             f"got {len(betas)} values {tuple(betas)!r}")
        self.betas = tuple(check_float(beta, f"betas[{i}]", self.name, minimum=0.0, maximum=1.0,
                                       max_open=True) for i, beta in enumerate(betas))
        self.eps = check_float(eps, "eps", self.name, minimum=0.0, min_open=True)
        self.weight_decay = check_float(weight_decay, "weight_decay", self.name, minimum=0.0)

    decoupled = False   # AdamW: decay the parameter itself, not through the gradient

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Update every array of ``params`` in place with its entry of ``grads``."""
        grads = self._check(params, grads)
        beta1, beta2 = self.betas
        for key, p in params.items():
            g = grads[key]
            if self.weight_decay and self.decoupled:
                p *= 1 - self.lr * self.weight_decay
            elif self.weight_decay:
                g = g + self.weight_decay * p
            state = self.state.setdefault(key, {})
            if "step" not in state:
                state.update(step=0, m=np.zeros_like(p), v=np.zeros_like(p))
            state["step"] += 1
            t, m, v = state["step"], state["m"], state["v"]
            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * g * g
            step_size = self.lr / (1 - beta1 ** t)
            denom = np.sqrt(v) / math.sqrt(1 - beta2 ** t) + self.eps
            p -= step_size * (m / denom)

    def __repr__(self) -> str:
        return (f"{self.name}(lr={self.lr:g}, betas={self.betas}, eps={self.eps:g}, "
                f"weight_decay={self.weight_decay:g})")


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter, 2019).

    Parameters
    ----------
    lr, betas, eps : as :class:`Adam`
    weight_decay : float
        Decay rate :math:`\lambda_{\text{wd}} \ge 0` (default 0.01, as ``torch.optim.AdamW``),
        applied to the parameter, outside Adam's scaling.

    Notes
    -----
    Each step first shrinks the parameter, then takes :class:`Adam`'s step on the bare
    gradient :math:`g` (``torch.optim.AdamW``):

    .. math::

        \theta \leftarrow (1 - \eta \lambda_{\text{wd}})\, \theta, \qquad
        \theta \leftarrow \theta - \frac{\eta}{1 - \beta_1^t} \,
            \frac{m_t}{\sqrt{v_t} / \sqrt{1 - \beta_2^t} + \epsilon}.

    With ``Adam(weight_decay=...)`` the term :math:`\lambda \theta` joins the gradient
    and is divided by :math:`\sqrt{v_t}` like it: a parameter with large gradients is
    decayed less. Here every parameter shrinks by the same factor.
    """

    decoupled = True

    def __init__(self, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2) -> None:
        super().__init__(lr, betas, eps, weight_decay)


class RMSprop(_Optimizer):
    r"""RMSprop: each parameter's step divided by a running root mean square of its
    gradient (Tieleman & Hinton, 2012).

    Parameters
    ----------
    lr : float
        Learning rate :math:`\eta > 0` (``torch.optim.RMSprop``'s default 0.01).
    alpha : float
        Decay rate :math:`\beta_2 \in [0, 1)` of the mean of squared gradients.
    eps : float
        :math:`\epsilon > 0` added to the denominator.
    weight_decay : float
        L2 penalty :math:`\lambda \ge 0`, added to the gradient.
    momentum : float
        Momentum :math:`\rho \ge 0` on the scaled step (0: none).
    centered : bool
        Divide by the running *standard deviation* of the gradient instead (subtract the
        square of its running mean).

    Attributes
    ----------
    state : dict
        ``state[name]``: ``"square_avg"`` (:math:`v`), and ``"grad_avg"``,
        ``"momentum_buffer"`` when used.

    Notes
    -----
    For every parameter :math:`\theta` with gradient :math:`g` (``torch.optim.RMSprop``;
    :math:`v_0 = 0`, no bias correction):

    .. math::

        g &\leftarrow g + \lambda \theta \\
        v_t &= \beta_2 v_{t-1} + (1 - \beta_2) g^2 \\
        \theta &\leftarrow \theta - \eta \, \frac{g}{\sqrt{v_t} + \epsilon}
        \quad (\rho = 0).

    Adam is RMSprop with momentum on :math:`g` and both moments bias-corrected.
    """

    def __init__(self, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0,
                 centered: bool = False) -> None:
        super().__init__(lr)
        self.alpha = check_float(alpha, "alpha", self.name, minimum=0.0, maximum=1.0,
                                 max_open=True)
        self.eps = check_float(eps, "eps", self.name, minimum=0.0, min_open=True)
        self.weight_decay = check_float(weight_decay, "weight_decay", self.name, minimum=0.0)
        self.momentum = check_float(momentum, "momentum", self.name, minimum=0.0)
        self.centered = check_bool(centered, "centered", self.name)

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Update every array of ``params`` in place with its entry of ``grads``."""
        grads = self._check(params, grads)
        for key, p in params.items():
            g = grads[key]
            if self.weight_decay:
                g = g + self.weight_decay * p
            state = self.state.setdefault(key, {})
            if "square_avg" not in state:
                state["square_avg"] = np.zeros_like(p)
            v = state["square_avg"]
            v *= self.alpha
            v += (1 - self.alpha) * g * g
            if self.centered:
                mean = state.setdefault("grad_avg", np.zeros_like(p))
                mean *= self.alpha
                mean += (1 - self.alpha) * g
                denom = np.sqrt(v - mean * mean) + self.eps
            else:
                denom = np.sqrt(v) + self.eps
            if self.momentum:
                buf = state.setdefault("momentum_buffer", np.zeros_like(p))
                buf *= self.momentum
                buf += g / denom
                p -= self.lr * buf
            else:
                p -= self.lr * (g / denom)

    def __repr__(self) -> str:
        return (f"RMSprop(lr={self.lr:g}, alpha={self.alpha:g}, eps={self.eps:g}, "
                f"weight_decay={self.weight_decay:g}, momentum={self.momentum:g}, "
                f"centered={self.centered})")
