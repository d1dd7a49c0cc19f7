"""One training epoch of LeNet-5 in cnnbook and in PyTorch CPU, side by side.

LeNet-5 (conv 6@5x5 pad 2 -> ReLU -> max pool 2 -> conv 16@5x5 -> ReLU -> max pool 2 ->
dense 120 -> ReLU -> dense 84 -> ReLU -> dense 10, softmax cross-entropy), SGD with
momentum 0.9, batch 64, trained for one epoch on 60,000 synthetic 28x28 images (or on
MNIST when ``--mnist DIR`` holds its IDX files). Each framework runs in its own
subprocess, so that its peak memory (RSS) is its own and its thread count is set before
numpy/torch start (``OPENBLAS_NUM_THREADS``, ``OMP_NUM_THREADS``, ``MKL_NUM_THREADS``,
plus ``threadpoolctl`` and ``torch.set_num_threads``). Runs of the two frameworks are
interleaved and the best of ``--repeat`` runs is kept.

    python benchmarks/train.py                          # 60k images, 1 and 2 threads, float32 and float64
    python benchmarks/train.py --images 6400 --threads 1 --dtype float32   # a quick check
    python benchmarks/train.py --layers                 # + forward/backward time of every layer
    python benchmarks/train.py --mnist ~/data/mnist     # real MNIST (train-images-idx3-ubyte[.gz], ...)
    python benchmarks/train.py --save benchmarks/results/train.json   # also write the results
    python benchmarks/train.py --show benchmarks/results/train.json   # print a saved run
    python benchmarks/train.py --show benchmarks/results/train.json --threads 1 --dtype float32

Printed per row: seconds per epoch, images per second, the ratio cnnbook / PyTorch (below 1
means cnnbook is faster), peak RSS of the process, and its RSS after a quarter and after half
of the epoch's batches (equal numbers mean memory does not grow with the number of batches).
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
    # The first layer's input is the data: no gradient needed, as for PyTorch's input.
    return Sequential(
        Conv2D(1, 6, 5, padding=2, rng=rng, dtype=dtype, input_grad=False), ReLU(),
        MaxPool2D(2),
        Conv2D(6, 16, 5, rng=rng, dtype=dtype), ReLU(), MaxPool2D(2), Flatten(),
        Dense(400, 120, rng=rng, dtype=dtype), ReLU(),
        Dense(120, 84, rng=rng, dtype=dtype), ReLU(),
        Dense(84, 10, rng=rng, dtype=dtype))


def cnnbook_runner(dtype):
    """``step(xb, yb) -> loss`` for cnnbook, and a per-layer timer."""
    from cnnbook.losses import softmax_cross_entropy
    from cnnbook.optim import SGD
    model = cnnbook_model(dtype)
    opt = SGD(lr=LR, momentum=MOMENTUM)

    def step(xb, yb):
        out = model.forward(xb)
        loss, dout = softmax_cross_entropy(out, yb)
        model.backward(dout)
        opt.step(model.params, model.grads)
        return loss

    def layer_times(xb, yb):
        fwd, bwd = [], []
        h = xb
        for layer in model.layers:
            t0 = time.perf_counter()
            h = layer.forward(h)
            fwd.append(time.perf_counter() - t0)
        loss, g = softmax_cross_entropy(h, yb)
        for layer in reversed(model.layers):
            t0 = time.perf_counter()
            g = layer.backward(g)
            bwd.append(time.perf_counter() - t0)
        opt.step(model.params, model.grads)
        return fwd, bwd[::-1]

    def gather(x, y, idx):
        return x[idx], y[idx]
    return step, layer_times, gather, lambda a: a


# ------------------------------------------------------------------------------ torch

def torch_runner(dtype):
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
        return fwd, bwd[::-1]

    def convert(a):
        return torch.from_numpy(a)

    def gather(x, y, idx):
        return x[idx], y[idx]
    return step, layer_times, gather, convert


# ------------------------------------------------------------------------------ worker

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
    x, y = load_data(args.images, args.dtype, args.mnist)
    rss_data = rss_mb()
    step, layer_times, gather, convert = make(args.dtype)
    x, y = convert(x), convert(y)
    n = len(x)
    n_batches = -(-n // BATCH)
    order = convert(np.random.default_rng(2).permutation(n))
    for k in range(3):  # warm up: first calls allocate and load code
        step(*gather(x, y, order[k * BATCH:(k + 1) * BATCH]))
    marks = {max(1, n_batches // 4): None, max(2, n_batches // 2): None}
    losses = []
    t0 = time.perf_counter()
    for b in range(n_batches):
        losses.append(step(*gather(x, y, order[b * BATCH:(b + 1) * BATCH])))
        if b + 1 in marks:
            marks[b + 1] = rss_mb()
    seconds = time.perf_counter() - t0
    result = dict(framework=args.worker, threads=args.threads, dtype=args.dtype, images=n,
                  seconds=seconds, images_per_s=n / seconds, peak_rss_mb=peak_rss_mb(),
                  data_rss_mb=rss_data, rss_marks={str(k): v for k, v in marks.items()},
                  loss_first=float(np.mean(losses[:20])), loss_last=float(np.mean(losses[-20:])))
    if args.layers:
        fwd = np.zeros(len(LAYER_NAMES))
        bwd = np.zeros(len(LAYER_NAMES))
        runs = []
        for b in range(min(40, n_batches)):
            runs.append(layer_times(*gather(x, y, order[b * BATCH:(b + 1) * BATCH])))
        f = np.array([r[0] for r in runs])
        g = np.array([r[1] for r in runs])
        fwd, bwd = np.median(f, axis=0) * 1e3, np.median(g, axis=0) * 1e3
        result["layers"] = {name: [float(a), float(b)]
                            for name, a, b in zip(LAYER_NAMES, fwd, bwd)}
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
    """One row per framework/threads/dtype, 82 characters wide (the book's text column)."""
    head = (f"{'thr':>3} {'dtype':>7} {'framework':>9} | {'s/epoch':>7} {'img/s':>6} "
            f"{'ratio':>5} | {'RSS MB':>6} {'@1/4':>5} {'@1/2':>5} | {'loss 1st->last':>14}")
    print(head, file=file)
    print("-" * len(head), file=file)
    for r in rows:
        marks = list(r["rss_marks"].values())
        print(f"{r['threads']:>3} {r['dtype']:>7} {r['framework']:>9} | {r['seconds']:>7.2f} "
              f"{r['images_per_s']:>6.0f} {r.get('ratio', '-'):>5} | {r['peak_rss_mb']:>6.0f} "
              f"{marks[0]:>5.0f} {marks[-1]:>5.0f} | "
              f"{r['loss_first']:>5.3f} -> {r['loss_last']:<5.3f}", file=file)


def print_layers(rows, file=sys.stdout):
    """Forward and backward time of every layer; the torch columns only when torch ran."""
    for r in rows:
        if r["framework"] != "cnnbook" or "layers" not in r:
            continue
        ref = next((t for t in rows if t["framework"] == "torch" and t["threads"] == r["threads"]
                    and t["dtype"] == r["dtype"] and "layers" in t), None)
        print(f"\nper layer, ms per batch of {BATCH} (median of 40 batches), "
              f"{r['dtype']}, {r['threads']} thread(s)\n"
              + ("ratio = cnnbook / torch" if ref else "cnnbook only: torch not measured"),
              file=file)
        if ref is None:
            print(f"{'layer':<8} | {'fwd':>7} | {'bwd':>7}", file=file)
            for name, (f, b) in r["layers"].items():
                print(f"{name:<8} | {f:>7.3f} | {b:>7.3f}", file=file)
            tot_f, tot_b = (sum(v[k] for v in r["layers"].values()) for k in (0, 1))
            print(f"{'total':<8} | {tot_f:>7.3f} | {tot_b:>7.3f}", file=file)
            continue
        print(f"{'layer':<8} | {'fwd':>7} {'torch':>7} {'ratio':>6} | {'bwd':>7} {'torch':>7} "
              f"{'ratio':>6}", file=file)
        tot = [0.0, 0.0, 0.0, 0.0]
        for name, (f, b) in r["layers"].items():
            tf, tb = ref["layers"][name]
            tot = [tot[0] + f, tot[1] + tf, tot[2] + b, tot[3] + tb]
            print(f"{name:<8} | {f:>7.3f} {tf:>7.3f} {f / tf:>6.2f} | {b:>7.3f} {tb:>7.3f} "
                  f"{b / tb:>6.2f}", file=file)
        print(f"{'total':<8} | {tot[0]:>7.3f} {tot[1]:>7.3f} {tot[0] / tot[1]:>6.2f} | "
              f"{tot[2]:>7.3f} {tot[3]:>7.3f} {tot[2] / tot[3]:>6.2f}", file=file)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=60000, help="images per epoch")
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    parser.add_argument("--dtype", default="float32,float64", help="float32, float64 or both")
    parser.add_argument("--repeat", type=int, default=2, help="epochs per row (best is kept)")
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
          f"28x28 images, batch {BATCH},\nSGD momentum {MOMENTUM}; best of {args.repeat}; "
          f"numpy {np.__version__}, {platform.machine()} with {os.cpu_count()} CPUs; "
          + ("torch " + __import__("torch").__version__ if "torch" in frameworks
             else "torch not measured"))
    rows = []
    for t in threads:
        for dtype in dtypes:
            best = {}
            for k in range(args.repeat):  # interleave, alternating which goes first
                for fw in (frameworks if k % 2 == 0 else frameworks[::-1]):
                    r = run_worker(fw, t, dtype, args)
                    if fw not in best or r["seconds"] < best[fw]["seconds"]:
                        best[fw] = r
            if "torch" in best:
                best["cnnbook"]["ratio"] = f"{best['cnnbook']['seconds'] / best['torch']['seconds']:.2f}"
            rows += [best[fw] for fw in frameworks]
    print_table(rows)
    print("ratio = cnnbook / torch seconds per epoch (below 1: cnnbook is faster);\n"
          "RSS in MB: peak, after 1/4 and after 1/2 of the batches, data included")
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
