"""Student attempts at the exercises of the book, written from the book's equations as a
reader would write them: correct solutions (loops and vectorized) and the mistakes students
make. ``tests/test_exercise_attempts.py`` asserts what the checker says about each;
the same table ran against the checker before issue 20 (see the issue's closing note).

Each :class:`Attempt` says which exercise it is for, whether it should pass, the catalogued
mistake it should be diagnosed as (``mistake``), words its report must contain (``says``)
and words it must not (``never``).
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

AX = (0, 2, 3)


@dataclass(frozen=True)
class Attempt:
    id: str
    name: str
    fn: object
    passes: bool = False
    mistake: str | None = None
    says: tuple = ()
    never: tuple = ()
    options: tuple = ()   # extra keyword arguments of check, as (key, value) pairs


# ------------------------------------------------------------------ mse

def mse_ok(pred, target):
    diff = pred - target
    return float(np.mean(diff ** 2)), 2 * diff / diff.size


def mse_grad_no_mean(pred, target):
    diff = pred - target
    return float(np.mean(diff ** 2)), 2 * diff


def mse_sum(pred, target):
    diff = pred - target
    return float(np.sum(diff ** 2)), 2 * diff


def mse_rows(pred, target):
    n = pred.shape[0]
    diff = pred - target
    return float(np.sum(diff ** 2) / n), 2 * diff / n


def mse_half(pred, target):
    diff = pred - target
    return float(0.5 * np.mean(diff ** 2)), diff / diff.size


def mse_no_two(pred, target):
    diff = pred - target
    return float(np.mean(diff ** 2)), diff / diff.size


def mse_sign(pred, target):
    diff = pred - target
    return float(np.mean(diff ** 2)), 2 * (target - pred) / diff.size


def mse_order(pred, target):
    diff = pred - target
    return 2 * diff / diff.size, float(np.mean(diff ** 2))


def mse_float32(pred, target):
    diff = (pred - target).astype(np.float32)
    return float(np.mean(diff ** 2)), 2 * diff / diff.size


# ------------------------------------------------------------------ softmax cross-entropy

def sce_ok(logits, labels):
    n = logits.shape[0]
    z = logits - logits.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    g = np.exp(log_p)
    g[np.arange(n), labels] -= 1
    return float(-log_p[np.arange(n), labels].mean()), g / n


def _softmax_naive(logits):
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True)


def sce_unstable(logits, labels):
    n = logits.shape[0]
    p = _softmax_naive(logits)
    g = p.copy()
    g[np.arange(n), labels] -= 1
    return float(-np.log(p[np.arange(n), labels]).mean()), g / n


def sce_no_n(logits, labels):
    loss, g = sce_ok(logits, labels)
    return loss, g * logits.shape[0]


def sce_index_swapped(logits, labels):
    n = logits.shape[0]
    p = _softmax_naive(logits - logits.max(axis=1, keepdims=True))
    loss = -np.log(p[labels, np.arange(n)]).mean()
    g = p.copy()
    g[labels, np.arange(n)] -= 1
    return float(loss), g / n


def sce_every_row(logits, labels):
    n = logits.shape[0]
    p = _softmax_naive(logits - logits.max(axis=1, keepdims=True))
    loss = -np.log(p[np.arange(n), labels]).mean()
    g = p.copy()
    g[:, labels] -= 1
    return float(loss), g / n


def sce_softmax_only(logits, labels):
    n = logits.shape[0]
    p = _softmax_naive(logits - logits.max(axis=1, keepdims=True))
    return float(-np.log(p[np.arange(n), labels]).mean()), p / n


def sce_mean_all(logits, labels):
    n, k = logits.shape
    p = _softmax_naive(logits - logits.max(axis=1, keepdims=True))
    g = p.copy()
    g[np.arange(n), labels] -= 1
    return float(-np.log(p[np.arange(n), labels]).mean()), g / (n * k)


# ------------------------------------------------------------------ sgd with momentum

def sgd_ok(param, grad, velocity, lr, momentum):
    v = momentum * velocity + grad
    return param - lr * v, v


def sgd_velocity_sign(param, grad, velocity, lr, momentum):
    v = momentum * velocity - grad
    return param + lr * v, v


def sgd_no_momentum(param, grad, velocity, lr, momentum):
    return param - lr * grad, grad


def sgd_cs231n(param, grad, velocity, lr, momentum):
    v = momentum * velocity - lr * grad
    return param + v, v


def sgd_old_velocity(param, grad, velocity, lr, momentum):
    new_param = param - lr * velocity
    return new_param, momentum * velocity + grad


def sgd_inplace(param, grad, velocity, lr, momentum):
    velocity *= momentum
    velocity += grad
    param -= lr * velocity
    return param, velocity


def sgd_lr_inside(param, grad, velocity, lr, momentum):
    v = momentum * velocity + lr * grad
    return param - v, v


# ------------------------------------------------------------------ adam

def adam_ok(param, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_torch_form(param, grad, m, v, t, lr, beta1, beta2, eps):
    """PyTorch's arrangement: the corrections folded into the step size and denominator."""
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    denom = np.sqrt(v) / np.sqrt(1 - beta2 ** t) + eps
    return param - lr / (1 - beta1 ** t) * m / denom, m, v


def adam_wrong(param, grad, m, v, t, lr, beta1, beta2, eps, *, correct=True, shift=0,
               eps_inside=False, v_from_g=False, order=False):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * (grad if v_from_g else grad ** 2)
    t = t + shift
    m_hat, v_hat = (m / (1 - beta1 ** t), v / (1 - beta2 ** t)) if correct else (m, v)
    denom = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
    new_param = param - lr * m_hat / denom
    return (new_param, v, m) if order else (new_param, m, v)


# ------------------------------------------------------------------ dropout

def dropout_ok(dout, mask, p):
    return dout * mask / (1 - p)


# ------------------------------------------------------------------ relu and sigmoid

def relu_ok(dout, x):
    return dout * (x > 0)


def relu_where(dout, x):
    return np.where(x > 0, dout, 0.0)


def relu_mask_dout(dout, x):
    return np.where(dout > 0, dout, 0.0)


def relu_no_dout(dout, x):
    return (x > 0).astype(float)


def relu_inverted(dout, x):
    return dout * (x <= 0)


def relu_float32(dout, x):
    return (dout * (x > 0)).astype(np.float32)


def sigmoid_ok(dout, x):
    e = np.exp(-np.abs(x))
    s = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
    return dout * s * (1 - s)


def sigmoid_x_as_s(dout, x):
    return dout * x * (1 - x)


def sigmoid_exp_form(dout, x):
    return dout * np.exp(x) / (1 + np.exp(x)) ** 2


def sigmoid_no_one_minus(dout, x):
    return dout / (1 + np.exp(-x))


# ------------------------------------------------------------------ dense layer

def linear_f_ok(x, w, b):
    return x @ w.T + b


def linear_f_no_bias(x, w, b):
    return x @ w.T


def linear_f_xw(x, w, b):
    return x @ w + b


def linear_f_wx(x, w, b):
    return w @ x.T + b


def linear_b_ok(dout, x, w):
    return dout @ w, dout.T @ x, dout.sum(axis=0)


def linear_b_einsum(dout, x, w):
    return np.einsum("nm,md->nd", dout, w), np.einsum("nm,nd->md", dout, x), dout.sum(0)


def linear_b_dw_t(dout, x, w):
    return dout @ w, x.T @ dout, dout.sum(axis=0)


def linear_b_db_axis(dout, x, w):
    return dout @ w, dout.T @ x, dout.sum(axis=1)


def linear_b_mean(dout, x, w):
    n = x.shape[0]
    return dout @ w, dout.T @ x / n, dout.sum(axis=0) / n


def linear_b_dx_wt(dout, x, w):
    return dout @ w.T, dout.T @ x, dout.sum(axis=0)


def linear_b_order(dout, x, w):
    return dout.T @ x, dout @ w, dout.sum(axis=0)


# ------------------------------------------------------------------ convolution

def _pad(x, p):
    return np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))


def conv_f_ok(x, w, b, stride=1, padding=0, *, step=None):
    N, C, H, W = x.shape
    F, _, k, _ = w.shape
    s = stride if step is None else step     # step=1: the stride misapplied
    xp = _pad(x, padding)
    OH, OW = (H + 2 * padding - k) // stride + 1, (W + 2 * padding - k) // stride + 1
    out = np.zeros((N, F, OH, OW))
    for i in range(OH):
        for j in range(OW):
            win = xp[:, :, i * s:i * s + k, j * s:j * s + k]
            out[:, :, i, j] = np.tensordot(win, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out


def conv_f_sliding(x, w, b, stride=1, padding=0):
    k = w.shape[2]
    win = np.lib.stride_tricks.sliding_window_view(_pad(x, padding), (k, k), axis=(2, 3))
    return np.einsum("nchwpq,fcpq->nfhw", win[:, :, ::stride, ::stride], w) \
        + b.reshape(1, -1, 1, 1)


def conv_f_flipped(x, w, b, stride=1, padding=0):
    return conv_f_ok(x, w[:, :, ::-1, ::-1], b, stride, padding)


def conv_f_no_bias(x, w, b, stride=1, padding=0):
    return conv_f_ok(x, w, np.zeros_like(b), stride, padding)


def conv_f_no_stride(x, w, b, stride=1, padding=0):
    return conv_f_ok(x, w, b, stride, padding, step=1)


def conv_f_no_padding(x, w, b, stride=1, padding=0):
    return conv_f_ok(x, w, b, stride, 0)       # padding never used


def conv_f_bias_not_reshaped(x, w, b, stride=1, padding=0):
    return conv_f_ok(x, w, np.zeros_like(b), stride, padding) + b[:, None]


def conv_f_unpadded_windows(x, w, b, stride=1, padding=0):
    xp = np.pad(x, ((0, 0), (0, 0), (0, 2 * padding), (0, 2 * padding)))   # padded on one side
    return conv_f_ok(xp, w, b, stride, 0)


def conv_f_float_size(x, w, b, stride=1, padding=0):
    N, C, H, W = x.shape
    F, _, k, _ = w.shape
    OH, OW = (H + 2 * padding - k) / stride + 1, (W + 2 * padding - k) / stride + 1
    out = np.zeros((N, F, OH, OW))
    return out


def conv_b_loops(dout, x, w, stride=1, padding=0, *, assign=None, crop=True, one_sample=False,
                 step=None, flip=False, db_axes=AX):
    N, C, H, W = x.shape
    F, _, k, _ = w.shape
    s = stride if step is None else step
    xp = _pad(x, padding)
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    wk = w[:, :, ::-1, ::-1] if flip else w
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            rows, cols = slice(i * s, i * s + k), slice(j * s, j * s + k)
            g = dout[:, :, i, j]
            gx = xp[:1] if one_sample else xp
            dw += np.tensordot(g[:len(gx)], gx[:, :, rows, cols], axes=([0], [0]))
            if assign == "window":
                dxp[:, :, rows, cols] = np.tensordot(g, wk, axes=([1], [0]))
            elif assign == "nf":
                for n in range(N):
                    for f in range(F):
                        dxp[n, :, rows, cols] = g[n, f] * wk[f]
            else:
                dxp[:, :, rows, cols] += np.tensordot(g, wk, axes=([1], [0]))
    dx = dxp[:, :, padding:padding + H, padding:padding + W] if crop else dxp
    return dx, dw, dout.sum(axis=db_axes)


def conv_b_ok(dout, x, w, stride=1, padding=0):
    return conv_b_loops(dout, x, w, stride, padding)


def conv_b_vectorized(dout, x, w, stride=1, padding=0):
    k = w.shape[2]
    H, W = x.shape[2:]
    xp = _pad(x, padding)
    OH, OW = dout.shape[2:]
    win = np.lib.stride_tricks.sliding_window_view(xp, (k, k), axis=(2, 3))
    dw = np.einsum("nchwpq,nfhw->fcpq", win[:, :, ::stride, ::stride][:, :, :OH, :OW], dout)
    dxp = np.zeros_like(xp)
    for p in range(k):
        for q in range(k):
            dxp[:, :, p:p + stride * OH:stride, q:q + stride * OW:stride] += \
                np.einsum("nfhw,fc->nchw", dout, w[:, :, p, q])
    return dxp[:, :, padding:padding + H, padding:padding + W], dw, dout.sum(axis=AX)


def conv_b_slow(dout, x, w, stride=1, padding=0):
    time.sleep(2)    # a student's loop over every entry, far too slow
    return conv_b_ok(dout, x, w, stride, padding)


# ------------------------------------------------------------------ pooling

def _pool_size(x, k, s):
    return (x.shape[2] - k) // s + 1, (x.shape[3] - k) // s + 1


def _maxf_loop(x, k, s, reduce=np.max, size=None):
    OH, OW = _pool_size(x, k, s) if size is None else size
    out = np.zeros(x.shape[:2] + (OH, OW))
    for i in range(OH):
        for j in range(OW):
            out[:, :, i, j] = reduce(x[:, :, i * s:i * s + k, j * s:j * s + k], axis=(2, 3))
    return out


def maxf_ok(x, kernel_size, stride):
    return _maxf_loop(x, kernel_size, stride)


def _maxf_axes(x, kernel_size, stride, axes):
    k, s = kernel_size, stride
    OH, OW = _pool_size(x, k, s)
    out = np.zeros(x.shape[:2] + (OH, OW))
    for i in range(OH):
        for j in range(OW):
            win = x[:, :, i * s:i * s + k, j * s:j * s + k]
            out[:, :, i, j] = win.max(axis=axes, keepdims=True).reshape(
                [1 if a in axes else n for a, n in enumerate(win.shape)][:2])
    return out


def maxf_over_channels(x, kernel_size, stride):
    return _maxf_axes(x, kernel_size, stride, (1, 2, 3))


def maxf_over_batch(x, kernel_size, stride):
    return _maxf_axes(x, kernel_size, stride, (0, 2, 3))


def maxf_stride_misapplied(x, kernel_size, stride):
    k = kernel_size
    OH, OW = _pool_size(x, k, stride)
    out = np.full(x.shape[:2] + (OH, OW), -np.inf)
    for p in range(k):
        for q in range(k):
            out = np.maximum(out, x[:, :, p:p + OH, q:q + OW])
    return out


def maxf_avg(x, kernel_size, stride):
    return _maxf_loop(x, kernel_size, stride, reduce=np.mean)


def maxf_size_by_kernel(x, kernel_size, stride):
    k = kernel_size
    return _maxf_loop(x, k, stride, size=(x.shape[2] // k, x.shape[3] // k))


def maxb_loops(dout, x, kernel_size, stride, *, ties="first", assign=False, place=None,
               step=None):
    k = kernel_size
    s = stride if step is None else step
    dx = np.zeros_like(x)
    N, C, OH, OW = dout.shape
    for n in range(N):
        for c in range(C):
            for i in range(OH):
                for j in range(OW):
                    win = x[n, c, i * s:i * s + k, j * s:j * s + k]
                    r0, c0 = (i * s, j * s) if place is None else (i * place, j * place)
                    if ties == "all":
                        mask = win == win.max()
                        dx[n, c, r0:r0 + k, c0:c0 + k] += mask * dout[n, c, i, j]
                        continue
                    p, q = np.unravel_index(np.argmax(win), win.shape)
                    if assign:
                        dx[n, c, r0 + p, c0 + q] = dout[n, c, i, j]
                    else:
                        dx[n, c, r0 + p, c0 + q] += dout[n, c, i, j]
    return dx


def maxb_ok(dout, x, kernel_size, stride):
    return maxb_loops(dout, x, kernel_size, stride)


def maxb_vectorized(dout, x, kernel_size, stride):
    k = kernel_size
    OH, OW = dout.shape[2:]
    win = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::stride, ::stride]
    win = win[:, :, :OH, :OW].reshape(*win.shape[:2], OH, OW, k * k)
    first = win.argmax(axis=-1)
    dx = np.zeros_like(x)
    n, c, i, j = np.indices(first.shape)
    np.add.at(dx, (n, c, i * stride + first // k, j * stride + first % k), dout)
    return dx


def maxb_positional(dout, x, k, s):
    return maxb_loops(dout, x, k, s)


def maxb_like_avg(dout, x, kernel_size, stride):
    return avgb_ok(dout, x, kernel_size, stride)


def avgb_loops(dout, x, kernel_size, stride, *, div=None, assign=False):
    k, s = kernel_size, stride
    div = k * k if div is None else div
    dx = np.zeros_like(x)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            share = dout[:, :, i, j, None, None] / div
            if assign:
                dx[:, :, i * s:i * s + k, j * s:j * s + k] = share
            else:
                dx[:, :, i * s:i * s + k, j * s:j * s + k] += share
    return dx


def avgb_ok(dout, x, kernel_size, stride):
    return avgb_loops(dout, x, kernel_size, stride)


# ------------------------------------------------------------------ batch norm

def bn_compact(dout, x, gamma, eps, *, axes=AX, ddof=0, gamma_in_dx=True, xs=(False, False)):
    M = x.size // x.shape[1]
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True, ddof=ddof)
    std = np.sqrt(var + eps)
    x_hat = (x - mean) / std
    dbeta = dout.sum(axis=AX)
    dgamma = (dout * x_hat).sum(axis=AX)
    dx_hat = dout * gamma.reshape(1, -1, 1, 1) if gamma_in_dx else dout
    a = x if xs[0] else x_hat
    b = x if xs[1] else x_hat
    dx = (M * dx_hat - dx_hat.sum(axis=AX, keepdims=True)
          - a * (dx_hat * b).sum(axis=AX, keepdims=True)) / (M * std)
    return dx, dgamma, dbeta


def bn_ok(dout, x, gamma, eps):
    return bn_compact(dout, x, gamma, eps)


def bn_staged(dout, x, gamma, eps, *, ddof=0, centred=True):
    """CS231n's staged form: through dvar and dmean."""
    M = x.size // x.shape[1]
    mean = x.mean(axis=AX, keepdims=True)
    var = x.var(axis=AX, keepdims=True, ddof=ddof)
    std = np.sqrt(var + eps)
    x_hat = (x - mean) / std
    dx_hat = dout * gamma.reshape(1, -1, 1, 1)
    xc = x - mean if centred else x
    dvar = np.sum(dx_hat * xc, axis=AX, keepdims=True) * -0.5 * std ** -3
    dmean = -np.sum(dx_hat / std, axis=AX, keepdims=True)
    denom = M - 1 if ddof else M
    dx = dx_hat / std + dvar * 2 * (x - mean) / denom + dmean / M
    return dx, (dout * x_hat).sum(axis=AX), dout.sum(axis=AX)


def bn_dgamma_sum_dout(dout, x, gamma, eps):
    dx, _, dbeta = bn_ok(dout, x, gamma, eps)
    return dx, dout.sum(axis=AX), dbeta


def bn_constant_stats(dout, x, gamma, eps):
    _, dgamma, dbeta = bn_ok(dout, x, gamma, eps)
    std = np.sqrt(x.var(axis=AX, keepdims=True) + eps)
    return dout * gamma.reshape(1, -1, 1, 1) / std, dgamma, dbeta


def bn_order(dout, x, gamma, eps):
    dx, dgamma, dbeta = bn_ok(dout, x, gamma, eps)
    return dx, dbeta, dgamma


def _w(fn, **flags):
    def wrapped(*args, **kwargs):
        return fn(*args, **kwargs, **flags)
    return wrapped


# ------------------------------------------------------------------ global average pooling

def gap_loops(dout, x, *, div=None, spread=True, batch_sum=False):
    """Global average pooling backward as a student writes it: ``div`` replaces H*W,
    ``spread=False`` returns the (N, C, 1, 1) share, ``batch_sum`` sums dout over N."""
    N, C, H, W = x.shape
    share = (dout.sum(axis=0, keepdims=True) if batch_sum else dout) / (H * W if div is None
                                                                      else div)
    if not spread:
        return share
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            dx[n, c] = share[0 if batch_sum else n, c, 0, 0]
    return dx


def gap_ok(dout, x):
    return gap_loops(dout, x)


def gap_broadcast(dout, x):
    return np.broadcast_to(dout / (x.shape[2] * x.shape[3]), x.shape).copy()


def gap_one_position(dout, x):
    dx = np.zeros_like(x)
    dx[:, :, 0, 0] = dout[:, :, 0, 0]
    return dx


# ------------------------------------------------------------------ the table

OK = "all"
ATTEMPTS = [
    # --- correct solutions: every exercise, some in two styles
    Attempt("mse-ok", "mse", mse_ok, True, says=(OK,)),
    Attempt("sce-ok", "softmax_cross_entropy", sce_ok, True, says=(OK,)),
    Attempt("sgd-ok", "sgd_momentum_step", sgd_ok, True, says=(OK,)),
    Attempt("adam-ok", "adam_step", adam_ok, True, says=(OK,)),
    Attempt("adam-torch-form", "adam_step", adam_torch_form, True, says=(OK,)),
    Attempt("dropout-ok", "dropout_backward", dropout_ok, True, says=(OK,)),
    Attempt("dropout-where", "dropout_backward",
            lambda dout, mask, p: np.where(mask == 1, dout / (1 - p), 0.0), True, says=(OK,)),
    Attempt("relu-ok", "relu_backward", relu_ok, True, says=(OK,)),
    Attempt("relu-where", "relu_backward", relu_where, True, says=(OK,)),
    Attempt("sigmoid-ok", "sigmoid_backward", sigmoid_ok, True, says=(OK,)),
    Attempt("linear-f-ok", "linear_forward", linear_f_ok, True, says=(OK,)),
    Attempt("linear-b-ok", "linear_backward", linear_b_ok, True, says=(OK,)),
    Attempt("linear-b-einsum", "linear_backward", linear_b_einsum, True, says=(OK,)),
    Attempt("conv-f-ok", "conv2d_forward", conv_f_ok, True, says=(OK,)),
    Attempt("conv-f-sliding", "conv2d_forward", conv_f_sliding, True, says=(OK,)),
    Attempt("conv-b-ok", "conv2d_backward", conv_b_ok, True, says=(OK,)),
    Attempt("conv-b-vectorized", "conv2d_backward", conv_b_vectorized, True, says=(OK,)),
    Attempt("maxf-ok", "max_pool2d_forward", maxf_ok, True, says=(OK,)),
    Attempt("maxb-ok", "max_pool2d_backward", maxb_ok, True, says=(OK,)),
    Attempt("maxb-vectorized", "max_pool2d_backward", maxb_vectorized, True, says=(OK,)),
    Attempt("avgb-ok", "avg_pool2d_backward", avgb_ok, True, says=(OK,)),
    Attempt("bn-ok", "batch_norm2d_backward", bn_ok, True, says=(OK,)),
    Attempt("bn-staged-ok", "batch_norm2d_backward", bn_staged, True, says=(OK,)),
    # --- mse
    Attempt("mse-grad-no-mean", "mse", mse_grad_no_mean, mistake="mse-grad-no-mean",
            says=("M = pred.size",), never=("shape[0]", "N = ")),
    Attempt("mse-sum", "mse", mse_sum, mistake="mse-sum", never=("shape[0]",)),
    Attempt("mse-rows", "mse", mse_rows, mistake="mse-rows", says=("pred.size",)),
    Attempt("mse-half", "mse", mse_half, mistake="mse-half"),
    Attempt("mse-no-two", "mse", mse_no_two, mistake="mse-grad-no-2"),
    Attempt("mse-sign", "mse", mse_sign, mistake="mse-sign", never=("is the sign",)),
    Attempt("mse-order", "mse", mse_order, says=("wrong order", "(dpred, loss)")),
    Attempt("mse-float32", "mse", mse_float32, says=("dtype float32", "keeps the inputs' dtype")),
    # --- softmax cross-entropy
    Attempt("sce-unstable", "softmax_cross_entropy", sce_unstable,
            says=("overflows", "maximum")),
    Attempt("sce-no-n", "softmax_cross_entropy", sce_no_n, mistake="sce-no-mean"),
    Attempt("sce-index-swapped", "softmax_cross_entropy", sce_index_swapped,
            says=("IndexError", "row index comes first"),
            never=("stride", "window", "padding", "kernel")),
    Attempt("sce-every-row", "softmax_cross_entropy", sce_every_row, mistake="sce-every-row"),
    Attempt("sce-softmax-only", "softmax_cross_entropy", sce_softmax_only,
            mistake="sce-softmax-only"),
    Attempt("sce-mean-all", "softmax_cross_entropy", sce_mean_all, mistake="sce-mean-all"),
    # --- sgd
    Attempt("sgd-velocity-sign", "sgd_momentum_step", sgd_velocity_sign,
            mistake="sgd-velocity-sign", says=("opposite sign",), never=("is the sign is",)),
    Attempt("sgd-no-momentum", "sgd_momentum_step", sgd_no_momentum, mistake="sgd-no-momentum"),
    Attempt("sgd-cs231n", "sgd_momentum_step", sgd_cs231n, mistake="sgd-cs231n"),
    Attempt("sgd-old-velocity", "sgd_momentum_step", sgd_old_velocity,
            mistake="sgd-old-velocity"),
    Attempt("sgd-inplace", "sgd_momentum_step", sgd_inplace,
            says=("changed its input `param` in place",)),
    Attempt("sgd-lr-inside", "sgd_momentum_step", sgd_lr_inside, mistake="sgd-lr-inside"),
    # --- adam
    Attempt("adam-no-bias-correction", "adam_step", _w(adam_wrong, correct=False),
            mistake="adam-no-bias-correction", says=("1 - beta1**t",)),
    Attempt("adam-t-from-zero", "adam_step", _w(adam_wrong, shift=-1),
            says=("NaN/inf", "counted from 1")),
    Attempt("adam-t-plus-one", "adam_step", _w(adam_wrong, shift=1),
            mistake="adam-t-plus-one"),
    Attempt("adam-eps-inside-sqrt", "adam_step", _w(adam_wrong, eps_inside=True),
            mistake="adam-eps-inside-sqrt", says=("eps 0.1",)),
    Attempt("adam-v-from-g", "adam_step", _w(adam_wrong, v_from_g=True),
            says=("g**2",)),
    Attempt("adam-order", "adam_step", _w(adam_wrong, order=True), says=("order",)),
    # --- dropout
    Attempt("dropout-no-scale", "dropout_backward", lambda dout, mask, p: dout * mask,
            mistake="dropout-no-scale"),
    Attempt("dropout-one-over-p", "dropout_backward", lambda dout, mask, p: dout * mask / p,
            mistake="dropout-scale-1-over-p", says=("KEEPING",)),
    Attempt("dropout-times", "dropout_backward",
            lambda dout, mask, p: dout * mask * (1 - p), mistake="dropout-scale-times"),
    Attempt("dropout-no-mask", "dropout_backward", lambda dout, mask, p: dout / (1 - p),
            mistake="dropout-no-mask"),
    Attempt("dropout-mask-inverted", "dropout_backward",
            lambda dout, mask, p: dout * (1 - mask) / (1 - p), mistake="dropout-mask-inverted"),
    # --- relu, sigmoid
    Attempt("relu-mask-dout", "relu_backward", relu_mask_dout, mistake="relu-mask-from-dout",
            never=("dx = dout * (x > 0)",)),
    Attempt("relu-no-dout", "relu_backward", relu_no_dout, mistake="relu-no-dout"),
    Attempt("relu-inverted", "relu_backward", relu_inverted, mistake="relu-inverted"),
    Attempt("relu-float32", "relu_backward", relu_float32,
            says=("dtype float32", "right to float32 precision")),
    Attempt("sigmoid-x-as-s", "sigmoid_backward", sigmoid_x_as_s,
            mistake="sigmoid-input-as-output"),
    Attempt("sigmoid-exp-form", "sigmoid_backward", sigmoid_exp_form, says=("overflows",)),
    Attempt("sigmoid-no-one-minus", "sigmoid_backward", sigmoid_no_one_minus,
            mistake="sigmoid-no-one-minus"),
    # --- dense layer
    Attempt("linear-f-no-bias", "linear_forward", linear_f_no_bias, mistake="linear-no-bias"),
    Attempt("linear-f-xw", "linear_forward", linear_f_xw, says=("ValueError", "pair x's D axis"),
            never=("NCHW", "per-channel", "window")),
    Attempt("linear-f-wx", "linear_forward", linear_f_wx, says=("ValueError", "(N, M)"),
            never=("NCHW", "per-channel", "reshape(1, -1, 1, 1)")),
    Attempt("linear-b-dw-t", "linear_backward", linear_b_dw_t, mistake="linear-dw-transposed"),
    Attempt("linear-b-db-axis", "linear_backward", linear_b_db_axis, mistake="linear-db-axis"),
    Attempt("linear-b-mean", "linear_backward", linear_b_mean, mistake="linear-mean"),
    Attempt("linear-b-dx-wt", "linear_backward", linear_b_dx_wt,
            says=("ValueError", "dx (N, D)"), never=("x @ w.T", "goes through", "NCHW")),
    Attempt("linear-b-order", "linear_backward", linear_b_order,
            says=("wrong order", "(dw, dx, db)")),
    # --- convolution
    Attempt("conv-f-flipped", "conv2d_forward", conv_f_flipped, mistake="conv-flipped"),
    Attempt("conv-f-no-bias", "conv2d_forward", conv_f_no_bias, mistake="conv-no-bias"),
    Attempt("conv-f-no-stride", "conv2d_forward", conv_f_no_stride, mistake="conv-no-stride"),
    Attempt("conv-f-no-padding", "conv2d_forward", conv_f_no_padding, mistake="conv-no-padding"),
    Attempt("conv-f-bias-not-reshaped", "conv2d_forward", conv_f_bias_not_reshaped,
            says=("ValueError", "reshaped to (1, F, 1, 1)", "without F > 1 filters")),
    Attempt("conv-f-one-sided-padding", "conv2d_forward", conv_f_unpadded_windows,
            says=("without padding > 0",)),
    Attempt("conv-f-float-size", "conv2d_forward", conv_f_float_size,
            says=("TypeError", "floor division")),
    Attempt("conv-b-dx-assign", "conv2d_backward", _w(conv_b_loops, assign="window"),
            mistake="conv-dx-assign", says=("overlapping",), never=("+=",)),
    Attempt("conv-b-dx-assign-nf", "conv2d_backward", _w(conv_b_loops, assign="nf"),
            mistake="conv-dx-assign"),
    Attempt("conv-b-uncropped", "conv2d_backward", _w(conv_b_loops, crop=False),
            mistake="conv-dx-uncropped"),
    Attempt("conv-b-one-sample", "conv2d_backward", _w(conv_b_loops, one_sample=True),
            mistake="conv-dw-one-sample"),
    Attempt("conv-b-stride-ignored", "conv2d_backward", _w(conv_b_loops, step=1),
            mistake="conv-stride-ignored"),
    Attempt("conv-b-db-axis", "conv2d_backward", _w(conv_b_loops, db_axes=(1, 2, 3)),
            mistake="conv-db-axis-n"),
    Attempt("conv-b-flipped", "conv2d_backward", _w(conv_b_loops, flip=True),
            mistake="conv-dx-flipped"),
    Attempt("conv-b-slow", "conv2d_backward", conv_b_slow,
            says=("did not finish within 0.5 s", "vectorise", "case 1 of"),
            options=(("time_limit", 0.5),)),
    # --- pooling
    Attempt("maxf-over-channels", "max_pool2d_forward", maxf_over_channels,
            says=("C > 1 channels",), never=("N > 1",)),
    Attempt("maxf-over-batch", "max_pool2d_forward", maxf_over_batch,
            says=("N > 1",), never=("C > 1",)),
    Attempt("maxf-stride-misapplied", "max_pool2d_forward", maxf_stride_misapplied,
            mistake="maxpool-fwd-stride-misapplied", says=("i*stride",)),
    Attempt("maxf-avg", "max_pool2d_forward", maxf_avg, mistake="maxpool-avg"),
    Attempt("maxf-size-by-kernel", "max_pool2d_forward", maxf_size_by_kernel,
            says=("(size - kernel_size) // stride + 1",), never=("padding",)),
    Attempt("maxb-all-ties", "max_pool2d_backward", _w(maxb_loops, ties="all"),
            mistake="maxpool-all-ties"),
    Attempt("maxb-assign", "max_pool2d_backward", _w(maxb_loops, assign=True),
            mistake="maxpool-assign-argmax"),
    Attempt("maxb-offset-not-strided", "max_pool2d_backward", _w(maxb_loops, place=1),
            mistake="maxpool-offset-not-strided", says=("i*stride + p",)),
    Attempt("maxb-stride-ignored", "max_pool2d_backward", _w(maxb_loops, step=1),
            mistake="maxpool-stride-ignored"),
    Attempt("maxb-positional", "max_pool2d_backward", maxb_positional,
            says=("must accept the keywords `kernel_size` and `stride`", "no case was run")),
    Attempt("maxb-like-avg", "max_pool2d_backward", maxb_like_avg, mistake="maxpool-like-avg"),
    Attempt("avgb-no-div", "avg_pool2d_backward", _w(avgb_loops, div=1),
            mistake="avgpool-no-division"),
    Attempt("avgb-div-k", "avg_pool2d_backward",
            lambda dout, x, kernel_size, stride: avgb_loops(dout, x, kernel_size, stride,
                                                            div=kernel_size),
            mistake="avgpool-divide-by-k"),
    Attempt("avgb-assign", "avg_pool2d_backward", _w(avgb_loops, assign=True),
            mistake="avgpool-assign"),
    # --- batch norm
    Attempt("bn-unbiased", "batch_norm2d_backward", _w(bn_compact, ddof=1),
            mistake="bn-unbiased", says=("unbiased", "biased one"), never=("constant factor",)),
    Attempt("bn-unbiased-staged", "batch_norm2d_backward", _w(bn_staged, ddof=1),
            mistake="bn-unbiased", never=("constant factor",)),
    Attempt("bn-per-sample", "batch_norm2d_backward", _w(bn_compact, axes=(1, 2, 3)),
            mistake="bn-per-sample", says=("per channel",)),
    Attempt("bn-per-sample-channel", "batch_norm2d_backward", _w(bn_compact, axes=(2, 3)),
            mistake="bn-per-sample"),
    Attempt("bn-dgamma-sum-dout", "batch_norm2d_backward", bn_dgamma_sum_dout,
            mistake="bn-dgamma-sum-dout", says=("x_hat",)),
    Attempt("bn-x-for-xhat", "batch_norm2d_backward", _w(bn_compact, xs=(True, False)),
            mistake="bn-dx-x-for-xhat"),
    Attempt("bn-x-for-xhat-both", "batch_norm2d_backward", _w(bn_compact, xs=(True, True)),
            mistake="bn-dx-x-for-xhat"),
    Attempt("bn-x-staged", "batch_norm2d_backward", _w(bn_staged, centred=False),
            mistake="bn-dx-x-for-xhat"),
    Attempt("bn-constant-stats", "batch_norm2d_backward", bn_constant_stats,
            mistake="bn-constant-stats"),
    Attempt("bn-order", "batch_norm2d_backward", bn_order, says=("wrong order",)),
    Attempt("bn-no-gamma-in-dx", "batch_norm2d_backward", _w(bn_compact, gamma_in_dx=False),
            says=("gamma != 1",)),
    # --- global average pooling
    Attempt("gap-ok", "global_avg_pool2d_backward", gap_ok, True, says=(OK,)),
    Attempt("gap-broadcast-ok", "global_avg_pool2d_backward", gap_broadcast, True, says=(OK,)),
    Attempt("gap-no-div", "global_avg_pool2d_backward", _w(gap_loops, div=1),
            mistake="gap-no-division", says=("1/(H*W)",)),
    Attempt("gap-div-N", "global_avg_pool2d_backward",
            lambda dout, x: gap_loops(dout, x, div=x.shape[0]), mistake="gap-divide-by-N",
            says=("batch size N",)),
    Attempt("gap-div-CHW", "global_avg_pool2d_backward",
            lambda dout, x: gap_loops(dout, x, div=x[0].size), mistake="gap-divide-by-CHW",
            says=("C*H*W",)),
    Attempt("gap-not-spread", "global_avg_pool2d_backward", _w(gap_loops, spread=False),
            mistake="gap-not-spread", says=("(N, C, 1, 1)", "x's shape")),
    Attempt("gap-batch-sum", "global_avg_pool2d_backward", _w(gap_loops, batch_sum=True),
            mistake="gap-sum-over-batch", says=("summed dout over the batch",)),
    Attempt("gap-one-position", "global_avg_pool2d_backward", gap_one_position,
            mistake="gap-one-position", says=("every position gets a share",)),
    # --- using check itself wrongly
    Attempt("misspelt-name", "conv2d_backwards", conv_b_ok, says=("Did you mean conv2d_backward?",)),
    Attempt("called-not-passed", "relu_backward", relu_ok(np.ones(3), np.ones(3)),
            says=("a numpy array of shape (3,)", "without calling it")),
]
