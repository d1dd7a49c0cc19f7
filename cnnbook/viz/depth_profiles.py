r"""Signal scale by depth: activations (forward) and gradients (backward), layer by layer.

Draws :class:`cnnbook.signal_propagation.SignalProfile` results: the left panel the
standard deviation of each block's pre-activation :math:`z_l`, the right one the root mean
square of :math:`\partial L/\partial a_l`, both on a log axis, one line per profile.
:func:`update_depth_profiles` changes the lines of an existing figure in place, so an
explorer never rebuilds it.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import LogLocator, MaxNLocator, NullFormatter

__all__ = ["plot_depth_profiles", "update_depth_profiles", "depth_profile_limits"]

_PANELS = (
    ("preactivation_std", r"std of $z_l$", "forward: pre-activations"),
    ("grad_rms", r"RMS of $\partial L/\partial a_l$", "backward: gradients"),
)


def _curves(profile, attr):
    y = np.asarray(getattr(profile, attr), dtype=np.float64)
    return np.arange(len(y)), y


def _log_range(ys):
    """(low, high) of a log axis showing the positive finite values ``ys``, or None."""
    ys = np.asarray(ys, dtype=np.float64)
    ys = ys[np.isfinite(ys) & (ys > 0)]
    return (ys.min() / 3, ys.max() * 3) if ys.size else None


def _set_ylim(ax):
    limits = _log_range(np.concatenate([line.get_ydata() for line in ax.lines]))
    if limits:
        ax.set_ylim(*limits)


def depth_profile_limits(profiles):
    r"""One y range per panel that holds every profile of ``profiles`` (a sequence).

    Pass it as ``ylims`` to :func:`update_depth_profiles` when the frames of an animation
    must share their axes, so that a larger value looks larger from one frame to the next.
    """
    return [_log_range(np.concatenate([getattr(p, attr) for p in profiles]))
            for attr, _, _ in _PANELS]


def plot_depth_profiles(profiles, *, fig=None, title=None, styles=None):
    r"""Two panels: pre-activation std and gradient RMS against the layer index.

    Parameters
    ----------
    profiles : dict
        ``label -> SignalProfile`` (from :func:`cnnbook.signal_propagation.signal_profile`).
    fig : matplotlib.figure.Figure, optional
        Drawn on (cleared first); default: a new pyplot figure.
    title : str, optional
        Figure title.
    styles : dict, optional
        ``label -> dict`` of extra ``Axes.plot`` keywords (colour, line style).

    Returns
    -------
    fig : matplotlib.figure.Figure
        ``fig.axes[0]`` (forward) and ``fig.axes[1]`` (backward) hold one line per
        profile, in the order of ``profiles``.
    """
    if not isinstance(profiles, dict) or not profiles:
        raise ValueError(f"plot_depth_profiles: expected a non-empty dict label -> "
                         f"SignalProfile, got {profiles!r}")
    if fig is None:
        fig = plt.figure(figsize=(9, 3.4), dpi=80, layout="constrained")
    else:
        fig.clear()
    axes = fig.subplots(1, 2)
    if fig.get_layout_engine() is None:  # fixed margins: redraws skip the layout pass
        fig.subplots_adjust(left=0.08, right=0.98, bottom=0.15, top=0.84, wspace=0.28)
    styles = styles or {}
    for ax, (attr, ylabel, panel_title) in zip(axes, _PANELS):
        for label, profile in profiles.items():
            x, y = _curves(profile, attr)
            ax.plot(x, y, **{"marker": "o", "ms": 2.5, "lw": 1.2, "label": label,
                             **styles.get(label, {})})
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(numticks=6))
        ax.yaxis.set_minor_formatter(NullFormatter())  # fewer labels: faster redraws
        _set_ylim(ax)
        ax.set_xlabel(r"layer $l$")
        ax.set_ylabel(ylabel)
        ax.set_title(panel_title, fontsize=10, y=1.0)  # fixed y: no title layout per redraw
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(True, which="major", alpha=0.3)
    axes[0].legend(fontsize=8)
    if title:
        fig.suptitle(title, fontsize=11)
    return fig


def update_depth_profiles(fig, profiles, *, title=None, ylims=None):
    r"""Put new profiles into a figure from :func:`plot_depth_profiles`, in place.

    ``profiles`` must have as many entries as the figure has lines per panel (the labels
    may change); the y range follows the new data, unless ``ylims`` (one ``(low, high)``
    per panel, e.g. from :func:`depth_profile_limits`) fixes it.
    """
    for k, (ax, (attr, _, _)) in enumerate(zip(fig.axes[:2], _PANELS)):
        if len(ax.lines) != len(profiles):
            raise ValueError(f"update_depth_profiles: expected {len(ax.lines)} profiles "
                             f"(one per line of the figure), got {len(profiles)}")
        for line, (label, profile) in zip(ax.lines, profiles.items()):
            x, y = _curves(profile, attr)
            line.set_data(x, y)
            line.set_label(label)
        if ylims is not None and ylims[k] is not None:
            ax.set_ylim(*ylims[k])
        else:
            _set_ylim(ax)
        if ax.get_legend() is not None:
            ax.legend(fontsize=8)
    if title is not None:
        fig.suptitle(title, fontsize=11)
    return fig
