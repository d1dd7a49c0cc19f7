"""Interactive explorers: each wires ipywidgets controls to a drawing function of cnnbook.viz.

Each submodule holds the explorers of one concept; this module re-exports them, so
``from cnnbook.widgets import X`` works for every explorer.
"""
from .._extras import require

require("cnnbook.widgets", "matplotlib", "ipywidgets")  # clear ImportError if missing

from ._figure import FigureView
from .conv import backprop_step_through, conv_explorer
from .gradcheck import derivation_checker
from .im2col import im2col_explorer
from .initialisation import init_gain_explorer
from .landscapes import lr_explorer, tangent_explorer
from .losses import softmax_explorer
from .networks import depth_explorer, digit_explorer, saliency_explorer
from .pooling import pool_explorer
from .training import bn_training_explorer, kernel_recovery_explorer, training_loop_explorer

__all__ = [
    "FigureView",
    "backprop_step_through",
    "conv_explorer",
    "derivation_checker",
    "lr_explorer",
    "tangent_explorer",
    "softmax_explorer",
    "depth_explorer",
    "digit_explorer",
    "saliency_explorer",
    "pool_explorer",
    "bn_training_explorer",
    "kernel_recovery_explorer",
    "training_loop_explorer",
    "init_gain_explorer",
    "im2col_explorer",
]
