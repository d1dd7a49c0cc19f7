"""Run small matrix products on one BLAS thread.

numpy's BLAS (OpenBLAS) splits every product above a small size across all its threads, and
each split product ends at a barrier where every thread must have finished. The products of
a convolution layer on MNIST-sized inputs are skinny (6 or 16 filters, a few thousand
columns): a second thread saves little, and when the other core is busy (another process,
or the machine is shared) each barrier waits for a thread that is not running. Measured here
with 2 BLAS threads on a loaded 2-core machine, one LeNet-5 training step took about 8 times
longer than with 1 thread. :func:`blas_threads_for` limits BLAS to one thread for such
products and leaves larger ones alone.

The limit is set through ``threadpoolctl`` when it is installed (it is not a dependency of
cnnbook; without it nothing changes) and only while the product runs. It is process-wide:
while a kernel holds it, BLAS calls from other Python threads also run on one thread.
"""
from __future__ import annotations

import contextlib
import threading

__all__ = ["blas_threads_for", "single_blas_thread", "SMALL_GEMM"]

# Products with M*N*K below this many multiply-adds (~2 ms on one core), or with a side
# shorter than SKINNY, run on one thread.
SMALL_GEMM = 2 ** 26
SKINNY = 64

_lock = threading.Lock()
_state = {"controllers": None, "depth": 0, "saved": []}


def _controllers():
    if _state["controllers"] is None:
        try:
            from threadpoolctl import ThreadpoolController
            ctl = ThreadpoolController().select(user_api="blas")
            _state["controllers"] = list(ctl.lib_controllers)
        except Exception:  # threadpoolctl missing or unable to inspect: do nothing
            _state["controllers"] = []
    return _state["controllers"]


@contextlib.contextmanager
def single_blas_thread():
    """Inside the block, BLAS uses one thread (re-entrant and thread-safe)."""
    with _lock:
        if _state["depth"] == 0:
            saved = []
            for lib in _controllers():
                n = lib.get_num_threads()
                if n is not None and n > 1:
                    lib.set_num_threads(1)
                    saved.append((lib, n))
            _state["saved"] = saved
        _state["depth"] += 1
    try:
        yield
    finally:
        with _lock:
            _state["depth"] -= 1
            if _state["depth"] == 0:
                for lib, n in _state["saved"]:
                    lib.set_num_threads(n)
                _state["saved"] = []


def blas_threads_for(m: int, n: int, k: int):
    """A context for an ``(m, k) @ (k, n)`` product: one BLAS thread when it is small or
    skinny, the user's setting otherwise."""
    if m * n * k < SMALL_GEMM or min(m, n, k) < SKINNY:
        return single_blas_thread()
    return contextlib.nullcontext()
