"""Derivation checker: a layer's analytic gradient against central differences, live."""
from __future__ import annotations

import ipywidgets as widgets

from ..layer_checks import LAYERS, derivation_check, gradcheck_verdict
from ..viz.gradcheck import plot_gradient_check
from ._figure import STYLE, FigureView

__all__ = ["derivation_checker"]


def derivation_checker(layer="conv", *, stride=2, padding=1, dilation=2, height=7, width=9,
                       kernel_size=3):
    r"""Widget: choose a layer and its options; the gradient check reruns on every change.

    Shows the verdict of :func:`derivation_check` (every input and parameter) and the
    analytic and numerical :math:`\partial L/\partial x` side by side with their
    difference. Options that do not fit print the reason instead of a figure.

    Returns
    -------
    ipywidgets.VBox
        ``children[0:7]`` are the controls (layer, stride, padding, dilation, height,
        width, kernel size), ``children[7]`` the verdict (an ``Output``),
        ``children[8]`` the figure (an ``Image``); ``last_check`` is the latest
        :func:`derivation_check` result (``None`` if the setting did not fit).
    """
    style = STYLE
    slider = dict(style=style, continuous_update=False)  # one check per release, not per tick
    controls = [
        widgets.Dropdown(options=list(LAYERS), value=layer, description="layer"),
        widgets.IntSlider(value=stride, min=1, max=3, description=r"stride \(s\)", **slider),
        widgets.IntSlider(value=padding, min=0, max=2, description=r"padding \(P\)", **slider),
        widgets.IntSlider(value=dilation, min=1, max=3, description=r"dilation \(d\)", **slider),
        widgets.IntSlider(value=height, min=3, max=12, description=r"height \(H\)", **slider),
        widgets.IntSlider(value=width, min=3, max=12, description=r"width \(W\)", **slider),
        widgets.IntSlider(value=kernel_size, min=1, max=4, description=r"kernel \(K\)",
                          **slider),
    ]
    text = widgets.Output()
    view = FigureView(figsize=(10, 3.2), layout="tight")

    def update(_change=None):
        name = controls[0].value
        controls[3].disabled = name != "conv"
        for c in (controls[1], controls[2], controls[6]):
            c.disabled = name == "dense"
        try:
            check = derivation_check(
                name, stride=controls[1].value, padding=controls[2].value,
                dilation=controls[3].value, height=controls[4].value,
                width=controls[5].value, kernel_size=controls[6].value)
        except ValueError as e:
            text.clear_output(wait=True)  # replaced in one step: the page does not jump
            with text:
                print(f"This setting does not fit: {e}")
            view.image.layout.display = "none"
            box.last_check = None
            return
        text.clear_output(wait=True)
        with text:
            print(gradcheck_verdict(check["result"]))
            print(check["result"])
        view.draw = lambda fig: plot_gradient_check(check["analytic"][0, 0],
                                                    check["numeric"][0, 0],
                                                    title=check["title"], fig=fig)
        view.image.layout.display = None
        view.refresh()
        box.last_check = check

    box = widgets.VBox(controls + [text, view.image])
    box.state = view.state
    box.last_check = None  # the latest derivation_check result, for tests and the curious
    for c in controls:
        c.observe(update, names="value")
    update()
    return box
