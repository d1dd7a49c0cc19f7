r"""Data parallelism on one machine: a mini-batch split into shards, one thread per shard.

The mean loss of a batch of :math:`n` samples split into shards of :math:`n_1, \dots, n_k`
samples is a weighted sum of the shards' mean losses, and so is its gradient:

.. math::

    L = \frac1n \sum_{i=1}^{n} \ell_i = \sum_{s=1}^{k} \frac{n_s}{n} L_s ,
    \qquad
    \frac{\partial L}{\partial \theta} = \sum_{s=1}^{k} \frac{n_s}{n}\,
    \frac{\partial L_s}{\partial \theta} .

:class:`DataParallel` gives each of ``workers`` threads a *replica* of the model: its own
layer objects, caches, gradients and scratch buffers, but the very same parameter arrays.
Each thread runs forward and backward on its shard (the upstream gradient scaled by
:math:`n_s/n`); the shards' gradients are then summed into the model's gradients, and
:func:`cnnbook.train.fit` takes one optimiser step. Summing the workers' gradients is what
the *all-reduce* of distributed training does across machines (PyTorch
``DistributedDataParallel``, Horovod, DeepSpeed): the result is the gradient of the whole
batch, up to rounding.

Threads run in parallel because numpy releases Python's global interpreter lock inside its
element-wise loops and matrix products. Each thread should then run its matrix products on
one BLAS thread (``k`` workers already keep ``k`` cores busy; more BLAS threads would fight
over them): while the workers run, BLAS is held to one thread through ``threadpoolctl``
when it is installed (:func:`cnnbook._blas.single_blas_thread`); without it, set
``OPENBLAS_NUM_THREADS=1`` (the Makefile does).

Two differences from one big batch, both as in PyTorch's ``DistributedDataParallel``:

* **Batch normalisation uses per-shard statistics**: each replica normalises its shard
  with the shard's own mean and variance, so the forward pass (and its gradient) is that
  of ``k`` smaller batches. The running statistics are those of the first shard's model
  (the other replicas keep private copies, which are never read), as DDP broadcasts rank
  0's buffers.
* Sums are added in another order, so results agree with one big batch to rounding, not
  bit for bit.
"""
from __future__ import annotations

import copy
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ._blas import single_blas_thread
from .base import _all_layers

__all__ = ["DataParallel", "replicate", "shard_bounds"]


def replicate(model):
    """A replica of ``model`` for another thread: every layer copied, with its own caches,
    gradients, buffers and (empty) workspaces, but sharing ``model``'s parameter arrays,
    so an optimiser step on ``model.params`` updates every replica."""
    memo = {id(p): p for p in model.params.values()}      # shared, not copied
    for layer in _all_layers(model):                       # caches are not worth copying
        memo[id(getattr(layer, "_cache", None))] = None
    replica = copy.deepcopy(model, memo)
    return replica


def shard_bounds(n: int, workers: int) -> list[tuple[int, int]]:
    """``(start, stop)`` of each shard of ``n`` samples: ``min(workers, n)`` shards whose
    sizes differ by at most one, as ``numpy.array_split``.

    >>> shard_bounds(10, 3)
    [(0, 4), (4, 7), (7, 10)]
    """
    k = min(workers, n)
    edges = [s * (n // k) + min(s, n % k) for s in range(k + 1)]
    return list(zip(edges[:-1], edges[1:]))


class DataParallel:
    r"""Forward and backward of a mini-batch on ``workers`` threads, gradients summed.

    Parameters
    ----------
    model : Layer
        Worker 0 runs on ``model`` itself, the others on replicas (:func:`replicate`).
    loss_fn : callable
        ``loss_fn(out, yb) -> (loss, dout)``, ``loss`` the mean over the samples.
    workers : int >= 2

    Use as a context manager (it owns a thread pool and holds BLAS to one thread)::

        with DataParallel(model, loss_fn, workers=2) as parallel:
            out, loss = parallel.forward_backward(xb, yb)   # model.grads: whole batch
            optimizer.step(model.params, model.grads)
    """

    def __init__(self, model, loss_fn, workers: int) -> None:
        self.model, self.loss_fn, self.workers = model, loss_fn, workers
        self.replicas = [model] + [replicate(model) for _ in range(workers - 1)]
        self._pool = None
        self._blas = None

    def __enter__(self) -> "DataParallel":
        for replica in self.replicas[1:]:
            replica.train()
        self._pool = ThreadPoolExecutor(self.workers - 1, thread_name_prefix="cnnbook-worker")
        self._blas = single_blas_thread()
        self._blas.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._pool.shutdown()
        self._blas.__exit__(*exc)

    def _shard(self, model, xs, ys, weight: float):
        """Forward, loss and backward of one shard; its gradients are scaled by ``weight``
        (the shard's share of the batch) through the upstream gradient."""
        out = model.forward(xs)                            # forward
        loss, dout = self.loss_fn(out, ys)                 # the shard's mean loss
        dout = dout * np.asarray(weight, dtype=dout.dtype)  # d(weight * loss)/d out
        backward = getattr(model, "param_backward", model.backward)
        backward(dout)                                     # fills model.grads
        return out, weight * float(loss)

    def forward_backward(self, xb, yb):
        """Split ``(xb, yb)`` into shards, run them on the workers, sum the gradients into
        ``model.grads``; return the outputs of the whole batch and its mean loss."""
        n = len(xb)
        shards = [(xb[a:b], yb[a:b], (b - a) / n) for a, b in shard_bounds(n, self.workers)]
        futures = [self._pool.submit(self._shard, replica, *shard)
                   for replica, shard in zip(self.replicas[1:], shards[1:])]
        results = [self._shard(self.model, *shards[0])]   # worker 0: this thread
        results += [f.result() for f in futures]
        grads = self.model.grads                           # arrays made by this backward
        for replica in self.replicas[1:len(shards)]:       # the all-reduce: a sum
            for name, g in replica.grads.items():
                grads[name] += g
        out = np.concatenate([r[0] for r in results])
        return out, sum(r[1] for r in results)
