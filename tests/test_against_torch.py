"""Optional: forward and backward of every kernel against PyTorch (float64).

Skipped when torch is not importable; torch is never a dependency of cnnbook.
tests/test_golden.py compares with stored PyTorch results on every run, torch or not.
"""
import itertools

import numpy as np
import pytest
from helpers import tie_free

torch = pytest.importorskip("torch")
F = torch.nn.functional

from cnnbook import functional as fn  # noqa: E402
from cnnbook import losses  # noqa: E402


def _t(a):
    return torch.tensor(np.ascontiguousarray(a), dtype=torch.float64, requires_grad=True)


@pytest.mark.parametrize("stride,padding,dilation,kernel", list(itertools.product(
    [1, 2, (2, 1)], [0, 1, (2, 0)], [1, 2], [(3, 3), (2, 3), (1, 1)])))
def test_conv2d(stride, padding, dilation, kernel):
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(2, 3, 9, 8)), rng.normal(size=(4, 3) + kernel), rng.normal(size=4)
    out, cache = fn.conv2d_forward(x, w, b, stride=stride, padding=padding, dilation=dilation)
    xt, wt, bt = _t(x), _t(w), _t(b)
    ref = F.conv2d(xt, wt, bt, stride=stride, padding=padding, dilation=dilation)
    dout = rng.normal(size=out.shape)
    ref.backward(torch.tensor(dout))
    np.testing.assert_allclose(out, ref.detach().numpy(), rtol=1e-10, atol=1e-10)
    for mine, theirs in zip(fn.conv2d_backward(dout, cache), (xt, wt, bt)):
        np.testing.assert_allclose(mine, theirs.grad.numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("groups,filters", [(2, 6), (6, 6), (6, 12), (3, 3)])
@pytest.mark.parametrize("stride,padding", [(1, 1), ((2, 1), (0, 1))])
def test_conv2d_groups(groups, filters, stride, padding):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 6, 7, 8))
    w, b = rng.normal(size=(filters, 6 // groups, 3, 3)), rng.normal(size=filters)
    for forward, backward in [(fn.conv2d_forward, fn.conv2d_backward),
                              (fn.conv2d_forward_naive, fn.conv2d_backward_naive)]:
        out, cache = forward(x, w, b, stride=stride, padding=padding, groups=groups)
        xt, wt, bt = _t(x), _t(w), _t(b)
        ref = F.conv2d(xt, wt, bt, stride=stride, padding=padding, groups=groups)
        dout = rng.normal(size=out.shape)
        ref.backward(torch.tensor(dout))
        np.testing.assert_allclose(out, ref.detach().numpy(), rtol=1e-10, atol=1e-10)
        for mine, theirs in zip(backward(dout, cache), (xt, wt, bt)):
            np.testing.assert_allclose(mine, theirs.grad.numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("kernel,stride,padding", [(2, None, 0), (3, 2, 1), (3, 1, 1),
                                                   ((2, 3), (1, 2), (1, 0))])
@pytest.mark.parametrize("ties", [False, True])
def test_pooling(kind, kernel, stride, padding, ties):
    rng = np.random.default_rng(1)
    x = tie_free((2, 3, 7, 8), rng)
    if ties:  # as after a ReLU: many exact zeros and repeated values
        x = np.maximum(np.round(x * 3), 0)
    forward = getattr(fn, f"{kind}_pool2d_forward")
    backward = getattr(fn, f"{kind}_pool2d_backward")
    out, cache = forward(x, kernel_size=kernel, stride=stride, padding=padding)
    xt = _t(x)
    pool = F.max_pool2d if kind == "max" else F.avg_pool2d
    ref = pool(xt, kernel, stride=stride, padding=padding)
    dout = rng.normal(size=out.shape)
    ref.backward(torch.tensor(dout))
    np.testing.assert_allclose(out, ref.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(backward(dout, cache), xt.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_linear_and_losses():
    rng = np.random.default_rng(2)
    x, w, b = rng.normal(size=(5, 7)), rng.normal(size=(3, 7)), rng.normal(size=3)
    labels = rng.integers(0, 3, size=5)
    out, cache = fn.linear_forward(x, w, b)
    loss, dlogits = losses.softmax_cross_entropy(out, labels)
    xt, wt, bt = _t(x), _t(w), _t(b)
    logits = F.linear(xt, wt, bt)
    ref = F.cross_entropy(logits, torch.tensor(labels))
    ref.backward()
    assert abs(loss - ref.item()) < 1e-12
    for mine, theirs in zip(fn.linear_backward(dlogits, cache), (xt, wt, bt)):
        np.testing.assert_allclose(mine, theirs.grad.numpy(), rtol=1e-10, atol=1e-12)
    pred, target = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    assert abs(losses.mse(pred, target)[0] - F.mse_loss(_t(pred), _t(target)).item()) < 1e-12
