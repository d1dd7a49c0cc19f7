"""Reusable buffers for the vectorized kernels, so that a training step allocates less.

Large fresh arrays are slow here: the memory allocator hands back new pages, and the first
write to each page costs a page fault. Two kinds of reuse are safe:

* **scratch**: temporaries that die inside one call (the padded input of a convolution, the
  rows of ``dX_col`` before col2im, the masks of max-pool backward). :func:`scratch` returns
  a workspace private to the calling thread, so two threads never share a buffer.
* **per-layer workspaces**: a layer object (e.g. :class:`cnnbook.conv.Conv2D`) owns a
  :class:`Workspace` for arrays it keeps in its cache between ``forward`` and ``backward``.
  A later ``forward`` of the same layer overwrites them, which is safe because that call
  also replaces the layer's cache. The functional kernels called without a workspace
  allocate fresh arrays, so a cache the caller keeps stays valid.

Nothing here is ever returned to the caller as an output or gradient.
"""
from __future__ import annotations

import threading

import numpy as np

__all__ = ["Workspace", "scratch", "scratch_like", "empty_like_layout", "zeros_like"]


class Workspace:
    """Named buffers, reused while the requested shape and dtype stay the same.

    ``get(name, shape, dtype)`` returns an uninitialised array. Each name keeps its
    ``keep`` most recently used buffers (default 2: a full batch and a smaller last
    batch), so memory stays bounded when shapes change.

    Examples
    --------
    >>> ws = Workspace()
    >>> a = ws.get("cols", (2, 3), np.float32)
    >>> ws.get("cols", (2, 3), np.float32) is a
    True
    >>> ws.get("cols", (2, 3), np.float64) is a      # another dtype: another buffer
    False
    """

    def __init__(self, keep: int = 2) -> None:
        self.keep = keep
        self._buffers: dict[str, list[np.ndarray]] = {}

    def get(self, name: str, shape, dtype) -> np.ndarray:
        shape, dtype = tuple(shape), np.dtype(dtype)
        buffers = self._buffers.setdefault(name, [])
        for i, buf in enumerate(buffers):
            if buf.shape == shape and buf.dtype == dtype:
                buffers.insert(0, buffers.pop(i))     # most recently used first
                return buf
        buf = np.empty(shape, dtype)
        buffers.insert(0, buf)
        del buffers[self.keep:]
        return buf

    def __deepcopy__(self, memo) -> "Workspace":
        """A copy starts empty: the buffers hold nothing worth keeping (a model copied
        for another thread, :func:`cnnbook.parallel.replicate`, gets its own)."""
        return Workspace(self.keep)

    def nbytes(self) -> int:
        """Bytes held by all buffers."""
        return sum(b.nbytes for bufs in self._buffers.values() for b in bufs)

    def clear(self) -> None:
        self._buffers.clear()


_local = threading.local()


def scratch() -> Workspace:
    """The calling thread's workspace for temporaries that die inside one kernel call."""
    ws = getattr(_local, "workspace", None)
    if ws is None:
        ws = _local.workspace = Workspace()
    return ws


def _memory_order(a: np.ndarray) -> list[int]:
    """``a``'s axes from the slowest-varying in memory to the fastest."""
    return sorted(range(a.ndim), key=lambda i: -a.strides[i])


def scratch_like(a: np.ndarray, name: str, dtype) -> np.ndarray:
    """A scratch buffer (see :func:`scratch`) of ``a``'s shape whose axes lie in memory in
    the same order as ``a``'s (``a`` contiguous, possibly transposed, e.g. batch-last), so
    element-wise passes over both read and write contiguous memory."""
    order = _memory_order(a)
    buf = scratch().get(name, [a.shape[i] for i in order], dtype)
    return buf.transpose(np.argsort(order))


def empty_like_layout(a: np.ndarray, shape, dtype, *, zero: bool = False) -> np.ndarray:
    """A new array of ``shape`` (the same number of axes as ``a``) laid out in memory in
    ``a``'s axis order (e.g. batch-last), uninitialised or zero-filled. Returned to the
    caller: not a scratch buffer."""
    order = _memory_order(a)
    make = np.zeros if zero else np.empty
    return make([shape[i] for i in order], dtype).transpose(np.argsort(order))


def zeros_like(a: np.ndarray) -> np.ndarray:
    """Zeros of ``a``'s shape, dtype and memory layout, read-only and reused by the calling
    thread: a second operand for ``np.maximum(a, zeros)``, whose vectorized loop needs two
    arrays (against the scalar 0 it runs about twice as slowly)."""
    order = _memory_order(a)
    ws = getattr(_local, "zeros", None)
    if ws is None:
        ws = _local.zeros = Workspace(keep=4)
    shape = [a.shape[i] for i in order]
    buf = ws.get("zeros", shape, a.dtype)
    if buf.flags.writeable:                  # new: fill once, then never written again
        buf[...] = 0
        buf.flags.writeable = False
    return buf.transpose(np.argsort(order))
