"""Every kernel of ``cnnbook.functional.__all__`` has its backward pass and ``_naive`` loop
twins; the twins agree with the vectorized kernels and pass the gradient check themselves,
on every case of the registry tests/kernel_cases.py (which must name every kernel)."""
import copy

import numpy as np
import pytest
from kernel_cases import GRADCHECK, kernel_stems

from cnnbook import functional as fn
from cnnbook.gradcheck import check_layer

STEMS = kernel_stems()
CASES = [(stem, k) for stem in STEMS for k in range(len(GRADCHECK.get(stem, [])))]


def test_the_stems_are_derived_from_the_modules():
    assert {"relu", "conv2d", "max_pool2d", "batch_norm2d"} <= set(STEMS)
    assert all(not s.endswith("_naive") for s in STEMS)


@pytest.mark.parametrize("stem", STEMS)
def test_every_kernel_has_its_backward_and_loop_twins(stem):
    module = getattr(fn, f"{stem}_forward").__module__
    for name in (f"{stem}_backward", f"{stem}_forward_naive", f"{stem}_backward_naive"):
        assert name in fn.__all__, (
            f"{stem}: {name} is missing; write it beside {stem}_forward in {module} and "
            f"list it in that module's __all__")
    for suffix in ("", "_naive"):
        forward = getattr(fn, f"{stem}_forward{suffix}")
        assert fn.BACKWARD[forward] is getattr(fn, f"{stem}_backward{suffix}")


@pytest.mark.parametrize("stem", STEMS)
def test_every_kernel_has_gradient_check_cases(stem):
    assert GRADCHECK.get(stem), (
        f"{stem}: no gradient-check cases; add GRADCHECK[{stem!r}] (inputs and options "
        f"covering the kernel's options) to tests/kernel_cases.py")


def test_the_registry_names_only_kernels():
    assert not set(GRADCHECK) - set(STEMS), set(GRADCHECK) - set(STEMS)


def _run(forward, inputs, options):
    """Output, gradients and updated array options (batch norm's running statistics) of
    one forward and backward pass, on copies."""
    inputs, options = copy.deepcopy((inputs, options))
    out, cache = forward(*inputs, **options)
    grads = fn.BACKWARD[forward](np.random.default_rng(1).normal(size=out.shape), cache)
    grads = grads if isinstance(grads, tuple) else (grads,)
    return [out, *grads, *(v for v in options.values() if isinstance(v, np.ndarray))]


@pytest.mark.parametrize("stem,k", CASES, ids=[f"{s}-{k}" for s, k in CASES])
def test_twins_agree_and_pass_the_gradient_check(stem, k):
    inputs, options = GRADCHECK[stem][k]
    fast = _run(getattr(fn, f"{stem}_forward"), inputs, options)
    naive = _run(getattr(fn, f"{stem}_forward_naive"), inputs, options)
    for i, (a, b) in enumerate(zip(fast, naive, strict=True)):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-10, err_msg=f"{stem}: result {i}")
    for suffix in ("", "_naive"):
        result = check_layer(getattr(fn, f"{stem}_forward{suffix}"),
                             *copy.deepcopy(inputs), **copy.deepcopy(options))
        assert result.max_error < 1e-7, str(result)


@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh"])
def test_naive_activations_are_stable_and_keep_dtype(name):
    x = np.array([[-1000.0, 0.0, 1000.0]], dtype=np.float32)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out, _ = getattr(fn, f"{name}_forward_naive")(x)
    assert out.dtype == np.float32 and np.all(np.isfinite(out))


def test_naive_twins_reject_bad_input():
    with pytest.raises(TypeError, match="relu_forward_naive: expected x to be a numpy.ndarray"):
        fn.relu_forward_naive([1.0])
    _, cache = fn.flatten_forward_naive(np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match=r"flatten_backward_naive: expected dout of shape \(2, 12\)"):
        fn.flatten_backward_naive(np.zeros((2, 11)), cache)
