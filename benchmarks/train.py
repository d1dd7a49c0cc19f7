"""One training epoch of LeNet-5 in cnnbook and in PyTorch CPU, side by side.

LeNet-5 (conv 6@5x5 pad 2 -> ReLU -> max pool 2 -> conv 16@5x5 -> ReLU -> max pool 2 ->
dense 120 -> ReLU -> dense 84 -> ReLU -> dense 10, softmax cross-entropy), SGD with
momentum 0.9, batch 64, trained for one epoch on 60,000 synthetic 28x28 images (or on
MNIST when ``--mnist DIR`` holds its IDX files). cnnbook's model is written as the book
teaches it (default flags) and trained with ``cnnbook.train.fit(..., workers=threads)``:
on 2 threads, each batch is split into two shards run on two threads (data parallelism,
one BLAS thread each); PyTorch runs its usual loop with ``torch.set_num_threads(threads)``.
Each framework runs in its own subprocess, so that its peak memory (RSS) is its own and its
thread count is set before numpy/torch start (``OPENBLAS_NUM_THREADS``, ``OMP_NUM_THREADS``,
``MKL_NUM_THREADS``, plus ``threadpoolctl`` and ``torch.set_num_threads``). The runs of all
rows are interleaved, ``--repeat`` times, and each row shows its median run.

    python benchmarks/train.py                          # 60k images, 1 and 2 threads, float32 and float64
    python benchmarks/train.py --images 6400 --threads 1 --dtype float32   # a quick check
    python benchmarks/train.py --layers                 # + forward/backward time of every layer
    python benchmarks/train.py --mnist ~/data/mnist     # real MNIST (train-images-idx3-ubyte[.gz], ...)
    python benchmarks/train.py --save benchmarks/results/train.json   # also write the results
    python benchmarks/train.py --show benchmarks/results/train.json   # print a saved run
    python benchmarks/train.py --show benchmarks/results/train.json --threads 1 --dtype float32

Printed per row: seconds per epoch, images per second, the ratio cnnbook / PyTorch (below 1
means cnnbook is faster), peak RSS of the process, and its RSS after a quarter, half and all
of the epoch (equal numbers mean memory does not grow with the number of batches), then the
seconds of every repeat. ``--layers`` adds the forward and backward time of every layer
(one model on one thread) and, for the conv layers, of their matrix products alone.
Shared machines are noisy: compare ratios measured in one run, not absolute times across runs.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

BATCH = 64
LR, MOMENTUM = 0.01, 0.9
LAYER_NAMES = ["conv1", "relu1", "pool1", "conv2", "relu2", "pool2", "flatten",
               "dense1", "relu3", "dense2", "relu4", "dense3"]


def rss_mb() -> float:
    """Current resident set size of this process in MB (from /proc/self/statm)."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MB (VmHWM; ``getrusage``'s ru_maxrss
    would include the parent's memory, which survives fork + exec)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


# ------------------------------------------------------------------------------ data

def load_data(n_images, dtype, mnist_dir):
    """``n_images`` images (N, 1, 28, 28) of ``dtype`` and labels (N,) int64."""
    import numpy as np
    if mnist_dir:
        from cnnbook.data import load_mnist
        d = Path(mnist_dir).expanduser()

        def find(stem):
            for name in (stem, stem + ".gz"):
                if (d / name).exists():
                    return d / name
            raise SystemExit(f"benchmarks/train.py: no {stem}[.gz] in {d}")
        x, y = load_mnist(find("train-images-idx3-ubyte"), find("train-labels-idx1-ubyte"),
                          dtype=dtype)
        if n_images > len(x):
            raise SystemExit(f"benchmarks/train.py: --images {n_images} but MNIST has {len(x)}")
        return x[:n_images], y[:n_images]
    rng = np.random.default_rng(0)
    x = rng.random((n_images, 1, 28, 28), dtype=np.dtype(dtype))  # no float64 detour
    y = rng.integers(0, 10, n_images)
    return x, y


# ------------------------------------------------------------------------------ cnnbook

def cnnbook_model(dtype):
    import numpy as np
    from cnnbook.layers import Conv2D, Dense, Flatten, MaxPool2D, ReLU, Sequential
    rng = np.random.default_rng(1)
    # Written as the book teaches it, default flags: fit itself skips the data's gradient.
    return Sequential(
        Conv2D(1, 6, 5, padding=2, rng=rng, dtype=dtype), ReLU(), MaxPool2D(2),
        Conv2D(6, 16, 5, rng=rng, dtype=dtype), ReLU(), MaxPool2D(2), Flatten(),
        Dense(400, 120, rng=rng, dtype=dtype), ReLU(),
        Dense(120, 84, rng=rng, dtype=dtype), ReLU(),
        Dense(84, 10, rng=rng, dtype=dtype))


def cnnbook_runner(dtype, workers):
    """``epoch(x, y, losses)``: one epoch of ``cnnbook.train.fit`` (appending each batch's
    or shard's loss to ``losses``), and a per-layer timer."""
    import numpy as np
    from cnnbook.losses import softmax_cross_entropy
    from cnnbook.optim import SGD
    from cnnbook.train import fit
    model = cnnbook_model(dtype)
    opt = SGD(lr=LR, momentum=MOMENTUM)

    def epoch(x, y, losses):
        def loss_fn(out, yb):
            loss, dout = softmax_cross_entropy(out, yb)
            losses.append(float(loss))
            return loss, dout
        fit(model, loss_fn, opt, x, y, epochs=1, batch_size=BATCH,
            rng=np.random.default_rng(2), progress=False, workers=workers)

    def layer_times(xb, yb):
        fwd, bwd = [], []
        h = xb
        for layer in model.layers:
            t0 = time.perf_counter()
            h = layer.forward(h)
            fwd.append(time.perf_counter() - t0)
        loss, g = softmax_cross_entropy(h, yb)
        for i, layer in reversed(list(enumerate(model.layers))):
            t0 = time.perf_counter()
            g = layer.backward(g) if i else layer.param_backward(g)   # as fit does
            bwd.append(time.perf_counter() - t0)
        gemms = conv_gemm_times(model)
        opt.step(model.params, model.grads)
        return fwd, bwd[::-1], gemms

    def gather(x, y, idx):
        return x[idx], y[idx]
    return epoch, layer_times, gather, lambda a: a


def conv_gemm_times(model):
    """Seconds of the matrix products alone of each conv layer of ``model`` (after a
    forward pass, on operands of the shapes its last batch used), as ``{index: (forward,
    backward)}``: forward ``[W_row | b] @ X_col``, backward ``X_col @ Delta^T`` plus, for
    every layer but the first, ``W_row^T @ Delta`` (one product, as for few channels).
    A floor for an im2col convolution: the rest of the layer's time is moving numbers."""
    import numpy as np
    from cnnbook.layers import Conv2D
    times = {}
    for i, layer in enumerate(model.layers):
        if not isinstance(layer, Conv2D):
            continue
        cols = layer._cache[2]                             # K+1, L
        K, L = cols.shape[0] - 1, cols.shape[1]
        F = layer.out_channels
        w_row = np.ones((F, K + 1), cols.dtype)
        delta = np.ones((F, L), cols.dtype)
        out, dwb, dcols = np.empty((F, L), cols.dtype), np.empty((K + 1, F), cols.dtype), None
        if i:
            dcols = np.empty((K, L), cols.dtype)

        def fwd():
            np.matmul(w_row, cols, out=out)

        def bwd():
            np.matmul(cols, delta.T, out=dwb)
            if dcols is not None:
                np.matmul(w_row[:, :K].T, delta, out=dcols)
        best = []
        for f in (fwd, bwd):
            f()
            t = []
            for _ in range(5):
                t0 = time.perf_counter()
                f()
                t.append(time.perf_counter() - t0)
            best.append(min(t))
        times[i] = tuple(best)
    return times


# ------------------------------------------------------------------------------ torch

def torch_runner(dtype, workers):
    import numpy as np
    import torch
    from torch import nn
    torch.manual_seed(1)
    tdtype = torch.float64 if dtype == "float64" else torch.float32
    model = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10)).to(tdtype)
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    loss_fn = nn.CrossEntropyLoss()

    def step(xb, yb):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        return float(loss)

    def epoch(x, y, losses):
        order = torch.from_numpy(np.random.default_rng(2).permutation(len(x)))
        for b in range(0, len(x), BATCH):
            idx = order[b:b + BATCH]
            losses.append(step(x[idx], y[idx]))

    def layer_times(xb, yb):
        """Each layer on a detached input, so its forward and backward can be timed alone."""
        opt.zero_grad(set_to_none=True)
        fwd, inputs, outputs = [], [], []
        h = xb
        for layer in model:
            h = h.detach().requires_grad_(h.is_floating_point() and len(inputs) > 0)
            t0 = time.perf_counter()
            out = layer(h)
            fwd.append(time.perf_counter() - t0)
            inputs.append(h)
            outputs.append(out)
            h = out
        h_last = h.detach().requires_grad_()
        loss = loss_fn(h_last, yb)
        loss.backward()
        g = h_last.grad
        bwd = []
        for i in reversed(range(len(model))):
            t0 = time.perf_counter()
            outputs[i].backward(g)
            bwd.append(time.perf_counter() - t0)
            g = inputs[i].grad
        opt.step()
        return fwd, bwd[::-1], {}

    def convert(a):
        return torch.from_numpy(a)

    def gather(x, y, idx):
        return x[idx], y[idx]
    return epoch, layer_times, gather, convert


# ------------------------------------------------------------------------------ worker

class RssSampler:
    """Samples this process's RSS every 20 ms on a thread, to read it at fractions of an
    epoch whose batches run inside ``fit``."""

    def __init__(self):
        import threading
        self.samples, self._stop = [], threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.wait(0.02):
            self.samples.append((time.perf_counter(), rss_mb()))

    def __enter__(self):
        self.start = time.perf_counter()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.end = time.perf_counter()

    def at(self, fraction):
        """RSS at ``fraction`` of the elapsed time (the last sample before it)."""
        t = self.start + fraction * (self.end - self.start)
        before = [r for s, r in self.samples if s <= t]
        return before[-1] if before else rss_mb()


def worker(args):
    """Train one epoch in this process; print one JSON line with the measurements."""
    import numpy as np
    from threadpoolctl import threadpool_limits
    threadpool_limits(limits=args.threads)
    if args.worker == "torch":
        import torch
        torch.set_num_threads(args.threads)
        make = torch_runner
    else:
        make = cnnbook_runner
    workers = args.threads if args.worker == "cnnbook" else None
    x, y = load_data(args.images, args.dtype, args.mnist)
    rss_data = rss_mb()
    epoch, layer_times, gather, convert = make(args.dtype, workers)
    x, y = convert(x), convert(y)
    epoch(x[:3 * BATCH], y[:3 * BATCH], [])  # warm up: first calls allocate and load code
    losses = []
    with RssSampler() as rss:
        epoch(x, y, losses)
    seconds = rss.end - rss.start
    n = len(x)
    marks = {"1/4": rss.at(0.25), "1/2": rss.at(0.5), "end": rss.at(1.0)}
    result = dict(framework=args.worker, threads=args.threads, workers=workers,
                  dtype=args.dtype, images=n, seconds=seconds, images_per_s=n / seconds,
                  peak_rss_mb=peak_rss_mb(), data_rss_mb=rss_data, rss_marks=marks,
                  loss_first=float(np.mean(losses[:40])), loss_last=float(np.mean(losses[-40:])))
    if args.layers:
        n_batches = -(-n // BATCH)
        order = convert(np.random.default_rng(3).permutation(n))
        runs = [layer_times(*gather(x, y, order[b * BATCH:(b + 1) * BATCH]))
                for b in range(min(40, n_batches))]
        fwd = np.median([r[0] for r in runs], axis=0) * 1e3
        bwd = np.median([r[1] for r in runs], axis=0) * 1e3
        result["layers"] = {name: [float(a), float(b)]
                            for name, a, b in zip(LAYER_NAMES, fwd, bwd)}
        if runs[0][2]:
            result["gemm"] = {LAYER_NAMES[i]: [float(np.median([r[2][i][j] for r in runs])) * 1e3
                                               for j in (0, 1)] for i in runs[0][2]}
    print(json.dumps(result))


def run_worker(framework, threads, dtype, args):
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads))
    cmd = [sys.executable, __file__, "--worker", framework, "--threads", str(threads),
           "--dtype", dtype, "--images", str(args.images)]
    if args.mnist:
        cmd += ["--mnist", args.mnist]
    if args.layers:
        cmd.append("--layers")
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{framework} worker failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def torch_available():
    try:
        import importlib.util
        return importlib.util.find_spec("torch") is not None
    except ValueError:
        return False


# ------------------------------------------------------------------------------ report

def print_table(rows, file=sys.stdout):
    head = (f"{'threads':>7} {'dtype':>8} {'framework':>9} {'workers':>7} | {'s/epoch':>8} "
            f"{'img/s':>7} {'ratio':>6} | {'peak RSS MB':>11} {'RSS @1/4':>9} {'@1/2':>6} "
            f"{'@end':>6} | {'loss first->last':>17}")
    print(head, file=file)
    print("-" * len(head), file=file)
    for r in rows:
        marks = list(r["rss_marks"].values())
        print(f"{r['threads']:>7} {r['dtype']:>8} {r['framework']:>9} "
              f"{r.get('workers') or '-':>7} | {r['seconds']:>8.2f} "
              f"{r['images_per_s']:>7.0f} {r.get('ratio', '-'):>6} | {r['peak_rss_mb']:>11.0f} "
              f"{marks[0]:>9.0f} {marks[1]:>6.0f} "
              f"{format(marks[2], '.0f') if len(marks) > 2 else '-':>6} | "   # older files: 2
              f"{r['loss_first']:>7.3f} -> {r['loss_last']:<6.3f}", file=file)


def print_runs(rows, file=sys.stdout):
    """Every repeat's seconds per epoch, in the order they ran (median in the table)."""
    for r in rows:
        if "all_seconds" in r:
            print(f"{r['threads']} thread(s) {r['dtype']} {r['framework']:>7}: "
                  + ", ".join(f"{t:.2f}" for t in r["all_seconds"]) + " s", file=file)


def print_layers(rows, file=sys.stdout):
    for r in rows:
        if r["framework"] != "cnnbook" or "layers" not in r:
            continue
        ref = next((t for t in rows if t["framework"] == "torch" and t["threads"] == r["threads"]
                    and t["dtype"] == r["dtype"] and "layers" in t), None)
        gemm = r.get("gemm", {})
        print(f"\nper layer, ms per batch of {BATCH} (median of 40 batches), "
              f"{r['dtype']}, {r['threads']} thread(s), one model on this thread\n"
              + ("ratio = cnnbook / torch" if ref else "cnnbook only: torch not measured"),
              file=file)
        if ref is None:   # no torch columns full of nan
            print(f"{'layer':<8} | {'fwd':>7} | {'bwd':>7}", file=file)
            for name, (f, b) in r["layers"].items():
                print(f"{name:<8} | {f:>7.3f} | {b:>7.3f}", file=file)
            tot_f, tot_b = (sum(v[k] for v in r["layers"].values()) for k in (0, 1))
            print(f"{'total':<8} | {tot_f:>7.3f} | {tot_b:>7.3f}", file=file)
            continue
        print(f"{'layer':<8} | {'fwd':>7} {'torch':>7} {'ratio':>6} | {'bwd':>7} {'torch':>7} "
              f"{'ratio':>6}" + (f" | {'GEMM fwd':>8} {'GEMM bwd':>8}" if gemm else ""),
              file=file)
        tot = [0.0, 0.0, 0.0, 0.0]
        for name, (f, b) in r["layers"].items():
            tf, tb = ref["layers"][name]
            tot = [tot[0] + f, tot[1] + tf, tot[2] + b, tot[3] + tb]
            g = (f" | {gemm[name][0]:>8.3f} {gemm[name][1]:>8.3f}" if name in gemm
                 else (f" | {'':>8} {'':>8}" if gemm else ""))
            print(f"{name:<8} | {f:>7.3f} {tf:>7.3f} {f / tf:>6.2f} | {b:>7.3f} {tb:>7.3f} "
                  f"{b / tb:>6.2f}" + g.rstrip(), file=file)
        print(f"{'total':<8} | {tot[0]:>7.3f} {tot[1]:>7.3f} {tot[0] / tot[1]:>6.2f} | "
              f"{tot[2]:>7.3f} {tot[3]:>7.3f} {tot[2] / tot[3]:>6.2f}", file=file)
        if gemm:
            print("GEMM: the conv layer's matrix products alone, on operands of its shapes "
                  "(forward [W_row | b] @ X_col; backward X_col @ Delta^T, and W_row^T @ Delta "
                  "when the input gradient is needed): the floor of an im2col convolution",
                  file=file)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=60000, help="images per epoch")
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    parser.add_argument("--dtype", default="float32,float64", help="float32, float64 or both")
    parser.add_argument("--repeat", type=int, default=3,
                        help="epochs per row, interleaved (the median is shown)")
    parser.add_argument("--mnist", help="folder with MNIST's train-*-idx*-ubyte[.gz] files")
    parser.add_argument("--layers", action="store_true", help="time every layer too")
    parser.add_argument("--no-torch", action="store_true", help="cnnbook only")
    parser.add_argument("--save", help="write the results as JSON to this file")
    parser.add_argument("--show", help="print the tables of a file written by --save")
    parser.add_argument("--worker", choices=["cnnbook", "torch"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        args.threads = int(args.threads)
        return worker(args)
    if args.show:
        saved = json.loads(Path(args.show).read_text())
        meta = saved["meta"]
        print(f"saved run of {meta['date']} on {meta['machine']}\n"
              f"(numpy {meta['numpy']}, torch {meta.get('torch', '-')}):\n{meta['command']}")
        # --threads/--dtype keep the matching rows (their defaults keep every row).
        threads = {int(t) for t in args.threads.split(",")}
        dtypes = set(args.dtype.split(","))
        rows = [r for r in saved["rows"] if r["threads"] in threads and r["dtype"] in dtypes]
        print_table(rows)
        print_layers(rows)
        return None

    import numpy as np
    frameworks = ["cnnbook"]
    if not args.no_torch and torch_available():
        frameworks.append("torch")
    threads = [int(t) for t in args.threads.split(",")]
    dtypes = args.dtype.split(",")
    print(f"LeNet-5, one epoch of {args.images} {'MNIST' if args.mnist else 'synthetic'} "
          f"28x28 images, batch {BATCH}, SGD momentum {MOMENTUM}; median of {args.repeat}; "
          f"numpy {np.__version__}, {platform.machine()} with {os.cpu_count()} CPUs; "
          + ("torch " + __import__("torch").__version__ if "torch" in frameworks
             else "torch not measured"))
    runs = {}  # (threads, dtype, framework) -> results, in the order they ran
    for k in range(args.repeat):  # interleaved: a burst of load hits every row
        for t in threads:
            for dtype in dtypes:
                for fw in (frameworks if k % 2 == 0 else frameworks[::-1]):
                    r = run_worker(fw, t, dtype, args)
                    runs.setdefault((t, dtype, fw), []).append(r)
                    print(f"run {k + 1}/{args.repeat}: {t} thread(s) {dtype} {fw}: "
                          f"{r['seconds']:.2f} s", file=sys.stderr, flush=True)
    rows = []
    for t in threads:
        for dtype in dtypes:
            median = {}
            for fw in frameworks:
                results = runs[(t, dtype, fw)]
                ranked = sorted(results, key=lambda r: r["seconds"])
                median[fw] = dict(ranked[(len(ranked) - 1) // 2],
                                  all_seconds=[r["seconds"] for r in results])
            if "torch" in median:
                ratio = median["cnnbook"]["seconds"] / median["torch"]["seconds"]
                median["cnnbook"]["ratio"] = f"{ratio:.2f}"
            rows += [median[fw] for fw in frameworks]
    print_table(rows)
    print("ratio = cnnbook / torch seconds per epoch (below 1: cnnbook is faster); cnnbook "
          "runs fit(..., workers=threads); RSS in MB after 1/4, 1/2 and all of the epoch, "
          "data included")
    print_runs(rows)
    if args.layers:
        print_layers(rows)
    if args.save:
        meta = dict(date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                    machine=f"{platform.machine()}, {os.cpu_count()} CPUs",
                    command="python benchmarks/train.py " + " ".join(argv or sys.argv[1:]),
                    numpy=np.__version__, images=args.images, batch=BATCH,
                    torch=(__import__("torch").__version__ if "torch" in frameworks else None),
                    data="MNIST" if args.mnist else "synthetic")
        Path(args.save).parent.mkdir(parents=True, exist_ok=True)
        Path(args.save).write_text(json.dumps(dict(meta=meta, rows=rows), indent=1) + "\n")
        print(f"saved {args.save}")


if __name__ == "__main__":
    main()
