r"""The four patterns of the backward pass, on one small graph.

Every backward pass in the book is built from four kinds of nodes, each with a fixed rule
for the gradient :math:`g` arriving from above:

* **add** :math:`u + v` distributes: both inputs receive :math:`g`;
* **multiply** :math:`u v` swaps: :math:`u` receives :math:`g v`, :math:`v` receives :math:`g u`;
* **max** :math:`\max(u, v)` routes: the larger input receives :math:`g`, the other 0;
* **copy** (a value used twice, fan-out) sums: the value receives the sum of the gradients
  of its uses.

:func:`gate_graph` evaluates :math:`L = (x + y)\cdot\max(x, w)`, which has one of each.
"""
from __future__ import annotations

__all__ = ["gate_graph"]


def gate_graph(x: float, y: float, w: float) -> dict:
    r"""Forward and backward pass of :math:`L = (x + y)\cdot\max(x, w)`, gate by gate.

    ``x`` fans out (copy) to the add and the max; ``q = x + y`` (add), ``m = max(x, w)``
    (max) and ``L = q m`` (multiply). The backward pass starts from
    :math:`\partial L/\partial L = 1`.

    Returns
    -------
    dict
        ``"values"``: ``x, y, w, q, m, L``; ``"grads"``: the gradient of ``L`` with
        respect to each value, and, for ``x``, the two contributions
        ``"x via add"`` and ``"x via max"`` whose sum is ``grads["x"]``.
    """
    x, y, w = float(x), float(y), float(w)
    q = x + y                              # add
    m = max(x, w)                          # max (ties go to the first input, x)
    L = q * m                              # multiply
    dL = 1.0
    dq, dm = dL * m, dL * q                # multiply swaps the inputs
    dx_add, dy = dq, dq                    # add distributes
    dx_max, dw = (dm, 0.0) if x >= w else (0.0, dm)   # max routes
    dx = dx_add + dx_max                   # the copy sums
    return {"values": {"x": x, "y": y, "w": w, "q": q, "m": m, "L": L},
            "grads": {"L": dL, "q": dq, "m": dm, "x via add": dx_add, "x via max": dx_max,
                      "x": dx, "y": dy, "w": dw}}
