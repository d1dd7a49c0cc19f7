"""The unrolled-matrix figure shows the pixel each im2col entry reads."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnnbook.im2col import im2col, im2col_indices  # noqa: E402
from cnnbook.viz import pixel_numbers_table, plot_unrolled_matrix  # noqa: E402


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
