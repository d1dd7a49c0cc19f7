"""Would Winograd's algorithm bring the 32-channel 3x3 convolution down to PyTorch's time?

An experiment, not part of cnnbook: ``benchmarks/conv.py`` shows that for this layer
(input 32x32x16x16, 32 filters 3x3, padding 1) the im2col matrix product alone takes
longer than PyTorch's whole convolution, so no im2col layout can reach 1.0x there.
Winograd's F(2x2, 3x3) needs 2.25 times fewer multiplications: 16 products
(F x C) @ (C x tiles) instead of one (F x 9C) @ (9C x pixels), plus input and output
transforms made of additions only. This script times a plain-numpy version of it (batch
last, transforms as strided slices) beside cnnbook's ``conv2d_forward`` and PyTorch, and
checks that it computes the same convolution.

    OPENBLAS_NUM_THREADS=1 python benchmarks/winograd_probe.py [--threads 1] [--repeat 40]
"""
from __future__ import annotations

import argparse
import time

import numpy as np
from threadpoolctl import threadpool_limits

from cnnbook.functional import conv2d_forward

G = np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]])


def winograd_parts(x, w, b):
    """F(2x2, 3x3), stride 1, padding 1: the input transform, the 16 products and the
    output transform as three callables run in turn (each returns what the next needs)."""
    N, C, H, W = x.shape
    F = w.shape[0]
    th, tw = (H + 1) // 2, (W + 1) // 2
    u = np.einsum("ij,fcjk,lk->ilfc", G, w, G).reshape(16, F, C).astype(x.dtype)

    def transform_input():
        xp = np.zeros((C, 2 * th + 2, 2 * tw + 2, N), x.dtype)
        xp[:, 1:H + 1, 1:W + 1] = x.transpose(1, 2, 3, 0)
        r = [xp[:, k:k + 2 * th:2] for k in range(4)]           # B^T along the rows
        rows = [r[0] - r[2], r[1] + r[2], r[2] - r[1], r[1] - r[3]]
        v = np.empty((4, 4, C, th, tw, N), x.dtype)
        for i, a in enumerate(rows):                              # ... and the columns
            c = [a[:, :, k:k + 2 * tw:2] for k in range(4)]
            np.subtract(c[0], c[2], out=v[i, 0])
            np.add(c[1], c[2], out=v[i, 1])
            np.subtract(c[2], c[1], out=v[i, 2])
            np.subtract(c[1], c[3], out=v[i, 3])
        return v.reshape(16, C, th * tw * N)

    def products(v):
        return np.matmul(u, v)                                    # 16 x (F, C) @ (C, T)

    def transform_output(m):
        m = m.reshape(4, 4, F, th, tw, N)
        s0, s1 = m[0] + m[1] + m[2], m[1] - m[2] - m[3]           # A^T along the rows
        y = np.empty((F, th, 2, tw, 2, N), x.dtype)
        for a, s in enumerate((s0, s1)):                          # ... and the columns
            np.add(s[0] + s[1], s[2], out=y[:, :, a, :, 0])
            np.subtract(s[1] - s[2], s[3], out=y[:, :, a, :, 1])
        y = y.reshape(F, 2 * th, 2 * tw, N)[:, :H, :W] + b[:, None, None, None]
        return y.transpose(3, 0, 1, 2)

    return transform_input, products, transform_output


def winograd_conv(x, w, b):
    transform_input, products, transform_output = winograd_parts(x, w, b)
    return transform_output(products(transform_input()))


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1e3 * min(times), 1e3 * float(np.median(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 32, 16, 16)).astype(np.float32)
    w = (0.1 * rng.normal(size=(32, 32, 3, 3))).astype(np.float32)
    b = rng.normal(size=32).astype(np.float32)
    want, _ = conv2d_forward(x, w, b, padding=1)
    err = float(np.abs(winograd_conv(x, w, b) - want).max())
    transform_input, products, transform_output = winograd_parts(x, w, b)
    v = transform_input()
    m = products(v)
    rows = []
    with threadpool_limits(args.threads):
        try:
            import torch
            torch.set_num_threads(args.threads)
            tx, tw, tb = (torch.from_numpy(a) for a in (x, w, b))
            rows.append(("PyTorch conv2d", best(
                lambda: torch.nn.functional.conv2d(tx, tw, tb, padding=1), args.repeat)))
        except ImportError:
            rows.append(("PyTorch conv2d (torch not installed)", None))
        rows.append(("cnnbook conv2d_forward (im2col)",
                     best(lambda: conv2d_forward(x, w, b, padding=1), args.repeat)))
        rows.append(("Winograd F(2x2,3x3), whole",
                     best(lambda: winograd_conv(x, w, b), args.repeat)))
        rows.append(("  input transform", best(transform_input, args.repeat)))
        rows.append(("  16 products", best(lambda: products(v), args.repeat)))
        rows.append(("  output transform", best(lambda: transform_output(m), args.repeat)))
    print(f"32x32x16x16 input, 32 filters 3x3, padding 1, float32, {args.threads} thread(s); "
          f"Winograd max |difference| from conv2d_forward: {err:.1e}")
    print(f"{'':40s} {'best ms':>8s} {'median ms':>10s}")
    for name, t in rows:
        print(f"{name:40s} " + ("       -          -" if t is None else f"{t[0]:8.2f} {t[1]:10.2f}"))


if __name__ == "__main__":
    main()
