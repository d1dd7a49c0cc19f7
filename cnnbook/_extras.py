"""Optional dependencies: a clear ImportError that names the extra to install.

The numeric core (kernels, layers, losses, optim, gradcheck, train) needs only numpy.
Drawing, widgets and the bundled data sets need the ``book`` extra::

    pip install 'cnnbook[book]'     # matplotlib, ipywidgets, scikit-learn, tqdm
"""
from __future__ import annotations

import importlib

# import name -> name on PyPI (where they differ)
PIP_NAMES = {"sklearn": "scikit-learn", "PIL": "pillow"}
EXTRA = "book"


def require(who: str, *modules: str) -> None:
    """Import each of ``modules``; if one is missing, raise an ImportError that says so.

    >>> require("cnnbook.viz", "matplotlib")   # at the top of cnnbook/viz/__init__.py
    ImportError: cnnbook.viz needs matplotlib: pip install 'cnnbook[book]'
    """
    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError as err:
            raise ImportError(
                f"{who} needs {PIP_NAMES.get(module, module)}: "
                f"pip install 'cnnbook[{EXTRA}]'"
            ) from err


class NoProgressBar:
    """Stands in for a ``tqdm`` bar when tqdm is not installed: every method does nothing."""

    def __init__(self, *args, **kwargs) -> None:
        pass

    def set_description(self, *args, **kwargs) -> None:
        pass

    def set_postfix(self, *args, **kwargs) -> None:
        pass

    def update(self, *args, **kwargs) -> None:
        pass

    def close(self) -> None:
        pass


def progress_bar(**kwargs):
    """A ``tqdm.auto.tqdm(**kwargs)`` bar, or a :class:`NoProgressBar` without tqdm."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return NoProgressBar()
    return tqdm(**kwargs)
