"""How many BLAS threads the kernels' matrix products use: the user's setting, or one for
small products when the cores are shared.

numpy's BLAS (OpenBLAS) splits every product above a small size across all its threads, and
each split product ends at a barrier where every thread must have finished. The products of
a convolution layer on MNIST-sized inputs are skinny (6 or 16 filters, a few thousand
columns). When the process has its cores to itself a second thread still pays: one LeNet-5
training step on this 2-core machine, quiet, took 13.9 ms with 2 BLAS threads against
16.3 ms with these products held to one thread (15.8 ms with 1 thread for everything).
When the other
core is busy (another process, several test workers), every barrier waits for a thread that
is not running: with 2 BLAS threads on a loaded 2-core machine one step took about 8 times
longer than with 1.

So there are two settings, chosen at run time:

* **on** (the default): products with fewer than :data:`SMALL_GEMM` multiply-adds or a side
  shorter than :data:`SKINNY` run on one thread, larger ones on all. Safe when the cores
  are shared: a 60,000-image LeNet-5 epoch with 2 threads at load ~2-3 took 14.1 s with the
  limit (1.18x PyTorch) and 34.5 s without it (3.0x).
* **off**: every product uses as many threads as BLAS is set to (``OPENBLAS_NUM_THREADS``,
  ``threadpoolctl``), as in plain numpy and PyTorch. About 15% faster per step when the
  process has the cores to itself.

Switch with :func:`set_small_gemm_limit` (exported as ``cnnbook.set_small_gemm_limit``) or,
before the import, the environment variable ``CNNBOOK_SMALL_GEMM_LIMIT=0`` (or ``1``). With
one BLAS thread (the Makefile sets ``OPENBLAS_NUM_THREADS=1`` for the tests and the book)
the two settings are the same.

The limit is set through ``threadpoolctl`` when it is installed (it is not a dependency of
cnnbook; without it nothing changes) and only while the product runs. It is process-wide:
while a kernel holds it, BLAS calls from other Python threads also run on one thread.
"""
from __future__ import annotations

import contextlib
import os
import threading

__all__ = ["blas_threads_for", "single_blas_thread", "set_small_gemm_limit",
           "small_gemm_limit", "SMALL_GEMM", "SKINNY"]

# Products with M*N*K below this many multiply-adds (~2 ms on one core), or with a side
# shorter than SKINNY, run on one thread while the limit is on.
SMALL_GEMM = 2 ** 26
SKINNY = 64

_lock = threading.Lock()
_state = {"controllers": None, "depth": 0, "saved": []}
_limit = {"on": os.environ.get("CNNBOOK_SMALL_GEMM_LIMIT", "1").strip().lower()
          not in ("0", "false", "no", "off")}


def set_small_gemm_limit(on: bool) -> bool:
    """Run small or skinny matrix products on one BLAS thread (``True``, the default) or on
    as many as BLAS is set to (``False``); returns the previous setting.

    Examples
    --------
    >>> import cnnbook
    >>> previous = cnnbook.set_small_gemm_limit(False)   # the cores are this process's alone
    >>> cnnbook.set_small_gemm_limit(previous)
    False
    """
    if not isinstance(on, (bool, int)) or isinstance(on, int) and on not in (0, 1):
        raise TypeError(f"set_small_gemm_limit: expected on to be True or False, got {on!r}")
    previous, _limit["on"] = _limit["on"], bool(on)
    return previous


def small_gemm_limit() -> bool:
    """Whether small or skinny products are held to one BLAS thread."""
    return _limit["on"]


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


_NO_LIMIT = contextlib.nullcontext()


def blas_threads_for(m: int, n: int, k: int):
    """A context for an ``(m, k) @ (k, n)`` product: one BLAS thread when the limit is on
    and the product is small or skinny, the user's setting otherwise."""
    if _limit["on"] and (m * n * k < SMALL_GEMM or min(m, n, k) < SKINNY):
        return single_blas_thread()
    return _NO_LIMIT
