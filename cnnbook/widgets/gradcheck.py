"""Derivation checker: a layer's analytic gradient against central differences, live."""
from __future__ import annotations

import html

import ipywidgets as widgets

from ..layer_checks import LAYERS, derivation_check, gradcheck_verdict
from ..viz.gradcheck import plot_gradient_check, update_gradient_check
from . import _controls as controls
from ._explorer import DoesNotFit, Explorer
from ._figure import FigureView

__all__ = ["derivation_checker"]


def derivation_checker(layer="conv", *, stride=2, padding=1, dilation=2, height=7, width=9,
                       kernel_size=3):
    r"""Widget: choose a layer and its options; the gradient check reruns on every change.

    Shows the verdict of :func:`derivation_check` (every input and parameter: in the
    figure's title, with the table of errors below the controls) and the analytic and
    numerical :math:`\partial L/\partial x` side by side with their difference. Options
    that do not fit say why on the message line; the figure keeps the last check.

    Returns
    -------
    Explorer
        Settings ``layer, stride, padding, dilation, height, width, kernel_size``;
        ``.result`` is the latest :func:`derivation_check` result (``None`` if the setting
        did not fit).
    """
    settings = {
        "layer": controls.choice("layer", LAYERS, layer),
        "stride": controls.stride(stride, high=3),
        "padding": controls.padding(padding, high=2),
        "dilation": controls.dilation(dilation, high=3),
        "height": controls.integer(r"height \(H\)", height, 3, 12),
        "width": controls.integer(r"width \(W\)", width, 3, 12),
        "kernel_size": controls.kernel_size(kernel_size, high=4),
    }
    table = widgets.HTML()
    # The figure is drawn once; later checks update its artists in place: only the images,
    # colour bars and title are redrawn (blitted) when the input keeps its shape, the whole
    # figure (no layout engine: the panels sit at fixed margins) when it changes.
    view = FigureView(figsize=(10, 3.4), layout=None)
    checks = {}  # setting -> derivation_check result: a setting seen before is not rerun
    shown = {}

    def update(layer, **options):
        settings["dilation"].disabled = layer != "conv"
        for key in ("stride", "padding", "kernel_size"):
            settings[key].disabled = layer == "dense"
        setting = (layer,) + tuple(options.values())
        if setting not in checks:
            try:
                checks[setting] = derivation_check(layer, **options)
            except ValueError as err:
                raise DoesNotFit(str(err)) from None
        check = checks[setting]
        table.value = f"<pre>{html.escape(str(check['result']))}</pre>"
        title = f"{check['title']}\n{gradcheck_verdict(check['result'])}"
        analytic, numeric = check["analytic"][0, 0], check["numeric"][0, 0]
        if not shown:  # the first drawing
            plot_gradient_check(analytic, numeric, title=title, fig=view.fig)
            view.show()
        else:
            changed = update_gradient_check(view.fig, analytic, numeric, title=title)
            if shown["check"]["analytic"].shape == check["analytic"].shape:
                view.show_changed(changed)
            else:
                view.show()  # the panels moved
        shown["check"] = check
        return check

    return Explorer("derivation_checker", settings, view, update,
                    rows=[*settings.values(), table],
                    offline={"layer": list(LAYERS), "stride": [1, 2], "padding": [0, 1]})
