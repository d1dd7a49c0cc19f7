"""The explorer contract (cnnbook/widgets/_explorer.py), for every explorer of the book.

Every explorer is an ``Explorer``: ``set(**settings)`` works over its whole offline grid,
its offline form has one picture (or one "does not fit" message) per grid point within the
page budget, its display carries the live widget and the offline form, and a setting that
does not fit shows a message that the next fitting setting clears.
"""
import json
import re

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnnbook import layers as L  # noqa: E402
from cnnbook import widgets  # noqa: E402
from cnnbook.data import load_digits  # noqa: E402
from cnnbook.widgets import OFFLINE_BUDGET, Explorer  # noqa: E402


def _net():
    r = np.random.default_rng(0)
    return L.Sequential(L.Conv2D(1, 2, 3, rng=r), L.ReLU(), L.MaxPool2D(2), L.Flatten(),
                        L.Dense(2 * 3 * 3, 10, rng=r))


def _bn_net(batch_norm, r):
    layers = [L.Conv2D(1, 2, 3, padding=1, rng=r)]
    layers += [L.BatchNorm2D(2)] if batch_norm else []
    return L.Sequential(*layers, L.ReLU(), L.Flatten(), L.Dense(2 * 8 * 8, 10, rng=r))


IMAGES, LABELS = load_digits()
RNG = np.random.default_rng(0)
X6 = RNG.uniform(size=(1, 1, 6, 6))
W3 = RNG.normal(size=(2, 1, 3, 3))

#: every explorer of cnnbook.widgets, on small inputs
EXPLORERS = {
    "tangent_explorer": lambda: widgets.tangent_explorer(
        lambda w: ((w - 1.0) ** 2, 2 * (w - 1.0)), w0=-2.0),
    "conv_explorer": lambda: widgets.conv_explorer(RNG.uniform(size=(12, 12))),
    "pool_explorer": lambda: widgets.pool_explorer(IMAGES[0, 0]),
    "softmax_explorer": lambda: widgets.softmax_explorer(),
    "lr_explorer": lambda: widgets.lr_explorer(),
    "backprop_step_through": lambda: widgets.backprop_step_through(X6, W3, f=0, i=1, j=2),
    "derivation_checker": lambda: widgets.derivation_checker(),
    "training_loop_explorer": lambda: widgets.training_loop_explorer(
        _net, IMAGES[:16], LABELS[:16], steps=5, steps_max=10),
    "kernel_recovery_explorer": lambda: widgets.kernel_recovery_explorer(
        RNG.normal(size=(2, 1, 8, 8)), np.eye(3), steps=30),
    "digit_explorer": lambda: widgets.digit_explorer(_net(), IMAGES[:20], LABELS[:20]),
    "depth_explorer": lambda: widgets.depth_explorer(depth=5, width=8, batch=8),
    "saliency_explorer": lambda: widgets.saliency_explorer(_net(), IMAGES[:8], LABELS[:8]),
    "bn_training_explorer": lambda: widgets.bn_training_explorer(
        _bn_net, IMAGES[:32], LABELS[:32], lrs=(0.05, 0.1), lr=0.1, epochs=2, epochs_max=3,
        batch_size=16),
    "init_gain_explorer": lambda: widgets.init_gain_explorer(depth=4, width=8, batch=8),
    "im2col_explorer": lambda: widgets.im2col_explorer((1, 1, 4, 4), 2, window=1),
}


def test_every_explorer_of_the_package_is_covered():
    made = {name for name in widgets.__all__ if name.endswith(("_explorer", "_through",
                                                                  "_checker"))}
    assert made == set(EXPLORERS)


@pytest.fixture(scope="module", params=sorted(EXPLORERS))
def explorer(request):
    return request.param, EXPLORERS[request.param]()


def test_explorer_follows_the_contract(explorer):
    name, box = explorer
    assert isinstance(box, Explorer) and box.name == name
    assert box.result is not None  # built once, drawn once
    assert box.view.image in box.children and box.message in box.children
    assert box.offline, f"{name}: no offline grid"
    with pytest.raises(TypeError, match="unknown settings"):
        box.set(no_such_setting=1)


def test_set_works_over_the_offline_grid(explorer, monkeypatch):
    """``set`` every grid point (pictures not drawn: the offline test below draws some);
    each point shows a result or a does-not-fit message, and the controls return to where
    they were."""
    name, box = explorer
    before = box.settings()
    monkeypatch.setattr(box.view, "pixels", lambda dpi: np.zeros((2, 3, 3), np.uint8))
    frames = box.offline_frames()
    points = box.offline_points()
    assert [point for point, _, _, _ in frames] == points
    assert len(points) <= OFFLINE_BUDGET["images"]
    for point, png, message, _ in frames:
        assert (png is None) == bool(message), f"{name} at {point}"
    assert box.settings() == before
    assert box.message.value == "" and box.result is not None


def test_offline_form_has_one_picture_per_grid_point(explorer, monkeypatch):
    name, box = explorer
    monkeypatch.setattr(box.view, "pixels", lambda dpi: np.full((2, 3, 3), 255, np.uint8))
    page = box.offline_html()
    data = json.loads(re.search(r'class="cnnbook-explorer-data">(.*?)</script>', page,
                                re.S).group(1))
    keys = set(data["images"]) | set(data["messages"])
    assert len(keys) == len(box.offline_points())
    # one control per grid setting, none for the others; the note says it is precomputed
    assert len(re.findall(r"data-setting=", page)) == len(box.offline)
    assert "Precomputed" in page and "Jupyter" in page


def test_display_carries_the_widget_and_the_offline_form(monkeypatch):
    from cnnbook.widgets._explorer import OFFLINE_ENV

    box = EXPLORERS["im2col_explorer"]()
    monkeypatch.setenv(OFFLINE_ENV, "1")          # as in the Makefile's nbval and book runs
    bundle = box._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/html"].startswith('<div class="cnnbook-explorer"')
    monkeypatch.delenv(OFFLINE_ENV)               # a reader's Jupyter: the widget alone
    assert "text/html" not in box._repr_mimebundle_()


def test_offline_form_disables_what_the_live_explorer_disables(monkeypatch):
    """The derivation checker's dense layer has no stride or padding: those controls are
    disabled at its settings in the offline form, as in Jupyter (no dead control)."""
    box = EXPLORERS["derivation_checker"]()
    monkeypatch.setattr(box.view, "pixels", lambda dpi: np.zeros((2, 3, 3), np.uint8))
    data = json.loads(re.search(r'class="cnnbook-explorer-data">(.*?)</script>',
                                box.offline_html(), re.S).group(1))
    keys = list(box.offline)
    dense = str(list(box.offline["layer"]).index("dense"))
    for key, values in data["disabled"].items():
        assert key.split("-")[keys.index("layer")] == dense
        assert set(values) == {"stride", "padding"}
    assert len(data["disabled"]) == len(box.offline_points()) // len(box.offline["layer"])


def test_offline_pictures_are_drawn_at_the_offline_width():
    from io import BytesIO

    from PIL import Image

    from cnnbook.widgets._explorer import offline_dpi

    box = EXPLORERS["im2col_explorer"]()
    frames = box.offline_frames()
    pngs = [png for _, png, _, _ in frames]
    assert len(set(pngs)) == len(pngs)  # every column shows its own window
    with Image.open(BytesIO(pngs[0])) as picture:
        width = picture.size[0]
    assert width == round(box.fig.get_figwidth() * offline_dpi(box.fig))
    assert box.view.image.value[:4] == b"\x89PNG"  # the live picture is back


@pytest.mark.parametrize("name, misfit, fit", [
    ("conv_explorer", {"dilation": 6}, {"dilation": 1}),
    ("backprop_step_through", {"dilation": 3, "padding": 0}, {"dilation": 1}),
    ("derivation_checker", {"kernel_size": 4, "dilation": 3, "padding": 0}, {"dilation": 1}),
])
def test_does_not_fit_message_appears_and_clears(name, misfit, fit):
    box = EXPLORERS[name]()
    shown = box.view.image.value
    box.set(**misfit)
    assert box.result is None
    assert "This setting does not fit" in box.message.value
    assert box.view.image.value == shown  # the figure stays: no layout jump
    box.set(**fit)
    assert box.message.value == "" and box.result is not None


def test_stored_notebooks_keep_no_offline_form():
    """scripts/strip_notebooks.py drops the offline HTML (pictures) from an explorer's
    stored output and keeps its text (nbval ignores these cells: nbval-ignore-output)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "scripts" / "strip_notebooks.py"
    spec = importlib.util.spec_from_file_location("strip_notebooks", path)
    strip = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(strip)
    bundle = EXPLORERS["im2col_explorer"]()._repr_mimebundle_()
    kept = strip.strip_output({"output_type": "execute_result", "data": bundle,
                               "metadata": {}})["data"]
    assert set(kept) == {"text/plain", "application/vnd.jupyter.widget-view+json"}
