"""Interactive explorers: each wires controls to a figure of cnnbook.viz (see ``_explorer``
for the contract every explorer follows, and its offline form for the static book).

Each submodule holds the explorers of one concept; this module re-exports every name
their ``__all__`` lists, so ``from cnnbook.widgets import X`` works for every explorer.
"""
from .._extras import require

require("cnnbook.widgets", "matplotlib", "ipywidgets")  # clear ImportError if missing

from . import (_explorer, _figure, conv, gradcheck, im2col, initialisation,  # noqa: E402
               landscapes, losses, networks, pooling, training)

_MODULES = (_figure, _explorer, conv, gradcheck, im2col, initialisation, landscapes, losses,
            networks, pooling, training)
__all__ = [name for module in _MODULES for name in module.__all__]
globals().update({name: getattr(module, name) for module in _MODULES
                  for name in module.__all__})
