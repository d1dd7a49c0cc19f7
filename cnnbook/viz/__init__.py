"""Figures for the book, by what they draw (drawing only; the numbers come from the core).

Each submodule holds one kind of figure; this module re-exports the public names, so
``from cnnbook.viz import X`` works for every figure function.
"""
from .._extras import require

require("cnnbook.viz", "matplotlib")  # clear ImportError if missing

from .animation import offline_animation
from .heatmaps import (
    text_colour, format_value, annotate_grid, set_grid_values, show_array, show_arrays,
    show_array_grid, show_images, label_image_axes, diverging_limit)
from .compute_graph import plot_compute_graph, plot_gate_patterns
from .losses import (plot_loss_and_gradient, plot_softmax_ce_vs_logit, plot_softmax_bars,
                     update_softmax_bars)
from .landscapes import (
    plot_loss_tangent, tangent_animation, plot_gd_path_1d, plot_gd_paths_2d,
    plot_loss_histories, plot_lr_explorer, update_lr_explorer)
from .conv import (
    KERNELS_3X3, draw_conv, show_conv, conv_animation, receptive_field_patch,
    plot_window_coverage)
from .conv_step import ConvStepFigure, plot_conv_step, conv_step_animation
from .pooling import (draw_pool, update_pool_cell, show_pool, pool_animation)
from .gradcheck import plot_gradient_check
from .curves import (
    plot_curves, plot_loss_history, plot_history, plot_grad_norms, plot_grad_norm_profile,
    plot_error_growth, draw_training_loop, training_loop_animation)
from .digits import (
    show_digits, show_misclassified, plot_confusion_matrix, show_filters, plot_digit_prediction,
    update_digit_prediction)
from .features import draw_saliency, plot_saliency, draw_shift_features
from .depth_profiles import depth_profile_limits, plot_depth_profiles, update_depth_profiles
from .unrolled_matrix import (pixel_numbers_table, unrolled_figsize, plot_unrolled_matrix,
                              highlight_window)
from .kernel_recovery import (
    plot_kernel_pair, plot_recovery, update_recovery, recovery_animation, show_article_output)

__all__ = [
    "offline_animation",
    "text_colour",
    "format_value",
    "annotate_grid",
    "set_grid_values",
    "show_array",
    "show_arrays",
    "show_array_grid",
    "show_images",
    "label_image_axes",
    "diverging_limit",
    "plot_compute_graph",
    "plot_gate_patterns",
    "plot_loss_and_gradient",
    "plot_softmax_ce_vs_logit",
    "plot_softmax_bars",
    "update_softmax_bars",
    "plot_loss_tangent",
    "tangent_animation",
    "plot_gd_path_1d",
    "plot_gd_paths_2d",
    "plot_loss_histories",
    "plot_lr_explorer",
    "update_lr_explorer",
    "KERNELS_3X3",
    "draw_conv",
    "show_conv",
    "conv_animation",
    "receptive_field_patch",
    "plot_window_coverage",
    "ConvStepFigure",
    "plot_conv_step",
    "conv_step_animation",
    "draw_pool",
    "update_pool_cell",
    "show_pool",
    "pool_animation",
    "plot_gradient_check",
    "plot_curves",
    "plot_loss_history",
    "plot_history",
    "plot_grad_norms",
    "plot_grad_norm_profile",
    "plot_error_growth",
    "draw_training_loop",
    "training_loop_animation",
    "show_digits",
    "show_misclassified",
    "plot_confusion_matrix",
    "show_filters",
    "plot_digit_prediction",
    "update_digit_prediction",
    "draw_saliency",
    "plot_saliency",
    "draw_shift_features",
    "plot_kernel_pair",
    "plot_recovery",
    "update_recovery",
    "recovery_animation",
    "show_article_output",
    "plot_depth_profiles",
    "update_depth_profiles",
    "depth_profile_limits",
    "pixel_numbers_table",
    "plot_unrolled_matrix",
    "unrolled_figsize",
    "highlight_window",
]
