"""Convolution explorers: a kernel applied to an image; backprop through one output pixel."""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..conv import conv_output_size
from ..data import sample_photo
from ..viz.conv import KERNELS_3X3, ConvFigure
from ..viz.conv_step import STEP_FIGSIZE, ConvStepFigure
from ._figure import STYLE, FigureView

__all__ = ["conv_explorer", "backprop_step_through"]


def conv_explorer(image=None, *, size=96, kernels=None):
    r"""Convolution explorer: a kernel, stride, padding and dilation applied to an image.

    Parameters
    ----------
    image : ndarray, shape (H, W), optional
        Greyscale image in [0, 1]; default :func:`cnnbook.data.sample_photo` at ``size``.
    size : int
        Side of the default photo.
    kernels : dict, optional
        ``name -> (3, 3) array``; default :data:`cnnbook.viz.KERNELS_3X3`. A "custom"
        entry is added: its nine weights are typed into the boxes below the dropdown, and
        the scale multiplies whichever kernel is chosen.

    Returns
    -------
    ipywidgets.VBox
        ``children = [kernel dropdown, scale, stride, padding, dilation, custom grid,
        Image]``; ``.state["result"]`` is the last output map, ``.state["title"]`` the
        panel titles (with the output-size formula).
    """
    if image is None:
        image = sample_photo(size=size)
    image = np.asarray(image, dtype=np.float64)
    kernels = {name: np.asarray(k, dtype=np.float64)
               for name, k in (KERNELS_3X3 if kernels is None else kernels).items()}
    for name, k in kernels.items():
        if k.shape != (3, 3):  # the custom grid is 3x3 too: the panels keep their shape
            raise ValueError(f"conv_explorer: expected (3, 3) kernels, got {name!r} of "
                             f"shape {k.shape}")
    names = list(kernels) + ["custom"]
    kernel_menu = widgets.Dropdown(options=names, value=names[1] if len(names) > 2
                                   else names[0], description="kernel")
    scale = widgets.FloatSlider(value=1.0, min=-2.0, max=2.0, step=0.25,
                                description="scale", continuous_update=False)
    stride = widgets.IntSlider(value=1, min=1, max=4, description=r"stride \(s\)",
                               continuous_update=False)
    padding = widgets.IntSlider(value=0, min=0, max=4, description=r"padding \(P\)",
                                continuous_update=False)
    dilation = widgets.IntSlider(value=1, min=1, max=6, description=r"dilation \(d\)",
                                 continuous_update=False)
    start = kernels.get("edge x (Sobel)", np.eye(3))
    cells = [widgets.FloatText(value=float(start.flat[k]), layout=widgets.Layout(width="70px"))
             for k in range(9)]
    custom = widgets.GridBox(cells, layout=widgets.Layout(
        grid_template_columns="repeat(3, 75px)", grid_gap="2px"))
    custom_box = widgets.HBox([widgets.Label("custom weights:"), custom])

    def current_kernel():
        if kernel_menu.value == "custom":
            k = np.array([c.value for c in cells], dtype=np.float64).reshape(3, 3)
        else:
            k = kernels[kernel_menu.value]
        return scale.value * k

    def kernel_name():
        return kernel_menu.value if scale.value == 1 else f"{scale.value:g} × {kernel_menu.value}"

    def settings():
        return dict(stride=stride.value, padding=padding.value, dilation=dilation.value,
                    kernel_name=kernel_name())

    panels = {}

    def build(fig):  # once; every control then redraws the panels in place
        try:
            panels["figure"] = ConvFigure(fig, image, current_kernel(), **settings())
        except ValueError as err:
            raise ValueError(f"conv_explorer: the {image.shape} image does not fit a "
                             f"{kernel_menu.value} kernel ({err})") from None
        panels["figure"].lay_out()  # once: the panels keep their places
        panels["message"] = fig.text(0.5, 0.5, "", ha="center", va="center", wrap=True,
                                     visible=False)
        return panels["figure"].out

    view = FigureView(build, (10, 3.4))
    state = view.state

    def update(*_):
        custom_box.layout.display = "" if kernel_menu.value == "custom" else "none"
        figure, message = panels["figure"], panels["message"]
        try:
            changed = figure.set(current_kernel(), **settings())
        except ValueError as err:  # e.g. a dilated kernel larger than the input
            state["result"] = None
            for ax in view.fig.axes:
                ax.set_visible(False)
            message.set_text(str(err))
            message.set_visible(True)
            return view.show()
        if message.get_visible():  # the panels come back
            message.set_visible(False)
            for ax in view.fig.axes:
                ax.set_visible(True)
        state["result"] = figure.out
        view.show_changed(changed, figure.dynamic_artists())  # only these are redrawn

    for control in [kernel_menu, scale, stride, padding, dilation]:
        control.observe(update, names="value")

    def on_custom_weight(_change):
        if kernel_menu.value == "custom":  # the boxes are hidden (and unused) otherwise
            update()

    for cell in cells:
        cell.observe(on_custom_weight, names="value")
    custom_box.layout.display = "" if kernel_menu.value == "custom" else "none"
    view.refresh(dynamic=lambda: panels["figure"].dynamic_artists())
    box = widgets.VBox([kernel_menu, scale, stride, padding, dilation, custom_box, view.image])
    box.state = state
    return box


def backprop_step_through(x, w, b=None, *, f=0, i=0, j=0, stride=1, padding=0, dilation=1):
    r"""Backprop step-through of one conv output pixel.

    Pick an output pixel :math:`(n, f, i, j)` and the convolution's stride, padding and
    dilation; the widget runs :func:`cnnbook.conv.conv2d_forward` and
    :func:`cnnbook.conv.conv2d_backward` with :math:`\delta` equal to 1 at that pixel and 0
    elsewhere, and draws :func:`cnnbook.viz.plot_conv_step`: the input with the pixel's
    receptive field (dilation-aware), the kernel, :math:`\delta`, and the gradients
    :math:`\partial L/\partial x` (the kernel, placed on the receptive field) and
    :math:`\partial L/\partial w` (the input patch).

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    w : ndarray, shape (F, C, KH, KW)
    b : ndarray, shape (F,), optional
        Defaults to zeros (the bias does not change any gradient shown).
    f, i, j, stride, padding, dilation : int
        Starting values of the controls.

    Returns
    -------
    ipywidgets.VBox
        Children: ``HBox`` of ``Dropdown`` (sample ``n``, filter ``f``, input channel
        ``c``); ``HBox`` of ``Dropdown`` (stride, padding, dilation); ``IntSlider``
        (output row ``i``); ``IntSlider`` (output column ``j``); an ``Output`` for messages;
        the ``Image``. ``box.result`` holds the last
        :func:`cnnbook.receptive_field.conv_step_gradients` dict
        (or ``None`` if the settings do not fit the input).
    """
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    b = np.zeros(w.shape[0]) if b is None else np.asarray(b, dtype=np.float64)
    N, C, H, Wd = x.shape
    F, _, KH, KW = w.shape
    n_box = widgets.Dropdown(options=list(range(N)), value=0, description=r"sample \(n\)")
    f_box = widgets.Dropdown(options=list(range(F)), value=int(f), description=r"filter \(f\)")
    c_box = widgets.Dropdown(options=list(range(C)), value=0, description=r"channel \(c\)")
    s_box = widgets.Dropdown(options=[1, 2, 3], value=int(stride), description="stride")
    p_box = widgets.Dropdown(options=[0, 1, 2], value=int(padding), description="padding")
    d_box = widgets.Dropdown(options=[1, 2, 3], value=int(dilation), description="dilation")
    OH0 = max(conv_output_size(H, KH, stride, padding, dilation), 1)
    OW0 = max(conv_output_size(Wd, KW, stride, padding, dilation), 1)
    i_box = widgets.IntSlider(value=min(int(i), OH0 - 1), min=0, max=OH0 - 1,
                              description=r"output row \(i\)", continuous_update=False,
                              style=STYLE)
    j_box = widgets.IntSlider(value=min(int(j), OW0 - 1), min=0, max=OW0 - 1,
                              description=r"output column \(j\)",
                              continuous_update=False, style=STYLE)
    message = widgets.Output()
    panel = {}

    def setting():
        return (n_box.value, f_box.value, c_box.value, s_box.value, p_box.value, d_box.value)

    def build(fig):  # once; every control then redraws the panels in place
        n, f, c, s, p, d = setting()
        # laid out with the widest padding, so that the input's tick labels always fit
        figure = panel["figure"] = ConvStepFigure(x, w, b, n, f, c, s, max(p_box.options), d,
                                                  fig)
        figure.lay_out()
        figure.set_conv(n, f, c, s, p, d)
        return figure.set_pixel(i_box.value, j_box.value)

    view = FigureView(build, figsize=STEP_FIGSIZE, layout="tight")
    box = widgets.VBox([widgets.HBox([n_box, f_box, c_box]),
                        widgets.HBox([s_box, p_box, d_box]), i_box, j_box, message, view.image])
    box.state = view.state
    box.result = None
    busy = {"flag": False}

    def output_size():
        s, p, d = s_box.value, p_box.value, d_box.value
        return (conv_output_size(H, KH, s, p, d), conv_output_size(Wd, KW, s, p, d))

    def update(_change=None):
        if busy["flag"]:
            return
        OH, OW = output_size()
        message.clear_output(wait=True)
        if OH < 1 or OW < 1:
            box.result = None
            with message:
                print(f"kernel {KH}x{KW} with dilation {d_box.value} does not fit the "
                      f"{H}x{Wd} input with padding {p_box.value}: choose other settings")
            return
        busy["flag"] = True  # changing the slider bounds must not redraw twice
        try:
            for slider, size in ((i_box, OH), (j_box, OW)):
                slider.max = size - 1  # clamps the value if it was beyond
                slider.value = min(slider.value, size - 1)
        finally:
            busy["flag"] = False
        if not panel:  # the first drawing
            view.refresh(dynamic=lambda: panel["figure"].dynamic_artists())
            box.result = view.state["result"]
            return
        figure = panel["figure"]
        changed = figure.set_conv(*setting()) if figure.setting != setting() else []
        box.result = view.state["result"] = figure.set_pixel(i_box.value, j_box.value)
        view.show_changed(changed + figure.changing_artists(), figure.dynamic_artists())

    for control in (n_box, f_box, c_box, s_box, p_box, d_box, i_box, j_box):
        control.observe(update, names="value")
    update()
    return box
