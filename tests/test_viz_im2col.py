"""The unrolled-matrix figure shows the pixel each im2col entry reads."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnnbook.im2col import im2col, im2col_indices  # noqa: E402
from cnnbook.viz import highlight_window, pixel_numbers_table, plot_unrolled_matrix  # noqa: E402
from cnnbook.widgets import im2col_explorer  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_table_matches_im2col_of_the_pixels():
    numbers, table = pixel_numbers_table((1, 1, 4, 4), 2)
    assert np.array_equal(table, im2col(numbers, 2))       # no padding: the pixel values
    assert table.shape == (4, 9) and table[:, 4].tolist() == [5, 6, 9, 10]


def test_padding_is_minus_one_and_indices_agree():
    numbers, table = pixel_numbers_table((1, 2, 3, 3), 3, padding=1)
    index = im2col_indices((1, 2, 3, 3), 3, padding=1)     # into the 5x5 padded input
    rows, cols = np.unravel_index(index, (1, 2, 5, 5))[2:]
    inside = (rows >= 1) & (rows <= 3) & (cols >= 1) & (cols <= 3)
    assert np.array_equal(table < 0, ~inside)
    assert np.all(table[inside] >= 0)


def test_figure_shows_the_table():
    fig = plot_unrolled_matrix((1, 1, 3, 3), 3, padding=1)
    ax_in, ax_col = fig.axes
    assert np.array_equal(ax_col.images[0].get_array(), fig.table)
    assert np.array_equal(ax_in.images[0].get_array(), np.arange(9.0).reshape(3, 3))
    texts = [t.get_text() for t in ax_col.texts]
    assert texts.count("pad") == int((fig.table < 0).sum())
    assert texts[4] == "0"                                  # tap (0, 0), window (1, 1)


def test_highlight_moves_the_outlines():
    fig = plot_unrolled_matrix((1, 1, 3, 3), 3, padding=1, window=0)
    taps, column = fig.window_taps, fig.window_column
    pixels = highlight_window(fig, 4)                       # the centre window: no padding
    assert pixels.tolist() == list(range(9))
    assert all(r.get_visible() for r in taps)
    assert [r.get_xy() for r in taps][:2] == [(-0.5, -0.5), (0.5, -0.5)]
    assert column.get_x() == 3.5 and "column 4" in fig.axes[1].get_title()
    pixels = highlight_window(fig, 0)                       # top-left: 5 taps read padding
    assert sum(r.get_visible() for r in taps) == 4 == int((pixels >= 0).sum())
    with pytest.raises(ValueError, match=r"highlight_window: expected a column in \[0, 8\]"):
        highlight_window(fig, 9)


def test_explorer_moves_on_slider():
    box = im2col_explorer((1, 1, 4, 4), 2)
    slider, _, image = box.children
    slider.value = 8
    assert box.result.tolist() == [10, 11, 14, 15]
    assert box.view.state["updates"] == 2 and image.value[:4] == b"\x89PNG"
