"""offline_animation: one embedded PNG per frame, each the figure as savefig draws it."""
import base64
import io
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnnbook.viz import offline_animation  # noqa: E402
from cnnbook.viz.animation import figure_png  # noqa: E402
from helpers import png_pixels  # noqa: E402

FRAME = re.compile(r'frames\[(\d+)\] = "data:image/png;base64,([^"]+)"')


def _figure():
    fig, ax = plt.subplots(figsize=(2.0, 1.5), dpi=50)
    line, = ax.plot([0, 1], [0, 0])
    ax.set_ylim(-1, 3)
    return fig, line


def test_each_frame_is_the_figure_as_savefig_draws_it():
    fig, line = _figure()
    expected = []
    for slope in (0.0, 1.0, 2.0):  # what savefig gives for each frame
        line.set_ydata([0, slope])
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        expected.append(png_pixels(buf.getvalue()))

    html = offline_animation(fig, lambda s: line.set_ydata([0, s]), [0.0, 1.0, 2.0]).data
    frames = FRAME.findall(html)
    assert [int(i) for i, _ in frames] == [0, 1, 2]
    assert not plt.fignum_exists(fig.number)  # closed, so it is not shown a second time
    for (_, data), want in zip(frames, expected):
        got = png_pixels(base64.b64decode(data))
        assert got.shape == want.shape == (75, 100, 4)
        np.testing.assert_array_equal(got, want)
    assert not np.array_equal(png_pixels(base64.b64decode(frames[0][1])),
                              png_pixels(base64.b64decode(frames[2][1])))


def test_player_is_offline_and_has_text_buttons():
    fig, line = _figure()
    html = offline_animation(fig, lambda s: line.set_ydata([0, s]), [0, 1], interval=250,
                             default_mode="loop").data
    assert "https://" not in html and "http://" not in html and "<link" not in html
    assert 'class="fa' not in html and "&#9654;" in html        # play is a text triangle
    assert "new Array(2)" in html                                 # two frames
    assert re.search(r'value="loop"[^>]*\s+checked>', html)      # the default mode
    assert not re.search(r'value="once"[^>]*\s+checked>', html)
    assert re.search(r"slider_id, 250,", html)                    # the interval, in ms


def test_bad_arguments_are_named():
    fig, line = _figure()
    with pytest.raises(ValueError, match="default_mode"):
        offline_animation(fig, lambda s: None, [0], default_mode="bounce")
    with pytest.raises(ValueError, match="frames is empty"):
        offline_animation(fig, lambda s: None, [])
    plt.close(fig)


def test_figure_png_is_savefig_png():
    fig, _ = _figure()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    np.testing.assert_array_equal(png_pixels(figure_png(fig)), png_pixels(buf.getvalue()))
    plt.close(fig)


def _frames(html):
    return [png_pixels(base64.b64decode(d)) for _, d in FRAME.findall(html.data)]


def test_blitted_frames_are_the_full_draws_of_the_updated_figure():
    """blit=True: each frame draws only the artists ``draw_frame`` returns over the figure
    drawn once without them; the pictures are those of a full draw after each update, also
    when a later frame changes an artist no earlier frame changed (the background is then
    drawn again without it) and when a frame removes an artist and creates another."""
    def make():
        fig, line = _figure()
        ax = line.axes
        title = ax.set_title("0")
        marks = [ax.axvline(0.0, color="C3")]

        def draw(k):
            line.set_ydata([0, k])
            title.set_text(f"slope {k}")
            marks[0].remove()  # a new mark each frame: the old one must not be drawn
            marks[0] = ax.axvline(0.2 * k, color="C3")
            changed = [line, title, marks[0]]
            if k >= 2:  # from the third frame on, the x axis changes too
                ax.set_xlim(0, 1 + k / 4)
                changed += [ax.xaxis, *ax.spines.values(), ax.patch]
            return changed
        return fig, draw

    values = [0, 1, 2, 3]
    fig, draw = make()
    blitted = _frames(offline_animation(fig, draw, values, blit=True))
    fig, draw = make()
    full = _frames(offline_animation(fig, draw, values))  # a full draw after each update
    assert len(blitted) == len(full) == 4
    for got, want in zip(blitted, full):
        differ = (np.abs(got.astype(int) - want.astype(int)).max(axis=2) > 0).mean()
        assert differ < 0.002, differ
    assert not np.array_equal(blitted[1], blitted[3])


def test_library_animations_blit_the_frames_a_full_draw_gives(monkeypatch):
    """conv_step_animation, pool_animation, conv_animation and recovery_animation update
    their figure in place and blit: each frame equals a full draw of the figure then."""
    import cnnbook.viz.animation as animation
    from cnnbook.functional import conv2d_forward
    from cnnbook.loops import recover_kernel
    from cnnbook.viz import conv_animation, conv_step_animation, pool_animation, \
        recovery_animation

    compared = []
    encode = animation.figure_png

    def checking_png(fig, *, draw=True, **kwargs):
        png = encode(fig, draw=draw, **kwargs)
        if not draw:  # a blitted frame: the same figure drawn whole must look the same
            fig.set_layout_engine("none")  # the layout of the first drawing stays
            full = png_pixels(encode(fig, draw=True, **kwargs))
            got = png_pixels(png)
            compared.append((np.abs(got.astype(int) - full.astype(int)).max(axis=2) > 0).mean())
        return png

    monkeypatch.setattr(animation, "figure_png", checking_png)
    rng = np.random.default_rng(0)
    x, w = rng.uniform(size=(1, 1, 5, 5)), rng.normal(size=(2, 1, 3, 3))
    sobel = np.array([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    xs = rng.normal(size=(2, 1, 8, 8))
    ys, _ = conv2d_forward(xs, sobel[None, None], np.zeros(1))
    fit = recover_kernel(xs, ys, lr=0.1, steps=30)
    for make in (
            lambda: conv_step_animation(x, w, np.zeros(2), stride=2, padding=1,
                                        pixels=[(0, 0), (1, 2), (2, 1)]),
            lambda: pool_animation(rng.uniform(size=(4, 4)), kernel_size=3, stride=1),
            lambda: conv_animation(rng.uniform(size=(7, 7)), sobel, values=[1, 2, 3]),
            lambda: recovery_animation(fit, sobel, max_frames=3)):
        compared.clear()
        frames = _frames(make())
        assert len(compared) == len(frames) >= 3
        assert max(compared) < 0.002, compared
