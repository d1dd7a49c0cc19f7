r"""The width figures are drawn for: the book's text column.

The HTML book's text column is 688 CSS pixels wide at 1280 px (sphinx-book-theme); an
image wider than that is scaled down to it, and its text with it. Notebook figures come
out at ``figure.dpi`` = 100 (matplotlib's default, as PNGs at twice that for sharpness:
``%config InlineBackend.figure_formats = ["retina"]``), so a figure at most
:data:`COLUMN_INCHES` wide is shown at its own size, its 10-point text at 14 px, the size of
the book's code text.
"""
from __future__ import annotations

__all__ = ["COLUMN_INCHES"]

COLUMN_INCHES = 6.9   # 690 px at 100 dpi: the 688-px text column
