"""Speed of cnnbook's conv and pool kernels: naive loops, vectorized, and PyTorch.

Prints one table. For each layer shape: forward and forward+backward times of the naive
loop version (extrapolated from a batch of 2, it is that slow), of the vectorized version,
and of PyTorch CPU when it is importable, in the same run and with the same number of
threads, plus the ratio vectorized / PyTorch (below 1 means cnnbook is faster).

    python benchmarks/conv.py             # 1 thread for numpy's BLAS and for torch
    python benchmarks/conv.py --threads 2
    python benchmarks/conv.py --dtype float64

Times are the best of several repeats (milliseconds); the repeats of cnnbook and PyTorch
are interleaved. Shared machines are noisy: compare
ratios measured in one run, not absolute times across runs.
"""
from __future__ import annotations

import argparse
import time

import numpy as np
from threadpoolctl import threadpool_limits

from cnnbook import functional as fn

try:
    import torch
except ImportError:  # torch is optional
    torch = None

# name, kind, input shape (N, C, H, W), options
CASES = [
    ("LeNet conv1 6@5x5", "conv", (64, 1, 28, 28), dict(F=6, k=5)),
    ("LeNet conv2 16@5x5", "conv", (64, 6, 14, 14), dict(F=16, k=5)),
    ("digits conv 16@3x3 pad 1", "conv", (128, 1, 8, 8), dict(F=16, k=3, padding=1)),
    ("32ch conv 32@3x3 pad 1", "conv", (32, 32, 16, 16), dict(F=32, k=3, padding=1)),
    ("LeNet max pool 2x2", "max", (64, 6, 24, 24), dict(k=2)),
    ("digits max pool 2x2", "max", (128, 16, 8, 8), dict(k=2)),
    ("overlapping max pool 3/2", "max", (64, 16, 16, 16), dict(k=3, stride=2)),
    ("LeNet avg pool 2x2", "avg", (64, 6, 24, 24), dict(k=2)),
]


def best_times(fns, repeat):
    """Best wall time in ms of each function in ``fns``, calling them in turn ``repeat``
    times (interleaved, so a burst of load on a shared machine hits all of them)."""
    for f in fns:
        f()  # warm up
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for i, f in enumerate(fns):
            t0 = time.perf_counter()
            f()
            best[i] = min(best[i], time.perf_counter() - t0)
    return [1e3 * t for t in best]


def best_time(f, repeat, number=1):
    """Best wall time of ``number`` calls of ``f``, over ``repeat`` runs, in ms per call."""
    f()  # warm up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            f()
        times.append((time.perf_counter() - t0) / number)
    return 1e3 * min(times)


def gemm_fn(x, opts, rng):
    """The forward pass's matrix product alone, W_row (F, C*k*k) @ X_col (C*k*k, OH*OW*N)
    on operands made in advance: a lower bound for any im2col convolution."""
    N, C, H, W = x.shape
    F, k, pad = opts["F"], opts["k"], opts.get("padding", 0)
    L = (H + 2 * pad - k + 1) * (W + 2 * pad - k + 1) * N
    w_row = rng.normal(size=(F, C * k * k)).astype(x.dtype)
    cols = rng.normal(size=(C * k * k, L)).astype(x.dtype)
    out = np.empty((F, L), x.dtype)
    return lambda: np.matmul(w_row, cols, out=out)


def numpy_fns(kind, x, opts, rng, naive=False):
    """(forward, forward+backward) closures for cnnbook's kernels."""
    suffix = "_naive" if naive else ""
    if kind == "conv":
        w = rng.normal(size=(opts["F"], x.shape[1], opts["k"], opts["k"])).astype(x.dtype)
        b = np.zeros(opts["F"], x.dtype)
        kw = dict(padding=opts.get("padding", 0))
        forward = getattr(fn, "conv2d_forward" + suffix)
        backward = getattr(fn, "conv2d_backward" + suffix)
        args = (x, w, b)
    else:
        kw = dict(kernel_size=opts["k"], stride=opts.get("stride"))
        forward = getattr(fn, f"{kind}_pool2d_forward" + suffix)
        backward = getattr(fn, f"{kind}_pool2d_backward" + suffix)
        args = (x,)
    out, _ = forward(*args, **kw)
    dout = rng.normal(size=out.shape).astype(x.dtype)

    def fwd():
        forward(*args, **kw)

    def fwd_bwd():
        backward(dout, forward(*args, **kw)[1])
    return fwd, fwd_bwd


def torch_fns(kind, x, opts, rng):
    dtype = torch.float64 if x.dtype == np.float64 else torch.float32
    xt = torch.tensor(x, dtype=dtype, requires_grad=True)
    if kind == "conv":
        w = torch.tensor(rng.normal(size=(opts["F"], x.shape[1], opts["k"], opts["k"])),
                         dtype=dtype, requires_grad=True)
        b = torch.zeros(opts["F"], dtype=dtype, requires_grad=True)
        pad = opts.get("padding", 0)

        def forward():
            return torch.nn.functional.conv2d(xt, w, b, padding=pad)
    else:
        pool = (torch.nn.functional.max_pool2d if kind == "max"
                else torch.nn.functional.avg_pool2d)
        k, s = opts["k"], opts.get("stride") or opts["k"]

        def forward():
            return pool(xt, k, stride=s)
    dout = torch.tensor(rng.normal(size=tuple(forward().shape)), dtype=dtype)

    def fwd():
        with torch.no_grad():
            forward()

    def fwd_bwd():
        xt.grad = None
        forward().backward(dout)
    return fwd, fwd_bwd


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--no-naive", action="store_true", help="skip the slow loop version")
    args = parser.parse_args(argv)
    dtype = np.dtype(args.dtype)
    if torch is not None:
        torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)

    header = (f"{'layer':<26}{'input':>16} | {'naive fwd':>10}{'vec fwd':>9}{'torch fwd':>10}"
              f"{'ratio':>7} | {'naive f+b':>10}{'vec f+b':>9}{'torch f+b':>10}{'ratio':>7} | "
              f"{'fwd GEMM':>8}")
    print(f"cnnbook conv/pool benchmark: {dtype}, {args.threads} thread(s), "
          f"numpy {np.__version__}, torch {torch.__version__ if torch else 'not installed'}; "
          "times in ms (best of repeats); ratio = vectorized / torch")
    print(header)
    print("-" * len(header))
    with threadpool_limits(limits=args.threads):
        for name, kind, shape, opts in CASES:
            x = rng.normal(size=shape).astype(dtype)
            fwd, fwd_bwd = numpy_fns(kind, x, opts, rng)
            fns = [fwd, fwd_bwd]
            if torch is not None:
                fns += list(torch_fns(kind, x, opts, rng))
            if kind == "conv":
                fns.append(gemm_fn(x, opts, rng))
            times = best_times(fns, args.repeat)
            vec = times[:2]
            gemm = times[-1] if kind == "conv" else "-"
            naive = ["-", "-"]
            if not args.no_naive:
                small = x[:2]
                nf, nfb = numpy_fns(kind, small, opts, rng, naive=True)
                scale = shape[0] / small.shape[0]
                naive = [best_time(nf, 1) * scale, best_time(nfb, 1) * scale]
            ref = ["-", "-"]
            ratio = ["-", "-"]
            if torch is not None:
                ref = times[2:4]
                ratio = [f"{v / r:.2f}" for v, r in zip(vec, ref)]

            def cell(v, width):
                return f"{v:>{width}.2f}" if isinstance(v, float) else f"{v:>{width}}"
            print(f"{name:<26}{'x'.join(map(str, shape)):>16} | {cell(naive[0], 10)}"
                  f"{cell(vec[0], 9)}{cell(ref[0], 10)}{ratio[0]:>7} | {cell(naive[1], 10)}"
                  f"{cell(vec[1], 9)}{cell(ref[1], 10)}{ratio[1]:>7} | {cell(gemm, 8)}")
    print("fwd GEMM: the forward pass's matrix product W_row @ X_col alone (numpy/BLAS), "
          "a floor for an im2col convolution")
    if not args.no_naive:
        print("naive times are measured on a batch of 2 and scaled to the full batch")


if __name__ == "__main__":
    main()
