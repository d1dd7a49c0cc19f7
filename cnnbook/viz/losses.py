"""Loss functions drawn: loss and gradient curves, softmax cross-entropy as bars.

Every value comes from :mod:`cnnbook.losses` (curves via :func:`cnnbook.analysis.loss_curve`);
these functions only draw.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..losses import softmax, softmax_cross_entropy

__all__ = ["plot_loss_and_gradient", "plot_softmax_ce_vs_logit", "plot_softmax_bars",
           "update_softmax_bars"]


def plot_loss_and_gradient(x, curves, *, xlabel, title, grad_ylim=None,
                           figsize=(9, 3.2)):
    r"""Two panels: each loss against ``x`` (left) and its gradient (right).

    Parameters
    ----------
    x : ndarray, shape (n,)
        The horizontal axis (prediction, probability or logit).
    curves : dict
        ``label -> (losses, grads)``, each of shape (n,), e.g. from :func:`loss_curve`.
    xlabel, title : str
        Axis label of ``x`` and the figure's title.
    grad_ylim : (float, float), optional
        Limits of the gradient axis (gradients that blow up are clipped to it).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, (ax_loss, ax_grad) = plt.subplots(1, 2, figsize=figsize)
    for label, (losses, grads) in curves.items():
        ax_loss.plot(x, losses, label=label)
        ax_grad.plot(x, grads, label=label)
    ax_loss.set(xlabel=xlabel, ylabel="loss $L$", title="loss")
    ax_grad.set(xlabel=xlabel, ylabel="gradient", title="gradient of the loss")
    ax_grad.axhline(0, color="0.6", lw=0.8)
    if grad_ylim is not None:
        ax_grad.set_ylim(*grad_ylim)
    for ax in (ax_loss, ax_grad):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_softmax_ce_vs_logit(others=(1.0, -1.0), true_class=0, z_range=(-6.0, 6.0),
                             n=241, figsize=(9, 3.2)):
    r"""Softmax cross-entropy of one example as its true-class logit :math:`z_k` moves.

    The other logits stay at ``others``. Left: the loss; right: every component of the
    gradient :math:`\partial L/\partial z_k = \hat y_k - y_k`, from
    :func:`cnnbook.losses.softmax_cross_entropy`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    others = [float(v) for v in others]
    k = len(others) + 1
    zc = np.linspace(*z_range, n)
    losses = np.empty(n)
    grads = np.empty((n, k))
    for i, v in enumerate(zc):
        z = np.array([others[:true_class] + [v] + others[true_class:]])
        losses[i], g = softmax_cross_entropy(z, np.array([true_class]))
        grads[i] = g[0]
    fig, (ax_loss, ax_grad) = plt.subplots(1, 2, figsize=figsize)
    ax_loss.plot(zc, losses, color="C3")
    ax_loss.set(xlabel=f"true-class logit $z_{true_class}$", ylabel="loss $L$",
                title=r"$L = -\log p_c$")
    for j in range(k):
        what = "true class" if j == true_class else "other class"
        ax_grad.plot(zc, grads[:, j], label=rf"$\partial L/\partial z_{j}$ ({what})")
    ax_grad.axhline(0, color="0.6", lw=0.8)
    ax_grad.set(xlabel=f"true-class logit $z_{true_class}$", ylabel="gradient",
                title=r"gradient $\hat y_k - y_k$", ylim=(-1.05, 1.05))
    for ax in (ax_loss, ax_grad):
        ax.grid(alpha=0.3)
    ax_grad.legend(fontsize=8)
    others_txt = ", ".join(f"{v:g}" for v in others)
    fig.suptitle(f"Softmax cross-entropy, {k} classes, other logits fixed at ({others_txt})")
    fig.tight_layout()
    return fig


def plot_softmax_bars(logits, true_class, *, fig=None, zmax=6.0):
    r"""Bar charts of one example: logits, softmax probabilities and gradient :math:`\hat y - y`.

    Computed with :func:`cnnbook.losses.softmax_cross_entropy` (batch of one, so the
    gradient is exactly :math:`\hat y - y`). The axes have fixed limits so frames compare.

    Parameters
    ----------
    logits : array_like, shape (K,)
    true_class : int
    fig : matplotlib.figure.Figure, optional
        Redraw into this figure (cleared first), e.g. for :func:`offline_animation`.
    zmax : float
        The logit axis spans :math:`[-z_{\max}, z_{\max}]`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    z = np.asarray(logits, dtype=np.float64).reshape(1, -1)
    k = z.shape[1]
    loss, grad = softmax_cross_entropy(z, np.array([int(true_class)]))
    p = softmax(z)[0]
    if fig is None:
        fig = plt.figure(figsize=(9, 3))
    fig.clf()
    axes = fig.subplots(1, 3)
    classes = np.arange(k)
    colors = ["C3" if c == true_class else "C0" for c in classes]
    axes[0].bar(classes, z[0], color=colors)
    axes[0].set(ylim=(-zmax, zmax), title="logits $z_k$", ylabel="$z_k$")
    axes[1].bar(classes, p, color=colors)
    axes[1].plot(classes, classes == true_class, "k_", ms=25, mew=2, label="target $y_k$")
    # room above 1 for the legend: no bar or target mark reaches it
    axes[1].set(ylim=(0, 1.35), yticks=np.linspace(0, 1, 6), title=r"softmax $\hat y_k$",
                ylabel="probability")
    axes[1].legend(fontsize=8, loc="upper center", ncol=1, borderaxespad=0.2)
    axes[2].bar(classes, grad[0], color=colors)
    axes[2].set(ylim=(-1.05, 1.05), title=r"gradient $\partial L/\partial z_k = \hat y_k - y_k$",
                ylabel="gradient")
    for ax in axes:
        ax.axhline(0, color="0.6", lw=0.8)
        ax.set_xticks(classes)
        ax.set_xlabel("class $k$")
    fig.suptitle(f"true class {int(true_class)} (red):  loss $L = -\\log p_{int(true_class)}$"
                 f" = {loss:.3f}")
    if fig.get_layout_engine() is None:  # a caller's layout engine does it
        fig.tight_layout()
    return fig


def update_softmax_bars(fig, logits, true_class):
    r"""New logits or true class on a figure drawn by :func:`plot_softmax_bars`, in place.

    The bar heights and colours, the target marks and the title change (the axes keep
    their fixed limits). Returns the artists that changed, for blitting (see
    :meth:`cnnbook.widgets.FigureView.show_changed`).
    """
    z = np.asarray(logits, dtype=np.float64).reshape(1, -1)
    k = z.shape[1]
    loss, grad = softmax_cross_entropy(z, np.array([int(true_class)]))
    p = softmax(z)[0]
    axes = fig.axes[:3]
    colors = ["C3" if c == true_class else "C0" for c in range(k)]
    for ax, heights in zip(axes, (z[0], p, grad[0])):
        for bar, h, col in zip(ax.patches, heights, colors):
            bar.set_height(h)
            bar.set_facecolor(col)
    target = axes[1].lines[0]
    target.set_ydata(np.arange(k) == true_class)
    title = fig.suptitle(f"true class {int(true_class)} (red):  loss $L = -\\log p_{int(true_class)}$"
                 f" = {loss:.3f}")
    changed = [title]
    for ax in axes:
        changed += [*ax.patches, *ax.lines, *ax.spines.values(), ax.get_legend()]
    return [a for a in changed if a is not None]  # the legend stays over the marks
