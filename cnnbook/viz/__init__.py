"""Figures for the book (drawing only; computation lives in the numeric core)."""

from ._legacy import offline_animation
from ._legacy import loss_curve
from ._legacy import plot_loss_and_gradient
from ._legacy import plot_softmax_ce_vs_logit
from ._legacy import plot_softmax_bars
from ._legacy import Quadratic2D
from ._legacy import plot_gd_path_1d
from ._legacy import plot_gd_paths_2d
from ._legacy import plot_loss_histories
from ._legacy import heavy_ball_rate
from ._legacy import plot_lr_explorer
from ._legacy import show_array
from ._legacy import show_arrays
from ._legacy import show_array_grid
from ._legacy import receptive_field_taps
from ._legacy import receptive_field_patch
from ._legacy import conv_step_gradients
from ._legacy import plot_conv_step
from ._legacy import conv_step_animation
from ._legacy import plot_loss_history
from ._legacy import plot_compute_graph
from ._legacy import plot_loss_tangent
from ._legacy import tangent_animation
from ._legacy import KERNELS_3X3
from ._legacy import annotate_grid
from ._legacy import show_images
from ._legacy import draw_conv
from ._legacy import show_conv
from ._legacy import draw_pool
from ._legacy import show_pool
from ._legacy import conv_animation
from ._legacy import pool_animation
from ._legacy import gradcheck_verdict
from ._legacy import plot_gradient_check
from ._legacy import window_coverage
from ._legacy import plot_window_coverage
from ._legacy import input_grad_norms
from ._legacy import saliency
from ._legacy import plot_curves
from ._legacy import plot_saliency
from ._legacy import draw_saliency
from ._legacy import shift_image
from ._legacy import draw_shift_features
from ._legacy import plot_grad_norm_profile
from ._legacy import plot_history
from ._legacy import plot_grad_norms
from ._legacy import plot_confusion_matrix
from ._legacy import show_filters
from ._legacy import show_digits
from ._legacy import show_misclassified
from ._legacy import summary
from ._legacy import plot_kernel_pair
from ._legacy import plot_recovery
from ._legacy import plot_digit_prediction
from ._legacy import show_article_output
from ._legacy import plot_error_growth
from ._legacy import recovery_animation

__all__ = [
    "offline_animation",
    "loss_curve",
    "plot_loss_and_gradient",
    "plot_softmax_ce_vs_logit",
    "plot_softmax_bars",
    "Quadratic2D",
    "plot_gd_path_1d",
    "plot_gd_paths_2d",
    "plot_loss_histories",
    "heavy_ball_rate",
    "plot_lr_explorer",
    "show_array",
    "show_arrays",
    "show_array_grid",
    "receptive_field_taps",
    "receptive_field_patch",
    "conv_step_gradients",
    "plot_conv_step",
    "conv_step_animation",
    "plot_loss_history",
    "plot_compute_graph",
    "plot_loss_tangent",
    "tangent_animation",
    "KERNELS_3X3",
    "annotate_grid",
    "show_images",
    "draw_conv",
    "show_conv",
    "draw_pool",
    "show_pool",
    "conv_animation",
    "pool_animation",
    "gradcheck_verdict",
    "plot_gradient_check",
    "window_coverage",
    "plot_window_coverage",
    "input_grad_norms",
    "saliency",
    "plot_curves",
    "plot_saliency",
    "draw_saliency",
    "shift_image",
    "draw_shift_features",
    "plot_grad_norm_profile",
    "plot_history",
    "plot_grad_norms",
    "plot_confusion_matrix",
    "show_filters",
    "show_digits",
    "show_misclassified",
    "summary",
    "plot_kernel_pair",
    "plot_recovery",
    "plot_digit_prediction",
    "show_article_output",
    "plot_error_growth",
    "recovery_animation",
]
