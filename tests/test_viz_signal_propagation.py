"""Depth-profile figures and the initialisation explorer: they show the computed statistics."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnnbook.signal_propagation import block_stack, signal_profile  # noqa: E402
from cnnbook.viz import (depth_profile_limits, plot_depth_profiles,  # noqa: E402
                         update_depth_profiles)
from cnnbook.widgets import init_gain_explorer  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _profile(gain, activation="relu", seed=0):
    rng = np.random.default_rng(seed)
    x, dout = rng.normal(size=(16, 8)), rng.normal(size=(16, 8))
    return signal_profile(block_stack(5, 8, activation=activation, gain=gain,
                                      rng=np.random.default_rng(1)), x, dout)


def test_lines_hold_the_profiles():
    profiles = {"small": _profile(0.5), "he": _profile(1.0)}
    fig = plot_depth_profiles(profiles, title="t")
    fwd, bwd = fig.axes[:2]
    assert [line.get_label() for line in fwd.lines] == ["small", "he"]
    for line, p in zip(fwd.lines, profiles.values()):
        assert np.array_equal(line.get_xdata(), np.arange(5))
        assert np.allclose(line.get_ydata(), p.preactivation_std)
    for line, p in zip(bwd.lines, profiles.values()):
        assert np.array_equal(line.get_xdata(), np.arange(6))
        assert np.allclose(line.get_ydata(), p.grad_rms)
    assert fwd.get_yscale() == "log" and bwd.get_yscale() == "log"


def test_update_in_place():
    fig = plot_depth_profiles({"a": _profile(1.0)})
    line = fig.axes[1].lines[0]
    new = _profile(2.0)
    update_depth_profiles(fig, {"b": new}, title="new")
    assert fig.axes[1].lines[0] is line                      # same artist, new data
    assert np.allclose(line.get_ydata(), new.grad_rms)
    assert line.get_label() == "b" and fig.get_suptitle() == "new"
    lo, hi = fig.axes[1].get_ylim()
    assert lo <= new.grad_rms.min() and hi >= new.grad_rms.max()
    with pytest.raises(ValueError, match="update_depth_profiles: expected 1 profiles"):
        update_depth_profiles(fig, {"a": new, "b": new})


def test_fixed_limits_hold_every_frame():
    """An animation's frames share one y range per panel: it holds every frame's values."""
    frames = [_profile(g) for g in (0.5, 1.0, 2.0)]
    ylims = depth_profile_limits(frames)
    fig = plot_depth_profiles({"g": frames[0]})
    for p in frames:
        update_depth_profiles(fig, {"g": p}, ylims=ylims)
        assert [ax.get_ylim() for ax in fig.axes[:2]] == [tuple(lim) for lim in ylims]
    for (lo, hi), attr in zip(ylims, ("preactivation_std", "grad_rms")):
        values = np.concatenate([getattr(p, attr) for p in frames])
        assert lo <= values.min() and hi >= values.max()


def test_bad_input():
    with pytest.raises(ValueError, match="plot_depth_profiles: expected a non-empty dict"):
        plot_depth_profiles({})


def test_explorer_recomputes_on_change():
    box = init_gain_explorer(depth=6, width=8, batch=8)
    slider, act, image = box.children
    slider.value = 2.0
    assert box.state["updates"] >= 2 and image.value[:4] == b"\x89PNG"
    assert "x 2" in box.state["title"]
    rng = np.random.default_rng(0)
    x, dout = rng.normal(size=(8, 8)), rng.normal(size=(8, 8))
    expected = signal_profile(block_stack(6, 8, gain=2.0, rng=np.random.default_rng(1)),
                              x, dout)
    assert np.allclose(box.result.grad_rms, expected.grad_rms)
    act.value = "tanh"
    assert "tanh" in box.state["title"]
