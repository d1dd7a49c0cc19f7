"""How fast each explorer redraws when one of its controls moves (no browser, no kernel).

Builds every explorer of :mod:`cnnbook.widgets` on the inputs the book gives it, then moves
each control through five values, each one ``explorer.set(setting=value)``, what moving the
control does (a control with fewer goes back and forth; an explorer that keeps results per
setting then reuses them, as it does for a reader). A step is timed from the call to its
end, which includes rendering the PNG that the ``Image`` widget sends to the page. Prints
one row per (explorer, setting): steps, median and max seconds of wall-clock time, and the median CPU seconds of this process (what a step costs when no
other process competes for the cores; on a shared machine the wall time is larger).

Each explorer's build time is printed too (the batch-norm explorer trains its whole table
of runs then). ``--offline`` also times each explorer's offline form (the pictures of its
grid, encoded into the HTML of the static book) and gives its size.

Run from the repository root (optionally name some explorers to time only those)::

    OPENBLAS_NUM_THREADS=1 python benchmarks/widgets.py [--offline] [conv_explorer ...]
"""
from __future__ import annotations

import os
import statistics
import sys
import time

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

from cnnbook import layers as L  # noqa: E402
from cnnbook import widgets  # noqa: E402
from cnnbook.data import load_digits, sample_photo  # noqa: E402


def values_for(control, n=5):
    """``n`` values to step ``control`` through, starting away from its value: its first
    ``n`` other values, or, when it has fewer, those and its own value in turn (a filter
    control with two filters steps 1, 0, 1, 0, 1), so that one slow first step (cold
    caches) is not the median of two."""
    distinct = _other_values(control, n)
    if not distinct:
        return []
    cycle = distinct + [control.value]
    return [cycle[k % len(cycle)] for k in range(max(n, len(distinct)))]


def _other_values(control, n):
    """Up to ``n`` values of ``control`` other than its own."""
    if hasattr(control, "options") and control.options:
        opts = [o[1] if isinstance(o, tuple) else o for o in control.options]
        return [o for o in opts if o != control.value][:n]
    if hasattr(control, "min") and hasattr(control, "max"):
        lo, hi = control.min, control.max
        if type(control).__name__ == "FloatLogSlider":
            vals = control.base ** np.linspace(lo, hi, n)
        else:
            vals = np.linspace(lo, hi, n)
        if isinstance(control.value, int) and not isinstance(control.value, bool):
            vals = sorted(set(int(round(v)) for v in vals))
        return [v for v in vals if v != control.value][:n]
    if isinstance(control.value, float):  # FloatText
        return [control.value + d for d in (0.5, -1.0, 2.0)]
    return []


def time_explorer(name, box, rows):
    """Step every setting of ``box`` (an :class:`cnnbook.widgets.Explorer`) through
    :func:`values_for` its control, one ``box.set`` each, and add a row per setting."""
    for setting, control in box.controls.items():
        if control.disabled:  # e.g. dilation for a pooling layer: a reader cannot move it
            continue
        start_value = control.value
        times, cpu = [], []
        for v in values_for(control):
            t0, c0 = time.perf_counter(), time.process_time()
            box.set(**{setting: v})
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        box.set(**{setting: start_value})
        if times:
            row = (name, setting, len(times), statistics.median(times), max(times),
                   statistics.median(cpu))
            rows.append(row)
            print(_format(row), flush=True)


def time_offline(name, box):
    """Time and size of the explorer's offline form (its grid drawn, encoded, in HTML)."""
    t0 = time.perf_counter()
    page = box.offline_html()
    print(f"{name:24s} offline form: {len(box.offline_points()):3d} pictures, "
          f"{len(page) / 1e3:7.0f} kB, {time.perf_counter() - t0:6.2f} s", flush=True)


def _format(row):
    name, label, n, med, mx, cpu = row
    return f"{name:24s} {label[:26]:26s} {n:5d} {med:9.3f} {mx:7.3f} {cpu:9.3f}"


def main():
    images, labels = load_digits()
    digit = images[0, 0]

    def build():
        r = np.random.default_rng(0)
        return L.Sequential(L.Conv2D(1, 4, 3, rng=r), L.ReLU(), L.MaxPool2D(2), L.Flatten(),
                            L.Dense(4 * 3 * 3, 10, rng=r))

    def deep_cnn(batch_norm, r, width=8):
        layers, c = [], 1
        for i in range(4):
            layers.append(L.Conv2D(c, width, 3, padding=1, rng=r))
            if batch_norm:
                layers.append(L.BatchNorm2D(width))
            layers.append(L.ReLU())
            if i == 1:
                layers.append(L.MaxPool2D(kernel_size=2))
            c = width
        return L.Sequential(*layers, L.Flatten(), L.Dense(width * 4 * 4, 10, rng=r))

    photo = sample_photo(size=64)
    crops = np.stack([photo[:32, :32], photo[:32, 32:], photo[32:, :32], photo[32:, 32:]])
    x4 = ((crops - crops.mean()) / crops.std())[:, None]
    sobel = np.array([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    net = build()
    conv = L.Conv2D(1, 2, 3, rng=np.random.default_rng(7))

    def loss_and_grad(w):
        return (w - 1.0) ** 2 + 0.3 * np.sin(3 * w), 2 * (w - 1.0) + 0.9 * np.cos(3 * w)

    explorers = {
        "tangent_explorer": lambda: widgets.tangent_explorer(loss_and_grad, w0=-2.0),
        "conv_explorer": lambda: widgets.conv_explorer(sample_photo(size=96)),
        "pool_explorer": lambda: widgets.pool_explorer(digit),
        "softmax_explorer": lambda: widgets.softmax_explorer(),
        "lr_explorer": lambda: widgets.lr_explorer(),
        "backprop_step_through": lambda: widgets.backprop_step_through(
            images[0:1, :, 1:7, 1:7].copy(), conv.params["weight"], conv.params["bias"],
            f=0, i=1, j=2),
        "derivation_checker": lambda: widgets.derivation_checker(),
        "training_loop_explorer": lambda: widgets.training_loop_explorer(
            build, images[:64], labels[:64], steps=20, steps_max=60, lr=0.1),
        "kernel_recovery_explorer": lambda: widgets.kernel_recovery_explorer(
            x4, sobel, lr=0.1, steps=300),
        "digit_explorer": lambda: widgets.digit_explorer(net, images[:50], labels[:50]),
        "depth_explorer": lambda: widgets.depth_explorer(depth=20, gain=1.0),
        "saliency_explorer": lambda: widgets.saliency_explorer(net, images[:50], labels[:50]),
        "bn_training_explorer": lambda: widgets.bn_training_explorer(
            deep_cnn, images[:1437], labels[:1437], lr=0.2, epochs=3),
        "init_gain_explorer": lambda: widgets.init_gain_explorer(),
        "im2col_explorer": lambda: widgets.im2col_explorer((1, 1, 4, 4), 2, window=4),
    }
    rows = []
    args = sys.argv[1:]
    offline = "--offline" in args
    only = set(args) - {"--offline"}
    unknown = only - set(explorers)
    if unknown:
        sys.exit(f"unknown explorers {sorted(unknown)}; choose from {sorted(explorers)}")
    print(f"{'explorer':24s} {'setting':26s} {'steps':>5s} {'median s':>9s} {'max s':>7s} "
          f"{'median cpu':>9s}", flush=True)
    for name, make in explorers.items():
        if only and name not in only:
            continue
        t0 = time.perf_counter()
        box = make()
        print(f"{name:24s} built in {time.perf_counter() - t0:.2f} s", flush=True)
        time_explorer(name, box, rows)
        if offline:
            time_offline(name, box)
    print(f"load average while running: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    worst = max(rows, key=lambda r: r[3])
    print(f"slowest median: {worst[0]} / {worst[1]}: {worst[3]:.3f} s wall, "
          f"{worst[5]:.3f} s cpu", flush=True)


if __name__ == "__main__":
    main()
