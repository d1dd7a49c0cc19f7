"""Optimisation landscapes: a loss along one weight with its tangent, gradient-descent paths
on 1-D functions and on the contours of a 2-D quadratic, and the loss along those paths.

The paths come from :func:`cnnbook.optim.gradient_descent` and, on the quadratic, from
:func:`cnnbook.quadratic.descent_run` (path, rate and bound); these functions only draw.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..quadratic import descent_run
from .animation import offline_animation

__all__ = ["plot_loss_tangent", "tangent_animation", "plot_gd_path_1d", "plot_gd_paths_2d",
           "plot_loss_histories", "plot_lr_explorer", "update_lr_explorer"]


def plot_loss_tangent(loss_and_grad, w, *, w_range=(-4.0, 4.0), lr=None, ax=None,
                      num=200, xlabel=r"weight $w$", ylabel=r"loss $L(w)$", title=None):
    r"""A loss as a function of one weight, with the tangent whose slope backprop computed.

    Parameters
    ----------
    loss_and_grad : callable
        ``loss_and_grad(w) -> (L, dL/dw)`` for a scalar ``w`` (the gradient from the
        backward pass).
    w : float
        Where to draw the tangent.
    w_range : (float, float)
        Range of the horizontal axis.
    lr : float, optional
        If given, an arrow shows one gradient-descent step
        :math:`w \leftarrow w - \eta\, \partial L/\partial w` and its new loss.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.6))
    grid = np.linspace(w_range[0], w_range[1], num)
    losses = np.array([loss_and_grad(float(v))[0] for v in grid])
    loss, grad = loss_and_grad(float(w))
    ax.plot(grid, losses, color="C0", label=r"$L(w)$")
    half = 0.18 * (w_range[1] - w_range[0])
    t = np.array([w - half, w + half])
    ax.plot(t, loss + grad * (t - w), color="C3", lw=2,
            label=rf"tangent, slope $\partial L/\partial w$ = {grad:.3f}")
    ax.plot([w], [loss], "o", color="C3", zorder=3)
    if lr is not None:
        w_new = w - lr * grad
        loss_new = loss_and_grad(float(w_new))[0]
        ax.annotate("", xy=(w_new, loss_new), xytext=(w, loss),
                    arrowprops=dict(arrowstyle="-|>", color="C2", lw=1.5))
        ax.plot([w_new], [loss_new], "s", color="C2", zorder=3,
                label=rf"after one step, $\eta$ = {lr:g}: $L$ = {loss_new:.4f}")
    span = losses.max() - losses.min()
    ax.set_ylim(losses.min() - 0.1 * span, losses.max() + 0.15 * span)
    ax.set_xlim(*w_range)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title if title is not None else rf"$w$ = {w:.2f}, $L$ = {loss:.4f}")
    ax.legend(loc="upper right", fontsize=9)
    return ax


def tangent_animation(loss_and_grad, values, *, w_range=(-4.0, 4.0), lr=None,
                      figsize=(6.5, 3.6), dpi=96):
    r"""Static-HTML slider over weights: :func:`plot_loss_tangent` for each value.

    Returns
    -------
    IPython.display.HTML
    """
    fig = plt.figure(figsize=figsize, dpi=dpi, constrained_layout=True)

    def draw(w):
        fig.clear()
        plot_loss_tangent(loss_and_grad, w, w_range=w_range, lr=lr, ax=fig.subplots())

    return offline_animation(fig, draw, values)


def _finite_rows(path):
    path = np.asarray(path, dtype=np.float64)
    keep = np.all(np.isfinite(path.reshape(len(path), -1)), axis=1)
    return path[keep]


def plot_gd_path_1d(f, path, *, ax=None, xlim=(-2.0, 2.0), title=None):
    r"""A 1-D function and the iterates of gradient descent on it, joined in order.

    Parameters
    ----------
    f : callable
        Vectorized function of one variable.
    path : ndarray, shape (T,)
        The iterates, e.g. from :func:`cnnbook.optim.gradient_descent`.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 3))
    xs = np.linspace(*xlim, 200)
    ax.plot(xs, f(xs), color="0.5", lw=1)
    path = _finite_rows(path)
    inside = np.abs(path) <= max(abs(xlim[0]), abs(xlim[1])) * 1.5
    pts = path[inside]
    ax.plot(pts, f(pts), "-o", color="C3", ms=3, lw=0.8)
    ax.plot(path[:1], f(path[:1]), "s", color="k", ms=5, label="start")
    ax.set(xlim=xlim, ylim=(-0.05 * f(xs).max(), 1.05 * f(xs).max()), xlabel=r"$\theta$",
           ylabel=r"$f(\theta)$")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_gd_paths_2d(quad, paths, *, ax=None, xlim=(-5.0, 5.0), ylim=(-3.0, 3.0),
                     title=None, colorbar=True):
    r"""Contours of a :class:`Quadratic2D` with gradient-descent paths on top.

    Parameters
    ----------
    quad : Quadratic2D
    paths : dict
        ``label -> path`` with ``path`` of shape (T, 2); non-finite iterates are dropped.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.6))
    gx, gy = np.meshgrid(np.linspace(*xlim, 201), np.linspace(*ylim, 121))
    log_f = np.log10(np.maximum(quad(np.stack([gx, gy], axis=-1)), 1e-300))
    levels = np.arange(-6, max(int(4 * log_f.max()), -4) + 1) / 4  # quarter decades
    cs = ax.contour(gx, gy, log_f, levels=levels, cmap="viridis", linewidths=0.8)
    if colorbar:
        ax.figure.colorbar(cs, ax=ax, label=r"$\log_{10} f(\theta)$", format="%.2g")
    for i, (label, path) in enumerate(paths.items()):
        path = _finite_rows(path)
        ax.plot(path[:, 0], path[:, 1], "-o", ms=2.5, lw=1, color=f"C{(i + 1) % 10}",
                label=label)
    ax.plot(0, 0, "*", color="k", ms=9)
    ax.set(xlim=xlim, ylim=ylim, xlabel=r"$\theta_1$", ylabel=r"$\theta_2$")
    if title:
        ax.set_title(title, fontsize=10)
    if paths:
        ax.legend(fontsize=8, loc="lower right")
    return ax


def plot_loss_histories(f, paths, *, ax=None, title="loss per step"):
    r"""Semilog plot of :math:`f(\theta_t)` against the step :math:`t` for each path.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.2))
    for i, (label, path) in enumerate(paths.items()):
        values = np.asarray(f(_finite_rows(path)), dtype=np.float64)
        values = values[np.isfinite(values)]
        ax.semilogy(np.arange(len(values)), np.maximum(values, 1e-300), lw=1.2,
                    color=f"C{(i + 1) % 10}", label=label)
    ax.set(xlabel="step $t$", ylabel=r"$f(\theta_t)$ (log scale)", title=title)
    ax.grid(alpha=0.3, which="both")
    if paths:
        ax.legend(fontsize=8)
    return ax


def _lr_title(fig, quad, lr, momentum, run):
    """The explorer's title: the verdict, the rate per step and the stability bound."""
    bound_txt = r"2/\lambda_{\max}" if momentum == 0 else r"2(1+\rho)/\lambda_{\max}"
    return fig.suptitle(f"lr = {lr:.3g}, momentum = {momentum:.2g}: {run.verdict} "
                        f"(rate {run.rate:.3f} per step); bound ${bound_txt}$ = {run.bound:.3g}, "
                        f"$\\lambda_{{\\max}}$ = {quad.L:g}", fontsize=10)


def plot_lr_explorer(quad, lr, steps=40, momentum=0.0, x0=(-4.0, 2.0), *, fig=None,
                     xlim=(-5.0, 5.0), ylim=(-3.0, 3.0), run=None):
    r"""Gradient descent on ``quad``: path over the contours and loss per step.

    The path, rate and bound come from :func:`cnnbook.quadratic.descent_run` (a diverging
    path simply ends). The title says whether the iteration converges (the rate of
    :func:`cnnbook.quadratic.heavy_ball_rate` is below 1) and gives the bound
    :math:`2/\lambda_{\max}` (:math:`2(1+\rho)/\lambda_{\max}` with momentum :math:`\rho`), where
    :math:`\lambda_{\max}` is the largest curvature (``quad.L``).

    Parameters
    ----------
    quad : Quadratic2D
    lr, steps, momentum : see :func:`cnnbook.optim.gradient_descent`
    x0 : (float, float)
        Starting point.
    fig : matplotlib.figure.Figure, optional
        Redraw into this figure (cleared first), e.g. for :func:`offline_animation`.
    run : cnnbook.quadratic.DescentRun, optional
        The run to draw, if the caller already has it (computed from the arguments
        otherwise).

    Returns
    -------
    matplotlib.figure.Figure
    """
    if run is None:
        run = descent_run(quad, lr, steps, momentum, x0)
    path = run.path
    if fig is None:
        fig = plt.figure(figsize=(10, 3.6))
    fig.clf()
    ax_path, ax_loss = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.4, 1]})
    plot_gd_paths_2d(quad, {f"lr = {lr:.3g}": path}, ax=ax_path, xlim=xlim, ylim=ylim,
                     title="path on the contours of $f$")
    plot_loss_histories(quad, {f"lr = {lr:.3g}": path}, ax=ax_loss)
    ax_loss.set_xlim(0, steps)
    f0 = float(quad(np.asarray(x0, dtype=np.float64)))
    ax_loss.set_ylim(1e-12, max(1e6, 10 * f0))
    _lr_title(fig, quad, lr, momentum, run)
    if fig.get_layout_engine() is None:  # a caller's layout engine does it
        fig.tight_layout()
    return fig


def update_lr_explorer(fig, quad, lr, steps=40, momentum=0.0, x0=(-4.0, 2.0), *, run=None):
    r"""New settings on a figure drawn by :func:`plot_lr_explorer`, in place.

    The contours stay; the path, its legend, the whole loss panel (its step axis follows
    ``steps``) and the title are updated. Returns the artists that changed, for blitting
    (see :meth:`cnnbook.widgets.FigureView.show_changed`).
    """
    if run is None:
        run = descent_run(quad, lr, steps, momentum, x0)
    path = run.path
    ax_path, ax_loss = fig.axes[:2]
    label = f"lr = {lr:.3g}"
    finite = _finite_rows(path)
    line = ax_path.lines[0]
    line.set_data(finite[:, 0], finite[:, 1])
    line.set_label(label)
    ax_path.get_legend().get_texts()[0].set_text(label)
    values = np.asarray(quad(finite), dtype=np.float64)
    values = values[np.isfinite(values)]
    loss_line = ax_loss.lines[0]
    loss_line.set_data(np.arange(len(values)), np.maximum(values, 1e-300))
    loss_line.set_label(label)
    ax_loss.get_legend().get_texts()[0].set_text(label)
    ax_loss.set_xlim(0, steps)
    f0 = float(quad(np.asarray(x0, dtype=np.float64)))
    ax_loss.set_ylim(1e-12, max(1e6, 10 * f0))
    title = _lr_title(fig, quad, lr, momentum, run)
    return [*ax_path.lines, *ax_path.spines.values(), ax_path.get_legend(), ax_loss, title]
