"""The layer protocol and :class:`Sequential`.

A layer is a thin object over a pair of kernels from :mod:`cnnbook.functional`:

* ``forward(x)`` computes the output and keeps the kernel's ``cache``;
* ``backward(dout)`` fills ``self.grads`` (same keys as ``self.params``) and returns ``dx``;
* ``param_backward(dout)`` fills ``self.grads`` only, for a layer whose input needs no
  gradient (the data, at the bottom of a network): :func:`cnnbook.train.fit` uses it, as
  PyTorch skips the gradient of an input that does not require one. The default runs
  ``backward`` and drops ``dx`` (a layer without parameters does nothing); layers that can
  skip the work override it.

Parameters live in ``params`` (name -> array), their gradients in ``grads``, and
non-trainable state such as batch-norm running statistics in ``buffers``. An optimizer
updates the arrays of ``params`` in place; no optimizer state lives in a layer.
"""
from __future__ import annotations

import inspect
from contextlib import contextmanager

import numpy as np

from ._checks import check_bool, check_callable, check_choice, check_rng


class Layer:
    """Base class: ``params``, ``grads``, ``buffers``, a ``training`` flag and the cache."""

    def __init__(self) -> None:
        self.training = True
        self._cache = None
        self._init_state()

    def _init_state(self) -> None:
        """Give the layer its own, empty ``params``, ``grads`` and ``buffers`` dicts."""
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.buffers: dict[str, np.ndarray] = {}

    @property
    def name(self) -> str:
        return type(self).__name__

    def forward(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError

    def backward(self, dout: np.ndarray) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError

    def param_backward(self, dout: np.ndarray) -> None:
        """Fill ``grads`` without computing the gradient of the input; returns ``None``.

        This default runs :meth:`backward` and drops ``dx``, and does nothing at all for a
        layer without parameters (there is nothing to fill); layers whose input gradient
        costs real work (``Conv2D``, ``Dense``, ``BatchNorm2D``, containers) skip it.
        """
        if self.num_parameters():
            self.backward(dout)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def train(self, mode: bool = True) -> "Layer":
        """Switch to training mode (``mode=False`` is the same as :meth:`eval`)."""
        self.training = check_bool(mode, "mode", f"{self.name}.train")
        return self

    def eval(self) -> "Layer":
        """Switch to evaluation mode (batch norm uses its running statistics)."""
        return self.train(False)

    def _take_cache(self):
        """Return the cache of the last ``forward``; a clear error if there was none."""
        if self._cache is None:
            raise ValueError(
                f"{self.name}.backward: called before forward; expected a cached forward "
                "pass, got none (call forward(x) first)"
            )
        return self._cache

    def num_parameters(self) -> int:
        """Number of trainable scalars."""
        return int(sum(p.size for p in self.params.values()))

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"{self.name}({self.extra_repr()})"


class KernelLayer(Layer):
    """A layer without parameters: a forward/backward kernel pair and the forward kernel's
    keyword options (as stax's ``elementwise(fun, **kwargs)``).

    ``forward(x)`` calls ``forward_kernel(x, **options)`` and keeps its cache;
    ``backward(dout)`` returns ``backward_kernel(dout, cache)`` (the cache carries whatever
    the backward pass needs, options included). A named layer is one line::

        LeakyReLU = Elementwise.named("LeakyReLU", leaky_relu_forward, leaky_relu_backward)
        LeakyReLU(negative_slope=0.2)

    Its options are the forward kernel's keyword-only arguments: an unknown or missing one
    is a ``TypeError`` naming the layer when it is built; a kernel's ``training`` option
    is not one of them: the layer passes its own mode (``train()``/``eval()``), as
    :class:`cnnbook.dropout.Dropout` needs; their values are checked by the
    kernel, whose errors the layer prefixes with its name. There is no default kernel: a
    class that does not name its kernels cannot be built.
    """

    forward_kernel = None   # set by named(); None: this class names no kernels
    backward_kernel = None

    def __init__(self, **options) -> None:
        super().__init__()
        if self.forward_kernel is None or self.backward_kernel is None:
            raise TypeError(
                f"{self.name}: expected a layer that names its kernels, got "
                f"{self.name} without them; make one with "
                f"{type(self).__name__}.named('Name', forward_kernel, backward_kernel)")
        keywords = {n: p for n, p in inspect.signature(self.forward_kernel).parameters.items()
                    if p.kind is p.KEYWORD_ONLY}
        self._takes_mode = keywords.pop("training", None) is not None
        unknown = sorted(set(options) - set(keywords))
        missing = [n for n, p in keywords.items() if p.default is p.empty and n not in options]
        if unknown or missing:
            takes = (f"options among ({', '.join(keywords)})" if keywords else "no options")
            raise TypeError(
                f"{self.name}: expected {takes} of {self.forward_kernel.__name__}"
                + (f", {', '.join(missing)} required" if missing else "")
                + f"; got {', '.join(options) or 'none'}")
        self.options = options

    @classmethod
    def named(cls, name: str, forward_kernel, backward_kernel) -> type:
        """A subclass of ``cls`` called ``name`` over the pair ``forward_kernel`` /
        ``backward_kernel``, defined in the forward kernel's module."""
        where = f"{cls.__name__}.named"
        check_callable(forward_kernel, "forward_kernel", where)
        check_callable(backward_kernel, "backward_kernel", where)
        doc = (f"Layer form of :func:`{forward_kernel.__name__}` and "
               f":func:`{backward_kernel.__name__}`, whose keyword options it takes; "
               f"no parameters.")
        return type(name, (cls,), {"forward_kernel": staticmethod(forward_kernel),
                                   "backward_kernel": staticmethod(backward_kernel),
                                   "__doc__": doc, "__qualname__": name,
                                   "__module__": forward_kernel.__module__})

    def forward(self, x: np.ndarray) -> np.ndarray:
        try:
            mode = {"training": self.training} if self._takes_mode else {}
            out, self._cache = self.forward_kernel(x, **self.options, **mode)
        except (TypeError, ValueError) as e:
            raise type(e)(f"{self.name}: {e}") from None
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return self.backward_kernel(dout, self._take_cache())

    def extra_repr(self) -> str:
        return ", ".join(f"{k}={v!r}" for k, v in self.options.items())


class Container(Layer):
    """A layer made of child layers (:class:`Sequential`, :class:`cnnbook.residual.Residual`).

    ``params``, ``grads`` and ``buffers`` are flat dicts with keys ``"<child>.<name>"``
    (``"0.weight"``), whose values are the children's own arrays, so an optimizer that
    updates ``model.params`` in place updates the children; ``train()``/``eval()`` reach
    every child. Subclasses say what their children are in :meth:`named_children`.
    """

    def named_children(self) -> list[tuple[str, Layer]]:  # pragma: no cover - interface
        raise NotImplementedError

    def _init_state(self) -> None:
        """Nothing to create: ``params``, ``grads`` and ``buffers`` are the children's."""

    def _flat(self, attr: str) -> dict[str, np.ndarray]:
        return {f"{prefix}.{k}": v for prefix, child in self.named_children()
                for k, v in getattr(child, attr).items()}

    def _read_only(self, attr: str):
        raise AttributeError(
            f"{self.name}: {attr} is read-only, a view of the children's {attr}; "
            f"update its arrays in place (model.{attr}[key][...] = value) or set the "
            f"child layer's {attr}"
        )

    params = property(lambda self: self._flat("params"),
                      lambda self, value: self._read_only("params"),
                      doc="Flat dict ``{'<child>.<name>': array}`` of the children's parameters.")
    grads = property(lambda self: self._flat("grads"),
                     lambda self, value: self._read_only("grads"),
                     doc="Flat dict of the children's gradients, keys as :attr:`params`.")
    buffers = property(lambda self: self._flat("buffers"),
                       lambda self, value: self._read_only("buffers"),
                       doc="Flat dict of the children's non-trainable state.")

    def train(self, mode: bool = True) -> "Container":
        self.training = check_bool(mode, "mode", f"{self.name}.train")
        for _, child in self.named_children():
            child.train(mode)
        return self


class Sequential(Container):
    """Layers applied one after the other; backward runs them in reverse.

    ``params``, ``grads`` and ``buffers`` are flat dicts with keys ``"<index>.<name>"``
    (``"0.weight"``): see :class:`Container`.
    """

    def __init__(self, *layers: Layer) -> None:
        super().__init__()
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(
                    f"Sequential: expected every argument to be a Layer, "
                    f"got {layer!r} ({type(layer).__name__}) at position {i}"
                )
        self.layers = list(layers)

    def named_children(self) -> list[tuple[str, Layer]]:
        return [(str(i), layer) for i, layer in enumerate(self.layers)]

    def forward(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dout: np.ndarray) -> np.ndarray:
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

    def param_backward(self, dout: np.ndarray) -> None:
        """Fill ``grads`` without the gradient of the model's input (what :func:`fit
        <cnnbook.train.fit>` needs: nobody uses the gradient of the data).

        The layers above the first one with parameters run :meth:`backward` as usual; that
        layer runs its own ``param_backward`` (a ``Conv2D`` then skips col2im); the layers
        below it (e.g. a leading ``Flatten``) are not visited.
        """
        first = next((i for i, layer in enumerate(self.layers) if layer.num_parameters()),
                     None)
        if first is None:
            return
        for layer in reversed(self.layers[first + 1:]):
            dout = layer.backward(dout)
        self.layers[first].param_backward(dout)

    def __getitem__(self, i):
        return self.layers[i]

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self):
        return iter(self.layers)

    def __repr__(self) -> str:
        inner = "\n".join(f"  ({i}): {layer!r}" for i, layer in enumerate(self.layers))
        return f"Sequential(\n{inner}\n)"


def init_weight(shape: tuple, fan_in: int, fan_out: int, *, rng: np.random.Generator | None,
                init: str = "he", dtype=np.float64, where: str = "init_weight") -> np.ndarray:
    r"""Draw an initial weight array.

    Parameters
    ----------
    shape : tuple
        Shape of the weight, e.g. ``(F, C, KH, KW)`` or ``(out_features, in_features)``.
    fan_in, fan_out : int
        Inputs feeding one output (``C*KH*KW`` or ``in_features``) and outputs fed by one
        input (``F*KH*KW`` or ``out_features``).
    rng : numpy.random.Generator or None
        Source of randomness; ``None`` means ``np.random.default_rng()`` (not reproducible).
    init : {"he", "glorot"}
        ``"he"``: :math:`\mathcal N(0,\, 2/\text{fan\_in})` (He et al., 2015), for ReLU.
        ``"glorot"``: :math:`U(-r, r)`, :math:`r=\sqrt{6/(\text{fan\_in}+\text{fan\_out})}`
        (Glorot & Bengio, 2010), derived for tanh (slope 1 at 0, zero-mean activations).
    """
    rng = check_rng(rng, where, allow_none=True)
    init = check_choice(init, "init", where, ("he", "glorot"))
    if init == "he":
        w = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=shape)
    else:
        a = np.sqrt(6.0 / (fan_in + fan_out))
        w = rng.uniform(-a, a, size=shape)
    return w.astype(dtype)




@contextmanager
def eval_mode(model: Layer):
    """Run a block with ``model`` (and every layer inside it) in evaluation mode.

    On exit, even after an exception, each layer gets back the mode it had before, so a
    model whose batch-norm layer was deliberately left in training mode stays that way::

        with eval_mode(model):
            scores = model.forward(x)
    """
    restore = _mode_restorer(model, "eval_mode")
    try:
        model.eval()
        yield model
    finally:
        restore()


@contextmanager
def preserve_mode(model: Layer):
    """Run a block that may switch modes (``fit`` does); on exit, even after an exception,
    ``model`` and every layer inside it get back the mode they had before."""
    restore = _mode_restorer(model, "preserve_mode")
    try:
        yield model
    finally:
        restore()


def _mode_restorer(model, where: str):
    """Record the training flag of ``model`` and of every layer inside it; return a
    function that puts them back. A model that is not a :class:`Layer` but has
    ``train()``/``eval()`` is restored with ``model.train(previous)``."""
    for attr in ("train", "eval"):
        if not callable(getattr(model, attr, None)):
            raise TypeError(f"{where}: expected model to be a Layer (with train() and eval()), "
                            f"got {type(model).__name__} without {attr}()")
    if not isinstance(model, Layer):
        previous = getattr(model, "training", True)
        return lambda: model.train(previous)
    saved = [(layer, layer.training) for layer in _all_layers(model)]

    def restore() -> None:
        for layer, training in saved:
            layer.training = training
    return restore


def _all_layers(layer: Layer) -> list[Layer]:
    """``layer`` and every layer nested inside it, parents first."""
    layers = [layer]
    if isinstance(layer, Container):
        for _, child in layer.named_children():
            layers += _all_layers(child)
    return layers


def summary(model: Sequential, input_shape: tuple) -> str:
    r"""A table of a model's layers, output shapes and parameter counts.

    Runs one forward pass on zeros of shape ``(1, *input_shape)`` in evaluation mode
    (batch norm's running statistics are not touched) to find each output shape.

    Parameters
    ----------
    model : Sequential
    input_shape : tuple
        Shape of one sample, e.g. ``(1, 8, 8)``.

    Returns
    -------
    str
        One line per layer, the batch axis left out, and the total number of
        trainable parameters; ``print`` it.
    """
    rows = [("input", str(tuple(input_shape)), "")]
    total = 0
    with eval_mode(model):
        x = np.zeros((1, *input_shape))
        for i, layer in enumerate(model.layers):
            x = layer.forward(x)
            n = layer.num_parameters()
            total += n
            rows.append((f"({i}) {layer!r}", str(tuple(x.shape[1:])), str(n)))
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows + [("", "output shape")])
    lines = [f"{'layer':<{w0}}  {'output shape':<{w1}}  {'params':>7}"]
    lines.append("-" * len(lines[0]))
    lines += [f"{a:<{w0}}  {b:<{w1}}  {c:>7}" for a, b, c in rows]
    lines.append("-" * len(lines[0]))
    lines.append(f"trainable parameters: {total}")
    return "\n".join(lines)
