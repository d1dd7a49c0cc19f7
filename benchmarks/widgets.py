"""How fast each explorer redraws when one of its controls moves (no browser, no kernel).

Builds every explorer of :mod:`cnnbook.widgets` on the inputs the book gives it, then moves
each control through five values (a control with fewer goes back and forth; an explorer
that keeps results per setting then reuses them, as it does for a reader). A step is timed
from setting ``control.value`` to the end of the observer callback, which includes
rendering the PNG that the ``Image`` widget sends to the page. Prints one row per (explorer, control): steps, median and max seconds
of wall-clock time, and the median CPU seconds of this process (what a step costs when no
other process competes for the cores; on a shared machine the wall time is larger).

An explorer that finishes a step in a background thread (``box.wait``: the batch-norm
training explorer, whose step shows the epochs trained so far and lets a thread train the
rest) gets one more column, "complete s": the median time from the step until the shown
setting is trained and drawn. The next step waits for that, so steps are not timed while
the thread trains.

Run from the repository root (optionally name some explorers to time only those)::

    OPENBLAS_NUM_THREADS=1 python benchmarks/widgets.py [conv_explorer pool_explorer ...]
"""
from __future__ import annotations

import contextlib
import io
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


def controls_of(box):
    """Every value widget inside ``box`` (depth first), skipping outputs and images."""
    found = []
    for child in getattr(box, "children", ()):
        if hasattr(child, "children"):
            found += controls_of(child)
        elif hasattr(child, "value") and not isinstance(child, (widgets.FigureView,)) \
                and type(child).__name__ not in ("Image", "Output", "Label", "HTML"):
            found.append(child)
    return found


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
    seen = set()
    for control in controls_of(box):
        label = control.description or type(control).__name__
        if label in seen or getattr(control, "disabled", False):
            continue  # e.g. nine custom-weight boxes: time the first one
        seen.add(label)
        if name == "conv_explorer" and label == "FloatText":
            box.children[0].value = "custom"  # the weight boxes act on the custom kernel
            label = "custom weight"
        start_value = control.value
        times, cpu, complete = [], [], []
        for v in values_for(control):
            t0, c0 = time.perf_counter(), time.process_time()
            with contextlib.redirect_stdout(io.StringIO()):  # Output widgets print here
                control.value = v
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            if hasattr(box, "wait"):  # an explorer that finishes a step in the background
                box.wait()
                complete.append(time.perf_counter() - t0)
        with contextlib.redirect_stdout(io.StringIO()):
            control.value = start_value
        if hasattr(box, "wait"):
            box.wait()
        if times:
            row = (name, label, len(times), statistics.median(times), max(times),
                   statistics.median(cpu), statistics.median(complete) if complete else None)
            rows.append(row)
            print(_format(row), flush=True)


def _format(row):
    name, label, n, med, mx, cpu, complete = row
    complete = "" if complete is None else f"{complete:10.3f}"
    return f"{name:24s} {label[:26]:26s} {n:5d} {med:9.3f} {mx:7.3f} {cpu:9.3f}{complete}"


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
    }
    if hasattr(widgets, "init_gain_explorer"):
        explorers["init_gain_explorer"] = lambda: widgets.init_gain_explorer()
    rows = []
    print(f"{'explorer':24s} {'control':26s} {'steps':>5s} {'median s':>9s} {'max s':>7s} "
          f"{'median cpu':>9s} {'complete s':>9s}", flush=True)
    only = set(sys.argv[1:])
    for name, make in explorers.items():
        if only and name not in only:
            continue
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                box = make()
        except TypeError as err:  # an explorer whose signature changed: say so, go on
            print(f"{name}: not built ({err})", flush=True)
            continue
        time_explorer(name, box, rows)
    print(f"load average while running: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    worst = max(rows, key=lambda r: r[3])
    print(f"slowest median: {worst[0]} / {worst[1]}: {worst[3]:.3f} s wall, "
          f"{worst[5]:.3f} s cpu", flush=True)


if __name__ == "__main__":
    main()
