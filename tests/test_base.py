"""The layer protocol: read-only container dicts and the eval_mode context manager."""
import numpy as np
import pytest

from cnnbook.base import eval_mode, preserve_mode
from cnnbook.layers import BatchNorm2D, Conv2D, Dense, ReLU, Residual, Sequential


def _model():
    rng = np.random.default_rng(0)
    return Sequential(Conv2D(1, 2, 3, padding=1, rng=rng), BatchNorm2D(2), ReLU(),
                      Residual(Sequential(BatchNorm2D(2), ReLU())))


@pytest.mark.parametrize("attr", ["params", "grads", "buffers"])
@pytest.mark.parametrize("make", [_model, lambda: Residual(Sequential(ReLU()))])
def test_container_dicts_are_read_only(make, attr):
    model = make()
    before = getattr(model, attr)
    with pytest.raises(AttributeError, match=rf"(Sequential|Residual): {attr} is read-only"):
        setattr(model, attr, {})
    assert getattr(model, attr).keys() == before.keys()


def test_container_params_are_the_childrens_arrays():
    model = _model()
    model.params["0.weight"][...] = 1.0
    assert np.all(model[0].params["weight"] == 1.0)


def test_leaf_layers_own_their_dicts():
    a, b = Dense(2, 3, rng=np.random.default_rng(0)), ReLU()
    assert a.grads == {} and b.params == {} and b.grads == {} and b.buffers == {}
    assert a.params is not Dense(2, 3, rng=np.random.default_rng(0)).params


def _modes(model):
    return [model.training, model[1].training, model[3].training, model[3].inner[0].training]


def test_eval_mode_switches_everything_and_restores():
    model = _model()
    model[3].inner[0].eval()           # a mixed state must come back exactly
    before = _modes(model)
    assert before == [True, True, True, False]
    with eval_mode(model) as m:
        assert m is model
        assert _modes(model) == [False, False, False, False]
    assert _modes(model) == before


def test_eval_mode_restores_after_an_exception():
    model = _model()
    with pytest.raises(RuntimeError, match="boom"):
        with eval_mode(model):
            raise RuntimeError("boom")
    assert _modes(model) == [True, True, True, True]


def test_eval_mode_uses_running_statistics():
    model = _model()
    x = np.random.default_rng(1).normal(size=(4, 1, 5, 5))
    model.eval()
    expected = model.forward(x)
    model.train()
    with eval_mode(model):
        got = model.forward(x)
    np.testing.assert_array_equal(got, expected)
    assert model.training


def test_eval_mode_rejects_non_layers():
    with pytest.raises(TypeError, match=r"eval_mode: expected model to be a Layer \(with train\(\) "
                                        r"and eval\(\)\), got list without train\(\)"):
        with eval_mode([]):
            pass


def test_preserve_mode_restores_what_the_block_changed():
    model = _model()
    model[1].eval()
    before = _modes(model)
    with preserve_mode(model):
        model.train()
        assert _modes(model) == [True] * 4
    assert _modes(model) == before


# --------------------------------------------------------------------------- KernelLayer

def test_a_kernel_layer_names_its_kernels_no_default():
    from cnnbook.activations import Elementwise
    from cnnbook.pooling import _Pool2D

    class Forgetful(Elementwise):  # names no kernels: it must not silently become a ReLU
        pass

    for make, name in ((Elementwise, "Elementwise"), (Forgetful, "Forgetful"),
                       (lambda: _Pool2D(2), "_Pool2D")):
        with pytest.raises(TypeError, match=rf"^{name}: expected a layer that names its "
                                            rf"kernels, got {name} without them"):
            make()


def test_kernel_layer_options_are_the_forward_kernels_keywords():
    from cnnbook.base import KernelLayer
    from cnnbook.functional import max_pool2d_backward, max_pool2d_forward, relu_backward
    from cnnbook.functional import relu_forward

    Pool = KernelLayer.named("Pool", max_pool2d_forward, max_pool2d_backward)
    assert Pool.__name__ == "Pool" and Pool.__module__ == "cnnbook.pooling"
    with pytest.raises(TypeError, match=r"^Pool: expected options among \(kernel_size, "
                                        r"stride, padding\) of max_pool2d_forward, "
                                        r"kernel_size required; got none"):
        Pool()
    with pytest.raises(TypeError, match=r"^Pool: .*; got kernel_size, size"):
        Pool(kernel_size=2, size=3)
    layer = Pool(kernel_size=2, stride=1)
    assert repr(layer) == "Pool(kernel_size=2, stride=1)"
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    np.testing.assert_array_equal(layer(x), max_pool2d_forward(x, kernel_size=2, stride=1)[0])
    with pytest.raises(ValueError, match=r"^Pool: max_pool2d_forward: kernel height 2 is "
                                         r"larger than the padded input height 1"):
        layer(np.zeros((1, 1, 1, 5)))
    with pytest.raises(TypeError, match=r"^ReLU: expected no options of relu_forward; "
                                        r"got slope"):
        KernelLayer.named("ReLU", relu_forward, relu_backward)(slope=0.1)
    with pytest.raises(TypeError, match=r"KernelLayer.named: expected backward_kernel to be "
                                        r"callable, got None"):
        KernelLayer.named("X", relu_forward, None)
