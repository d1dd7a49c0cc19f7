"""Buffer reuse in the fast kernels (cnnbook._workspace) and the BLAS thread limit
(cnnbook._blas): reused buffers never leak into results the caller keeps, shapes and
dtypes may change between calls, float32 stays float32."""
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import cnnbook
from cnnbook import _blas
from cnnbook._workspace import Workspace, empty_like_layout, scratch, zeros_like
from cnnbook.conv import Conv2D, conv2d_backward, conv2d_backward_naive, conv2d_forward
from cnnbook.dense import linear_backward, linear_forward
from cnnbook.pooling import MaxPool2D, max_pool2d_backward, max_pool2d_backward_naive, \
    max_pool2d_forward, max_pool2d_forward_naive


def _batch_last(a):
    """``a`` with its memory laid out (C, H, W, N), as conv layers hand it on."""
    return np.ascontiguousarray(a.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2)


# ------------------------------------------------------------------------------ Workspace

def test_workspace_reuses_by_shape_and_dtype():
    ws = Workspace()
    a = ws.get("x", (2, 3), np.float32)
    assert ws.get("x", (2, 3), np.float32) is a
    b = ws.get("x", (2, 3), np.float64)
    assert b is not a and b.dtype == np.float64
    assert ws.get("x", (2, 3), np.float32) is a          # kept: two per name
    c = ws.get("x", (4,), np.float32)                      # a third evicts the oldest
    assert ws.get("x", (4,), np.float32) is c
    assert ws.get("x", (2, 3), np.float32) is a
    assert ws.get("x", (2, 3), np.float64) is not b
    assert ws.nbytes() <= a.nbytes + 2 * b.nbytes


def test_scratch_is_per_thread():
    seen = []
    t = threading.Thread(target=lambda: seen.append(scratch()))
    t.start()
    t.join()
    assert scratch() is scratch()
    assert seen[0] is not scratch()


def test_zeros_like_is_read_only_reused_and_laid_out_like_its_argument():
    a = _batch_last(np.ones((3, 2, 4, 5), np.float32))
    z = zeros_like(a)
    assert z.shape == a.shape and z.dtype == np.float32 and not z.any()
    assert z.strides == a.strides and not z.flags.writeable
    assert zeros_like(a).base is z.base                   # reused
    with pytest.raises(ValueError, match="read-only"):
        z[...] = 1
    empty = empty_like_layout(a, (3, 2, 8, 10), np.float64, zero=True)
    assert empty.shape == (3, 2, 8, 10) and not empty.any()
    assert np.argsort(empty.strides).tolist() == np.argsort(a.strides).tolist()


def test_copied_workspace_starts_empty():
    import copy
    ws = Workspace()
    ws.get("x", (100,), np.float32)
    assert ws.nbytes() > 0 and copy.deepcopy(ws).nbytes() == 0


# ------------------------------------------------------------------------------ conv

def _conv_case(rng, shape, F=4, k=3, dtype=np.float64):
    x = rng.normal(size=shape).astype(dtype)
    w = rng.normal(size=(F, shape[1], k, k)).astype(dtype)
    b = rng.normal(size=F).astype(dtype)
    return x, w, b


@pytest.mark.parametrize("padding", [0, 1])
def test_conv_cache_kept_by_caller_survives_second_forward(padding):
    rng = np.random.default_rng(0)
    x1, w, b = _conv_case(rng, (2, 3, 6, 6))
    x2 = rng.normal(size=x1.shape)
    out1, cache1 = conv2d_forward(x1, w, b, padding=padding)
    dout = rng.normal(size=out1.shape)
    expected = conv2d_backward(dout, cache1)
    conv2d_forward(x2, w, b, padding=padding)              # must not touch cache1
    for got, want in zip(conv2d_backward(dout, cache1), expected):
        np.testing.assert_array_equal(got, want)


def test_conv_results_not_overwritten_by_later_calls():
    rng = np.random.default_rng(1)
    x, w, b = _conv_case(rng, (2, 2, 5, 5))
    out, cache = conv2d_forward(x, w, b, padding=1)
    dout = rng.normal(size=out.shape)
    dx, dw, db = conv2d_backward(dout, cache)
    copies = [a.copy() for a in (out, dx, dw, db)]
    out2, cache2 = conv2d_forward(2 * x, w, b, padding=1)
    conv2d_backward(3 * dout, cache2)
    for a, c in zip((out, dx, dw, db), copies):
        np.testing.assert_array_equal(a, c)


@pytest.mark.parametrize("C", [2, 20])   # below and above the full-dX_col threshold
def test_conv_layer_workspace_with_changing_shapes_and_dtypes(C):
    rng = np.random.default_rng(2)
    layer = Conv2D(C, 3, 3, padding=1, rng=rng)
    w, b = layer.params["weight"], layer.params["bias"]
    for shape, dtype in [((4, C, 6, 6), np.float64), ((3, C, 6, 6), np.float64),
                         ((4, C, 5, 7), np.float32), ((4, C, 6, 6), np.float64)]:
        x = rng.normal(size=shape).astype(dtype)
        out = layer.forward(x)
        dout = rng.normal(size=out.shape).astype(dtype)
        dx = layer.backward(dout)
        ref_out, ref_cache = conv2d_forward(x.astype(np.float64), w, b, padding=1)
        ref_dx, ref_dw, ref_db = conv2d_backward_naive(dout.astype(np.float64), (
            x.astype(np.float64), w, (1, 1), (1, 1), (1, 1), 1))
        tol = 1e-4 if dtype == np.float32 else 1e-10
        assert out.dtype == dtype and dx.dtype == dtype
        np.testing.assert_allclose(out, ref_out, rtol=tol, atol=tol)
        np.testing.assert_allclose(dx, ref_dx, rtol=tol, atol=tol)
        np.testing.assert_allclose(layer.grads["weight"], ref_dw, rtol=tol, atol=tol * 10)


def test_conv_layer_backward_uses_latest_forward():
    rng = np.random.default_rng(3)
    layer = Conv2D(2, 3, 3, rng=rng)
    x1, x2 = rng.normal(size=(2, 2, 5, 5)), rng.normal(size=(2, 2, 5, 5))
    layer.forward(x1)
    out2 = layer.forward(x2)                               # overwrites the im2col buffer
    dout = rng.normal(size=out2.shape)
    dx = layer.backward(dout)
    ref = conv2d_backward(dout, conv2d_forward(x2, layer.params["weight"],
                                               layer.params["bias"])[1])
    np.testing.assert_allclose(dx, ref[0])
    np.testing.assert_allclose(layer.grads["weight"], ref[1])


@pytest.mark.parametrize("layout", ["nchw", "batch_last"])
def test_conv_float32_stays_float32(layout):
    rng = np.random.default_rng(4)
    x, w, b = _conv_case(rng, (3, 2, 7, 7), dtype=np.float32)
    if layout == "batch_last":
        x = _batch_last(x)
    out, cache = conv2d_forward(x, w, b, padding=2)
    dout = rng.normal(size=out.shape).astype(np.float32)
    dx, dw, db = conv2d_backward(dout if layout == "nchw" else _batch_last(dout), cache)
    assert {a.dtype for a in (out, dx, dw, db, cache[2])} == {np.dtype(np.float32)}
    ref = conv2d_backward_naive(dout.astype(np.float64), (
        x.astype(np.float64), w.astype(np.float64), (1, 1), (2, 2), (1, 1), 1))
    for got, want in zip((dx, dw, db), ref):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


# ------------------------------------------------------------------------------ pooling

@pytest.mark.parametrize("kernel,stride,padding", [(2, None, 0), (3, 2, 1), (2, None, 1),
                                                   (3, None, 0)])
@pytest.mark.parametrize("layout", ["nchw", "batch_last"])
def test_max_pool_backward_reuse_matches_naive(kernel, stride, padding, layout):
    rng = np.random.default_rng(5)
    results = []
    for shape in [(2, 3, 7, 7), (3, 2, 6, 8), (2, 3, 7, 7)]:
        x = np.maximum(rng.normal(size=shape), 0).astype(np.float32)   # ties at 0
        x[x > 0] += 0.1
        if layout == "batch_last":
            x = _batch_last(x)
        out, cache = max_pool2d_forward(x, kernel_size=kernel, stride=stride, padding=padding)
        dout = rng.normal(size=out.shape).astype(np.float32)
        dx = max_pool2d_backward(dout, cache)
        _, naive_cache = max_pool2d_forward_naive(x, kernel_size=kernel, stride=stride,
                                                  padding=padding)
        assert dx.dtype == np.float32
        np.testing.assert_allclose(dx, max_pool2d_backward_naive(dout, naive_cache),
                                   rtol=1e-6, atol=1e-7)
        results.append((dx, dx.copy()))
    for dx, snapshot in results:                           # later calls left it alone
        np.testing.assert_array_equal(dx, snapshot)


def test_max_pool_layer_float32():
    rng = np.random.default_rng(6)
    layer = MaxPool2D(2)
    x = rng.normal(size=(2, 3, 6, 6)).astype(np.float32)
    out = layer.forward(x)
    dx = layer.backward(np.ones(out.shape, np.float32))
    assert out.dtype == dx.dtype == np.float32


def test_linear_float32_stays_float32():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(5, 4)).astype(np.float32)
    w = rng.normal(size=(3, 4)).astype(np.float32)
    b = np.zeros(3, np.float32)
    out, cache = linear_forward(x, w, b)
    grads = linear_backward(np.ones((5, 3), np.float32), cache)
    assert {a.dtype for a in (out,) + grads} == {np.dtype(np.float32)}


# ------------------------------------------------------------------------------ BLAS threads

def test_single_blas_thread_restores_setting():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        def blas_threads():
            return [i["num_threads"] for i in threadpoolctl.threadpool_info()
                    if i["user_api"] == "blas"]
        before = blas_threads()
        with _blas.single_blas_thread():
            assert set(blas_threads()) <= {1}
            with _blas.single_blas_thread():               # nested
                assert set(blas_threads()) <= {1}
            assert set(blas_threads()) <= {1}
        assert blas_threads() == before


def test_blas_threads_for_sizes():
    no_limit = type(_blas.contextlib.nullcontext())
    previous = cnnbook.set_small_gemm_limit(True)
    try:
        assert not isinstance(_blas.blas_threads_for(6, 36864, 25), no_limit)
        assert isinstance(_blas.blas_threads_for(1024, 1024, 1024), no_limit)
        cnnbook.set_small_gemm_limit(False)                 # off: the user's setting
        assert isinstance(_blas.blas_threads_for(6, 36864, 25), no_limit)
    finally:
        cnnbook.set_small_gemm_limit(previous)


def test_small_gemm_limit_setting():
    previous = cnnbook.set_small_gemm_limit(True)
    try:
        assert _blas.small_gemm_limit() is True
        assert cnnbook.set_small_gemm_limit(False) is True
        assert _blas.small_gemm_limit() is False
        with pytest.raises(TypeError, match="True or False"):
            cnnbook.set_small_gemm_limit("yes")
    finally:
        cnnbook.set_small_gemm_limit(previous)


def test_small_gemm_limit_on_by_default_and_env():
    code = "import cnnbook, cnnbook._blas as b; print(b.small_gemm_limit())"
    env = {k: v for k, v in os.environ.items() if k != "CNNBOOK_SMALL_GEMM_LIMIT"}
    out = [subprocess.run([sys.executable, "-c", code], env=dict(env, **extra), check=True,
                          capture_output=True, text=True).stdout.strip()
           for extra in ({}, {"CNNBOOK_SMALL_GEMM_LIMIT": "0"})]
    assert out == ["True", "False"]
