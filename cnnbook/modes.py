r"""Forward- and reverse-mode differentiation of a chain, written as Jacobian products.

For a chain :math:`a_{l+1} = f_l(a_l)`, :math:`l = 0, \dots, B-1`, ending in a scalar
:math:`L = a_B`, the chain rule gives the gradient as a product of the local Jacobians
:math:`J_l = \partial a_{l+1}/\partial a_l`:

.. math:: \frac{\partial L}{\partial a_0} = J_{B-1} \cdots J_1 J_0 .

*Forward mode* multiplies from the right: it pushes one input direction :math:`e_i`
through the chain, :math:`J_{B-1} \cdots J_0 e_i`, and gets one entry of the gradient per
pass. *Reverse mode* (backpropagation) multiplies from the left, starting from
:math:`\partial L/\partial L = 1`, and gets every entry in one pass.
"""
from __future__ import annotations

import numpy as np

__all__ = ["chain_gradient"]


def chain_gradient(jacobians, mode):
    r"""Gradient of a scalar chain from its Jacobians, and what it cost.

    Parameters
    ----------
    jacobians : list of ndarray
        :math:`J_0, \dots, J_{B-1}` in forward order, ``J_l`` of shape
        ``(|a_{l+1}|, |a_l|)``; the last has one row (the scalar :math:`L`).
    mode : {"forward", "reverse"}

    Returns
    -------
    grad : ndarray, shape (|a_0|,)
    cost : dict
        ``passes`` (sweeps through the chain), ``products`` (Jacobian-vector or
        vector-Jacobian products) and ``multiplies`` (scalar multiplications).
    """
    if mode not in ("forward", "reverse"):
        raise ValueError(f"chain_gradient: expected mode 'forward' or 'reverse', got {mode!r}")
    if np.shape(jacobians[-1])[0] != 1:
        raise ValueError(f"chain_gradient: expected the last Jacobian to have 1 row (a scalar "
                         f"loss), got shape {np.shape(jacobians[-1])}")
    n = np.shape(jacobians[0])[1]
    per_pass = sum(int(np.size(J)) for J in jacobians)
    if mode == "forward":
        grad = np.empty(n)
        for i in range(n):                      # one pass per input direction e_i
            t = np.zeros(n)
            t[i] = 1.0
            for J in jacobians:
                t = J @ t                       # tangent: d a_{l+1} / d a_0 along e_i
            grad[i] = t[0]
        passes = n
    else:
        g = np.ones(1)                          # dL/dL
        for J in reversed(jacobians):
            g = g @ J                           # adjoint: dL / d a_l
        grad, passes = g, 1
    return grad, {"passes": passes, "products": passes * len(jacobians),
                  "multiplies": passes * per_pass}
