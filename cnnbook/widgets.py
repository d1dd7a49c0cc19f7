"""Interactive explorers (ipywidgets) used by the book's chapters.

Each function builds its controls, recomputes with :mod:`cnnbook` when a control moves,
and returns the widget (a ``VBox``/``interactive``), so a notebook cell is one call.
The plotting itself lives in :mod:`cnnbook.viz`; these functions only wire controls to it.
"""
from __future__ import annotations

__all__: list[str] = []
