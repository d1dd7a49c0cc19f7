"""Derivation checker: a layer's analytic gradient against central differences, live."""
from __future__ import annotations

import ipywidgets as widgets

from ..layer_checks import LAYERS, derivation_check, gradcheck_verdict
from ..viz.gradcheck import plot_gradient_check, update_gradient_check
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
        widgets.IntSlider(value=kernel_size, min=1, max=4, description=r"kernel \(KH = KW\)",
                          **slider),
    ]
    text = widgets.Output()
    # The figure is drawn once; later checks update its artists in place: only the images,
    # colour bars and title are redrawn (blitted) when the input keeps its shape, the whole
    # figure (no layout engine: the panels sit at fixed margins) when it changes.
    view = FigureView(figsize=(10, 3.2), layout=None)
    checks = {}  # setting -> derivation_check result: a setting seen before is not rerun

    def update(_change=None):
        name = controls[0].value
        controls[3].disabled = name != "conv"
        for c in (controls[1], controls[2], controls[6]):
            c.disabled = name == "dense"
        setting = (name,) + tuple(c.value for c in controls[1:])
        try:
            if setting not in checks:
                checks[setting] = derivation_check(
                    name, stride=setting[1], padding=setting[2], dilation=setting[3],
                    height=setting[4], width=setting[5], kernel_size=setting[6])
        except ValueError as e:
            text.clear_output(wait=True)  # replaced in one step: the page does not jump
            with text:
                print(f"This setting does not fit: {e}")
            view.image.layout.display = "none"
            box.last_check = None
            return
        check = checks[setting]
        text.clear_output(wait=True)
        with text:
            print(gradcheck_verdict(check["result"]))
            print(check["result"])
        analytic, numeric = check["analytic"][0, 0], check["numeric"][0, 0]
        shown = view.state["result"]  # the check in the figure (also after a misfit)
        view.state["result"] = box.last_check = check
        view.image.layout.display = None
        if shown is None:  # the first drawing
            plot_gradient_check(analytic, numeric, title=check["title"], fig=view.fig)
            view.show()
            return
        changed = update_gradient_check(view.fig, analytic, numeric, title=check["title"])
        if shown["analytic"].shape == check["analytic"].shape:
            view.show_changed(changed)
        else:
            view.show()  # the panels moved

    box = widgets.VBox(controls + [text, view.image])
    box.state = view.state
    box.last_check = None  # the latest derivation_check result, for tests and the curious
    for c in controls:
        c.observe(update, names="value")
    update()
    return box
