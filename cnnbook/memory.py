r"""What the backward pass keeps in memory, and checkpointing, which keeps less.

Reverse mode needs, in the backward pass, values of the forward pass: each layer keeps them
in its cache (``layer._cache``) from ``forward`` to ``backward``. :func:`cache_nbytes`
measures that memory layer by layer. :class:`Checkpoint` is a :class:`~cnnbook.base.Sequential`
segment that keeps only its input and recomputes its forward pass (and so its layers'
caches) at the start of its backward pass: less memory, one more forward pass of the segment.
"""
from __future__ import annotations

import numpy as np

from .base import Container, Layer, Sequential

__all__ = ["cache_nbytes", "Checkpoint"]


def _root(a: np.ndarray) -> np.ndarray:
    """The array that owns ``a``'s memory (``a`` itself, or the array it is a view of)."""
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


def _arrays(obj):
    """Every ndarray inside a cache (nested tuples, lists and dicts)."""
    if isinstance(obj, np.ndarray):
        yield obj
    elif isinstance(obj, (tuple, list)):
        for item in obj:
            yield from _arrays(item)
    elif isinstance(obj, dict):
        for item in obj.values():
            yield from _arrays(item)


def _named_layers(layer: Layer, prefix: str):
    """``(name, layer)`` for ``layer`` and every layer inside it, parents first."""
    yield prefix, layer
    if isinstance(layer, Container):
        for name, child in layer.named_children():
            yield from _named_layers(child, f"{prefix}.{name}" if prefix else name)


def cache_nbytes(model: Layer) -> dict[str, int]:
    """Bytes of the arrays each layer's cache holds now (after a ``forward``).

    An array is counted by the memory it keeps alive: a view counts as the whole array it
    is a view of, and memory reachable from several caches (or twice from one) is counted
    once, for the first layer (in forward order) that holds it. Parameters are not counted
    (they are kept anyway); a layer whose cache is empty shows 0.

    Returns
    -------
    dict
        ``{"<name>": bytes}`` for every layer that is not a container, and for a container
        whose own cache is not empty (:class:`Checkpoint`), names as in ``model.params``
        (``"0"``, ``"1.0"``, ...), in forward order.
    """
    params = {id(_root(p)) for p in model.params.values()}
    seen, report = set(params), {}
    for name, layer in _named_layers(model, ""):
        if isinstance(layer, Container) and layer._cache is None:
            continue
        total = 0
        for a in _arrays(layer._cache):
            root = _root(a)
            if id(root) not in seen:
                seen.add(id(root))
                total += root.nbytes
        report[name or layer.name] = total
    return report


class Checkpoint(Sequential):
    """A :class:`~cnnbook.base.Sequential` segment that stores only its input.

    ``forward(x)`` runs the layers, then drops their caches (and the buffers a layer keeps
    for its cache, such as :class:`~cnnbook.conv.Conv2D`'s im2col matrix), keeping ``x``.
    ``backward(dout)`` first runs the forward pass again from ``x``, which rebuilds the
    caches, then the usual backward pass. The gradients are the same numbers as without
    checkpointing; the cost is one more forward pass of the segment per backward pass.

    The layers' forward passes must give the same result when run twice: a layer with
    randomness or state that a forward pass updates (dropout's mask, batch norm's running
    statistics in training mode) would see the repeat.
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        out = super().forward(x)
        for layer in self.layers:
            for _, inner in _named_layers(layer, ""):
                inner._cache = None
                workspace = getattr(inner, "_workspace", None)
                if workspace is not None:
                    workspace.clear()
        self._cache = (x,)
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        (x,) = self._take_cache()
        super().forward(x)                 # recompute: every layer's cache is back
        self._cache = None
        return super().backward(dout)

    def __repr__(self) -> str:
        return "Checkpoint" + super().__repr__()[len("Sequential"):]
