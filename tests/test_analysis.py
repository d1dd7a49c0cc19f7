"""Probing networks (cnnbook.analysis: gradient norms by layer, saliency, feature maps, shifted
images, plain and residual stacks) and the figures and explorers that draw them."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnnbook.gradcheck import numerical_gradient, rel_error  # noqa: E402
from cnnbook.layers import (Conv2D, Dense, Flatten, MaxPool2D, ReLU, Sequential,  # noqa: E402
                            Tanh)
from cnnbook.analysis import (feature_maps, input_grad_norms,  # noqa: E402
                              plain_and_residual_stacks, saliency, shift_image)
from cnnbook.losses import softmax  # noqa: E402
from cnnbook.viz import (draw_shift_features, plot_curves, plot_grad_norm_profile,  # noqa: E402
                         plot_saliency)
from cnnbook.widgets import bn_training_explorer, depth_explorer, saliency_explorer  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _cnn(rng):
    return Sequential(Conv2D(1, 2, 3, padding=1, rng=rng), ReLU(), MaxPool2D(kernel_size=2),
                      Flatten(), Dense(2 * 2 * 2, 3, rng=rng))


def test_input_grad_norms_matches_manual_backward():
    rng = np.random.default_rng(0)
    model = Sequential(Dense(3, 4, rng=rng), Tanh(), Dense(4, 2, rng=rng))
    x, dout = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    norms = input_grad_norms(model, x, dout)
    assert norms.shape == (4,)
    model.forward(x)
    assert np.isclose(norms[0], np.linalg.norm(model.backward(dout)))
    assert np.isclose(norms[-1], np.linalg.norm(dout))
    with pytest.raises(ValueError, match="input_grad_norms: expected dout of shape"):
        input_grad_norms(model, x, np.ones((5, 3)))


def test_saliency_is_gradient_of_logit():
    rng = np.random.default_rng(1)
    model = _cnn(rng)
    x = rng.normal(size=(2, 1, 4, 4))
    grad = saliency(model, x, [0, 2])
    assert grad.shape == x.shape and model.training
    model.eval()
    num = numerical_gradient(lambda z: model.forward(z)[1, 2], x)
    assert rel_error(grad[1], num[1]) < 1e-7
    assert np.all(num[0] == 0)  # sample 1's logit does not depend on sample 0


def test_plot_curves_and_profile_labels():
    ax = plot_curves({"a": [3, 2, 1], "b": ([1, 10, 100], [1, 2, 3])}, xlabel="x",
                     ylabel="y", title="t", logx=True)
    assert ax.get_title() == "t" and ax.get_xlabel() == "x" and ax.get_xscale() == "log"
    assert len(ax.get_legend().get_texts()) == 2
    ax = plot_grad_norm_profile({"plain": np.array([1.0, 2.0, 4.0])})
    assert ax.get_yscale() == "log" and "a_l" in ax.get_ylabel()


def test_plot_saliency_has_colorbar_and_rows():
    rng = np.random.default_rng(2)
    images = rng.uniform(size=(3, 1, 4, 4))
    fig = plot_saliency(images, rng.normal(size=images.shape), titles=["a", "b", "c"])
    assert len(fig.axes) == 3 * 3 + 1  # 3 rows x 3 images + colour bar
    assert fig.get_suptitle()
    assert fig.axes[0].get_title() == "a"


def test_shift_image_and_bad_shift():
    img = np.arange(4.0).reshape(1, 2, 2)
    out = shift_image(img, 1, pad=1)
    assert out.shape == (1, 4, 4)
    np.testing.assert_array_equal(out[0, 1:3, 2:4], img[0])
    with pytest.raises(ValueError, match="shift_image: expected"):
        shift_image(img, 2, pad=1)


def test_draw_shift_features():
    rng = np.random.default_rng(3)
    conv = Conv2D(1, 2, 3, padding=1, rng=rng)
    feats = {"none": Sequential(conv, ReLU()).forward,
             "pool": Sequential(conv, ReLU(), MaxPool2D(kernel_size=2)).forward}
    fig = plt.figure()
    draw_shift_features(fig, shift_image(rng.uniform(size=(1, 4, 4)), 0, pad=2), 1, feats)
    assert "shifted by 1" in fig.get_suptitle()
    assert any("cos sim" in a.get_title() for a in fig.axes)
    assert any(a.get_ylabel() == "feature value" for a in fig.axes)  # colour bar


def test_plain_and_residual_stacks_share_weights():
    plain, residual = plain_and_residual_stacks(3, width=4, gain=0.5, seed=0)
    np.testing.assert_array_equal(plain.params["1.0.weight"], residual.params["1.inner.0.weight"])
    assert plain.params["1.0.weight"] is not residual.params["1.inner.0.weight"]


def test_saliency_explorer_recomputes():
    rng = np.random.default_rng(4)
    model = _cnn(rng)
    x, y = rng.uniform(size=(5, 1, 4, 4)), np.arange(5) % 3
    w = saliency_explorer(model, x, y)
    first = w.result
    assert w.view.state["updates"] == 1
    w.children[0].value = 3
    assert w.view.state["updates"] == 2 and w.result[0] == 3
    w.children[1].value = 1
    assert w.result[1] == 1
    assert not np.allclose(first[2], w.result[2])


def test_depth_explorer_recomputes():
    w = depth_explorer(depth=5, gain=1.0, width=8, batch=4)
    assert len(w.result["plain"]) == 6  # input of each of 5 blocks + output
    w.children[0].value = 3
    assert len(w.result["residual"]) == 4
    before = w.result["plain"][0]
    w.children[1].value = 0.5
    assert w.result["plain"][0] < before
    assert "weight scale 0.5" in w.view.state["title"]


def test_bn_training_explorer_recomputes():
    rng = np.random.default_rng(5)
    x, y = rng.uniform(size=(16, 1, 4, 4)), np.arange(16) % 2

    def build(bn, rng):
        from cnnbook.layers import BatchNorm2D
        layers = [Conv2D(1, 2, 3, padding=1, rng=rng)]
        layers += [BatchNorm2D(2)] if bn else []
        return Sequential(*layers, ReLU(), Flatten(), Dense(32, 2, rng=rng))

    w = bn_training_explorer(build, x, y, lrs=(0.01, 0.1), lr=0.1, epochs=2, batch_size=8)
    assert set(w.result) == {"without BN", "with BN"}
    assert len(w.result["with BN"]) == 2
    before = w.result["with BN"].copy()
    w.children[0].value = 0.01
    assert w.view.state["title"] == "SGD, lr=0.01, momentum=0.9"
    assert not np.allclose(before, w.result["with BN"])
    w.children[1].value = 3
    assert not np.isnan(w.result["without BN"]).any()
    assert len(w.result["without BN"]) == 3


def test_feature_maps_are_the_layer_output_and_probabilities_the_softmax():
    rng = np.random.default_rng(0)
    model = Sequential(Conv2D(1, 2, 3, rng=rng), ReLU(), Flatten(), Dense(2 * 6 * 6, 4, rng=rng))
    image = rng.normal(size=(8, 8))
    probs, maps = feature_maps(model, image, layer=1)
    x = image[None, None]
    np.testing.assert_allclose(maps, np.maximum(model.layers[0].forward(x), 0)[0])
    np.testing.assert_allclose(probs, softmax(model.forward(x))[0])
    assert model.training  # put back in the mode it had
    with pytest.raises(ValueError, match="feature_maps"):
        feature_maps(model, image, layer=4)
