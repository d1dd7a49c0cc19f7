"""Write tests/golden/: PyTorch's outputs and gradients for a fixed set of cases.

    .venv/bin/python scripts/make_golden.py         # every group; needs torch (a reference,
                                                    # never a dependency)
    .venv/bin/python scripts/make_golden.py unary   # only tests/golden/unary.npz (and its
                                                    # manifest entry): the other files keep
                                                    # their bytes

tests/test_golden.py compares cnnbook with these files on every run, with no torch
installed; tests/test_against_torch.py still compares live where torch is importable.

Each ``tests/golden/<group>.npz`` holds, for every case ``<id>``:

* ``<id>/params``: the case's keyword arguments as a JSON string;
* ``<id>/<name>``: the inputs (``x``, ``w``, ``dout``, ...) and PyTorch's results
  (``out``, ``dx``, ...), in the case's dtype;

plus ``torch_version``. ``tests/golden/manifest.json`` lists every group's cases, the
torch/numpy/Python versions that made them and each file's SHA-256. Regenerate after
adding a case (name its group) or upgrading torch (every group), and commit the files
with the manifest.

Inputs come from ``np.random.default_rng(<fixed seed per group>)``, so running the
script twice writes the same arrays (the zip timestamps, and so the SHA-256, change).
"""
from __future__ import annotations

import hashlib
import json
import platform
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

OUT = Path(__file__).resolve().parent.parent / "tests" / "golden"
TORCH_DTYPE = {"float64": torch.float64, "float32": torch.float32}


def _t(a, grad=True):
    return torch.tensor(np.ascontiguousarray(a), requires_grad=grad)


def _np(t):
    return t.detach().numpy().copy()


def _ints(v):
    """JSON-friendly: tuples become lists (the test turns them back into tuples)."""
    return list(v) if isinstance(v, tuple) else v


# ----------------------------------------------------------------------------- conv2d
CONV_CASES = [
    # (input N,C,H,W), (filters F,KH,KW), stride, padding, dilation, dtype
    ((2, 3, 7, 6), (4, 3, 3), 1, 0, 1, "float64"),
    ((2, 3, 7, 6), (4, 3, 3), 2, 1, 1, "float64"),
    ((2, 2, 9, 8), (3, 2, 3), (2, 1), (1, 0), 1, "float64"),
    ((1, 2, 8, 9), (3, 3, 2), 1, (2, 1), (2, 1), "float64"),
    ((2, 3, 7, 7), (2, 3, 3), 1, 1, 2, "float64"),
    ((2, 2, 6, 5), (3, 1, 1), 1, 0, 1, "float64"),
    ((1, 1, 9, 5), (2, 5, 5), (1, 2), 2, 1, "float64"),     # kernel as wide as the input
    ((3, 2, 5, 8), (2, 2, 4), 3, (0, 1), (1, 2), "float64"),
    ((2, 3, 7, 6), (4, 3, 3), 2, 1, 1, "float32"),
    ((2, 2, 9, 8), (3, 2, 3), (2, 1), (1, 0), (2, 1), "float32"),
    ((1, 3, 6, 10), (2, 3, 5), (1, 3), (1, 2), 1, "float32"),
]


def conv_cases(rng):
    for i, (xshape, (F_, KH, KW), stride, padding, dilation, dtype) in enumerate(CONV_CASES):
        x = rng.standard_normal(xshape).astype(dtype)
        w = rng.standard_normal((F_, xshape[1], KH, KW)).astype(dtype)
        b = rng.standard_normal(F_).astype(dtype)
        xt, wt, bt = _t(x), _t(w), _t(b)
        out = F.conv2d(xt, wt, bt, stride=stride, padding=padding, dilation=dilation)
        dout = rng.standard_normal(tuple(out.shape)).astype(dtype)
        out.backward(torch.from_numpy(dout))
        params = dict(stride=_ints(stride), padding=_ints(padding), dilation=_ints(dilation),
                      dtype=dtype)
        arrays = dict(x=x, w=w, b=b, dout=dout, out=_np(out),
                      dx=_np(xt.grad), dw=_np(wt.grad), db=_np(bt.grad))
        yield f"conv{i:02d}_{dtype}", params, arrays


# ------------------------------------------------------------------ grouped conv2d
CONV_GROUPS_CASES = [
    # (input N,C,H,W), (filters F,KH,KW), stride, padding, dilation, groups, dtype
    ((2, 4, 7, 6), (6, 3, 3), 1, 1, 1, 2, "float64"),
    ((2, 4, 7, 6), (4, 3, 3), 2, 1, 1, 4, "float64"),       # depthwise: groups = C = F
    ((1, 3, 8, 7), (6, 3, 2), (2, 1), (1, 0), (1, 2), 3, "float64"),  # F = 2C, per-axis
    ((2, 6, 5, 5), (6, 1, 1), 1, 0, 1, 3, "float64"),       # grouped 1x1
    ((2, 4, 7, 6), (8, 3, 3), 1, 1, 1, 4, "float32"),
]


def conv_groups_cases(rng):
    for i, (xshape, (F_, KH, KW), stride, padding, dilation, groups, dtype) in enumerate(
            CONV_GROUPS_CASES):
        x = rng.standard_normal(xshape).astype(dtype)
        w = rng.standard_normal((F_, xshape[1] // groups, KH, KW)).astype(dtype)
        b = rng.standard_normal(F_).astype(dtype)
        xt, wt, bt = _t(x), _t(w), _t(b)
        out = F.conv2d(xt, wt, bt, stride=stride, padding=padding, dilation=dilation,
                       groups=groups)
        dout = rng.standard_normal(tuple(out.shape)).astype(dtype)
        out.backward(torch.from_numpy(dout))
        params = dict(stride=_ints(stride), padding=_ints(padding), dilation=_ints(dilation),
                      groups=groups, dtype=dtype)
        arrays = dict(x=x, w=w, b=b, dout=dout, out=_np(out),
                      dx=_np(xt.grad), dw=_np(wt.grad), db=_np(bt.grad))
        yield f"conv_groups{i:02d}_{dtype}", params, arrays


# ----------------------------------------------------------------------------- pooling
POOL_CASES = [
    # kernel, stride, padding, dtype, input (N,C,H,W), ties
    (2, None, 0, "float64", (2, 2, 6, 8), False),
    (2, None, 0, "float64", (2, 2, 6, 8), True),
    (3, 2, 1, "float64", (2, 2, 7, 8), True),       # overlapping windows, padding
    (3, 1, 1, "float64", (1, 2, 5, 6), True),       # heavy overlap
    ((2, 3), (1, 2), (1, 0), "float64", (2, 1, 7, 9), True),
    ((3, 2), (2, 1), (1, 1), "float64", (1, 3, 8, 5), False),
    (2, None, 0, "float32", (2, 2, 6, 8), True),
    (3, 2, 1, "float32", (2, 2, 7, 8), True),
]


def _pool_input(rng, shape, ties, dtype):
    if ties:  # as after a ReLU: many exact zeros and repeated small integers
        x = np.maximum(np.round(rng.standard_normal(shape) * 2), 0)
    else:     # all distinct
        x = (rng.permutation(int(np.prod(shape))) - 7.5).reshape(shape) / 4
    return x.astype(dtype)


def pool_cases(rng):
    i = 0
    for kind in ("max", "avg"):
        pool = F.max_pool2d if kind == "max" else F.avg_pool2d
        for kernel, stride, padding, dtype, shape, ties in POOL_CASES:
            x = _pool_input(rng, shape, ties, dtype)
            xt = _t(x)
            out = pool(xt, kernel, stride=stride, padding=padding)
            dout = rng.standard_normal(tuple(out.shape)).astype(dtype)
            out.backward(torch.from_numpy(dout))
            params = dict(kind=kind, kernel_size=_ints(kernel), stride=_ints(stride),
                          padding=_ints(padding), ties=ties, dtype=dtype)
            arrays = dict(x=x, dout=dout, out=_np(out), dx=_np(xt.grad))
            yield f"{kind}pool{i:02d}_{dtype}", params, arrays
            i += 1


# ----------------------------------------------------------------------------- linear
def linear_cases(rng):
    for i, (N, D, M, dtype) in enumerate([(5, 7, 3, "float64"), (1, 4, 6, "float64"),
                                          (8, 10, 4, "float32")]):
        x = rng.standard_normal((N, D)).astype(dtype)
        w = rng.standard_normal((M, D)).astype(dtype)
        b = rng.standard_normal(M).astype(dtype)
        xt, wt, bt = _t(x), _t(w), _t(b)
        out = F.linear(xt, wt, bt)
        dout = rng.standard_normal((N, M)).astype(dtype)
        out.backward(torch.from_numpy(dout))
        arrays = dict(x=x, w=w, b=b, dout=dout, out=_np(out),
                      dx=_np(xt.grad), dw=_np(wt.grad), db=_np(bt.grad))
        yield f"linear{i:02d}_{dtype}", dict(dtype=dtype), arrays


# ----------------------------------------------------------------------------- activations
def activation_cases(rng):
    for name, fn in (("relu", torch.relu), ("sigmoid", torch.sigmoid), ("tanh", torch.tanh)):
        for dtype in ("float64", "float32"):
            x = rng.standard_normal((2, 3, 4, 5)) * 3
            x[0, 0, 0, :3] = [0.0, 40.0, -40.0]   # the kink and saturation
            x = x.astype(dtype)
            xt = _t(x)
            out = fn(xt)
            dout = rng.standard_normal(x.shape).astype(dtype)
            out.backward(torch.from_numpy(dout))
            yield (f"{name}_{dtype}", dict(fn=name, dtype=dtype),
                   dict(x=x, dout=dout, out=_np(out), dx=_np(xt.grad)))


# ----------------------------------------------------------------------------- one-input kernels
# One line a case: the kernel's stem, PyTorch's function called as f(x, **options) with
# cnnbook's keyword options, and the input shape; each case in float64 and float32.
# tests/test_golden.py checks x_forward/x_backward and their _naive twins on every case.
UNARY_CASES = [
    ("flatten", lambda x: torch.flatten(x, 1), {}, (2, 3, 4, 2)),
    ("leaky_relu", F.leaky_relu, dict(negative_slope=0.2), (2, 3, 4, 5)),
    ("global_avg_pool2d", lambda x: F.adaptive_avg_pool2d(x, 1), {}, (2, 3, 5, 7)),
    ("global_avg_pool2d", lambda x: F.adaptive_avg_pool2d(x, 1), {}, (3, 2, 1, 4)),
]


def unary_cases(rng):
    for i, (kernel, torch_fn, options, shape) in enumerate(UNARY_CASES):
        for dtype in ("float64", "float32"):
            x = rng.standard_normal(shape) * 3
            x.flat[:3] = [0.0, 40.0, -40.0]   # kinks and saturation
            x = x.astype(dtype)
            xt = _t(x)
            out = torch_fn(xt, **options)
            dout = rng.standard_normal(tuple(out.shape)).astype(dtype)
            out.backward(torch.from_numpy(dout))
            params = dict(kernel=kernel, options={k: _ints(v) for k, v in options.items()},
                          dtype=dtype)
            yield (f"{kernel}{i:02d}_{dtype}", params,
                   dict(x=x, dout=dout, out=_np(out), dx=_np(xt.grad)))


# ----------------------------------------------------------------------------- losses
def _loss_case(name, fn, first, *rest, dtype, **params):
    """Loss value and gradient wrt the first argument (mean reduction, as cnnbook)."""
    t = _t(first)
    loss = fn(t, *[torch.from_numpy(np.ascontiguousarray(r)) for r in rest])
    loss.backward()
    arrays = dict(a=first, loss=np.array(loss.item(), dtype=np.float64), grad=_np(t.grad))
    for j, r in enumerate(rest):
        arrays[f"b{j}"] = r
    return name, dict(params, dtype=dtype), arrays


def loss_cases(rng):
    for dtype in ("float64", "float32"):
        pred, target = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
        yield _loss_case(f"mse_{dtype}", F.mse_loss, pred.astype(dtype), target.astype(dtype),
                         loss="mse", dtype=dtype)
        prob = rng.uniform(0.02, 0.98, size=(5, 3))
        target = rng.uniform(0, 1, size=(5, 3)).round(1)   # soft and hard targets
        target[0] = [0.0, 1.0, 0.5]
        yield _loss_case(f"bce_{dtype}", F.binary_cross_entropy, prob.astype(dtype),
                         target.astype(dtype), loss="binary_cross_entropy", dtype=dtype)
        logits = rng.standard_normal((5, 3)) * 4
        logits[0] = [60.0, -60.0, 0.0]                     # saturated sigmoid
        yield _loss_case(f"bce_logits_{dtype}", F.binary_cross_entropy_with_logits,
                         logits.astype(dtype), target.astype(dtype),
                         loss="binary_cross_entropy_with_logits", dtype=dtype)
        logits = rng.standard_normal((6, 4)) * 3
        logits[0] = [1000.0, -1000.0, 0.0, 999.0]          # would overflow a naive exp
        labels = rng.integers(0, 4, size=6)
        yield _loss_case(f"ce_labels_{dtype}", F.cross_entropy, logits.astype(dtype), labels,
                         loss="softmax_cross_entropy", dtype=dtype)
        soft = rng.dirichlet(np.ones(4), size=6)
        soft[1] = np.eye(4)[2]
        yield _loss_case(f"ce_soft_{dtype}", F.cross_entropy, logits.astype(dtype),
                         soft.astype(dtype), loss="softmax_cross_entropy", dtype=dtype)
    for axis in (-1, 0, 1):
        z = rng.standard_normal((3, 4, 2)) * 5
        z[0, 0, 0] = 800.0
        for name, fn in (("softmax", torch.softmax), ("log_softmax", torch.log_softmax)):
            out = fn(torch.from_numpy(z), dim=axis)
            yield (f"{name}_axis{axis}", dict(loss=name, axis=axis, dtype="float64"),
                   dict(a=z, out=_np(out)))


# ----------------------------------------------------------------------------- batch norm
BN_CASES = [
    # input (N,C,H,W), momentum, eps, dtype
    ((4, 3, 5, 4), 0.1, 1e-5, "float64"),
    ((2, 2, 3, 3), 0.5, 1e-3, "float64"),
    ((3, 2, 4, 5), 1.0, 1e-5, "float64"),   # momentum 1: running stats = last batch's
    ((4, 3, 5, 4), 0.1, 1e-5, "float32"),
]
BN_TRAIN_STEPS = 3


def batchnorm_cases(rng):
    for i, (shape, momentum, eps, dtype) in enumerate(BN_CASES):
        C = shape[1]
        gamma = rng.uniform(0.5, 1.5, C).astype(dtype)
        beta = rng.standard_normal(C).astype(dtype)
        running_mean = torch.zeros(C, dtype=TORCH_DTYPE[dtype])
        running_var = torch.ones(C, dtype=TORCH_DTYPE[dtype])
        arrays = dict(gamma=gamma, beta=beta)
        # training steps, then one evaluation step with the running statistics
        for step in range(BN_TRAIN_STEPS + 1):
            training = step < BN_TRAIN_STEPS
            x = (rng.standard_normal(shape) * rng.uniform(0.5, 3) + rng.uniform(-2, 2))
            x = x.astype(dtype)
            xt, gt, bt = _t(x), _t(gamma), _t(beta)
            out = F.batch_norm(xt, running_mean, running_var, gt, bt, training=training,
                               momentum=momentum, eps=eps)
            dout = rng.standard_normal(shape).astype(dtype)
            out.backward(torch.from_numpy(dout))
            arrays.update({f"x{step}": x, f"dout{step}": dout, f"out{step}": _np(out),
                           f"dx{step}": _np(xt.grad), f"dgamma{step}": _np(gt.grad),
                           f"dbeta{step}": _np(bt.grad),
                           f"running_mean{step}": running_mean.numpy().copy(),
                           f"running_var{step}": running_var.numpy().copy()})
        params = dict(momentum=momentum, eps=eps, train_steps=BN_TRAIN_STEPS, dtype=dtype)
        yield f"batchnorm{i:02d}_{dtype}", params, arrays


# ----------------------------------------------------------------------------- optimizers
OPTIM_CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.1, weight_decay=0.01)),
    ("SGD", dict(lr=0.1, momentum=0.8, weight_decay=0.05)),
    ("SGD", dict(lr=0.1, momentum=0.5, nesterov=True, weight_decay=0.1)),
    ("Adam", dict()),
    ("Adam", dict(lr=0.1)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6)),
    ("Adam", dict(lr=0.05, weight_decay=0.1)),
    ("AdamW", dict()),
    ("AdamW", dict(lr=0.05, weight_decay=0.1)),
    ("AdamW", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.5)),
    ("RMSprop", dict()),
    ("RMSprop", dict(lr=0.05, alpha=0.9, eps=1e-6, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, momentum=0.9)),
    ("RMSprop", dict(lr=0.01, alpha=0.95, momentum=0.5, centered=True)),
]
OPTIM_STEPS = 6


def optim_cases(rng):
    for i, (name, kwargs) in enumerate(OPTIM_CASES):
        start = {"w": rng.standard_normal((3, 4)), "b": rng.standard_normal(4)}
        tensors = [_t(start["w"]), _t(start["b"])]
        opt = getattr(torch.optim, name)(tensors, **kwargs)
        arrays = {"w_start": start["w"], "b_start": start["b"]}
        for step in range(OPTIM_STEPS):
            for key, t in zip(("w", "b"), tensors):
                g = rng.standard_normal(t.shape) * (10.0 if key == "b" else 0.1)
                arrays[f"{key}_grad{step}"] = g
                t.grad = torch.from_numpy(g.copy())
            opt.step()
            for key, t in zip(("w", "b"), tensors):
                arrays[f"{key}_after{step}"] = _np(t)
        params = dict(optimizer=name, kwargs={k: _ints(v) for k, v in kwargs.items()},
                      steps=OPTIM_STEPS, dtype="float64")
        yield f"{name.lower()}{i:02d}", params, arrays


# ----------------------------------------------------------------------------- dropout
# PyTorch draws its masks from its own generator: F.dropout draws one, the kept units are
# read off its output, and cnnbook is compared given that mask (output and gradient).
DROPOUT_CASES = [(0.5, (2, 3, 4, 5)), (0.2, (4, 6)), (0.9, (3, 2, 5, 5))]


def dropout_cases(rng):
    torch.manual_seed(0)
    for i, (p, shape) in enumerate(DROPOUT_CASES):
        for dtype in ("float64", "float32"):
            x = (rng.uniform(0.5, 2.0, shape) * rng.choice([-1, 1], shape)).astype(dtype)
            xt = _t(x)
            out = F.dropout(xt, p=p, training=True)
            mask = (_np(out) != 0).astype(dtype)      # x has no zeros
            dout = rng.standard_normal(shape).astype(dtype)
            out.backward(torch.from_numpy(dout))
            yield (f"dropout{i:02d}_{dtype}", dict(p=p, dtype=dtype),
                   dict(x=x, mask=mask, dout=dout, out=_np(out), dx=_np(xt.grad)))


# ----------------------------------------------------------------------------- clipping
CLIP_CASES = [0.5, 5.0, 1e3]   # max_norm: clips hard, clips a little, does not clip


def clipping_cases(rng):
    for i, max_norm in enumerate(CLIP_CASES):
        grads = {"w": rng.standard_normal((3, 4)), "b": rng.standard_normal(4) * 3}
        tensors = [_t(np.zeros_like(g)) for g in grads.values()]
        for t, g in zip(tensors, grads.values()):
            t.grad = torch.from_numpy(g.copy())
        total = torch.nn.utils.clip_grad_norm_(tensors, max_norm)
        arrays = {f"{k}_grad": g for k, g in grads.items()}
        arrays |= {f"{k}_clipped": _np(t.grad) for k, t in zip(grads, tensors)}
        arrays["total_norm"] = np.array(total.item())
        yield f"clip{i:02d}", dict(max_norm=max_norm, dtype="float64"), arrays


GROUPS = {  # file name -> (case generator, seed)
    "conv2d": (conv_cases, 100),
    "pool2d": (pool_cases, 200),
    "linear": (linear_cases, 300),
    "activations": (activation_cases, 400),
    "losses": (loss_cases, 500),
    "batchnorm": (batchnorm_cases, 600),
    "optim": (optim_cases, 700),
    "unary": (unary_cases, 800),
    "dropout": (dropout_cases, 900),
    "clipping": (clipping_cases, 1000),
    "conv2d_groups": (conv_groups_cases, 900),
}


def main(names: list[str]) -> None:
    """Write every group's file (no names), or only the named groups' files, keeping the
    other files and their manifest entries as they are."""
    unknown = sorted(set(names) - set(GROUPS))
    if unknown:
        raise SystemExit(f"make_golden.py: expected group names among {', '.join(GROUPS)}, "
                         f"got {', '.join(unknown)}")
    torch.use_deterministic_algorithms(True)
    OUT.mkdir(parents=True, exist_ok=True)
    manifest = {
        "made_by": "scripts/make_golden.py",
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        "files": {},
    }
    if names:  # the other groups' files stay: they must have been made with this torch
        old = json.loads((OUT / "manifest.json").read_text())
        made_with = {k: old[k] for k in ("torch_version", "numpy_version")}
        if made_with != {k: manifest[k] for k in made_with}:
            raise SystemExit(f"make_golden.py: the fixtures were made with {made_with}, "
                             f"this is torch {torch.__version__}, numpy {np.__version__}: "
                             f"regenerate every group (no names)")
        manifest = dict(old, files=dict(old["files"]))
    for group, (cases, seed) in GROUPS.items():
        if names and group not in names:
            continue
        rng = np.random.default_rng(seed)
        store = {"torch_version": np.array(torch.__version__)}
        ids = []
        for case_id, params, arrays in cases(rng):
            ids.append(case_id)
            store[f"{case_id}/params"] = np.array(json.dumps(params, sort_keys=True))
            for name, value in arrays.items():
                store[f"{case_id}/{name}"] = np.asarray(value)
        path = OUT / f"{group}.npz"
        np.savez_compressed(path, **store)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        manifest["files"][path.name] = {"cases": ids, "sha256": digest,
                                        "bytes": path.stat().st_size}
        print(f"{path.relative_to(OUT.parent.parent)}: {len(ids)} cases, "
              f"{path.stat().st_size / 1024:.1f} kB")
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    total = sum(f["bytes"] for f in manifest["files"].values())
    print(f"torch {torch.__version__}; {total / 1024:.0f} kB in {len(manifest['files'])} files")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
