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
