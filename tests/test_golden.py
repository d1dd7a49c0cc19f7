"""cnnbook against PyTorch's stored outputs and gradients (tests/golden/, no torch needed).

scripts/make_golden.py (run where torch is installed) writes the fixtures; this file
compares every case on every run. A missing or altered fixture file is an error, never a
skip. tests/test_against_torch.py also compares live when torch is importable.
"""
import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from kernel_cases import kernel_stems

from cnnbook import functional as fn
from cnnbook import losses
from cnnbook.optim import SGD, Adam, AdamW, RMSprop, clip_grad_norm

GOLDEN = Path(__file__).parent / "golden"
GROUPS = ["conv2d", "pool2d", "linear", "activations", "losses", "batchnorm", "optim",
          "unary", "dropout", "clipping", "conv2d_groups"]
# Tolerances relative to each dtype's rounding: float32 results of different summation
# orders differ in the last few bits.
TOL = {"float64": dict(rtol=1e-10, atol=1e-12), "float32": dict(rtol=2e-5, atol=2e-5)}


def _manifest():
    path = GOLDEN / "manifest.json"
    if not path.is_file():  # an error at collection: loud, never a skip
        raise FileNotFoundError(f"{path} is missing: run scripts/make_golden.py (needs torch)")
    return json.loads(path.read_text())


MANIFEST = _manifest()
CASES = [(group, case) for group in GROUPS
         for case in MANIFEST["files"].get(f"{group}.npz", {}).get("cases", [])]
_loaded = {}


def load(group):
    """The arrays of tests/golden/<group>.npz (read once)."""
    if group not in _loaded:
        with np.load(GOLDEN / f"{group}.npz", allow_pickle=False) as f:
            _loaded[group] = dict(f)
    return _loaded[group]


def case(group, case_id):
    data = load(group)
    prefix = f"{case_id}/"
    arrays = {k[len(prefix):]: v for k, v in data.items() if k.startswith(prefix)}
    params = json.loads(str(arrays.pop("params")))
    return params, arrays


def tup(v):
    return tuple(v) if isinstance(v, list) else v


def close(mine, theirs, dtype, what):
    mine = np.asarray(mine)
    assert mine.dtype == np.dtype(dtype), f"{what}: dtype {mine.dtype}, expected {dtype}"
    np.testing.assert_allclose(mine, theirs, err_msg=what, **TOL[dtype])


def test_every_fixture_file_is_present_and_unchanged():
    """Each group's file exists, matches the manifest's SHA-256 and holds cases."""
    assert "torch_version" in MANIFEST and MANIFEST["torch_version"]
    for group in GROUPS:
        path = GOLDEN / f"{group}.npz"
        assert path.is_file(), f"{path} is missing: run scripts/make_golden.py (needs torch)"
        entry = MANIFEST["files"].get(path.name)
        assert entry and entry["cases"], f"manifest.json lists no cases for {path.name}"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"], (
            f"{path.name} differs from manifest.json: regenerate both with "
            f"scripts/make_golden.py")
        assert str(load(group)["torch_version"]) == MANIFEST["torch_version"]
    total = sum(e["bytes"] for e in MANIFEST["files"].values())
    assert total < 1_000_000, f"fixtures take {total} bytes; keep them under 1 MB"


@pytest.mark.parametrize("group,case_id", CASES, ids=[f"{g}-{c}" for g, c in CASES])
def test_matches_torch(group, case_id):
    params, a = case(group, case_id)
    CHECKS[group](params, a, params["dtype"])


def check_conv2d(p, a, dtype):
    opts = dict(stride=tup(p["stride"]), padding=tup(p["padding"]),
                dilation=tup(p["dilation"]), groups=p.get("groups", 1))
    kernels = [(fn.conv2d_forward, fn.conv2d_backward)]
    if dtype == "float64":
        kernels.append((fn.conv2d_forward_naive, fn.conv2d_backward_naive))
    for forward, backward in kernels:
        out, cache = forward(a["x"], a["w"], a["b"], **opts)
        close(out, a["out"], dtype, f"{forward.__name__} out")
        for name, grad in zip(("dx", "dw", "db"), backward(a["dout"], cache)):
            close(grad, a[name], dtype, f"{backward.__name__} {name}")


check_conv2d_groups = check_conv2d   # the same kernels, with groups=


def check_pool2d(p, a, dtype):
    opts = dict(kernel_size=tup(p["kernel_size"]), stride=tup(p["stride"]),
                padding=tup(p["padding"]))
    kind = p["kind"]
    names = [f"{kind}_pool2d_forward", f"{kind}_pool2d_backward"]
    kernels = [names] + ([[n + "_naive" for n in names]] if dtype == "float64" else [])
    for fwd_name, bwd_name in kernels:
        out, cache = getattr(fn, fwd_name)(a["x"], **opts)
        close(out, a["out"], dtype, f"{fwd_name} out")
        close(getattr(fn, bwd_name)(a["dout"], cache), a["dx"], dtype, f"{bwd_name} dx")


def check_linear(p, a, dtype):
    for forward, backward in [(fn.linear_forward, fn.linear_backward),
                              (fn.linear_forward_naive, fn.linear_backward_naive)]:
        out, cache = forward(a["x"], a["w"], a["b"])
        close(out, a["out"], dtype, f"{forward.__name__} out")
        for name, grad in zip(("dx", "dw", "db"), backward(a["dout"], cache)):
            close(grad, a[name], dtype, f"{backward.__name__} {name}")


def check_activations(p, a, dtype):
    for suffix in ("", "_naive"):
        forward = getattr(fn, f"{p['fn']}_forward{suffix}")
        backward = getattr(fn, f"{p['fn']}_backward{suffix}")
        out, cache = forward(a["x"])
        close(out, a["out"], dtype, f"{forward.__name__} out")
        close(backward(a["dout"], cache), a["dx"], dtype, f"{backward.__name__} dx")


def check_unary(p, a, dtype):
    options = {k: tup(v) for k, v in p["options"].items()}
    for suffix in ("", "_naive"):
        forward = getattr(fn, f"{p['kernel']}_forward{suffix}")
        out, cache = forward(a["x"], **options)
        close(out, a["out"], dtype, f"{forward.__name__} out")
        close(fn.BACKWARD[forward](a["dout"], cache), a["dx"], dtype, f"{forward.__name__} dx")


def check_losses(p, a, dtype):
    name = p["loss"]
    if name in ("softmax", "log_softmax"):
        close(getattr(losses, name)(a["a"], axis=p["axis"]), a["out"], dtype, name)
        return
    loss, grad = getattr(losses, name)(a["a"], a["b0"])
    assert isinstance(loss, float), f"{name}: loss is {type(loss).__name__}, not float"
    np.testing.assert_allclose(loss, a["loss"], err_msg=f"{name} loss", **TOL[dtype])
    close(grad, a["grad"], dtype, f"{name} grad")


def check_batchnorm(p, a, dtype):
    kernels = [(fn.batch_norm2d_forward, fn.batch_norm2d_backward),
               (fn.batch_norm2d_forward_naive, fn.batch_norm2d_backward_naive)]
    C = a["gamma"].shape[0]
    for forward, backward in kernels:
        running_mean, running_var = np.zeros(C, dtype), np.ones(C, dtype)
        for step in range(p["train_steps"] + 1):
            training = step < p["train_steps"]
            what = f"{forward.__name__} step {step} ({'training' if training else 'evaluation'})"
            out, cache = forward(a[f"x{step}"], a["gamma"], a["beta"],
                                 running_mean=running_mean, running_var=running_var,
                                 training=training, momentum=p["momentum"], eps=p["eps"])
            close(out, a[f"out{step}"], dtype, f"{what} out")
            close(running_mean, a[f"running_mean{step}"], dtype, f"{what} running_mean")
            close(running_var, a[f"running_var{step}"], dtype, f"{what} running_var")
            grads = backward(a[f"dout{step}"], cache)
            for name, grad in zip(("dx", "dgamma", "dbeta"), grads):
                close(grad, a[f"{name}{step}"], dtype, f"{what} {name}")


def check_optim(p, a, dtype):
    kwargs = {k: tup(v) for k, v in p["kwargs"].items()}
    opt = {"SGD": SGD, "Adam": Adam, "AdamW": AdamW,
           "RMSprop": RMSprop}[p["optimizer"]](**kwargs)
    params = {"w": a["w_start"].copy(), "b": a["b_start"].copy()}
    for step in range(p["steps"]):
        opt.step(params, {k: a[f"{k}_grad{step}"] for k in params})
        for k in params:
            close(params[k], a[f"{k}_after{step}"], dtype, f"{opt!r} {k} after step {step}")


def check_dropout(p, a, dtype):
    """Given the mask PyTorch's F.dropout drew (read off its output)."""
    for suffix in ("", "_naive"):
        forward = getattr(fn, f"dropout_forward{suffix}")
        out, cache = forward(a["x"], p=p["p"], mask=a["mask"])
        close(out, a["out"], dtype, f"{forward.__name__} out")
        close(fn.BACKWARD[forward](a["dout"], cache), a["dx"], dtype, f"{forward.__name__} dx")


def check_clipping(p, a, dtype):
    grads = {k: a[f"{k}_grad"].copy() for k in ("w", "b")}
    total = clip_grad_norm(grads, p["max_norm"])
    np.testing.assert_allclose(total, a["total_norm"], err_msg="total norm", **TOL[dtype])
    for k, g in grads.items():
        close(g, a[f"{k}_clipped"], dtype, f"clip_grad_norm {k}")


CHECKS = {g: globals()[f"check_{g}"] for g in GROUPS}

#: The kernel stem (as in tests/kernel_cases.py) a golden case checks, from its group and
#: params; None for the losses and optimizers, which are not kernels.
KERNEL_OF = {
    "conv2d": lambda p: "conv2d",
    "pool2d": lambda p: f"{p['kind']}_pool2d",
    "linear": lambda p: "linear",
    "activations": lambda p: p["fn"],
    "batchnorm": lambda p: "batch_norm2d",
    "unary": lambda p: p["kernel"],
    "losses": lambda p: None,
    "optim": lambda p: None,
    "dropout": lambda p: "dropout",
    "clipping": lambda p: None,
    "conv2d_groups": lambda p: "conv2d",
}


@pytest.mark.parametrize("stem", kernel_stems())
def test_every_kernel_has_a_golden_case(stem):
    covered = {KERNEL_OF[group](case(group, case_id)[0]) for group, case_id in CASES}
    assert stem in covered, (
        f"{stem}: no golden case compares it with PyTorch; add one to scripts/make_golden.py "
        f"(UNARY_CASES for a kernel of one input) and run it for that group where torch is "
        f"installed (scripts/make_golden.py GROUP)")
