"""A small computational graph: values in boxes, operations on the arrows, gradients below."""
from __future__ import annotations

import matplotlib.pyplot as plt

__all__ = ["plot_compute_graph", "plot_gate_patterns"]


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


def plot_gate_patterns(graph, *, ax=None, figsize=(8.5, 3.4)):
    r"""Draw :func:`cnnbook.gates.gate_graph`'s graph with the values on the nodes and the
    gradients (red) on the edges: add distributes, multiply swaps, max routes, copy sums.

    Parameters
    ----------
    graph : dict
        The result of :func:`cnnbook.gates.gate_graph`.

    Returns
    -------
    matplotlib.axes.Axes
    """
    v, g = graph["values"], graph["grads"]
    fmt = "{:g}".format
    nodes = {
        "x": (0.0, 1.2, f"x = {fmt(v['x'])}, copied\n∂L/∂x = {fmt(g['x'])}"),
        "y": (0.0, 0.0, f"y = {fmt(v['y'])}"),
        "w": (0.0, 2.4, f"w = {fmt(v['w'])}"),
        "q": (2.6, 0.4, f"add\nq = {fmt(v['q'])}"),
        "m": (2.6, 2.0, f"max\nm = {fmt(v['m'])}"),
        "L": (5.0, 1.2, f"multiply\nL = {fmt(v['L'])}"),
    }
    edges = [
        ("x", "q", "", f"{fmt(g['x via add'])}"),
        ("y", "q", "", f"{fmt(g['y'])} (distributes)"),
        ("x", "m", "", f"{fmt(g['x via max'])} (routed)"),
        ("w", "m", "", f"{fmt(g['w'])} (not the max)"),
        ("q", "L", "", f"{fmt(g['q'])} = m (swapped)"),
        ("m", "L", "", f"{fmt(g['m'])} = q (swapped)"),
    ]
    ax = plot_compute_graph(nodes, edges, ax=ax, figsize=figsize)
    ax.set_title(f"gradients in red; the copy of x sums: "
                 f"{fmt(g['x via add'])} + {fmt(g['x via max'])} = {fmt(g['x'])}", fontsize=10)
    return ax
