"""cnnbook.exercises: right answers pass (loops, vectorized, einsum), each catalogued wrong
answer fails with its hint, and nothing a student's function does makes check() raise."""
import numpy as np
import pytest

from cnnbook.exercises import CALLS, NAMES, CheckResult, check
from cnnbook.exercises.cases import SPECS
from cnnbook.exercises.mistakes import MISTAKES


def run(name, fn, **kwargs):
    result = check(name, fn, quiet=True, **kwargs)
    assert isinstance(result, CheckResult)
    return result


# ------------------------------------------------------------------ student-style answers
# Written the way a reader would, with switches that introduce the usual mistakes.

def relu_bwd(dout, x):
    return dout * (x > 0)


def sigmoid_bwd(dout, x):
    e = np.exp(-np.abs(x))  # never overflows
    s = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
    return dout * s * (1 - s)


def mse(pred, target, *, total=False, half=False):
    diff = pred - target
    m = 1 if total else diff.size
    loss = np.sum(diff ** 2) / m
    grad = 2 * diff / m
    if half:
        loss, grad = loss / 2, grad / 2
    return float(loss), grad


def sce(logits, labels, *, stable=True, per_sample=False, no_n=False):
    z = logits - logits.max(axis=1, keepdims=True) if stable else logits
    e = np.exp(z)
    p = e / e.sum(axis=1, keepdims=True)
    n = len(labels)
    losses = -np.log(p[np.arange(n), labels])
    grad = p.copy()
    grad[np.arange(n), labels] -= 1
    return (losses if per_sample else float(losses.mean())), (grad if no_n else grad / n)


def sgd(param, grad, velocity, lr, momentum, *, ignore=False, inplace=False):
    v = grad if ignore else momentum * velocity + grad
    if inplace:
        param -= lr * v
        return param, v
    return param - lr * v, v


def linear_fwd(x, w, b):
    return x @ w.T + b


def linear_fwd_einsum(x, w, b):
    return np.einsum("nd,md->nm", x, w) + b


def linear_bwd(dout, x, w, *, dw_t=False, db_axis=0, mean=False):
    dx = dout @ w
    dw = x.T @ dout if dw_t else dout.T @ x
    db = dout.sum(axis=db_axis)
    if mean:
        dw, db = dw / len(x), db / len(x)
    return dx, dw, db


def conv_fwd_loops(x, w, b, stride=1, padding=0, *, flip=False):
    N, C, H, W = x.shape
    F, _, k, _ = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    Ho, Wo = (H + 2 * padding - k) // stride + 1, (W + 2 * padding - k) // stride + 1
    wk = w[..., ::-1, ::-1] if flip else w
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    win = xp[n, :, i * stride:i * stride + k, j * stride:j * stride + k]
                    out[n, f, i, j] = np.sum(win * wk[f]) + b[f]
    return out


def conv_fwd_einsum(x, w, b, stride=1, padding=0):
    k = w.shape[2]
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    win = np.lib.stride_tricks.sliding_window_view(xp, (k, k), axis=(2, 3))
    win = win[:, :, ::stride, ::stride]                       # N, C, Ho, Wo, k, k
    return np.einsum("nchwpq,fcpq->nfhw", win, w) + b.reshape(1, -1, 1, 1)


def conv_bwd_loops(dout, x, w, stride=1, padding=0, *, flip=False, one_sample=False,
                   ignore_stride=False, no_crop=False, mean=False, db_axes=(0, 2, 3),
                   dw_t=False):
    N, C, H, W = x.shape
    F, _, k, _ = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    wk = w[..., ::-1, ::-1] if flip else w
    s = 1 if ignore_stride else stride
    for n in range(1 if one_sample else N):
        for f in range(F):
            for i in range(dout.shape[2]):
                for j in range(dout.shape[3]):
                    rows, cols = slice(i * s, i * s + k), slice(j * s, j * s + k)
                    dw[f] += dout[n, f, i, j] * xp[n, :, rows, cols]
    for n in range(N):
        for f in range(F):
            for i in range(dout.shape[2]):
                for j in range(dout.shape[3]):
                    rows, cols = slice(i * s, i * s + k), slice(j * s, j * s + k)
                    dxp[n, :, rows, cols] += dout[n, f, i, j] * wk[f]
    dx = dxp if no_crop else dxp[:, :, padding:padding + H, padding:padding + W]
    db = dout.sum(axis=db_axes)
    if mean:
        dw, db = dw / N, db / N
    if dw_t:
        dw = dw.transpose(1, 0, 2, 3)
    return dx, dw, db


def conv_bwd_vectorized(dout, x, w, stride=1, padding=0):
    """dw by einsum over sliding windows; dx by scattering one kernel tap at a time."""
    k = w.shape[2]
    H, W = x.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    Ho, Wo = dout.shape[2:]
    win = np.lib.stride_tricks.sliding_window_view(xp, (k, k), axis=(2, 3))
    win = win[:, :, ::stride, ::stride]
    dw = np.einsum("nchwpq,nfhw->fcpq", win[:, :, :Ho, :Wo], dout)
    dxp = np.zeros_like(xp)
    for p in range(k):
        for q in range(k):
            dxp[:, :, p:p + stride * Ho:stride, q:q + stride * Wo:stride] += \
                np.einsum("nfhw,fc->nchw", dout, w[:, :, p, q])
    return dxp[:, :, padding:padding + H, padding:padding + W], dw, dout.sum(axis=(0, 2, 3))


def max_fwd(x, kernel_size, stride):
    N, C, H, W = x.shape
    Ho, Wo = (H - kernel_size) // stride + 1, (W - kernel_size) // stride + 1
    out = np.empty((N, C, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            win = x[:, :, i * stride:i * stride + kernel_size, j * stride:j * stride + kernel_size]
            out[:, :, i, j] = win.max(axis=(2, 3))
    return out


def max_bwd(dout, x, kernel_size, stride, *, all_ties=False, assign=False, ignore_stride=False):
    k, s = kernel_size, (1 if ignore_stride else stride)
    dx = np.zeros_like(x)
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):
            for i in range(dout.shape[2]):
                for j in range(dout.shape[3]):
                    win = x[n, c, i * s:i * s + k, j * s:j * s + k]
                    if all_ties:
                        mask = win == win.max()
                    else:
                        mask = np.zeros(win.shape, bool)
                        mask[np.unravel_index(np.argmax(win), win.shape)] = True
                    if assign:
                        dx[n, c, i * s:i * s + k, j * s:j * s + k] = mask * dout[n, c, i, j]
                    else:
                        dx[n, c, i * s:i * s + k, j * s:j * s + k] += mask * dout[n, c, i, j]
    return dx


def max_bwd_vectorized(dout, x, kernel_size, stride):
    k = kernel_size
    Ho, Wo = dout.shape[2:]
    win = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::stride, ::stride]
    win = win[:, :, :Ho, :Wo].reshape(*win.shape[:2], Ho, Wo, k * k)
    first = win.argmax(axis=-1)                                 # first maximum, row-major
    dx = np.zeros_like(x)
    n, c, i, j = np.indices(first.shape)
    rows, cols = i * stride + first // k, j * stride + first % k
    np.add.at(dx, (n, c, rows, cols), dout)
    return dx


def avg_bwd(dout, x, kernel_size, stride, *, divide=True, assign=False):
    k = kernel_size
    dx = np.zeros_like(x)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            g = dout[:, :, i, j][:, :, None, None] / (k * k if divide else 1)
            if assign:
                dx[:, :, i * stride:i * stride + k, j * stride:j * stride + k] = g
            else:
                dx[:, :, i * stride:i * stride + k, j * stride:j * stride + k] += g
    return dx


def gap_bwd(dout, x, *, divide=True):
    h, w = x.shape[2:]
    return np.broadcast_to(dout / (h * w if divide else 1), x.shape).copy()


def bn_bwd(dout, x, gamma, eps, *, constant_stats=False, unbiased=False):
    axes = (0, 2, 3)
    m = x.size // x.shape[1]
    mu = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True, ddof=1 if unbiased else 0)
    std = np.sqrt(var + eps)
    xh = (x - mu) / std
    g = gamma.reshape(1, -1, 1, 1)
    dxh = dout * g
    if constant_stats:
        dx = dxh / std
    else:
        dvar = np.sum(dxh * (x - mu), axis=axes, keepdims=True) * -0.5 * std ** -3
        dmu = -np.sum(dxh / std, axis=axes, keepdims=True)
        denom = m - 1 if unbiased else m
        dx = dxh / std + dvar * 2 * (x - mu) / denom + dmu / m
    return dx, np.sum(dout * xh, axis=axes), dout.sum(axis=axes)


# ------------------------------------------------------------------ right answers pass

CORRECT = [
    ("relu_backward", relu_bwd),
    ("relu_backward", lambda dout, x: np.where(x >= 0, dout, 0.0)),  # x is never exactly 0
    ("sigmoid_backward", sigmoid_bwd),
    ("mse", mse),
    ("softmax_cross_entropy", sce),
    ("sgd_momentum_step", sgd),
    ("adam_step", lambda param, grad, m, v, t, lr, beta1, beta2, eps: (
        param - lr * (beta1 * m + (1 - beta1) * grad) / (1 - beta1 ** t)
        / (np.sqrt((beta2 * v + (1 - beta2) * grad ** 2) / (1 - beta2 ** t)) + eps),
        beta1 * m + (1 - beta1) * grad, beta2 * v + (1 - beta2) * grad ** 2)),
    ("dropout_backward", lambda dout, mask, p: dout * mask / (1 - p)),
    ("linear_forward", linear_fwd),
    ("linear_forward", linear_fwd_einsum),
    ("linear_backward", linear_bwd),
    ("linear_backward", lambda dout, x, w: (np.einsum("nm,md->nd", dout, w),
                                            np.einsum("nm,nd->md", dout, x), dout.sum(0))),
    ("conv2d_forward", conv_fwd_loops),
    ("conv2d_forward", conv_fwd_einsum),
    ("conv2d_backward", conv_bwd_loops),
    ("conv2d_backward", conv_bwd_vectorized),
    ("max_pool2d_forward", max_fwd),
    ("max_pool2d_backward", max_bwd),
    ("max_pool2d_backward", max_bwd_vectorized),
    ("avg_pool2d_backward", avg_bwd),
    ("batch_norm2d_backward", bn_bwd),
    ("global_avg_pool2d_backward", gap_bwd),
    ("global_avg_pool2d_backward",
     lambda dout, x: np.ones_like(x) * dout / (x.shape[2] * x.shape[3])),
]


@pytest.mark.parametrize("name, fn", CORRECT, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CORRECT)])
def test_correct_answers_pass(name, fn):
    result = run(name, fn)
    assert result.passed, result.message
    assert "all" in result.message and "pass" in result.message


def test_every_name_is_checkable_and_covered():
    assert set(NAMES) == set(SPECS) == set(MISTAKES) == set(CALLS)
    assert {n for n, _ in CORRECT} == set(NAMES)


# ------------------------------------------------------------------ wrong answers fail

def _w(fn, **flags):
    return lambda *a, **k: fn(*a, **k, **flags)


WRONG = [  # (name, fn, the catalogued mistake's key, or a text the report must contain)
    ("relu_backward", lambda dout, x: dout * (dout > 0), "relu-mask-from-dout"),
    ("relu_backward", lambda dout, x: (x > 0).astype(float), "relu-no-dout"),
    ("relu_backward", lambda dout, x: dout * np.maximum(x, 0), "relu-times-output"),
    ("sigmoid_backward", lambda dout, x: dout * x * (1 - x), "sigmoid-input-as-output"),
    ("sigmoid_backward", lambda dout, x: dout / (1 + np.exp(-x)), "sigmoid-no-one-minus"),
    ("sigmoid_backward", lambda dout, x: dout * np.exp(x) / (1 + np.exp(x)) ** 2, "overflows"),
    ("mse", _w(mse, total=True), "mse-sum"),
    ("mse", _w(mse, half=True), "mse-half"),
    ("mse", lambda p, t: (float(np.mean((p - t) ** 2)), (p - t) / p.size), "mse-grad-no-2"),
    ("mse", lambda p, t: ((p - t) ** 2, 2 * (p - t) / p.size), "must be a single number"),
    ("softmax_cross_entropy", _w(sce, stable=False), "subtract each row's maximum"),
    ("softmax_cross_entropy", _w(sce, no_n=True), "sce-no-mean"),
    ("softmax_cross_entropy", _w(sce, per_sample=True), "must be a single number"),
    ("sgd_momentum_step", _w(sgd, ignore=True), "sgd-no-momentum"),
    ("sgd_momentum_step", _w(sgd, inplace=True), "changed its input `param` in place"),
    ("sgd_momentum_step", lambda p, g, v, lr, momentum: (p + momentum * v - lr * g,
                                                         momentum * v - lr * g), "sgd-cs231n"),
    ("linear_forward", lambda x, w, b: x @ w.T, "linear-no-bias"),
    ("linear_forward", lambda x, w, b: x @ w + b, "x @ w.T"),
    ("linear_backward", _w(linear_bwd, dw_t=True), "linear-dw-transposed"),
    ("linear_backward", _w(linear_bwd, db_axis=1), "linear-db-axis"),
    ("linear_backward", _w(linear_bwd, mean=True), "linear-mean"),
    ("conv2d_forward", _w(conv_fwd_loops, flip=True), "conv-flipped"),
    ("conv2d_backward", _w(conv_bwd_loops, flip=True), "conv-dx-flipped"),
    ("conv2d_backward", _w(conv_bwd_loops, one_sample=True), "conv-dw-one-sample"),
    ("conv2d_backward", _w(conv_bwd_loops, ignore_stride=True), "conv-stride-ignored"),
    ("conv2d_backward", _w(conv_bwd_loops, no_crop=True), "conv-dx-uncropped"),
    ("conv2d_backward", _w(conv_bwd_loops, mean=True), "conv-mean"),
    ("conv2d_backward", _w(conv_bwd_loops, db_axes=(1, 2, 3)), "conv-db-axis-n"),
    ("conv2d_backward", _w(conv_bwd_loops, dw_t=True), "conv-dw-transposed"),
    ("max_pool2d_forward", lambda x, kernel_size, stride: max_fwd(x, kernel_size, kernel_size),
     "overlapping windows"),
    ("max_pool2d_backward", _w(max_bwd, all_ties=True), "maxpool-all-ties"),
    ("max_pool2d_backward", _w(max_bwd, assign=True), "maxpool-assign-window"),
    ("max_pool2d_backward", _w(max_bwd, ignore_stride=True), "maxpool-stride-ignored"),
    ("avg_pool2d_backward", _w(avg_bwd, divide=False), "avgpool-no-division"),
    ("avg_pool2d_backward", _w(avg_bwd, assign=True), "avgpool-assign"),
    ("batch_norm2d_backward", _w(bn_bwd, constant_stats=True), "bn-constant-stats"),
    ("batch_norm2d_backward", _w(bn_bwd, unbiased=True), "bn-unbiased"),
    ("global_avg_pool2d_backward", _w(gap_bwd, divide=False), "gap-no-division"),
]


@pytest.mark.parametrize("name, fn, hint", WRONG, ids=[f"{n}-{h[:20]}" for n, _, h in WRONG])
def test_wrong_answers_fail_with_a_hint(name, fn, hint):
    result = run(name, fn)
    assert not result.passed
    if hint in {m.key for ms in MISTAKES.values() for m in ms}:
        assert result.mistake == hint, result.message
    else:
        assert hint in result.message, result.message
    assert "FAILED case" in result.message and "call: fn(" in result.message


def test_every_mistake_can_be_formed_on_every_case():
    for name, mistakes in MISTAKES.items():
        spec = SPECS[name]
        for case in spec.cases():
            ref = spec.reference(case)
            for mistake in mistakes:
                wrong = mistake.compute(case, ref)  # must not raise
                for variant in wrong if isinstance(wrong, list) else [wrong]:
                    assert variant is None or set(variant) <= set(spec.outputs), mistake.key


def test_the_catalogue_is_large_and_each_mistake_is_diagnosed():
    """A function returning exactly a catalogued mistake gets that mistake's own hint."""
    total = 0
    for name, mistakes in MISTAKES.items():
        spec = SPECS[name]
        cases = spec.cases()
        refs = [spec.reference(c) for c in cases]
        for mistake in mistakes:
            seen = [False]

            def fn(*args, _m=mistake, **kwargs):
                for c, r in zip(cases, refs):
                    if all(np.array_equal(a, b) for a, b in zip(args, c.args.values())):
                        wrong = _m.compute(c, r) or {}
                        wrong = wrong[0] if isinstance(wrong, list) else wrong
                        seen[0] = seen[0] or bool(wrong)
                        out = tuple(wrong.get(k, r[k]) for k in spec.outputs)
                        return out if len(out) > 1 else out[0]
                raise AssertionError("unknown case")

            result = run(name, fn)
            assert seen[0], f"{mistake.key} never differs from the right answer"
            assert not result.passed, mistake.key
            assert mistake.hint in result.message, (mistake.key, result.message)
            total += 1
    assert total >= 25


def test_generic_hints_from_the_error_pattern():
    msg = run("avg_pool2d_backward", lambda d, x, kernel_size, stride:
              3 * avg_bwd(d, x, kernel_size, stride)).message
    assert "off by a constant factor 3" in msg
    msg = run("conv2d_forward", lambda x, w, b, stride, padding:
              conv_fwd_einsum(x, w, b, stride, padding) + 0.01 * (stride > 1)).message
    assert "passes every case without stride > 1 and fails every case with it" in msg
    msg = run("conv2d_forward", lambda x, w, b, stride, padding:
              conv_fwd_einsum(x, w, b, stride, padding)[:, :, :-1]).message
    assert "(size + 2*padding - kernel_size) // stride + 1" in msg


# ------------------------------------------------------------------ never raises

def _raises_type_error(*a, **k):
    raise TypeError("unsupported operand")


def _nan(dout, x):
    return np.full_like(x, np.nan)


def _mutates_x(dout, x):
    x *= 2
    return dout * (x > 0)


@pytest.mark.parametrize("name, fn, text", [
    ("relu_backward", _raises_type_error, "raised TypeError"),
    ("relu_backward", lambda d, x: None, "dx is None"),
    ("relu_backward", _nan, "NaN/inf"),
    ("relu_backward", _mutates_x, "changed its input `x` in place"),
    ("relu_backward", lambda d, x: (d > 0).astype(int), "an integer type"),
    ("relu_backward", lambda d, x: (d * (x > 0)).tolist(), "must be a numpy array"),
    ("relu_backward", lambda d, x: (d * (x > 0), x), "returned a tuple of 2"),
    ("relu_backward", lambda d, x: d[:1] * (x[:1] > 0), "has shape"),
    ("relu_backward", lambda d, x: "dx", "must be a numpy array"),
    ("linear_backward", lambda d, x, w: (d @ w, d.T @ x), "returned a tuple of 2; expected 3"),
    ("linear_backward", lambda d, x, w: d @ w, "expected a tuple of 3"),
    ("mse", lambda p, t: (np.nan, 2 * (p - t) / p.size), "NaN"),
    ("mse", lambda p, t: ("loss", 2 * (p - t) / p.size), "must be a"),
    ("softmax_cross_entropy", lambda z, y: (None, None), "loss is None"),
    ("conv2d_backward", lambda *a, **k: 1 / 0, "ZeroDivisionError"),
    ("conv2d_backward", lambda d, x, w: None, "must accept the keywords `stride` and `padding`"),
    ("max_pool2d_backward", lambda d, x, kernel_size, stride: x[10**6], "IndexError"),
    ("sgd_momentum_step", lambda *a, **k: [], "returned a tuple of 0"),
])
def test_check_never_raises(name, fn, text):
    result = run(name, fn)
    assert not result.passed
    assert text in result.message, result.message


def test_not_written_yet_is_reported_calmly():
    def conv2d_backward(dout, x, w, stride=1, padding=0):
        raise NotImplementedError

    result = run("conv2d_backward", conv2d_backward)
    assert not result.passed
    assert result.message.startswith("conv2d_backward: not written yet")
    assert "FAILED" not in result.message and "Error" not in result.message.replace(
        "NotImplementedError", "")


def test_check_prints_and_is_deterministic(capsys):
    first = check("max_pool2d_backward", _w(max_bwd, all_ties=True))
    printed = capsys.readouterr().out
    assert printed.strip() == first.message
    assert check("max_pool2d_backward", _w(max_bwd, all_ties=True), quiet=True) == first
    assert bool(first) is False


def test_misuse_of_check_itself_is_answered_not_raised():
    result = run("conv2d_backwards", relu_bwd)
    assert not result.passed and "Did you mean conv2d_backward?" in result.message
    result = run("relu_backward", 3)
    assert not result.passed and "you passed int" in result.message
    result = run("relu_backward", np.zeros((2, 3)))
    assert "a numpy array of shape (2, 3)" in result.message and "without calling it" in result.message
    assert not run(3, relu_bwd).passed
    assert "hint must be one of" in run("relu_backward", relu_bwd, hint="lines").message


def test_cases_cover_the_hard_features():
    tags = {t for s in SPECS.values() for c in s.cases() for t in c.tags}
    assert {"batch", "channels", "nonsquare", "stride", "padding", "overlap", "remainder",
            "ties", "large"} <= tags
    ties = [c for c in SPECS["max_pool2d_backward"].cases() if "ties" in c.tags]
    assert ties and all(np.sum(c.args["x"] == 0) > 10 for c in ties)
    for spec in SPECS.values():  # the first case is the easiest: no hard feature
        assert not ({"stride", "padding", "overlap", "ties", "large"} & spec.cases()[0].tags)
