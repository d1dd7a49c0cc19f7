"""Gradient-check figures: analytic and numerical gradients side by side, and their difference."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["plot_gradient_check"]


def plot_gradient_check(analytic, numeric, *, title="", fig=None):
    r"""Three heatmaps: analytic :math:`\partial L/\partial x`, the central-difference
    estimate, and their difference (on its own colour scale).

    Parameters
    ----------
    analytic, numeric : ndarray, shape (H, W)
        One channel of the two gradients.
    title : str
        Figure title (the setting that was checked).
    fig : matplotlib.figure.Figure, optional
        Cleared and redrawn (for animations); a new figure if omitted.

    Returns
    -------
    matplotlib.figure.Figure
    """
    analytic = np.asarray(analytic, dtype=np.float64)
    numeric = np.asarray(numeric, dtype=np.float64)
    if fig is None:
        fig = plt.figure(figsize=(10, 3.2), dpi=90)
    fig.clf()
    axes = fig.subplots(1, 3)
    vmax = max(float(np.abs(analytic).max()), float(np.abs(numeric).max()), 1e-300)
    diff = analytic - numeric
    dmax = max(float(np.abs(diff).max()), 1e-300)
    panels = [(analytic, "analytic (backward pass)", vmax, "RdBu_r"),
              (numeric, "numerical (central differences)", vmax, "RdBu_r"),
              (diff, "analytic − numerical", dmax, "PuOr_r")]
    for ax, (data, name, lim, cmap) in zip(axes, panels):
        im = ax.imshow(data, cmap=cmap, vmin=-lim, vmax=lim)
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("input column $v$")
        ax.set_ylabel("input row $h$")
        cbar = fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
        cbar.ax.tick_params(labelsize=8)
        if data is diff:
            cbar.formatter.set_powerlimits((-2, 2))
            cbar.update_ticks()
    fig.suptitle(title or r"$\partial L/\partial x$, channel 0 of sample 0", fontsize=11)
    if fig.get_layout_engine() is None:  # a caller's layout engine does it
        fig.tight_layout()
    return fig
