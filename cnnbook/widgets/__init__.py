"""Interactive explorers: each wires ipywidgets controls to a drawing function in cnnbook.viz."""

from ._legacy import softmax_explorer
from ._legacy import lr_explorer
from ._legacy import tangent_explorer
from ._legacy import conv_explorer
from ._legacy import pool_explorer
from ._legacy import backprop_step_through
from ._legacy import derivation_check
from ._legacy import derivation_checker
from ._legacy import saliency_explorer
from ._legacy import depth_explorer
from ._legacy import plain_and_residual_stacks
from ._legacy import bn_training_explorer
from ._legacy import recover_kernel
from ._legacy import kernel_recovery_explorer
from ._legacy import digit_explorer
from ._legacy import run_training_loop
from ._legacy import training_loop_explorer
from ._legacy import training_loop_animation

__all__ = [
    "softmax_explorer",
    "lr_explorer",
    "tangent_explorer",
    "conv_explorer",
    "pool_explorer",
    "backprop_step_through",
    "derivation_check",
    "derivation_checker",
    "saliency_explorer",
    "depth_explorer",
    "plain_and_residual_stacks",
    "bn_training_explorer",
    "recover_kernel",
    "kernel_recovery_explorer",
    "digit_explorer",
    "run_training_loop",
    "training_loop_explorer",
    "training_loop_animation",
]
