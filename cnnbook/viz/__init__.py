"""Figures for the book, by what they draw (drawing only; the numbers come from the core).

Each submodule holds one kind of figure; this module re-exports every name their
``__all__`` lists, so ``from cnnbook.viz import X`` works for every figure function.
"""
from .._extras import require

require("cnnbook.viz", "matplotlib")  # clear ImportError if missing

from . import (animation, compute_graph, conv, conv_step, curves, depth_profiles,  # noqa: E402
               digits, features, gradcheck, heatmaps, kernel_recovery, landscapes, losses,
               pooling, unrolled_matrix)

_MODULES = (animation, heatmaps, compute_graph, losses, landscapes, conv, conv_step, pooling,
            gradcheck, curves, digits, features, depth_profiles, unrolled_matrix,
            kernel_recovery)
__all__ = [name for module in _MODULES for name in module.__all__]
globals().update({name: getattr(module, name) for module in _MODULES
                  for name in module.__all__})
