"""What each exercise is: how the checker calls the student's function, the test cases
(easy first), and the reference answer computed with the package's own kernels.

A :class:`Case` holds the positional arrays in call order, the keyword options and
*tags* naming the features that make it hard (``"stride"``, ``"padding"``, ...): when
a function fails exactly the cases with one tag, the report says so.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .. import functional as F
from .. import losses, optim

__all__ = ["Case", "Spec", "SPECS", "TAG_TEXT"]

# What a tag means, as the report says it.
TAG_TEXT = {
    "batch": "a batch of N > 1 samples",
    "channels": "C > 1 channels",
    "filters": "F > 1 filters",
    "kernel": "a kernel of 3 (not 2)",
    "gamma": "gamma != 1",
    "nonsquare": "non-square inputs (H != W)",
    "stride": "stride > 1",
    "padding": "padding > 0",
    "overlap": "overlapping windows (stride < kernel_size)",
    "remainder": "a last window that does not fit (rows/columns left over)",
    "ties": "tied maxima in a window (zeros after a ReLU)",
    "large": "large values (|x| up to 1000)",
    "nd": "a 4-D NCHW array",
    "vector": "a 1-D array",
    "velocity": "a non-zero starting velocity",
    "eps": "a large eps (0.1)",
    "shift": "inputs with a non-zero mean and scale",
    "later": "a later step (t > 1, non-zero moments)",
}


@dataclass(frozen=True)
class Case:
    """One call of the student's function: ``fn(*args.values(), **kwargs)``."""
    label: str
    args: dict
    kwargs: dict = field(default_factory=dict)
    tags: frozenset = frozenset()

    def describe(self) -> str:
        """``dout (2, 4, 3, 3), x (2, 3, 7, 7), stride=2, padding=1``."""
        parts = [f"{k} {tuple(np.shape(v))}" if np.ndim(v) else f"{k}={v!r}"
                 for k, v in self.args.items()]
        parts += [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return ", ".join(parts)


@dataclass(frozen=True)
class Spec:
    """An exercise: its call, its outputs, its cases and its reference answer."""
    name: str
    call: str                       # how the checker calls fn, for the report
    outputs: tuple                  # names of the returned values, in order
    make_cases: Callable[[np.random.Generator], list]
    reference: Callable[[Case], dict]
    scalars: frozenset = frozenset()  # outputs that must be a single number
    # the sizes a constant factor may be, named as the report says them: case -> [(label, n)]
    sizes: Callable[[Case], list] = lambda case: []

    @property
    def params(self) -> tuple:
        """The parameter names of the call, in order: ``("dout", "x", "kernel_size", "stride")``."""
        inside = self.call[self.call.index("(") + 1:self.call.rindex(")")]
        return tuple(p.split("=")[0].strip() for p in inside.split(","))

    def cases(self) -> list:
        return self.make_cases(np.random.default_rng(zlib.crc32(self.name.encode())))


def _tags(*names) -> frozenset:
    return frozenset(names)


# ------------------------------------------------------------------ activations

def _act_cases(rng, large=False):
    cases = [
        Case("a 2x3 matrix", {"dout": rng.standard_normal((2, 3)),
                              "x": rng.standard_normal((2, 3))}),
        Case("an NCHW batch", {"dout": rng.standard_normal((2, 3, 4, 5)),
                               "x": rng.standard_normal((2, 3, 4, 5)) * 3},
             tags=_tags("nd")),
    ]
    if large:
        x = rng.standard_normal((3, 4)) * 5
        x[0, :] = [-1000.0, 1000.0, -50.0, 50.0]
        cases.append(Case("large inputs (+-1000)", {"dout": rng.standard_normal((3, 4)),
                                                    "x": x}, tags=_tags("large")))
    # never exactly 0: at x == 0 the relu derivative is a convention (> 0 or >= 0)
    for c in cases:
        c.args["x"][c.args["x"] == 0] = 0.5
    return cases


def _ref_relu(case):
    _, cache = F.relu_forward(case.args["x"])
    return {"dx": F.relu_backward(case.args["dout"], cache)}


def _ref_sigmoid(case):
    _, cache = F.sigmoid_forward(case.args["x"])
    return {"dx": F.sigmoid_backward(case.args["dout"], cache)}


# ------------------------------------------------------------------ losses

def _mse_cases(rng):
    # The mean is over all M = pred.size entries: the first cases have N = pred.shape[0]
    # different from M, so a wrong divisor shows which one it is.
    return [
        Case("a 3x5 matrix", {"pred": rng.standard_normal((3, 5)),
                              "target": rng.standard_normal((3, 5))}),
        Case("an NCHW batch", {"pred": rng.standard_normal((2, 3, 4, 4)),
                               "target": rng.standard_normal((2, 3, 4, 4))}, tags=_tags("nd")),
        Case("a vector of 6", {"pred": rng.standard_normal(6), "target": rng.standard_normal(6)},
             tags=_tags("vector")),
    ]


def _ref_mse(case):
    loss, grad = losses.mse(case.args["pred"], case.args["target"])
    return {"loss": loss, "dpred": grad}


def _sce_cases(rng):
    large = rng.standard_normal((4, 5))
    large[0] = [1000.0, -1000.0, 0.0, 999.0, 3.0]
    large[1] = [-1000.0, -1000.0, -999.5, -1000.0, -1001.0]
    return [
        Case("4 samples, 3 classes", {"logits": rng.standard_normal((4, 3)),
                                      "labels": np.array([0, 2, 1, 2])}, tags=_tags("batch")),
        Case("6 samples, 7 classes", {"logits": rng.standard_normal((6, 7)) * 3,
                                      "labels": rng.integers(0, 7, 6)}, tags=_tags("batch")),
        Case("logits of +-1000", {"logits": large, "labels": np.array([3, 2, 0, 4])},
             tags=_tags("batch", "large")),
    ]


def _ref_sce(case):
    loss, grad = losses.softmax_cross_entropy(case.args["logits"], case.args["labels"])
    return {"loss": loss, "dlogits": grad}


# ------------------------------------------------------------------ linear

def _linear_cases(rng, backward):
    cases = []
    for label, n, d, m in [("2 samples, 4 -> 3", 2, 4, 3), ("5 samples, 6 -> 2", 5, 6, 2)]:
        args = {"x": rng.standard_normal((n, d)), "w": rng.standard_normal((m, d))}
        if backward:
            args = {"dout": rng.standard_normal((n, m)), **args}
        else:
            args["b"] = rng.standard_normal(m)
        cases.append(Case(label, args, tags=_tags("batch")))
    return cases


def _ref_linear_forward(case):
    out, _ = F.linear_forward(case.args["x"], case.args["w"], case.args["b"])
    return {"out": out}


def _ref_linear_backward(case):
    a = case.args
    _, cache = F.linear_forward(a["x"], a["w"], np.zeros(a["w"].shape[0]))
    dx, dw, db = F.linear_backward(a["dout"], cache)
    return {"dx": dx, "dw": dw, "db": db}


# ------------------------------------------------------------------ convolution

# (label, N, C, F, H, W, kernel, stride, padding, tags): the first case has no hard
# feature, each of the next ones adds exactly one, the last two combine them.
_CONV = [
    ("1 image, 1 channel, 1 filter, 6x6, stride 1, no padding", 1, 1, 1, 6, 6, 3, 1, 0, ()),
    ("a batch of 2", 2, 1, 1, 6, 6, 3, 1, 0, ("batch",)),
    ("3 input channels", 1, 3, 1, 6, 6, 3, 1, 0, ("channels",)),
    ("2 filters", 1, 1, 2, 6, 6, 3, 1, 0, ("filters",)),
    ("non-square 6x8", 1, 1, 1, 6, 8, 3, 1, 0, ("nonsquare",)),
    ("padding 1", 1, 1, 1, 6, 6, 3, 1, 1, ("padding",)),
    ("stride 2, 9x9", 1, 1, 1, 9, 9, 3, 2, 0, ("stride",)),
    ("stride 2, padding 1, 6x9, N=2, C=2, F=3 (last window does not fit)", 2, 2, 3, 6, 9, 3, 2, 1,
     ("batch", "channels", "filters", "nonsquare", "stride", "padding", "remainder")),
    ("kernel 2, stride 3, padding 1, 8x7, N=3, C=2, F=4", 3, 2, 4, 8, 7, 2, 3, 1,
     ("batch", "channels", "filters", "nonsquare", "stride", "padding", "remainder")),
]


def _conv_cases(rng, backward):
    cases = []
    for label, n, c, f, h, w, k, s, p, tags in _CONV:
        x = rng.standard_normal((n, c, h, w))
        wt = rng.standard_normal((f, c, k, k))
        opts = {"stride": s, "padding": p}
        if backward:
            oh, ow = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
            args = {"dout": rng.standard_normal((n, f, oh, ow)), "x": x, "w": wt}
        else:
            args = {"x": x, "w": wt, "b": rng.standard_normal(f)}
        cases.append(Case(label, args, opts, _tags(*tags)))
    return cases


def _ref_conv_forward(case):
    a = case.args
    out, _ = F.conv2d_forward(a["x"], a["w"], a["b"], **case.kwargs)
    return {"out": out}


def _ref_conv_backward(case):
    a = case.args
    _, cache = F.conv2d_forward(a["x"], a["w"], np.zeros(a["w"].shape[0]), **case.kwargs)
    dx, dw, db = F.conv2d_backward(a["dout"], cache)
    return {"dx": dx, "dw": dw, "db": db}


# ------------------------------------------------------------------ pooling

# (label, N, C, H, W, kernel, stride, ties, tags): as for the convolution, one hard
# feature at a time, then combined.
_POOL = [
    ("1 image, 1 channel, 4x4, kernel 2, stride 2", 1, 1, 4, 4, 2, 2, False, ()),
    ("a batch of 2", 2, 1, 4, 4, 2, 2, False, ("batch",)),
    ("3 channels", 1, 3, 4, 4, 2, 2, False, ("channels",)),
    ("non-square 4x6", 1, 1, 4, 6, 2, 2, False, ("nonsquare",)),
    ("5x5 (last row and column do not fit)", 1, 1, 5, 5, 2, 2, False, ("remainder",)),
    ("kernel 3, stride 3, 6x6", 1, 1, 6, 6, 3, 3, False, ("kernel",)),
    ("overlapping: 5x5, kernel 3, stride 2", 1, 1, 5, 5, 3, 2, False, ("kernel", "overlap")),
    ("ties after a ReLU, 6x6", 1, 1, 6, 6, 2, 2, True, ("ties",)),
    ("N=2, C=3, 7x9, kernel 3, stride 2", 2, 3, 7, 9, 3, 2, False,
     ("batch", "channels", "nonsquare", "kernel", "overlap", "remainder")),
    ("ties, overlapping: N=2, C=2, 7x8, kernel 3, stride 2", 2, 2, 7, 8, 3, 2, True,
     ("batch", "channels", "nonsquare", "kernel", "overlap", "ties", "remainder")),
]


def _pool_cases(rng, backward, ties):
    cases = []
    for label, n, c, h, w, k, s, tie, tags in _POOL:
        if tie and not ties:
            continue
        if tie:  # small integers through a ReLU: many zeros, many equal maxima
            x = np.maximum(rng.integers(-3, 3, (n, c, h, w)), 0).astype(np.float64)
        else:
            x = rng.standard_normal((n, c, h, w))
        args = {"x": x}
        if backward:
            oh, ow = (h - k) // s + 1, (w - k) // s + 1
            args = {"dout": rng.standard_normal((n, c, oh, ow)), "x": x}
        cases.append(Case(label, args, {"kernel_size": k, "stride": s}, _tags(*tags)))
    return cases


def _ref_max_forward(case):
    out, _ = F.max_pool2d_forward(case.args["x"], **case.kwargs)
    return {"out": out}


def _ref_max_backward(case):
    _, cache = F.max_pool2d_forward(case.args["x"], **case.kwargs)
    return {"dx": F.max_pool2d_backward(case.args["dout"], cache)}


def _ref_avg_backward(case):
    _, cache = F.avg_pool2d_forward(case.args["x"], **case.kwargs)
    return {"dx": F.avg_pool2d_backward(case.args["dout"], cache)}


# ------------------------------------------------------------------ global average pooling

def _gap_cases(rng):
    """Each case a (N, C, H, W) with N, C, H*W and C*H*W all different (a constant factor
    then names its size)."""
    cases = []
    for label, shape, tags in [("N=2, C=1, 2x2", (2, 1, 2, 2), ("batch",)),
                               ("N=2, C=3, 4x5", (2, 3, 4, 5), ("batch", "channels", "nonsquare")),
                               ("N=3, C=2, 2x1", (3, 2, 2, 1), ("batch", "channels", "nonsquare"))]:
        n, c = shape[:2]
        cases.append(Case(label, {"dout": rng.standard_normal((n, c, 1, 1)),
                                  "x": rng.standard_normal(shape)}, tags=_tags(*tags)))
    return cases


def _ref_gap_backward(case):
    _, cache = F.global_avg_pool2d_forward(case.args["x"])
    return {"dx": F.global_avg_pool2d_backward(case.args["dout"], cache)}


# ------------------------------------------------------------------ batch norm

def _bn_cases(rng):
    cases = []
    for label, shape, eps, shift, tags in [
        ("N=3, C=2, 2x2, gamma 1", (3, 2, 2, 2), 1e-5, False, ("batch",)),
        ("N=2, C=3, 4x5, mean 2, scale 3", (2, 3, 4, 5), 1e-5, True,
         ("batch", "nonsquare", "shift", "gamma")),
        ("N=4, C=2, 3x3, eps 0.1", (4, 2, 3, 3), 0.1, True, ("batch", "shift", "eps", "gamma")),
    ]:
        x = rng.standard_normal(shape)
        if shift:
            x = 3 * x + 2
        c = shape[1]
        gamma = np.ones(c) if not shift else rng.uniform(0.5, 2.0, c)
        cases.append(Case(label, {"dout": rng.standard_normal(shape), "x": x, "gamma": gamma},
                          {"eps": eps}, _tags(*tags)))
    return cases


def _ref_bn(case):
    a = case.args
    c = a["x"].shape[1]
    _, cache = F.batch_norm2d_forward(a["x"], a["gamma"], np.zeros(c),
                                      running_mean=np.zeros(c), running_var=np.ones(c),
                                      training=True, eps=case.kwargs["eps"])
    dx, dgamma, dbeta = F.batch_norm2d_backward(a["dout"], cache)
    return {"dx": dx, "dgamma": dgamma, "dbeta": dbeta}


# ------------------------------------------------------------------ optimizer

def _sgd_cases(rng):
    return [
        Case("first step (velocity 0), a vector of 5",
             {"param": rng.standard_normal(5), "grad": rng.standard_normal(5),
              "velocity": np.zeros(5)}, {"lr": 0.2, "momentum": 0.9}),
        Case("a later step, 3x4", {"param": rng.standard_normal((3, 4)),
                                   "grad": rng.standard_normal((3, 4)),
                                   "velocity": rng.standard_normal((3, 4))},
             {"lr": 0.05, "momentum": 0.9}, _tags("velocity")),
        Case("momentum 0.5, lr 0.5, NCHW", {"param": rng.standard_normal((2, 3, 2, 2)),
                                            "grad": rng.standard_normal((2, 3, 2, 2)),
                                            "velocity": rng.standard_normal((2, 3, 2, 2))},
             {"lr": 0.5, "momentum": 0.5}, _tags("velocity", "nd")),
    ]


def _ref_sgd(case):
    a, k = case.args, case.kwargs
    param = a["param"].copy()
    opt = optim.SGD(lr=k["lr"], momentum=k["momentum"])
    opt.state["p"] = {"velocity": a["velocity"].copy()}
    opt.step({"p": param}, {"p": a["grad"]})
    return {"new_param": param, "new_velocity": opt.state["p"]["velocity"]}


def _dropout_cases(rng):
    def case(label, shape, p, tags=()):
        mask = (rng.random(shape) >= p).astype(np.float64)
        return Case(label, {"dout": rng.standard_normal(shape), "mask": mask}, {"p": p},
                    tags=_tags(*tags))
    return [case("a 3x4 matrix, p = 0.2", (3, 4), 0.2),
            case("an NCHW batch, p = 0.5", (2, 3, 4, 4), 0.5, ["nd"]),
            case("a vector of 8, p = 0.75", (8,), 0.75, ["vector"])]


def _ref_dropout(case):
    a = case.args
    return {"dx": F.dropout_backward(a["dout"], (a["mask"].astype(bool), case.kwargs["p"]))}


def _adam_cases(rng):
    def case(label, shape, t, kwargs, tags=()):
        later = t > 1
        m = rng.standard_normal(shape) * 0.1 if later else np.zeros(shape)
        v = rng.uniform(0.01, 0.2, shape) if later else np.zeros(shape)
        return Case(label, {"param": rng.standard_normal(shape),
                            "grad": rng.standard_normal(shape), "m": m, "v": v},
                    {"t": t, **kwargs}, _tags(*tags))
    default = {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    return [case("first step (t = 1, m = v = 0), a vector of 5", (5,), 1, default),
            case("step t = 3, 3x4", (3, 4), 3, default, ["later"]),
            case("step t = 10, eps 0.1, NCHW", (2, 3, 2, 2), 10,
                 {"lr": 0.1, "beta1": 0.8, "beta2": 0.99, "eps": 0.1}, ["later", "eps", "nd"])]


def _ref_adam(case):
    a, k = case.args, case.kwargs
    param = a["param"].copy()
    opt = optim.Adam(lr=k["lr"], betas=(k["beta1"], k["beta2"]), eps=k["eps"])
    opt.state["p"] = {"step": k["t"] - 1, "m": a["m"].copy(), "v": a["v"].copy()}
    opt.step({"p": param}, {"p": a["grad"]})
    return {"new_param": param, "new_m": opt.state["p"]["m"], "new_v": opt.state["p"]["v"]}


# ------------------------------------------------------------------ the table

# The sizes a constant factor is compared with, per exercise (the report names only these:
# a factor 4 in mse is never called "N" when the mean is over M).

def _sizes_mse(case):
    return [("M = pred.size (the number of elements)", case.args["pred"].size)]


def _sizes_sce(case):
    n, k = case.args["logits"].shape
    return [("N = logits.shape[0] (the batch)", n), ("K = logits.shape[1] (the classes)", k),
            ("N*K = logits.size", n * k)]


def _sizes_linear(case):
    return [("N = x.shape[0] (the batch)", case.args["x"].shape[0])]


def _sizes_conv(case):
    n = case.args["x"].shape[0]
    k = case.args["w"].shape[2]
    out = [("N = x.shape[0] (the batch)", n), ("k*k (the kernel's entries)", k * k)]
    if "dout" in case.args:
        oh, ow = case.args["dout"].shape[2:]
        out.append(("OH*OW (the output positions)", oh * ow))
    return out


def _sizes_pool(case):
    k = case.kwargs["kernel_size"]
    return [("kernel_size**2 (the window's entries)", k * k), ("kernel_size", k)]


def _sizes_bn(case):
    n, c, h, w = case.args["x"].shape
    return [("M = N*H*W (the values of one channel)", n * h * w), ("N = x.shape[0]", n),
            ("H*W", h * w)]


def _sizes_gap(case):
    n, c, h, w = case.args["x"].shape
    return [("H*W (the positions of one map)", h * w), ("N = x.shape[0] (the batch)", n),
            ("C*H*W (one sample's values)", c * h * w)]


def _spec(name, call, outputs, cases, reference, scalars=(), sizes=lambda case: []):
    return Spec(name, call, tuple(outputs), cases, reference, frozenset(scalars), sizes)


SPECS = {s.name: s for s in [
    _spec("mse", "fn(pred, target)", ["loss", "dpred"], _mse_cases, _ref_mse, ["loss"],
          _sizes_mse),
    _spec("softmax_cross_entropy", "fn(logits, labels)", ["loss", "dlogits"], _sce_cases,
          _ref_sce, ["loss"], _sizes_sce),
    _spec("sgd_momentum_step", "fn(param, grad, velocity, lr=lr, momentum=momentum)",
          ["new_param", "new_velocity"], _sgd_cases, _ref_sgd),
    _spec("adam_step", "fn(param, grad, m, v, t=t, lr=lr, beta1=beta1, beta2=beta2, eps=eps)",
          ["new_param", "new_m", "new_v"], _adam_cases, _ref_adam),
    _spec("relu_backward", "fn(dout, x)", ["dx"], _act_cases, _ref_relu),
    _spec("sigmoid_backward", "fn(dout, x)", ["dx"], lambda r: _act_cases(r, large=True),
          _ref_sigmoid),
    _spec("dropout_backward", "fn(dout, mask, p=p)", ["dx"], _dropout_cases, _ref_dropout),
    _spec("linear_forward", "fn(x, w, b)", ["out"], lambda r: _linear_cases(r, False),
          _ref_linear_forward),
    _spec("linear_backward", "fn(dout, x, w)", ["dx", "dw", "db"],
          lambda r: _linear_cases(r, True), _ref_linear_backward, sizes=_sizes_linear),
    _spec("conv2d_forward", "fn(x, w, b, stride=s, padding=p)", ["out"],
          lambda r: _conv_cases(r, False), _ref_conv_forward, sizes=_sizes_conv),
    _spec("conv2d_backward", "fn(dout, x, w, stride=s, padding=p)", ["dx", "dw", "db"],
          lambda r: _conv_cases(r, True), _ref_conv_backward, sizes=_sizes_conv),
    _spec("max_pool2d_forward", "fn(x, kernel_size=k, stride=s)", ["out"],
          lambda r: _pool_cases(r, False, ties=True), _ref_max_forward, sizes=_sizes_pool),
    _spec("max_pool2d_backward", "fn(dout, x, kernel_size=k, stride=s)", ["dx"],
          lambda r: _pool_cases(r, True, ties=True), _ref_max_backward, sizes=_sizes_pool),
    _spec("avg_pool2d_backward", "fn(dout, x, kernel_size=k, stride=s)", ["dx"],
          lambda r: _pool_cases(r, True, ties=False), _ref_avg_backward, sizes=_sizes_pool),
    _spec("batch_norm2d_backward", "fn(dout, x, gamma, eps=eps)", ["dx", "dgamma", "dbeta"],
          _bn_cases, _ref_bn, sizes=_sizes_bn),
    _spec("global_avg_pool2d_backward", "fn(dout, x)", ["dx"], _gap_cases, _ref_gap_backward,
          sizes=_sizes_gap),
]}
