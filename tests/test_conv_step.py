"""One conv output pixel's gradients (cnnbook.receptive_field), its figure and step-through."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnnbook.receptive_field import conv_step_gradients, receptive_field_taps  # noqa: E402
from cnnbook.viz import (conv_step_animation, plot_conv_step, plot_loss_history,  # noqa: E402
                         receptive_field_patch, show_array, show_arrays)
from cnnbook.widgets import backprop_step_through  # noqa: E402

SETTINGS = [  # stride, padding, dilation
    (1, 0, 1), (1, 1, 1), (2, 0, 1), (2, 1, 1), (1, 0, 2), (1, 2, 2), (2, 2, 2), (3, 1, 2),
    ((1, 2), (0, 1), (2, 1)),
]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _setup(rng, C=2):
    x = rng.uniform(0.5, 1.5, size=(2, C, 7, 8))  # no zeros: dw is nonzero on every tap
    w = rng.uniform(0.5, 1.5, size=(3, C, 3, 3)) * rng.choice([-1, 1], size=(3, C, 3, 3))
    return x, w, rng.normal(size=3)


def _in_image(taps, H, W):
    return {(int(r), int(c)) for r, c in taps.reshape(-1, 2) if 0 <= r < H and 0 <= c < W}


def test_receptive_field_taps_formula():
    taps = receptive_field_taps(1, 2, 3, stride=2, padding=1, dilation=2)
    assert taps.shape == (3, 3, 2)
    assert taps[..., 0][:, 0].tolist() == [1, 3, 5]       # rows 2*1 - 1 + 2*p
    assert taps[..., 1][0].tolist() == [3, 5, 7]          # cols 2*2 - 1 + 2*q


@pytest.mark.parametrize("stride, padding, dilation", SETTINGS)
def test_step_dx_nonzero_only_on_receptive_field(stride, padding, dilation):
    rng = np.random.default_rng(0)
    x, w, b = _setup(rng)
    out_shape = conv_step_gradients(x, w, b, 0, 0, 0, 0, stride=stride, padding=padding,
                                    dilation=dilation)["out"].shape
    N, F, OH, OW = out_shape
    H, W = x.shape[2:]
    for n, f, i, j in [(0, 0, 0, 0), (1, 2, OH - 1, OW - 1), (1, 1, OH // 2, OW // 2)]:
        g = conv_step_gradients(x, w, b, n, f, i, j, stride=stride, padding=padding,
                                dilation=dilation)
        field = _in_image(g["taps"], H, W)
        for c in range(x.shape[1]):
            nonzero = {(int(r), int(q)) for r, q in zip(*np.nonzero(g["dx"][n, c]))}
            assert nonzero == field
            # on the field dx is the kernel and dw the input; padding taps give dw = 0
            for p in range(3):
                for q in range(3):
                    r, col = g["taps"][p, q]
                    if 0 <= r < H and 0 <= col < W:
                        assert g["dx"][n, c, r, col] == pytest.approx(w[f, c, p, q])
                        assert g["dw"][f, c, p, q] == pytest.approx(x[n, c, r, col])
                    else:
                        assert g["dw"][f, c, p, q] == 0.0
        assert np.all(g["dx"][1 - n] == 0)
        assert np.all(np.delete(g["dw"], f, axis=0) == 0)
        assert g["db"].tolist() == [float(k == f) for k in range(F)]


def test_conv_step_gradients_rejects_pixel_outside_output():
    x, w, b = _setup(np.random.default_rng(1))
    with pytest.raises(ValueError, match="inside the output"):
        conv_step_gradients(x, w, b, 0, 0, 99, 0)


def test_show_array_labels_and_colorbar():
    fig, ax = plt.subplots()
    show_array(ax, np.arange(6.0).reshape(2, 3), "title here")
    assert ax.get_title() == "title here"
    assert ax.get_xlabel() and ax.get_ylabel()
    assert len(fig.axes) == 2                       # the colour bar
    assert [t.get_text() for t in ax.texts][:3] == ["0.00", "1.00", "2.00"]


def test_show_arrays_share_scale():
    fig = show_arrays([np.zeros((2, 2)), np.full((2, 2), 4.0)], ["a", "b"], share_scale=True)
    ims = [ax.images[0] for ax in fig.axes if ax.images]
    assert [im.get_clim() for im in ims] == [(0.0, 4.0), (0.0, 4.0)]
    assert [ax.get_title() for ax in fig.axes if ax.images] == ["a", "b"]


def test_receptive_field_patch_draws_one_square_per_tap():
    fig, ax = plt.subplots()
    show_array(ax, np.zeros((6, 6)), "x", annotate=False)
    patches = receptive_field_patch(ax, receptive_field_taps(0, 0, 3, dilation=2))
    assert len(patches) == 9 + 1                    # taps and the bounding box


def test_plot_conv_step_panels():
    x, w, b = _setup(np.random.default_rng(2))
    fig = plot_conv_step(x, w, b, 1, 2, 1, 1, c=1, stride=2, padding=1, dilation=2)
    titles = [ax.get_title() for ax in fig.axes if ax.images]
    assert len(titles) == 5 and all(titles)
    assert "receptive field" in titles[0]
    assert sum(1 for ax in fig.axes if not ax.images and ax.get_label() == "<colorbar>") == 5


def test_widget_recomputes_when_controls_change():
    x, w, b = _setup(np.random.default_rng(3))
    x = x[:, :, :6, :6]
    box = backprop_step_through(x, w, b, f=1, i=2, j=1)
    (n_box, f_box, c_box), (s_box, p_box, d_box) = box.children[0].children, \
        box.children[1].children
    i_box, j_box = box.children[2], box.children[3]
    first = box.result["dx"].copy()
    assert box.result["dout"][0, 1, 2, 1] == 1.0
    j_box.value = 3
    assert not np.array_equal(first, box.result["dx"])
    assert box.result["dout"][0, 1, 2, 3] == 1.0
    # a larger stride shrinks the output: the sliders follow and stay valid
    s_box.value = 2
    assert i_box.max == 1 and j_box.max == 1 and j_box.value == 1
    assert box.result["dout"].shape[2:] == (2, 2)
    d_box.value = 2
    p_box.value = 2
    H, W = x.shape[2:]
    field = _in_image(box.result["taps"], H, W)
    assert {(int(r), int(q)) for r, q in zip(*np.nonzero(box.result["dx"][0, 0]))} == field
    n_box.value = 1
    assert np.all(box.result["dx"][0] == 0) and np.any(box.result["dx"][1] != 0)
    # settings that do not fit the input leave no result (and no exception)
    p_box.value = 0
    d_box.value = 3
    s_box.value = 1
    assert box.result is None
    d_box.value = 1
    assert box.result is not None


def test_conv_step_animation_is_offline_html():
    x, w, b = _setup(np.random.default_rng(4), C=1)
    html = conv_step_animation(x[:1, :, :5, :5], w[:, :, :2, :2], b, stride=2,
                               pixels=[(0, 0), (1, 1)]).data
    assert "<img" in html or "data:image/png" in html
    assert "https://" not in html


def test_plot_loss_history():
    ax = plot_loss_history([3.0, 2.0, 1.0])
    assert ax.get_title() and ax.get_xlabel() == "step"
    assert ax.lines[0].get_xdata().tolist() == [0, 1, 2]
