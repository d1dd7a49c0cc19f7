"""Plotting helpers for the book's figures (matplotlib).

Every function draws on matplotlib axes it creates or is given, labels them (title, axis
labels, colour bar) and returns the figure or axes, so a notebook cell stays one line.
Sections below belong to the chapters that introduced them; functions are shared freely.
"""
from __future__ import annotations

import re

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["offline_animation"]


# --------------------------------------------------------------------------------------
# Static-HTML interactivity
# --------------------------------------------------------------------------------------

_EXTERNAL_LINK = re.compile(r"<link[^>]+href=['\"]https?://[^'\"]+['\"][^>]*>\s*", re.I)
# to_jshtml's buttons are font-awesome icons; offline they would be blank, so use text.
_ICONS = {  # characters that common fonts (DejaVu, Liberation, system UI fonts) all have
    "fa fa-fast-backward": "&laquo;", "fa fa-fast-forward": "&raquo;", "fa fa-minus": "&minus;",
    "fa fa-pause": "||", "fa fa-play fa-flip-horizontal": "&#9664;", "fa fa-play": "&#9654;",
    "fa fa-plus": "+", "fa fa-step-backward": "&lsaquo;", "fa fa-step-forward": "&rsaquo;",
}


def offline_animation(fig, draw_frame, frames, *, interval=400, default_mode="once"):
    r"""A slider over precomputed frames that works in static HTML with no kernel.

    ``matplotlib.animation.FuncAnimation(...).to_jshtml()`` embeds every frame as an image
    plus a small JavaScript player (slider, play/step buttons). Its output links a
    font-awesome stylesheet on a CDN; this helper removes that link so the page loads
    nothing from outside, and replaces the icon font's buttons with plain text symbols.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to animate; it is closed afterwards so it is not also shown statically.
    draw_frame : callable
        ``draw_frame(value)`` redraws ``fig`` for one parameter value.
    frames : sequence
        The parameter values, one frame each (keep it to a few dozen: each is a PNG).
    interval : int
        Milliseconds between frames when playing.

    Returns
    -------
    IPython.display.HTML
        Display it as a cell's last expression.
    """
    from IPython.display import HTML
    from matplotlib.animation import FuncAnimation

    frames = list(frames)
    anim = FuncAnimation(fig, lambda i: draw_frame(frames[i]), frames=len(frames),
                         interval=interval, repeat=False)
    html = anim.to_jshtml(default_mode=default_mode)
    plt.close(fig)
    html = _EXTERNAL_LINK.sub("", html)
    for cls, symbol in _ICONS.items():
        html = html.replace(f'<i class="{cls}"></i>', symbol)
    return HTML(html)


# ---- ch3.1-3.2: losses and gradient descent ----
# Figures of book/03_1_loss_functions.ipynb and book/03_2_gradient_descent.ipynb. Every
# value is computed with cnnbook.losses / cnnbook.optim; the helpers only draw.

__all__ += ["loss_curve", "plot_loss_and_gradient", "plot_softmax_ce_vs_logit",
            "plot_softmax_bars", "Quadratic2D", "plot_gd_path_1d", "plot_gd_paths_2d",
            "plot_loss_histories", "heavy_ball_rate", "plot_lr_explorer"]


def loss_curve(loss_fn, values, target):
    r"""Loss and gradient of a one-element prediction, at each of ``values``.

    Parameters
    ----------
    loss_fn : callable
        ``loss_fn(pred, target) -> (loss, grad)``, e.g. :func:`cnnbook.losses.mse`.
    values : array_like, shape (n,)
        Predictions (values, probabilities or logits) to evaluate.
    target : float
        The target :math:`y` of the single element.

    Returns
    -------
    losses, grads : ndarray, shape (n,)
        :math:`L` and :math:`\partial L/\partial \text{pred}` at each value.
    """
    values = np.asarray(values, dtype=np.float64)
    target = np.array([float(target)])
    losses = np.empty_like(values)
    grads = np.empty_like(values)
    for i, v in enumerate(values):
        loss, grad = loss_fn(np.array([v]), target)
        losses[i], grads[i] = loss, grad[0]
    return losses, grads


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
    r"""Softmax cross-entropy of one example as its true-class logit :math:`z_c` moves.

    The other logits stay at ``others``. Left: the loss; right: every component of the
    gradient :math:`\partial L/\partial z_k = p_k - y_k`, from
    :func:`cnnbook.losses.softmax_cross_entropy`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from ..losses import softmax_cross_entropy

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
                title=r"gradient $p_k - y_k$", ylim=(-1.05, 1.05))
    for ax in (ax_loss, ax_grad):
        ax.grid(alpha=0.3)
    ax_grad.legend(fontsize=8)
    others_txt = ", ".join(f"{v:g}" for v in others)
    fig.suptitle(f"Softmax cross-entropy, {k} classes, other logits fixed at ({others_txt})")
    fig.tight_layout()
    return fig


def plot_softmax_bars(logits, true_class, *, fig=None, zmax=6.0):
    r"""Bar charts of one example: logits, softmax probabilities and gradient ``p - y``.

    Computed with :func:`cnnbook.losses.softmax_cross_entropy` (batch of one, so the
    gradient is exactly :math:`p - y`). The axes have fixed limits so frames compare.

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
    from ..losses import softmax, softmax_cross_entropy

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
    axes[1].set(ylim=(0, 1.05), title="softmax $p_k$", ylabel="probability")
    axes[1].legend(fontsize=8, loc="upper right")
    axes[2].bar(classes, grad[0], color=colors)
    axes[2].set(ylim=(-1.05, 1.05), title=r"gradient $\partial L/\partial z_k = p_k - y_k$",
                ylabel="gradient")
    for ax in axes:
        ax.axhline(0, color="0.6", lw=0.8)
        ax.set_xticks(classes)
        ax.set_xlabel("class $k$")
    fig.suptitle(f"true class {int(true_class)} (red):  loss $L = -\\log p_{int(true_class)}$"
                 f" = {loss:.3f}")
    fig.tight_layout()
    return fig


class Quadratic2D:
    r"""The quadratic :math:`f(x) = \tfrac12 x^\top A x` with curvatures along the axes.

    Parameters
    ----------
    curvatures : (float, float)
        Eigenvalues of :math:`A = \operatorname{diag}(\mu, L)`: the curvature along
        :math:`x_1` and along :math:`x_2`. Their ratio :math:`L/\mu` is the condition
        number.

    Attributes
    ----------
    A : ndarray, shape (2, 2)
    L, mu : float
        Largest and smallest curvature.
    """

    def __init__(self, curvatures=(1.0, 10.0)):
        c = np.asarray(curvatures, dtype=np.float64)
        if c.shape != (2,) or np.any(c <= 0):
            raise ValueError(f"Quadratic2D: expected two positive curvatures, got {curvatures!r}")
        self.A = np.diag(c)
        self.L, self.mu = float(c.max()), float(c.min())

    def __call__(self, x):
        """:math:`f(x)` for ``x`` of shape (..., 2)."""
        x = np.asarray(x, dtype=np.float64)
        with np.errstate(over="ignore", invalid="ignore"):
            return 0.5 * np.einsum("...i,ij,...j->...", x, self.A, x)

    def grad(self, x):
        r""":math:`\nabla f(x) = A x` for ``x`` of shape (2,)."""
        return self.A @ np.asarray(x, dtype=np.float64)

    def __repr__(self):
        return f"Quadratic2D(curvatures=({self.A[0, 0]:g}, {self.A[1, 1]:g}))"


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
    ax.set(xlim=xlim, ylim=(-0.05 * f(xs).max(), 1.05 * f(xs).max()), xlabel="$x$",
           ylabel="$f(x)$")
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
        ax.figure.colorbar(cs, ax=ax, label=r"$\log_{10} f(x)$", format="%.2g")
    for i, (label, path) in enumerate(paths.items()):
        path = _finite_rows(path)
        ax.plot(path[:, 0], path[:, 1], "-o", ms=2.5, lw=1, color=f"C{(i + 1) % 10}",
                label=label)
    ax.plot(0, 0, "*", color="k", ms=9)
    ax.set(xlim=xlim, ylim=ylim, xlabel="$x_1$", ylabel="$x_2$")
    if title:
        ax.set_title(title, fontsize=10)
    if paths:
        ax.legend(fontsize=8, loc="lower right")
    return ax


def plot_loss_histories(f, paths, *, ax=None, title="loss per step"):
    r"""Semilog plot of :math:`f(x_t)` against the step :math:`t` for each path.

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
    ax.set(xlabel="step $t$", ylabel="$f(x_t)$ (log scale)", title=title)
    ax.grid(alpha=0.3, which="both")
    if paths:
        ax.legend(fontsize=8)
    return ax


def heavy_ball_rate(curvatures, lr, momentum=0.0):
    r"""Asymptotic contraction factor per step of (heavy-ball) gradient descent.

    On a quadratic with Hessian eigenvalues :math:`\lambda`, each eigen-direction obeys
    :math:`\begin{pmatrix} x_{t+1} \\ x_t \end{pmatrix} = \begin{pmatrix} 1 + \mu - \eta
    \lambda & -\mu \\ 1 & 0 \end{pmatrix} \begin{pmatrix} x_t \\ x_{t-1} \end{pmatrix}`;
    the rate is the largest spectral radius of these matrices. Below 1: converges;
    above 1: diverges. With :math:`\mu = 0` it is :math:`\max_\lambda |1 - \eta\lambda|`.

    Returns
    -------
    float
    """
    rho = 0.0
    for lam in np.atleast_1d(np.asarray(curvatures, dtype=np.float64)):
        m = np.array([[1 + momentum - lr * lam, -momentum], [1.0, 0.0]])
        rho = max(rho, float(np.max(np.abs(np.linalg.eigvals(m)))))
    return rho


def plot_lr_explorer(quad, lr, steps=40, momentum=0.0, x0=(-4.0, 2.0), *, fig=None,
                     xlim=(-5.0, 5.0), ylim=(-3.0, 3.0)):
    r"""Gradient descent on ``quad``: path over the contours and loss per step.

    The path comes from :func:`cnnbook.optim.gradient_descent` (its divergence warning
    is caught: a diverging path simply ends). The title says whether the iteration
    converges (the rate of :func:`heavy_ball_rate` is below 1) and gives the bound
    :math:`2/L` (:math:`2(1+\mu)/L` with momentum :math:`\mu`).

    Parameters
    ----------
    quad : Quadratic2D
    lr, steps, momentum : see :func:`cnnbook.optim.gradient_descent`
    x0 : (float, float)
        Starting point.
    fig : matplotlib.figure.Figure, optional
        Redraw into this figure (cleared first), e.g. for :func:`offline_animation`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import warnings

    from ..optim import gradient_descent

    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        path = gradient_descent(quad.grad, np.asarray(x0, dtype=np.float64), lr=lr,
                                steps=int(steps), momentum=momentum)
    rate = heavy_ball_rate(np.diag(quad.A), lr, momentum)
    bound = 2 * (1 + momentum) / quad.L
    verdict = "converges" if rate < 1 - 1e-12 else ("diverges" if rate > 1 + 1e-12
                                                   else "neither (rate = 1)")
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
    bound_txt = "2/L" if momentum == 0 else r"2(1+\mu)/L"
    fig.suptitle(f"lr = {lr:.3g}, momentum = {momentum:.2g}: {verdict} "
                 f"(rate {rate:.3f} per step); bound ${bound_txt}$ = {bound:.3g}, "
                 f"L = {quad.L:g}", fontsize=10)
    fig.tight_layout()
    return fig


# ---- ch3.3: backpropagation ----
# Annotated heatmaps of small arrays, receptive fields of conv output pixels, and the
# backprop step-through (one output pixel's gradient flowing back to the input and weights).

__all__ += ["show_array", "show_arrays", "show_array_grid", "receptive_field_taps",
            "receptive_field_patch",
            "conv_step_gradients", "plot_conv_step", "conv_step_animation",
            "plot_loss_history"]


def _c33_text_colour(image, value):
    """Black or white text, whichever reads better on the cell's colour."""
    r, g, b, _ = image.cmap(image.norm(value))
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"


def show_array(ax, a, title, *, annotate=True, fmt="{:.2f}", cmap=None, vmin=None,
               vmax=None, symmetric=False, colorbar=True, fontsize=None, skip_zeros=False,
               extent_offset=0, xlabel="column $j$", ylabel="row $i$"):
    r"""Draw a small 2-D array as a heatmap, with its values written in the cells.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    a : array_like, shape (H, W)
    title : str
    annotate : bool
        Write each value in its cell (with ``fmt``).
    cmap : str, optional
        Default ``"viridis"``, or ``"RdBu_r"`` when ``symmetric``.
    vmin, vmax : float, optional
        Colour range; share them between panels whose values are compared.
    symmetric : bool
        Colour range symmetric about 0 (for gradients, which have both signs).
    colorbar : bool
        Add a colour bar beside the axes.
    skip_zeros : bool
        Leave cells holding exactly 0 blank (to make sparse gradients readable).
    extent_offset : int or (int, int)
        Index of the first row and column (e.g. ``-padding`` to label a padded array with
        the coordinates of the unpadded one).

    Returns
    -------
    matplotlib.image.AxesImage
    """
    a = np.asarray(a, dtype=np.float64)
    if a.ndim != 2:
        raise ValueError(f"show_array: expected a 2-D array, got shape {a.shape}")
    if symmetric:
        m = float(np.max(np.abs(a))) if vmax is None else float(vmax)
        m = m if m > 0 else 1.0
        vmin, vmax = -m, m
        cmap = cmap or "RdBu_r"
    cmap = cmap or "viridis"
    if vmin is None and vmax is None and np.ptp(a) == 0:
        vmin, vmax = float(a.min()) - 1, float(a.max()) + 1  # a constant array stays readable
    H, W = a.shape
    orow, ocol = _c33_pair(extent_offset)
    image = ax.imshow(a, cmap=cmap, vmin=vmin, vmax=vmax,
                      extent=(ocol - 0.5, ocol + W - 0.5, orow + H - 0.5, orow - 0.5))
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_xticks(range(ocol, ocol + W))
    ax.set_yticks(range(orow, orow + H))
    ax.tick_params(labelsize=7)
    if annotate:
        if fontsize is None:
            fontsize = 9 if max(H, W) <= 4 else 7 if max(H, W) <= 6 else 5
        for i in range(H):
            for j in range(W):
                v = a[i, j]
                if skip_zeros and v == 0:
                    continue
                ax.text(ocol + j, orow + i, fmt.format(v + 0.0), ha="center", va="center",
                        fontsize=fontsize, color=_c33_text_colour(image, v))
    if colorbar:
        ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    return image


def show_arrays(arrays, titles, *, suptitle=None, share_scale=False, symmetric=False,
                panel_size=2.6, **kwargs):
    r"""A row of :func:`show_array` panels, one per 2-D array.

    ``share_scale=True`` gives all panels one colour range, so equal colours mean equal
    values. Other keyword arguments go to :func:`show_array`. Returns the figure.
    """
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    if len(arrays) != len(titles):
        raise ValueError(f"show_arrays: got {len(arrays)} arrays but {len(titles)} titles")
    fig, axes = plt.subplots(1, len(arrays), figsize=(panel_size * len(arrays) + 0.6,
                                                      panel_size + 0.4), squeeze=False)
    if share_scale:
        if symmetric:
            m = max(float(np.max(np.abs(a))) for a in arrays)
            kwargs.update(vmax=m)
        else:
            kwargs.update(vmin=min(float(a.min()) for a in arrays),
                          vmax=max(float(a.max()) for a in arrays))
    for ax, a, t in zip(axes[0], arrays, titles):
        show_array(ax, a, t, symmetric=symmetric, **kwargs)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def _c33_pair(v):
    return (int(v), int(v)) if np.ndim(v) == 0 else (int(v[0]), int(v[1]))


def show_array_grid(arrays, titles, *, suptitle=None, symmetric=False, share_scale=None,
                    windows=None, panel_size=2.5, **kwargs):
    r"""A grid of :func:`show_array` panels (``arrays[r][k]`` in row ``r``, column ``k``).

    Parameters
    ----------
    arrays, titles : list of lists
        2-D arrays and their titles; ``None`` leaves a panel empty.
    symmetric : bool or list of bool
        Per column: colour range symmetric about 0 (gradients).
    share_scale : {None, "column", "all"}
        ``"column"``: one colour range per column (compare channels); ``"all"``: one
        range for all symmetric panels and one for all the others.
    windows : int or list, optional
        Per column: draw light lines every ``windows`` cells (pooling windows).
    Other keyword arguments go to :func:`show_array`. Returns the figure.
    """
    rows, cols = len(arrays), max(len(r) for r in arrays)
    per_col = lambda v: list(v) if isinstance(v, (list, tuple)) else [v] * cols  # noqa: E731
    symmetric, windows = per_col(symmetric), per_col(windows)
    fig, axes = plt.subplots(rows, cols, figsize=(panel_size * cols + 0.8,
                                                  panel_size * rows + 0.3), squeeze=False)
    present = [[None if a is None else np.asarray(a, dtype=np.float64) for a in r]
               for r in arrays]
    for k in range(cols):
        column = [r[k] for r in present if k < len(r) and r[k] is not None]
        if share_scale == "all":  # one range per kind: signed (symmetric) or not
            column = [a for r in present for kk, a in enumerate(r)
                      if a is not None and symmetric[kk] == symmetric[k]]
        for r in range(rows):
            ax = axes[r, k]
            a = present[r][k] if k < len(present[r]) else None
            if a is None:
                ax.axis("off")
                continue
            opts = dict(kwargs)
            if share_scale in ("column", "all"):
                if symmetric[k]:
                    opts["vmax"] = max(float(np.abs(c).max()) for c in column)
                else:
                    opts["vmin"] = min(float(c.min()) for c in column)
                    opts["vmax"] = max(float(c.max()) for c in column)
            show_array(ax, a, titles[r][k], symmetric=symmetric[k], **opts)
            if windows[k]:
                step = int(windows[k])
                for t in range(step, max(a.shape), step):
                    ax.axhline(t - 0.5, color="tab:orange", lw=1.5)
                    ax.axvline(t - 0.5, color="tab:orange", lw=1.5)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def receptive_field_taps(i, j, kernel_size, *, stride=1, padding=0, dilation=1):
    r"""Input positions read by conv output pixel ``(i, j)``, one per kernel tap.

    Tap :math:`(p, q)` of output pixel :math:`(i, j)` reads the (unpadded) input at

    .. math:: (s_h i - p_h + d_h p,\; s_w j - p_w + d_w q);

    positions outside ``[0, H) x [0, W)`` fall in the zero padding.

    Returns
    -------
    taps : ndarray of int, shape (KH, KW, 2)
        ``taps[p, q] = (row, col)``.
    """
    (KH, KW), (sh, sw), (ph, pw), (dh, dw) = (_c33_pair(v) for v in
                                              (kernel_size, stride, padding, dilation))
    rows = sh * i - ph + dh * np.arange(KH)
    cols = sw * j - pw + dw * np.arange(KW)
    return np.stack(np.meshgrid(rows, cols, indexing="ij"), axis=-1)


def receptive_field_patch(ax, taps, *, color="red", bounding_box=True, label=None):
    r"""Outline the input cells of a receptive field on a heatmap drawn by :func:`show_array`.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    taps : ndarray, shape (KH, KW, 2)
        From :func:`receptive_field_taps` (row, col per kernel tap).
    color : str
    bounding_box : bool
        Also draw a dashed box around the whole field (with dilation the taps have gaps).
    label : str, optional
        Legend label of the tap squares.

    Returns
    -------
    list of matplotlib.patches.Rectangle
    """
    from matplotlib.patches import Rectangle

    taps = np.asarray(taps).reshape(-1, 2)
    patches = []
    for k, (r, c) in enumerate(taps):
        patch = Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, edgecolor=color, lw=2,
                          label=label if k == 0 else None)
        ax.add_patch(patch)
        patches.append(patch)
    if bounding_box and len(taps) > 1:
        r0, c0 = taps.min(axis=0)
        r1, c1 = taps.max(axis=0)
        box = Rectangle((c0 - 0.5, r0 - 0.5), c1 - c0 + 1, r1 - r0 + 1, fill=False,
                        edgecolor=color, lw=1, ls="--")
        ax.add_patch(box)
        patches.append(box)
    return patches


def conv_step_gradients(x, w, b, n, f, i, j, *, stride=1, padding=0, dilation=1):
    r"""Backpropagate :math:`\delta = e_{n,f,i,j}` (1 at one output pixel) through a conv.

    Runs :func:`cnnbook.conv.conv2d_forward` and :func:`cnnbook.conv.conv2d_backward` with
    an upstream gradient that is 1 at output pixel ``(n, f, i, j)`` and 0 elsewhere, i.e.
    the gradient of that single output :math:`y_{n,f,i,j}`.

    Returns
    -------
    dict
        ``out`` (N, F, OH, OW), ``dout`` (the one-hot :math:`\delta`), ``dx`` (N, C, H, W),
        ``dw`` (F, C, KH, KW), ``db`` (F,), and ``taps`` (KH, KW, 2) from
        :func:`receptive_field_taps`. ``dx[n, c]`` is ``w[f, c]`` placed on the taps inside
        the image (taps that overlap add up); ``dw[f, c]`` is the input patch under the taps
        (0 on padding); ``db`` is 1 at ``f``.
    """
    from ..conv import conv2d_backward, conv2d_forward

    out, cache = conv2d_forward(x, w, b, stride=stride, padding=padding, dilation=dilation)
    N, F, OH, OW = out.shape
    if not (0 <= n < N and 0 <= f < F and 0 <= i < OH and 0 <= j < OW):
        raise ValueError(f"conv_step_gradients: expected (n, f, i, j) inside the output of "
                         f"shape {out.shape}, got {(n, f, i, j)}")
    dout = np.zeros(out.shape)
    dout[n, f, i, j] = 1.0
    dx, dw, db = conv2d_backward(dout, cache)
    taps = receptive_field_taps(i, j, np.shape(w)[2:], stride=stride, padding=padding,
                                dilation=dilation)
    return {"out": np.array(out), "dout": dout, "dx": np.array(dx), "dw": np.array(dw),
            "db": np.array(db), "taps": taps}


def _c33_set_values(image, texts, a, fmt, skip_zeros):
    """Update a heatmap drawn by :func:`show_array` (image data and cell texts) in place."""
    image.set_data(a)
    for (r, q), text in zip(np.ndindex(a.shape), texts):
        v = a[r, q]
        text.set_text("" if skip_zeros and v == 0 else fmt.format(v + 0.0))  # no "-0.00"
        text.set_color(_c33_text_colour(image, v))


_C33_STEP_FIGSIZE = (10.5, 6.4)


class _C33ConvStepFigure:
    """The five panels of :func:`plot_conv_step`, built once; ``set_pixel`` moves the pixel."""

    def __init__(self, x, w, b, n, f, c, stride, padding, dilation, fig):
        from matplotlib.patches import Rectangle

        self.x = np.asarray(x, dtype=np.float64)
        self.w = np.asarray(w, dtype=np.float64)
        self.b = b
        self.n, self.f, self.c = n, f, c
        self.conv = dict(stride=stride, padding=padding, dilation=dilation)
        ph, pw = _c33_pair(padding)
        H, W = self.x.shape[2:]
        self.fig = fig = plt.figure(figsize=_C33_STEP_FIGSIZE) if fig is None else fig
        fig.clf()
        axes = self.axes = fig.subplots(2, 3).ravel()
        g = conv_step_gradients(self.x, self.w, b, n, f, 0, 0, **self.conv)
        x_max = max(1.0, float(np.abs(self.x).max()))
        # 1. the input, padded, labelled in unpadded coordinates
        show_array(axes[0], np.pad(self.x[n, c], ((ph, ph), (pw, pw))), "\n", annotate=False,
                   cmap="Greys", vmin=0, vmax=x_max, extent_offset=(-ph, -pw))
        if ph or pw:
            axes[0].add_patch(Rectangle((-0.5, -0.5), W, H, fill=False, lw=1.5,
                                        edgecolor="tab:blue"))
        # 2. the kernel
        show_array(axes[1], self.w[f, c], f"kernel $w_{{{f},{c}}}$", symmetric=True,
                   xlabel="$q$", ylabel="$p$")
        # 3.-5. delta, dx, dw: drawn with a text in every cell, values set by set_pixel
        self.delta = show_array(axes[2], g["dout"][n, f], "\n", cmap="Greys", vmin=0, vmax=1,
                                fmt="{:.0f}")
        self.dx = show_array(axes[3], g["dx"][n, c],
                             r"$\partial L/\partial x$" + f" (sample {n}, channel {c})",
                             symmetric=True, vmax=float(np.abs(self.w[f, c]).max()))
        self.dw = show_array(axes[4], g["dw"][f, c],
                             r"$\partial L/\partial w$" + f" (kernel {f}, channel {c})",
                             cmap="Greys", vmin=0, vmax=x_max, xlabel="$q$", ylabel="$p$")
        self.texts = {k: list(axes[k].texts) for k in (2, 3, 4)}
        axes[5].axis("off")
        self.note = axes[5].text(-0.05, 0.95, "", va="top", ha="left", fontsize=8.5,
                                 transform=axes[5].transAxes)
        self.patches = []
        self.result = None
        fig.tight_layout()

    def set_pixel(self, i, j):
        n, f, c = self.n, self.f, self.c
        g = self.result = conv_step_gradients(self.x, self.w, self.b, n, f, i, j, **self.conv)
        _c33_set_values(self.delta, self.texts[2], g["dout"][n, f], "{:.0f}", False)
        _c33_set_values(self.dx, self.texts[3], g["dx"][n, c], "{:.2f}", True)
        _c33_set_values(self.dw, self.texts[4], g["dw"][f, c], "{:.2f}", False)
        for patch in self.patches:
            patch.remove()
        H, W = self.x.shape[2:]
        inside = np.array([(r, q) for r, q in g["taps"].reshape(-1, 2)
                           if 0 <= r < H and 0 <= q < W]).reshape(-1, 2)
        self.patches = (receptive_field_patch(self.axes[0], g["taps"])
                        + receptive_field_patch(self.axes[2], np.array([[i, j]]),
                                                bounding_box=False)
                        + receptive_field_patch(self.axes[3], inside, bounding_box=False,
                                                color="k"))
        self.axes[0].set_title(f"input $x_{{{n},{c}}}$, receptive field\nof "
                               f"$y_{{{n},{f},{i},{j}}}$")
        self.axes[2].set_title(r"$\delta = \partial L/\partial y$" + f" (map {f}):\n"
                               f"1 at $(i, j) = ({i}, {j})$")
        s, p, d = (_c33_pair(self.conv[k]) for k in ("stride", "padding", "dilation"))
        s, p, d = (str(v[0]) if v[0] == v[1] else str(v) for v in (s, p, d))
        self.note.set_text(
            f"stride {s}, padding {p}, dilation {d}\n"
            "red: kernel taps (receptive field)\n"
            "blue: image border (outside: padding)\n\n"
            f"$\\delta$ = 1 at $(n, f, i, j) = ({n}, {f}, {i}, {j})$\n"
            f"taps inside the image: {len(inside)} of {g['taps'][..., 0].size}\n\n"
            "$\\partial L/\\partial x$: the kernel, on the taps\n"
            "    inside the image\n"
            "$\\partial L/\\partial w$: the input patch\n"
            "    (0 where a tap is in the padding)\n"
            f"$\\partial L/\\partial b$ = {g['db'].astype(int)}")
        return g


def plot_conv_step(x, w, b, n=0, f=0, i=0, j=0, *, c=0, stride=1, padding=0, dilation=1,
                   fig=None):
    r"""Five panels: the input with the receptive field of output pixel ``(n, f, i, j)``,
    the kernel ``w[f, c]``, the one-hot upstream gradient :math:`\delta`, and the gradients
    it sends back, ``dx[n, c]`` and ``dw[f, c]`` (computed with :func:`conv_step_gradients`).

    With :math:`\delta` equal to 1 at one pixel, ``dx[n, c]`` is the kernel ``w[f, c]``
    placed on the receptive field and ``dw[f, c]`` is the input patch under it. Taps in
    the zero padding (outside the blue image border) send nothing to ``dx`` and give 0 in
    ``dw``. Pass ``fig`` to redraw an existing figure. Returns the figure.
    """
    panel = _C33ConvStepFigure(x, w, b, n, f, c, stride, padding, dilation, fig)
    panel.set_pixel(i, j)
    return panel.fig


def conv_step_animation(x, w, b, *, n=0, f=0, c=0, stride=1, padding=0, dilation=1,
                        pixels=None, interval=700, dpi=72):
    r"""Static-HTML slider stepping :func:`plot_conv_step` through output pixels.

    ``pixels`` is a list of ``(i, j)``; by default every pixel of output map ``f``, in
    row-major order. Returns the HTML of :func:`offline_animation`.
    """
    fig = plt.figure(figsize=_C33_STEP_FIGSIZE, dpi=dpi)
    panel = _C33ConvStepFigure(x, w, b, n, f, c, stride, padding, dilation, fig)
    if pixels is None:
        OH, OW = panel.set_pixel(0, 0)["out"].shape[2:]
        pixels = [(i, j) for i in range(OH) for j in range(OW)]
    return offline_animation(fig, lambda ij: panel.set_pixel(*ij), pixels, interval=interval)


def plot_loss_history(losses, *, ax=None, title="training loss", log=False):
    r"""Loss against gradient-descent step (step 0 = before any update). Returns the axes."""
    losses = np.asarray(losses, dtype=np.float64)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3))
    ax.plot(np.arange(losses.size), losses, marker="o", ms=3)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("loss $L$")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    return ax


# --------------------------------------------------------------------------------------
# ---- ch1: background ----
# --------------------------------------------------------------------------------------

def plot_compute_graph(nodes, edges, *, ax=None, title=None, figsize=(8, 2.6)):
    r"""Draw a small computational graph: boxes for the values, arrows for the operations.

    Parameters
    ----------
    nodes : dict
        ``name -> (x, y, label)``: where to put the box and the text inside it.
    edges : list of tuples
        ``(src, dst, forward_label, backward_label)``. The forward label (black) is written
        above the arrow, the backward label (red; the gradient flowing the other way) below
        it. Either label may be ``""``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made if omitted.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    xs = [v[0] for v in nodes.values()]
    ys = [v[1] for v in nodes.values()]
    for name, (x, y, label) in nodes.items():
        ax.text(x, y, label, ha="center", va="center", fontsize=11, zorder=3,
                bbox=dict(boxstyle="round,pad=0.4", fc="#eef3fb", ec="#35608f"))
    for src, dst, fwd, bwd in edges:
        (x0, y0, _), (x1, y1, _) = nodes[src], nodes[dst]
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                    arrowprops=dict(arrowstyle="-|>", color="0.3", shrinkA=22, shrinkB=22))
        xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
        if fwd:
            ax.text(xm, ym + 0.12, fwd, ha="center", va="bottom", fontsize=9)
        if bwd:
            ax.text(xm, ym - 0.12, bwd, ha="center", va="top", fontsize=9, color="#b2182b")
    ax.set_xlim(min(xs) - 0.7, max(xs) + 0.7)
    ax.set_ylim(min(ys) - 0.8, max(ys) + 0.8)
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


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
    ax.legend(loc="upper right", fontsize=8)
    return ax


def tangent_animation(loss_and_grad, values, *, w_range=(-4.0, 4.0), lr=None,
                      figsize=(6.5, 3.6), dpi=72):
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


__all__ += ["plot_compute_graph", "plot_loss_tangent", "tangent_animation"]


# --------------------------------------------------------------------------------------
# ---- ch2: core concepts ----
# --------------------------------------------------------------------------------------

#: 3x3 kernels to apply to images. As in CNN libraries, "convolution" here is a
#: cross-correlation: the kernel is applied as written, not flipped.
KERNELS_3X3 = {
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=np.float64),
    "edge x (Sobel)": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float64),
    "edge y (Sobel)": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=np.float64),
    "blur (Gaussian)": np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], dtype=np.float64) / 16,
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=np.float64),
}


def annotate_grid(ax, values, *, fmt="{:.2f}", fontsize=7, image=None, skip_zero=False):
    r"""Write each value of a 2-D array into its cell of an ``imshow`` plot.

    The text is black on light cells and white on dark ones (judged from the colour the
    image gives the cell), so it stays readable with any colour map.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes holding the ``imshow`` of ``values`` (cell ``(i, j)`` centred at ``(j, i)``).
    values : ndarray, shape (H, W)
    fmt : str or callable
        Format of each number (``fmt.format(v)`` or ``fmt(v)``).
    fontsize : float
    image : matplotlib.image.AxesImage, optional
        The image whose colours decide the text colour; default: the last image on ``ax``.
    skip_zero : bool
        Leave cells that are exactly 0 blank (for sparse gradients).

    Returns
    -------
    list of matplotlib.text.Text
    """
    values = np.asarray(values)
    if values.ndim != 2:
        raise ValueError(f"annotate_grid: expected a 2-D array, got shape {values.shape}")
    if image is None and ax.images:
        image = ax.images[-1]
    texts = []
    for (i, j), v in np.ndenumerate(values):
        if skip_zero and v == 0:
            continue
        color = "black"
        if image is not None:
            r, g, b_, _ = image.cmap(image.norm(v))
            color = "black" if 0.299 * r + 0.587 * g + 0.114 * b_ > 0.5 else "white"
        text = fmt(v) if callable(fmt) else fmt.format(v)
        texts.append(ax.text(j, i, text, ha="center", va="center", fontsize=fontsize,
                             color=color))
    return texts


def _label_image_axes(ax, xlabel="column $j$", ylabel="row $i$", shape=None):
    ax.set_xlabel(xlabel, fontsize=8)
    ax.set_ylabel(ylabel, fontsize=8)
    ax.tick_params(labelsize=7)
    if shape is not None and max(shape) <= 16:  # small grids: one tick per cell
        ax.set_xticks(range(shape[1]))
        ax.set_yticks(range(shape[0]))


def show_images(images, titles=None, *, cmap="gray", ncols=None, share_scale=False,
                vmin=None, vmax=None, colorbar=True, annotate=False, fmt="{:.2f}",
                panel_size=2.6, suptitle=None):
    r"""Show 2-D arrays side by side, each with a title, axis labels and a colour bar.

    Parameters
    ----------
    images : sequence of ndarray, each (H, W)
    titles : sequence of str, optional
    cmap : str
    ncols : int, optional
        Panels per row (default: all in one row, at most 6).
    share_scale : bool
        One colour scale for all panels (use it when values are to be compared).
    vmin, vmax : float, optional
        Colour limits (override ``share_scale``).
    colorbar : bool
    annotate : bool
        Write the values into the cells (small arrays only).
    panel_size : float
        Width of one panel in inches.
    suptitle : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    images = [np.asarray(im) for im in images]
    n = len(images)
    if n == 0:
        raise ValueError("show_images: expected at least one image, got none")
    titles = list(titles) if titles is not None else [f"image {k}" for k in range(n)]
    if len(titles) != n:
        raise ValueError(f"show_images: expected {n} titles, got {len(titles)}")
    ncols = min(n, 6) if ncols is None else ncols
    nrows = -(-n // ncols)
    if share_scale and vmin is None and vmax is None:
        vmin = min(float(im.min()) for im in images)
        vmax = max(float(im.max()) for im in images)
    fig, axes = plt.subplots(nrows, ncols, figsize=(panel_size * ncols, panel_size * nrows),
                             squeeze=False, constrained_layout=True)
    for ax in axes.flat[n:]:
        ax.set_axis_off()
    for ax, im, title in zip(axes.flat, images, titles):
        shown = ax.imshow(im, cmap=cmap, vmin=vmin, vmax=vmax)
        ax.set_title(title, fontsize=9)
        _label_image_axes(ax)
        if colorbar:
            fig.colorbar(shown, ax=ax, shrink=0.8)
        if annotate:
            annotate_grid(ax, im, fmt=fmt)
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def _diverging_limit(a):
    m = float(np.max(np.abs(a))) if np.size(a) else 1.0
    return m if m > 0 else 1.0


def draw_conv(fig, image, kernel, *, stride=1, padding=0, dilation=1, kernel_name="kernel"):
    r"""Draw input, kernel and output of a 2-D convolution on ``fig`` (cleared first).

    The convolution is :func:`cnnbook.functional.conv2d_forward` (cross-correlation, bias
    0) of one single-channel image with one kernel. The input panel shows the *padded*
    input (the zero border in a frame) with the taps of the first window, the one that
    produces output ``(0, 0)``, marked; the output panel's title carries the output-size
    formula with the numbers filled in.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    image : ndarray, shape (H, W)
    kernel : ndarray, shape (KH, KW)
    stride, padding, dilation : int
    kernel_name : str
        Shown in the kernel panel's title.

    Returns
    -------
    out : ndarray, shape (OH, OW)
    """
    from ..conv import conv2d_forward, conv_output_size

    image = np.asarray(image, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    H, W = image.shape
    KH, KW = kernel.shape
    out, _ = conv2d_forward(image[None, None], kernel[None, None], np.zeros(1),
                            stride=stride, padding=padding, dilation=dilation)
    out = np.asarray(out[0, 0])
    OH = conv_output_size(H, KH, stride, padding, dilation)
    fig.clear()
    ax_in, ax_k, ax_out = fig.subplots(1, 3, gridspec_kw=dict(width_ratios=[1, 0.55, 1]))
    padded = np.pad(image, padding)
    shown = ax_in.imshow(padded, cmap="gray", vmin=0, vmax=1,
                         extent=(-padding - 0.5, W + padding - 0.5, H + padding - 0.5,
                                 -padding - 0.5))
    if padding:
        ax_in.add_patch(plt.Rectangle((-0.5, -0.5), W, H, fill=False, ec="C1", lw=1,
                                      ls="--"))
    taps_r = -padding + dilation * np.arange(KH)
    taps_c = -padding + dilation * np.arange(KW)
    rr, cc = np.meshgrid(taps_r, taps_c, indexing="ij")
    ax_in.plot(cc.ravel(), rr.ravel(), "s", ms=3, mfc="none", mec="C3", mew=1,
               label="taps of window (0, 0)")
    ax_in.set_title(f"input {H}×{W}, padding {padding}", fontsize=9)
    ax_in.legend(loc="lower left", fontsize=6, framealpha=0.8)
    _label_image_axes(ax_in)
    fig.colorbar(shown, ax=ax_in, shrink=0.7)

    lim = _diverging_limit(kernel)
    shown = ax_k.imshow(kernel, cmap="RdBu_r", vmin=-lim, vmax=lim)
    annotate_grid(ax_k, kernel, fmt="{:.3g}", fontsize=8)
    ax_k.set_title(f"{kernel_name}\n{KH}×{KW}, dilation {dilation}", fontsize=9)
    _label_image_axes(ax_k, "$q$", "$p$")
    ax_k.set_xticks(range(KW))
    ax_k.set_yticks(range(KH))
    fig.colorbar(shown, ax=ax_k, shrink=0.7)

    lim = _diverging_limit(out)
    shown = ax_out.imshow(out, cmap="RdBu_r", vmin=-lim, vmax=lim)
    ax_out.set_title(
        f"output {out.shape[0]}×{out.shape[1]}, stride {stride}\n"
        f"OH = ⌊({H} + 2·{padding} − {dilation}·({KH}−1) − 1)/{stride}⌋ + 1 = {OH}",
        fontsize=9)
    _label_image_axes(ax_out)
    fig.colorbar(shown, ax=ax_out, shrink=0.7)
    return out


def show_conv(image, kernel, *, stride=1, padding=0, dilation=1, kernel_name="kernel",
              figsize=(10, 3.4)):
    """New figure with :func:`draw_conv`; returns the figure."""
    fig = plt.figure(figsize=figsize, constrained_layout=True)
    draw_conv(fig, image, kernel, stride=stride, padding=padding, dilation=dilation,
              kernel_name=kernel_name)
    return fig


def _outline_window(ax, i, j, kernel_size, stride, color, lw=2.0, ls="-"):
    ax.add_patch(plt.Rectangle((stride * j - 0.5, stride * i - 0.5), kernel_size,
                               kernel_size, fill=False, ec=color, lw=lw, ls=ls))


def draw_pool(fig, fmap, *, kernel_size=2, stride=None, mode="max", cell=(0, 0),
              fmt="{:.2f}"):
    r"""Draw a pooling forward pass and where its backward pass sends the gradient.

    Three panels on ``fig`` (cleared first): the input feature map with its values, the
    pooled output, and :math:`\partial L/\partial x` for an upstream gradient that is 1 at
    output ``cell`` and 0 elsewhere (``cell=None``: 1 everywhere, ``dout = ones``). Max
    pooling sends each window's gradient to its maximum (the first one, in row-major
    order, on ties); average pooling spreads it as :math:`1/k^2` over the window. Where
    windows overlap the contributions add up.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    fmap : ndarray, shape (H, W)
    kernel_size : int
    stride : int, optional
        Defaults to ``kernel_size``.
    mode : {"max", "avg"}
    cell : (int, int) or None
        Output cell whose gradient is followed; ``None`` for ``dout = ones``.
    fmt : str
        Number format of the annotations.

    Returns
    -------
    out : ndarray, shape (OH, OW)
    dx : ndarray, shape (H, W)
    """
    fmap = np.asarray(fmap, dtype=np.float64)
    stride = kernel_size if stride is None else stride
    out, dx = _pool_forward_backward(fmap, kernel_size, stride, mode, cell)
    OH, OW = out.shape

    fig.clear()
    ax_in, ax_out, ax_dx = fig.subplots(
        1, 3, gridspec_kw=dict(width_ratios=[fmap.shape[1], max(OW, 4) + 2, fmap.shape[1] + 2]))
    vmin, vmax = float(min(fmap.min(), out.min())), float(max(fmap.max(), out.max()))
    for ax, values, title in ((ax_in, fmap, f"input $x$, {fmap.shape[0]}×{fmap.shape[1]}"),
                              (ax_out, out, f"{mode} pool output $y$, {OH}×{OW}")):
        shown = ax.imshow(values, cmap="viridis", vmin=vmin, vmax=vmax)
        annotate_grid(ax, values, fmt=fmt, fontsize=7 if values.shape[1] <= 8 else 5)
        ax.set_title(title, fontsize=9)
        _label_image_axes(ax, shape=values.shape)
    fig.colorbar(shown, ax=ax_out, shrink=0.7, label="value (scale shared with $x$)")
    shown = ax_dx.imshow(dx, cmap="Reds", vmin=0, vmax=1)
    _label_image_axes(ax_dx, shape=dx.shape)
    fig.colorbar(shown, ax=ax_dx, shrink=0.7, label="gradient")
    fig.suptitle(f"{mode} pooling, kernel {kernel_size}×{kernel_size}, stride {stride}",
                 fontsize=10)
    _update_pool_cell(ax_in, ax_out, ax_dx, out.shape, dx, kernel_size, stride, cell)
    return out, dx


def _pool_forward_backward(fmap, kernel_size, stride, mode, cell):
    """Pooled map ``out`` (OH, OW) and ``dx`` (H, W) for dout one-hot at ``cell`` (or ones)."""
    from ..pooling import (avg_pool2d_backward, avg_pool2d_forward, max_pool2d_backward,
                          max_pool2d_forward)

    if mode not in ("max", "avg"):
        raise ValueError(f"draw_pool: expected mode 'max' or 'avg', got {mode!r}")
    forward, backward = ((max_pool2d_forward, max_pool2d_backward) if mode == "max"
                         else (avg_pool2d_forward, avg_pool2d_backward))
    out, cache = forward(fmap[None, None], kernel_size=kernel_size, stride=stride)
    OH, OW = out.shape[2:]
    if cell is None:
        dout = np.ones_like(out)
    else:
        i, j = cell
        if not (0 <= i < OH and 0 <= j < OW):
            raise ValueError(f"draw_pool: expected cell inside the {OH}×{OW} output, "
                             f"got {cell}")
        dout = np.zeros_like(out)
        dout[0, 0, i, j] = 1.0
    dx = np.asarray(backward(dout, cache))[0, 0]
    return np.asarray(out)[0, 0], dx


def _update_pool_cell(ax_in, ax_out, ax_dx, out_shape, dx, kernel_size, stride, cell):
    """Redraw only what depends on the chosen cell: outlines, the gradient panel, its title."""
    for ax in (ax_in, ax_out):
        for patch in list(ax.patches):
            patch.remove()
    for text in list(ax_dx.texts):
        text.remove()
    if cell is not None:
        _outline_window(ax_in, cell[0], cell[1], kernel_size, stride, "C3", lw=2.5)
        _outline_window(ax_out, cell[0], cell[1], 1, 1, "C3", lw=2.5)
    else:
        for i in range(out_shape[0]):
            for j in range(out_shape[1]):
                _outline_window(ax_in, i, j, kernel_size, stride, "C3", lw=0.8, ls="--")
    shown = ax_dx.images[0]
    shown.set_data(dx)
    shown.set_clim(0, max(float(dx.max()), 1e-12))
    annotate_grid(ax_dx, dx, fmt="{:.3g}", fontsize=7, skip_zero=True, image=shown)
    which = f"$\\delta$ = 1 at cell {tuple(cell)}" if cell is not None else "$\\delta$ = ones"
    ax_dx.set_title(f"$\\partial L/\\partial x$ for {which}\nsum = {dx.sum():.3g}",
                    fontsize=9)


def show_pool(fmap, *, kernel_size=2, stride=None, mode="max", cell=(0, 0),
              figsize=(11, 3.6)):
    """New figure with :func:`draw_pool`; returns the figure."""
    fig = plt.figure(figsize=figsize, constrained_layout=True)
    draw_pool(fig, fmap, kernel_size=kernel_size, stride=stride, mode=mode, cell=cell)
    return fig


def conv_animation(image, kernel, *, vary="dilation", values=(1, 2, 3, 4), stride=1,
                   padding=0, dilation=1, kernel_name="kernel", figsize=(10, 3.4), dpi=72):
    r"""Static-HTML slider over one convolution setting (no kernel needed to view it).

    Parameters
    ----------
    image, kernel : ndarray
        As in :func:`draw_conv`.
    vary : {"stride", "padding", "dilation"}
        The setting the slider steps through.
    values : sequence of int
    stride, padding, dilation : int
        The fixed values of the other settings.

    Returns
    -------
    IPython.display.HTML
    """
    if vary not in ("stride", "padding", "dilation"):
        raise ValueError(f"conv_animation: expected vary in stride/padding/dilation, "
                         f"got {vary!r}")
    settings = dict(stride=stride, padding=padding, dilation=dilation)
    fig = plt.figure(figsize=figsize, dpi=dpi, constrained_layout=True)

    def draw(value):
        draw_conv(fig, image, kernel, kernel_name=kernel_name, **{**settings, vary: value})

    return offline_animation(fig, draw, values)


def pool_animation(fmap, *, kernel_size=2, stride=None, mode="max", figsize=(11, 3.6),
                   dpi=72):
    r"""Static-HTML slider stepping through the output cells of a pooling layer.

    Each frame is :func:`draw_pool` for one output cell (row by row); the last frame is
    ``dout = ones``, where the contributions of overlapping windows add up.

    Returns
    -------
    IPython.display.HTML
    """
    from ..pooling import pool_output_size

    stride = kernel_size if stride is None else stride
    OH = pool_output_size(fmap.shape[0], kernel_size, stride)
    OW = pool_output_size(fmap.shape[1], kernel_size, stride)
    cells = [(i, j) for i in range(OH) for j in range(OW)] + [None]
    fmap = np.asarray(fmap, dtype=np.float64)
    fig = plt.figure(figsize=figsize, dpi=dpi, constrained_layout=True)
    draw_pool(fig, fmap, kernel_size=kernel_size, stride=stride, mode=mode, cell=cells[0])
    fig.canvas.draw()                 # lay out once, then only the cell-dependent parts change
    fig.set_layout_engine("none")
    ax_in, ax_out, ax_dx = [ax for ax in fig.axes if ax.images]

    def draw(cell):
        out, dx = _pool_forward_backward(fmap, kernel_size, stride, mode, cell)
        _update_pool_cell(ax_in, ax_out, ax_dx, out.shape, dx, kernel_size, stride, cell)

    return offline_animation(fig, draw, cells)


__all__ += ["KERNELS_3X3", "annotate_grid", "show_images", "draw_conv", "show_conv",
            "draw_pool", "show_pool", "conv_animation", "pool_animation"]


# ---- ch3.4: layer math ----
# Figures of the derivations page (book/03_4_layer_math): gradient-check verdicts,
# analytic-vs-numerical gradient heatmaps, and where a conv's taps land.

def gradcheck_verdict(result, tol=1e-7, *, name=None):
    r"""One line of text that is the same on every machine: did the check pass?

    A passing check's error is rounding noise (about 1e-9 to 1e-12 in float64) whose
    exact digits vary between BLAS builds, so only its bound is printed. A failing
    check's error comes from the mathematics and is printed to one significant digit.

    Parameters
    ----------
    result : cnnbook.gradcheck.GradCheckResult
    tol : float
        Largest relative error that counts as a pass.
    name : str, optional
        Printed instead of ``result.name`` (a layer's repr can span several lines).

    Returns
    -------
    str
        e.g. ``"conv2d_forward: x, w, b  max rel. error < 1e-07  passed: True"``.
    """
    wrt = ", ".join(result.errors())
    err = result.max_error
    passed = err < tol
    if passed:
        size = f"< {tol:.0e}"
    else:
        size = f"= {err:.1g}"
    return f"{name or result.name}: {wrt}  max rel. error {size}  passed: {passed}"


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
    fig.tight_layout()
    return fig


def window_coverage(height, width, kernel_size, *, stride=1, padding=0, dilation=1):
    r"""How many output windows of a convolution read each input position.

    It is :math:`\partial L/\partial x` for a single-channel convolution whose weights
    and upstream gradient are all 1: the backward pass adds one for every (window, tap)
    pair that touched the input, which is exactly why overlapping windows *sum*.

    Returns
    -------
    ndarray of int, shape (height, width)
    """
    from ..conv import conv2d_backward, conv2d_forward

    kh, kw = (kernel_size, kernel_size) if np.isscalar(kernel_size) else kernel_size
    x = np.zeros((1, 1, height, width))
    w = np.ones((1, 1, kh, kw))
    out, cache = conv2d_forward(x, w, np.zeros(1), stride=stride, padding=padding,
                                dilation=dilation)
    dx, _, _ = conv2d_backward(np.ones_like(out), cache)
    return np.rint(dx[0, 0]).astype(int)


def plot_window_coverage(settings, *, height=9, width=9, kernel_size=3, ncols=None):
    r"""Side-by-side coverage maps (see :func:`window_coverage`) for several settings.

    Parameters
    ----------
    settings : list of dict
        Keyword arguments ``stride``, ``padding``, ``dilation`` for each panel.
    ncols : int, optional
        Panels per row (default: all in one row).

    Returns
    -------
    matplotlib.figure.Figure
    """
    maps = [window_coverage(height, width, kernel_size, **s) for s in settings]
    top = max(int(m.max()) for m in maps)
    ncols = len(maps) if ncols is None else max(1, min(int(ncols), len(maps)))
    nrows = -(-len(maps) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.1 * ncols + 0.8, 3.1 * nrows + 0.4),
                             dpi=90, squeeze=False, layout="constrained")
    for ax in axes.flat[len(maps):]:
        ax.set_visible(False)
    for ax, m, s in zip(axes.flat, maps, settings):
        im = ax.imshow(m, cmap="viridis", vmin=0, vmax=top)
        for (h, v), count in np.ndenumerate(m):
            ax.text(v, h, str(count), ha="center", va="center", fontsize=7,
                    color="white" if count < 0.6 * top else "black")
        ax.set_title(", ".join(f"{k} {val}" for k, val in s.items()) or "stride 1",
                     fontsize=10)
        ax.set_xlabel("input column")
        ax.set_ylabel("input row")
    fig.colorbar(im, ax=list(axes.flat), shrink=0.9, label="windows reading this input")
    fig.suptitle(f"{kernel_size}×{kernel_size} kernel on a {height}×{width} input: "
                 r"terms summed into $\partial L/\partial x$", fontsize=11)
    return fig


__all__ += ["gradcheck_verdict", "plot_gradient_check", "window_coverage",
            "plot_window_coverage"]


# --------------------------------------------------------------------------------------
# ---- ch5-6: trends and FAQ ----
# --------------------------------------------------------------------------------------

__all__ += ["input_grad_norms", "saliency", "plot_curves", "plot_saliency", "draw_saliency",
            "shift_image", "draw_shift_features", "plot_grad_norm_profile"]


def input_grad_norms(model, x, dout):
    r"""Norm of the gradient with respect to the input of every layer of ``model``.

    Runs ``model``'s layers forward on ``x``, then backward from ``dout`` one layer at a
    time, recording :math:`\lVert \partial L/\partial x_l \rVert_2` where :math:`x_l` is
    the input of layer :math:`l` (:math:`x_0 = x`) and :math:`L = \sum \delta \odot y`.

    Parameters
    ----------
    model : Sequential
        Iterating over it gives its layers.
    x : ndarray, shape (N, ...)
    dout : ndarray, shape of the model's output
        Upstream gradient :math:`\delta`.

    Returns
    -------
    norms : ndarray, shape (len(model) + 1,)
        ``norms[l]`` for the input of layer ``l``; ``norms[-1]`` is ``||dout||``.
    """
    layers = list(model)
    h = x
    for layer in layers:
        h = layer.forward(h)
    if np.shape(dout) != h.shape:
        raise ValueError(f"input_grad_norms: expected dout of shape {h.shape}, "
                         f"got {np.shape(dout)}")
    grad = np.asarray(dout, dtype=np.float64)
    norms = [np.linalg.norm(grad)]
    for layer in reversed(layers):
        grad = layer.backward(grad)
        norms.append(np.linalg.norm(grad))
    return np.array(norms[::-1])


def saliency(model, x, classes):
    r"""Gradient of class scores (pre-softmax logits) with respect to the input images.

    For each sample :math:`n` with class :math:`c_n` it returns
    :math:`\partial z_{n, c_n} / \partial x_n`, computed by one backward pass with the
    upstream gradient set to the one-hot vector of :math:`c_n` (Simonyan et al., 2014).
    The model runs in evaluation mode (and is put back in the mode it had).

    Parameters
    ----------
    model : Layer
        Maps (N, C, H, W) images to (N, K) logits.
    x : ndarray, shape (N, C, H, W)
    classes : int or array of int, shape (N,)
        The class whose score is differentiated, per sample.

    Returns
    -------
    grad : ndarray, shape (N, C, H, W)
        Signed gradient; saliency maps usually show ``np.abs(grad).max(axis=1)``.
    """
    was_training = getattr(model, "training", True)
    model.eval()
    try:
        logits = model.forward(x)  # N,K
        classes = np.broadcast_to(np.asarray(classes), (logits.shape[0],))
        dout = np.zeros_like(logits)
        dout[np.arange(logits.shape[0]), classes] = 1.0  # one-hot at the class
        return model.backward(dout)  # N,C,H,W
    finally:
        model.train(was_training)


def plot_curves(curves, *, xlabel, ylabel, title, logx=False, logy=False, ax=None,
                markers=False):
    r"""Several labelled curves on one axes (loss histories, schedules, throughput...).

    Parameters
    ----------
    curves : dict
        ``label -> y`` (plotted against 1, 2, ...) or ``label -> (x, y)``.
    xlabel, ylabel, title : str
    logx, logy : bool
        Logarithmic axes.
    ax : matplotlib Axes, optional
    markers : bool
        Draw a marker at every point.

    Returns
    -------
    ax : matplotlib Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5), dpi=90, constrained_layout=True)
    for label, values in curves.items():
        if isinstance(values, tuple) and len(values) == 2:
            xs, ys = values
        else:
            ys = values
            xs = np.arange(1, len(ys) + 1)
        ax.plot(xs, ys, marker="o" if markers else None, ms=3, label=label)
    if logx:
        ax.set_xscale("log")
    else:
        all_x = np.concatenate([np.ravel(v[0] if isinstance(v, tuple) and len(v) == 2
                                         else np.arange(1, len(v) + 1))
                                for v in curves.values()]).astype(float)
        if np.all(all_x == np.round(all_x)):  # epochs, steps, shifts: integer ticks
            from matplotlib.ticker import MaxNLocator
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    return ax


def plot_grad_norm_profile(norms, *, ax=None, title="gradient norm at each layer's input"):
    r"""``‖∂L/∂x_l‖`` against the layer index ``l``, log scale, one curve per network.

    Parameters
    ----------
    norms : dict
        ``label -> array`` from :func:`input_grad_norms`.
    """
    curves = {label: (np.arange(len(v)), v) for label, v in norms.items()}
    ax = plot_curves(curves, xlabel=r"layer $l$ (0 = network input)",
                     ylabel=r"$\|\partial L / \partial x_l\|$", title=title, logy=True,
                     ax=ax, markers=True)
    return ax


def draw_saliency(fig, images, grads, *, titles=None):
    r"""Draw images, their saliency :math:`|\partial z_c/\partial x|` and an overlay on ``fig``.

    Three rows (image, saliency on one shared colour scale with a colour bar, saliency
    over the image) and one column per image.

    Parameters
    ----------
    fig : matplotlib Figure
    images, grads : ndarray, shape (N, C, H, W)
        Images and the gradients from :func:`saliency`; channels are reduced with the
        maximum absolute value.
    titles : list of str, optional
        Column titles.
    """
    images = np.asarray(images)
    sal = np.abs(np.asarray(grads)).max(axis=1)  # N,H,W
    n = len(images)
    vmax = float(sal.max()) or 1.0
    axes = fig.subplots(3, n, squeeze=False)
    im = None
    for k in range(n):
        a0, a1, a2 = axes[:, k]
        a0.imshow(images[k, 0], cmap="gray_r", vmin=0, vmax=1)
        a0.set_title(titles[k] if titles else f"image {k}", fontsize=9)
        im = a1.imshow(sal[k], cmap="hot", vmin=0, vmax=vmax)
        a2.imshow(images[k, 0], cmap="gray_r", vmin=0, vmax=2.5)  # faded digit
        rgba = np.zeros(sal[k].shape + (4,))  # H,W,4: red, opaque where salient
        rgba[..., 0] = 1.0
        rgba[..., 3] = np.clip(sal[k] / vmax, 0, 1)
        a2.imshow(rgba)
        for a in (a0, a1, a2):
            a.set_xticks([])
            a.set_yticks([])
    axes[0, 0].set_ylabel("image")
    axes[1, 0].set_ylabel(r"$|\partial z_c/\partial x|$")
    axes[2, 0].set_ylabel("overlay (red)")
    fig.colorbar(im, ax=axes[1:, :].ravel().tolist(), label=r"$|\partial z_c / \partial x|$",
                 shrink=0.8)
    if not fig.get_suptitle():
        fig.suptitle("saliency: gradient of the class score with respect to the pixels")
    return fig


def plot_saliency(images, grads, *, titles=None, figsize=None):
    """:func:`draw_saliency` on a new figure; returns the figure."""
    n = len(images)
    fig = plt.figure(figsize=figsize or (1.6 * n + 1.2, 5.2), dpi=90, constrained_layout=True)
    return draw_saliency(fig, images, grads, titles=titles)


def shift_image(image, shift, *, pad=4):
    r"""Place ``image`` (..., H, W) on a zero canvas padded by ``pad`` and move it right.

    Returns an array (..., H + 2 pad, W + 2 pad); ``shift`` pixels to the right
    (negative: left), ``|shift| <= pad`` so nothing wraps around.
    """
    if abs(int(shift)) > pad:
        raise ValueError(f"shift_image: expected |shift| <= pad={pad}, got shift={shift}")
    image = np.asarray(image)
    widths = [(0, 0)] * (image.ndim - 2) + [(pad, pad), (pad, pad)]
    canvas = np.pad(image, widths)
    return np.roll(canvas, int(shift), axis=-1)


def draw_shift_features(fig, image, shift, features, *, channel=0):
    r"""One channel of the feature maps of an image and of its shifted copy.

    Parameters
    ----------
    fig : matplotlib Figure
    image : ndarray, shape (1, H, W)
        The digit, already on its canvas (:func:`shift_image` with shift 0).
    shift : int
        Pixels to the right for the second row.
    features : dict
        ``name -> f`` with ``f(x)`` mapping (N, 1, H, W) to (N, F, h, w) feature maps
        (e.g. conv+ReLU, then with max pooling).
    channel : int
        Feature channel shown.
    """
    rows = {"original": image[None], f"shifted {shift} px": np.roll(image, shift, axis=-1)[None]}
    axes = fig.subplots(2, len(features) + 1, squeeze=False)
    # max pooling keeps the largest value, so one scale fits every column
    vmax = max(float(f(image[None])[0, channel].max()) for f in features.values()) or 1.0
    im = None
    for r, (row_name, x) in enumerate(rows.items()):
        axes[r, 0].imshow(x[0, 0], cmap="gray_r", vmin=0, vmax=1)
        axes[r, 0].set_title(row_name, fontsize=9)
        for k, (name, f) in enumerate(features.items(), start=1):
            base = f(image[None])[0, channel]
            fm = f(x)[0, channel]
            sim = float(np.sum(base * fm) / (np.linalg.norm(base) * np.linalg.norm(fm) + 1e-12))
            im = axes[r, k].imshow(fm, cmap="viridis", vmin=0, vmax=vmax)
            axes[r, k].set_title(f"{name}\ncos sim. to original {sim:.2f}", fontsize=8)
    fig.colorbar(im, ax=axes[:, 1:].ravel().tolist(), label="feature value", shrink=0.8)
    for a in axes.ravel():
        a.set_xticks([])
        a.set_yticks([])
    fig.suptitle(f"feature channel {channel}: the digit shifted by {shift} pixel(s)")
    return fig


# --------------------------------------------------------------------------------------
# ---- ch4: code example and training ----
# --------------------------------------------------------------------------------------

__all__ += ["plot_history", "plot_grad_norms", "plot_confusion_matrix", "show_filters",
            "show_digits", "show_misclassified", "summary", "plot_kernel_pair", "plot_recovery",
            "plot_digit_prediction"]


def _c4_epochs(values):
    return np.arange(1, len(values) + 1)


def plot_history(history, *, ax=None):
    r"""Loss and accuracy per epoch, training and validation, from :func:`cnnbook.train.fit`.

    Parameters
    ----------
    history : dict
        ``fit``'s history: ``"loss"`` and, when present, ``"val_loss"``, ``"accuracy"``,
        ``"val_accuracy"`` (lists, one entry per epoch).
    ax : None, Axes or pair of Axes
        ``None`` creates a figure with one panel for the loss and, if the history has
        accuracies, a second one for them. A single Axes gets the loss curves only;
        a pair ``(ax_loss, ax_acc)`` gets both.

    Returns
    -------
    matplotlib.figure.Figure
    """
    has_acc = "accuracy" in history
    if ax is None:
        ncols = 2 if has_acc else 1
        fig, axes = plt.subplots(1, ncols, figsize=(5.2 * ncols, 3.4), squeeze=False)
        axes = list(axes[0])
    elif isinstance(ax, (list, tuple, np.ndarray)):
        axes = list(np.ravel(ax))
        fig = axes[0].figure
    else:
        axes = [ax]
        fig = ax.figure
    ax_loss = axes[0]
    ax_loss.plot(_c4_epochs(history["loss"]), history["loss"], "o-", ms=3, label="training")
    if history.get("val_loss"):
        ax_loss.plot(_c4_epochs(history["val_loss"]), history["val_loss"], "s--", ms=3,
                     label="validation")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("loss (mean per sample)")
    ax_loss.set_title("loss")
    ax_loss.legend()
    ax_loss.grid(alpha=0.3)
    if has_acc and len(axes) > 1:
        ax_acc = axes[1]
        ax_acc.plot(_c4_epochs(history["accuracy"]), history["accuracy"], "o-", ms=3,
                    label="training")
        if history.get("val_accuracy"):
            ax_acc.plot(_c4_epochs(history["val_accuracy"]), history["val_accuracy"], "s--",
                        ms=3, label="validation")
        ax_acc.set_xlabel("epoch")
        ax_acc.set_ylabel("accuracy")
        ax_acc.set_title("accuracy")
        ax_acc.legend(loc="lower right")
        ax_acc.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def plot_grad_norms(history, *, ax=None):
    r"""Mean gradient norm of every parameter per epoch, on a log scale.

    Parameters
    ----------
    history : dict
        ``fit``'s history; uses ``history["grad_norm"]``, a dict ``parameter name ->
        list`` (one mean :math:`\lVert \partial L/\partial\theta \rVert_2` per epoch).
    ax : Axes, optional
        Where to draw; a new figure if ``None``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.5, 3.6))
    else:
        fig = ax.figure
    norms = history["grad_norm"]
    for name, values in norms.items():
        style = "-" if name.endswith("weight") else "--"
        ax.plot(_c4_epochs(values), values, style, marker="o", ms=3, label=name)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel(r"mean $\|\partial L/\partial\theta\|_2$ (log scale)")
    ax.set_title("gradient norm of each parameter")
    ax.legend(fontsize=8, ncol=2 if len(norms) > 4 else 1)
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    return fig


def plot_confusion_matrix(cm, *, class_names=None, ax=None, title="confusion matrix"):
    r"""A confusion matrix as an image with the count written in every cell.

    Parameters
    ----------
    cm : ndarray of int, shape (K, K)
        ``cm[i, j]`` = number of samples of true class ``i`` predicted as class ``j``.
    class_names : sequence of str, optional
        Tick labels; ``0 .. K-1`` if ``None``.
    ax : Axes, optional
    title : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    cm = np.asarray(cm)
    k = cm.shape[0]
    if ax is None:
        fig, ax = plt.subplots(figsize=(5.4, 4.6))
    else:
        fig = ax.figure
    image = ax.imshow(cm, cmap="Blues", vmin=0)
    fig.colorbar(image, ax=ax, label="number of test images")
    threshold = cm.max() / 2 if cm.size else 0
    for i in range(k):
        for j in range(k):
            if cm[i, j]:
                ax.text(j, i, str(int(cm[i, j])), ha="center", va="center", fontsize=8,
                        color="white" if cm[i, j] > threshold else "black")
    names = [str(c) for c in range(k)] if class_names is None else list(class_names)
    ax.set_xticks(range(k), names)
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def show_filters(weight, *, ncols=8, title="first-layer filters", annotate=False):
    r"""Every filter ``weight[f, 0]`` of a convolution as a small image, one colour scale.

    Parameters
    ----------
    weight : ndarray, shape (F, C, KH, KW)
        Only input channel 0 is shown.
    ncols : int
        Filters per row.
    title : str
    annotate : bool
        Write each weight in its cell (readable for 3x3 kernels at most).

    Returns
    -------
    matplotlib.figure.Figure
        A diverging colour map centred on 0 (red positive, blue negative) with one
        colour bar shared by all filters.
    """
    weight = np.asarray(weight)
    n = weight.shape[0]
    ncols = min(ncols, n)
    nrows = int(np.ceil(n / ncols))
    lim = float(np.abs(weight[:, 0]).max()) or 1.0
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.15 * ncols + 1.0, 1.25 * nrows + 0.6),
                             squeeze=False)
    image = None
    for f, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if f >= n:
            ax.axis("off")
            continue
        image = ax.imshow(weight[f, 0], cmap="RdBu_r", vmin=-lim, vmax=lim)
        ax.set_title(f"filter {f}", fontsize=8)
        if annotate:
            for (i, j), v in np.ndenumerate(weight[f, 0]):
                ax.text(j, i, f"{v:.1f}", ha="center", va="center", fontsize=6)
    fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.8, label="weight")
    fig.suptitle(title)
    return fig


def show_digits(images, titles, *, ncols=10, suptitle=None, title_color=None):
    r"""Small greyscale images in a grid, each with a title and no axes.

    Parameters
    ----------
    images : sequence of ndarray, each (H, W), values in [0, 1]
    titles : sequence of str
    ncols : int
    suptitle : str, optional
    title_color : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    n = len(images)
    ncols = min(ncols, n)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.3 * ncols, 1.55 * nrows + 0.5),
                             squeeze=False)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
        ax.axis("off")
    for ax, im, title in zip(axes.flat, images, titles):
        ax.axis("on")
        ax.imshow(im, cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(title, fontsize=8, color=title_color or "black")
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def show_misclassified(x, y_true, y_pred, *, max_images=16, ncols=8,
                       title="misclassified test digits"):
    r"""The images whose prediction is wrong, titled "true t / pred p".

    Parameters
    ----------
    x : ndarray, shape (N, 1, H, W)
    y_true, y_pred : ndarray of int, shape (N,)
    max_images : int
        Show at most this many (the first ones in order).
    ncols : int

    Returns
    -------
    matplotlib.figure.Figure or None
        ``None`` (and nothing drawn) when every prediction is right.
    """
    wrong = np.flatnonzero(np.asarray(y_true) != np.asarray(y_pred))[:max_images]
    if len(wrong) == 0:
        return None
    return show_digits([x[i, 0] for i in wrong],
                       [f"true {int(y_true[i])}\npred {int(y_pred[i])}" for i in wrong],
                       ncols=ncols, suptitle=f"{title} ({len(wrong)} shown)",
                       title_color="C3")


def summary(model, input_shape):
    r"""A table of a model's layers, output shapes and parameter counts.

    Runs one forward pass on zeros of shape ``(1, *input_shape)`` in evaluation mode
    (batch norm's running statistics are not touched) to find each output shape.

    Parameters
    ----------
    model : Sequential
    input_shape : tuple
        Shape of one sample, e.g. ``(1, 8, 8)``.

    Returns
    -------
    str
        One line per layer, the batch axis left out, and the total number of
        trainable parameters; ``print`` it.
    """
    was_training = getattr(model, "training", True)
    model.eval()
    rows = [("input", str(tuple(input_shape)), "")]
    total = 0
    try:
        x = np.zeros((1, *input_shape))
        for i, layer in enumerate(model.layers):
            x = layer.forward(x)
            n = layer.num_parameters()
            total += n
            rows.append((f"({i}) {layer!r}", str(tuple(x.shape[1:])), str(n)))
    finally:
        model.train(was_training)
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows + [("", "output shape")])
    lines = [f"{'layer':<{w0}}  {'output shape':<{w1}}  {'params':>7}"]
    lines.append("-" * len(lines[0]))
    lines += [f"{a:<{w0}}  {b:<{w1}}  {c:>7}" for a, b, c in rows]
    lines.append("-" * len(lines[0]))
    lines.append(f"trainable parameters: {total}")
    return "\n".join(lines)


def _c4_heatmap(ax, a, title, lim, fmt="{:.2f}"):
    image = ax.imshow(a, cmap="RdBu_r", vmin=-lim, vmax=lim)
    for (i, j), v in np.ndenumerate(a):
        ax.text(j, i, fmt.format(round(float(v), 2) + 0.0), ha="center", va="center",
                fontsize=9, color="white" if abs(v) > 0.6 * lim else "black")
    ax.set_xticks(range(a.shape[1]))
    ax.set_yticks(range(a.shape[0]))
    ax.set_xlabel("column")
    ax.set_ylabel("row")
    ax.set_title(title)
    return image


def plot_kernel_pair(learned, true, *, fig=None, titles=("learned kernel", "true kernel")):
    r"""Two kernels side by side as annotated heatmaps on one colour scale.

    Parameters
    ----------
    learned, true : ndarray, shape (KH, KW)
    fig : Figure, optional
        Drawn into (cleared first); a new figure if ``None``.
    titles : (str, str)

    Returns
    -------
    matplotlib.figure.Figure
    """
    if fig is None:
        fig = plt.figure(figsize=(7.6, 3.3))
    fig.clear()
    lim = float(max(np.abs(learned).max(), np.abs(true).max())) or 1.0
    axes = fig.subplots(1, 2)
    image = _c4_heatmap(axes[0], np.asarray(learned), titles[0], lim)
    _c4_heatmap(axes[1], np.asarray(true), titles[1], lim)
    fig.colorbar(image, ax=list(axes), shrink=0.85, label="weight")
    return fig


def plot_recovery(result, w_true, *, fig=None, step=None):
    r"""Loss curve (log scale) and the kernel at one step of a kernel recovery.

    Parameters
    ----------
    result : dict
        From :func:`cnnbook.widgets.recover_kernel`: ``"loss"`` (one value per step),
        ``"steps"`` and ``"kernels"`` (the kernel at those steps).
    w_true : ndarray, shape (KH, KW)
        The kernel that made the targets.
    fig : Figure, optional
    step : int, optional
        Which recorded step to show (default: the last one).

    Returns
    -------
    matplotlib.figure.Figure
    """
    if fig is None:
        fig = plt.figure(figsize=(11, 3.3))
    fig.clear()
    steps = list(result["steps"])
    k = len(steps) - 1 if step is None else steps.index(step)
    ax_loss, ax_w, ax_true = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.4, 1, 1]})
    loss = np.asarray(result["loss"])
    ax_loss.semilogy(np.arange(len(loss)), loss, lw=1.2)
    ax_loss.semilogy([steps[k]], [loss[min(steps[k], len(loss) - 1)]], "o", color="C3")
    ax_loss.set_xlabel("gradient-descent step")
    ax_loss.set_ylabel("MSE loss (log scale)")
    ax_loss.set_title("loss")
    ax_loss.grid(alpha=0.3, which="both")
    w = np.asarray(result["kernels"][k])
    lim = float(max(np.abs(w).max(), np.abs(w_true).max())) or 1.0
    image = _c4_heatmap(ax_w, w, f"kernel after {steps[k]} steps", lim)
    _c4_heatmap(ax_true, np.asarray(w_true), "true kernel", lim)
    fig.colorbar(image, ax=[ax_w, ax_true], shrink=0.85, label="weight")
    return fig


def plot_digit_prediction(model, image, label=None, *, fig=None, feature_layer=0):
    r"""One digit, the model's class probabilities and its first-layer feature maps.

    Parameters
    ----------
    model : Sequential
        A classifier (N, 1, H, W) -> (N, K) logits.
    image : ndarray, shape (1, H, W) or (H, W)
    label : int, optional
        The true class (shown in the title).
    fig : Figure, optional
        Drawn into (cleared first); a new figure if ``None``.
    feature_layer : int
        Index of the layer whose output is shown as feature maps (0: the first conv).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from ..losses import softmax

    if fig is None:
        fig = plt.figure(figsize=(11, 3.2), constrained_layout=True)
    fig.clear()
    x = np.asarray(image, dtype=float).reshape(1, 1, *np.shape(image)[-2:])
    was_training = getattr(model, "training", True)
    model.eval()
    try:
        h, maps = x, None
        for i, layer in enumerate(model.layers):
            h = layer.forward(h)
            if i == feature_layer:
                maps = np.array(h[0])
    finally:
        model.train(was_training)
    probs = softmax(h)[0]
    pred = int(probs.argmax())
    sub_img, sub_p, sub_maps = fig.subfigures(1, 3, width_ratios=[1.0, 1.5, 3.0])

    ax_img = sub_img.subplots()
    ax_img.imshow(x[0, 0], cmap="gray_r", vmin=0, vmax=1)
    ax_img.set_xticks([])
    ax_img.set_yticks([])
    title = f"predicted {pred}" if label is None else f"true {int(label)}\npredicted {pred}"
    ax_img.set_title(title, color="black" if label is None or pred == label else "C3")

    ax_p = sub_p.subplots()
    colors = ["C2" if c == pred else "C0" for c in range(len(probs))]
    ax_p.bar(range(len(probs)), probs, color=colors)
    ax_p.set_ylim(0, 1)
    ax_p.set_xticks(range(len(probs)))
    ax_p.set_xlabel("class")
    ax_p.set_ylabel("probability")
    ax_p.set_title("softmax probabilities")

    nmaps = maps.shape[0]
    mcols = min(8, nmaps)
    mrows = int(np.ceil(nmaps / mcols))
    axes = sub_maps.subplots(mrows, mcols, squeeze=False)
    lim = float(np.abs(maps).max()) or 1.0
    shown = None
    for f, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if f >= nmaps:
            ax.axis("off")
            continue
        shown = ax.imshow(maps[f], cmap="RdBu_r", vmin=-lim, vmax=lim)
        ax.set_title(f"map {f}", fontsize=7)
    sub_maps.colorbar(shown, ax=axes.ravel().tolist(), shrink=0.8, label="value")
    sub_maps.suptitle(f"feature maps: output of layer {feature_layer} "
                      f"({model.layers[feature_layer].name})", fontsize=10)
    return fig


__all__ += ["show_article_output", "plot_error_growth", "recovery_animation"]


def show_article_output(input_image, output_image, *, filled=16, valid=None):
    r"""The source article's input and output images, with the filled corner outlined.

    Parameters
    ----------
    input_image, output_image : ndarray, shape (H, W, 1)
        HWC arrays as in the article's code.
    filled : int
        Side of the corner its loop fills (``range(16)``).
    valid : int, optional
        Side of the output a "valid" 3x3 convolution would have (``H - 2``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.patches import Rectangle

    h = input_image.shape[0]
    valid = h - 2 if valid is None else valid
    fig, axes = plt.subplots(1, 2, figsize=(9.2, 4.0), constrained_layout=True)
    for ax, a, title in ((axes[0], input_image[..., 0], f"input_image {input_image.shape}"),
                         (axes[1], output_image[..., 0], f"output_image {output_image.shape}")):
        lim = float(np.abs(a).max()) or 1.0
        shown = ax.imshow(a, cmap="RdBu_r", vmin=-lim, vmax=lim)
        fig.colorbar(shown, ax=ax, shrink=0.8, label="value")
        ax.set_title(title)
        ax.set_xlabel("column $j$")
        ax.set_ylabel("row $i$")
    axes[1].add_patch(Rectangle((-0.5, -0.5), filled, filled, fill=False, ec="k", lw=2,
                                label=f"filled by the loop: {filled}x{filled}"))
    axes[1].add_patch(Rectangle((-0.5, -0.5), valid, valid, fill=False, ec="C2", lw=2, ls="--",
                                label=f"a valid 3x3 convolution: {valid}x{valid}"))
    axes[1].legend(loc="lower right", fontsize=8)
    return fig


def plot_error_growth(distances, factor, *, ax=None, title="distance to the target per step"):
    r"""Distance :math:`\lVert y_{pred} - y_{true} \rVert` per step, log scale, with
    the prediction ``distances[0] * factor**t``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.5, 3.4))
    else:
        fig = ax.figure
    d = np.asarray(distances, dtype=float)
    t = np.arange(len(d))
    ax.semilogy(t, d, "o", ms=3, label="measured")
    ax.semilogy(t, d[0] * float(factor) ** t, "-", lw=1, label=f"$d_0 \\cdot {factor:g}^t$")
    ax.set_xlabel("iteration $t$")
    ax.set_ylabel(r"$\|y_{pred} - y_{true}\|_2$ (log scale)")
    ax.set_title(title)
    ax.legend()
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    return fig


def recovery_animation(result, w_true, *, max_frames=10, figsize=(10.5, 3.3), dpi=64):
    r"""Static-HTML slider over the kernel snapshots of a kernel recovery.

    Parameters
    ----------
    result : dict
        From :func:`cnnbook.widgets.recover_kernel`.
    w_true : ndarray, shape (KH, KW)
    max_frames : int
        At most this many snapshots, evenly picked from ``result["steps"]`` (first and
        last included); each frame is a PNG in the page.

    Returns
    -------
    IPython.display.HTML
    """
    steps = list(result["steps"])
    pick = np.unique(np.round(np.linspace(0, len(steps) - 1, min(max_frames, len(steps))))
                     .astype(int))
    fig = plt.figure(figsize=figsize, dpi=dpi, constrained_layout=True)
    return offline_animation(fig, lambda step: plot_recovery(result, w_true, fig=fig, step=step),
                             [steps[k] for k in pick])
