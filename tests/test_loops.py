"""The step-by-step training loop (the article's six steps), its explorer and animation."""
import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnnbook import layers as L  # noqa: E402
from cnnbook.loops import run_training_loop  # noqa: E402
from cnnbook.viz import training_loop_animation  # noqa: E402
from cnnbook.widgets import training_loop_explorer  # noqa: E402


def _build():
    rng = np.random.default_rng(0)
    return L.Sequential(L.Conv2D(1, 2, 3, rng=rng), L.ReLU(), L.MaxPool2D(2), L.Flatten(),
                        L.Dense(2 * 2 * 2, 3, rng=rng))


def _data():
    rng = np.random.default_rng(1)
    return rng.normal(size=(6, 1, 6, 6)), np.array([0, 1, 2, 0, 1, 2])


def test_run_training_loop_lowers_the_loss_and_is_deterministic():
    x, y = _data()
    losses, model = run_training_loop(_build, x, y, steps=30, lr=0.1)
    assert losses.shape == (31,) and losses[-1] < losses[0]
    again, _ = run_training_loop(_build, x, y, steps=30, lr=0.1)
    np.testing.assert_array_equal(losses, again)
    zero, _ = run_training_loop(_build, x, y, steps=0, lr=0.1)
    assert zero.shape == (1,) and zero[0] == losses[0]


def test_explorer_recomputes_when_controls_change():
    x, y = _data()
    box = training_loop_explorer(_build, x, y, steps=5, steps_max=20)
    first = box.result[0]
    assert first.shape == (6,)
    box.children[0].children[0].value = 12
    assert box.result[0].shape == (13,)
    box.children[0].children[1].value = 0.01
    want, _ = run_training_loop(_build, x, y, steps=12, lr=0.01)
    np.testing.assert_array_equal(box.result[0], want)  # recomputed with the new rate
    assert not np.allclose(want, run_training_loop(_build, x, y, steps=12, lr=0.1)[0])


def test_animation_is_offline_html():
    x, y = _data()
    html = training_loop_animation(_build, x, y, steps=(0, 3)).data
    assert "<img" in html and "http" not in html


def test_first_frame_shows_the_run_ahead():
    """Frame 0 of the animation is not one point in an empty panel: the whole run is drawn
    faintly behind the steps taken so far, on the y range of the whole run."""
    import matplotlib.pyplot as plt

    from cnnbook.viz.curves import draw_training_loop

    x, y = _data()
    ahead, _ = run_training_loop(_build, x, y, steps=20, lr=0.1)
    first, model = run_training_loop(_build, x, y, steps=0, lr=0.1)
    fig = plt.figure()
    draw_training_loop(fig, first, model.params["0.weight"], 20, 0.1, ahead=ahead)
    ax = fig.axes[0]
    assert [line.get_ydata().size for line in ax.lines] == [21, 1]
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), ahead)
    assert ax.get_ylim()[1] >= ahead.max()
    plt.close(fig)


def test_recover_kernel_fast_takes_the_steps_of_recover_kernel():
    """The explorer's faster twin: the same fit, up to rounding (sums in another order)."""
    from cnnbook.functional import conv2d_forward
    from cnnbook.loops import recover_kernel, recover_kernel_fast

    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 2, 7, 6))
    w = rng.normal(size=(1, 2, 3, 3))
    clean, _ = conv2d_forward(x, w, np.array([0.5]))
    noisy = clean + 0.3 * rng.normal(size=clean.shape)
    for y, kw in ((clean, dict(lr=0.02, steps=60)),                  # momentum 0.9
                  (noisy, dict(lr=0.02, steps=40, momentum=0.0, n_records=7)),
                  (clean, dict(lr=3.0, steps=50)),                    # diverges
                  (clean[..., 1:, 1:], dict(lr=0.02, steps=5, kernel_size=4))):
        want, got = recover_kernel(x, y, **kw), recover_kernel_fast(x, y, **kw)
        assert got["diverged"] == want["diverged"] == (kw["lr"] == 3.0)
        assert got["steps"] == want["steps"]
        np.testing.assert_allclose(got["loss"], want["loss"], rtol=1e-9)
        for key in ("weight", "bias", "kernels"):
            np.testing.assert_allclose(np.array(got[key]), np.array(want[key]), rtol=1e-9,
                                       atol=1e-12)
    assert want["weight"].shape == (1, 2, 4, 4)


def test_the_patch_product_is_the_valid_convolution_and_checks_y():
    from cnnbook.functional import conv2d_backward, conv2d_forward
    from cnnbook.loops import recover_kernel_fast, valid_conv_by_patches

    rng = np.random.default_rng(3)
    x, w, b = rng.normal(size=(2, 3, 6, 5)), rng.normal(size=(1, 3, 2, 2)), rng.normal(size=1)
    want, cache = conv2d_forward(x, w, b)
    forward, backward = valid_conv_by_patches(x, want, 2)
    got, w_shape = forward(x, w, b)
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-13)
    dout = rng.normal(size=want.shape)
    for mine, theirs in zip(backward(dout, w_shape)[1:], conv2d_backward(dout, cache)[1:]):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match=r"recover_kernel: expected y of shape \(2, 1, 5, 4\) "
                                         r"\(a valid 2x2 convolution of x\), got \(2, 1, 5, 5\)"):
        recover_kernel_fast(x, np.zeros((2, 1, 5, 5)), kernel_size=2)
