"""The four gate patterns (cnnbook.gates) against central differences, and their figure."""
import numpy as np
import pytest

from cnnbook.gates import gate_graph
from cnnbook.gradcheck import numerical_gradient


@pytest.mark.parametrize("x,y,w", [(3.0, -1.0, 2.0), (1.0, 2.0, 4.0), (-2.0, 0.5, -3.0)])
def test_gate_gradients_match_central_differences(x, y, w):
    g = gate_graph(x, y, w)
    assert g["values"]["L"] == (x + y) * max(x, w)
    numeric = numerical_gradient(lambda v: np.array((v[0] + v[1]) * max(v[0], v[2])),
                                 np.array([x, y, w]), np.array(1.0))
    np.testing.assert_allclose([g["grads"][k] for k in "xyw"], numeric, atol=1e-8)
    assert g["grads"]["x"] == g["grads"]["x via add"] + g["grads"]["x via max"]
    assert g["grads"]["y"] == g["grads"]["q"] == g["values"]["m"]      # add distributes
    assert g["grads"]["m"] == g["values"]["q"]                         # multiply swaps


def test_plot_gate_patterns_writes_the_gradients():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from cnnbook.viz import plot_gate_patterns
    ax = plot_gate_patterns(gate_graph(3.0, -1.0, 2.0))
    texts = " ".join(t.get_text() for t in ax.texts) + ax.get_title()
    assert "3 + 2 = 5" in texts and "(routed)" in texts and "(distributes)" in texts
    plt.close(ax.figure)
