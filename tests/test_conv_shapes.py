"""Parameter and multiply-add counts of convolutions (cnnbook.conv_shapes)."""
import numpy as np
import pytest

from cnnbook.conv import Conv2D, conv2d_forward
from cnnbook.conv_shapes import conv_cost, separable_block_costs


@pytest.mark.parametrize("C,F,k,groups", [(4, 6, 3, 1), (4, 6, 3, 2), (4, 8, 3, 4), (6, 6, 1, 3)])
def test_conv_cost_counts_the_layer_and_its_products(C, F, k, groups):
    layer = Conv2D(C, F, k, padding=k // 2, groups=groups, rng=np.random.default_rng(0))
    cost = conv_cost(C, F, k, 5, groups=groups)
    assert cost["params"] == layer.num_parameters()
    # the multiply-adds are the nonzero terms of the loop version: F * C/G * k*k per output
    out, _ = conv2d_forward(np.ones((1, C, 5, 5)), np.ones((F, C // groups, k, k)),
                            np.zeros(F), padding=0 if k == 1 else (k // 2), groups=groups)
    assert cost["mult_adds"] == F * (C // groups) * k * k * out.shape[2] * out.shape[3]


def test_separable_block_ratio():
    c = separable_block_costs(32, 64, 3, 56)
    assert c["standard"]["params"] == 64 * 32 * 9
    assert c["separable"]["params"] == 32 * 9 + 32 * 64
    ratio = c["separable"]["mult_adds"] / c["standard"]["mult_adds"]
    assert ratio == pytest.approx(1 / 64 + 1 / 9)


def test_conv_cost_bad_groups():
    with pytest.raises(ValueError, match="conv_cost: expected groups to divide in_channels C = 3"):
        conv_cost(3, 6, 3, 5, groups=2)
