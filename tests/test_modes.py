"""Forward and reverse mode of a chain of Jacobians (cnnbook.modes)."""
import numpy as np
import pytest

from cnnbook.modes import chain_gradient


def test_both_modes_give_the_product_of_the_jacobians_at_their_costs():
    rng = np.random.default_rng(0)
    sizes = [5, 7, 3, 1]
    jacobians = [rng.normal(size=(m, n)) for n, m in zip(sizes[:-1], sizes[1:])]
    expected = (jacobians[2] @ jacobians[1] @ jacobians[0])[0]
    per_pass = 7 * 5 + 3 * 7 + 1 * 3
    for mode, passes in (("forward", 5), ("reverse", 1)):
        grad, cost = chain_gradient(jacobians, mode)
        np.testing.assert_allclose(grad, expected, rtol=1e-12)
        assert cost == {"passes": passes, "products": 3 * passes,
                        "multiplies": per_pass * passes}


def test_bad_arguments():
    with pytest.raises(ValueError, match="chain_gradient: expected mode 'forward' or 'reverse'"):
        chain_gradient([np.ones((1, 2))], "sideways")
    with pytest.raises(ValueError, match="1 row"):
        chain_gradient([np.ones((2, 2))], "reverse")
