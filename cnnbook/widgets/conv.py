"""Convolution explorers: a kernel applied to an image; backprop through one output pixel."""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..conv import conv_output_size
from ..data import sample_photo
from ..viz.conv import KERNELS_3X3, draw_conv, update_conv_kernel
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
    kernels = dict(KERNELS_3X3 if kernels is None else kernels)
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

    def draw(fig):
        custom_box.layout.display = "" if kernel_menu.value == "custom" else "none"
        name = kernel_menu.value if scale.value == 1 else f"{scale.value:g} × {kernel_menu.value}"
        try:
            return draw_conv(fig, image, current_kernel(), stride=stride.value,
                             padding=padding.value, dilation=dilation.value,
                             kernel_name=name)
        except ValueError as err:  # e.g. a dilated kernel larger than the input
            fig.clear()
            fig.text(0.5, 0.5, str(err), ha="center", va="center", wrap=True)
            return None

    view = FigureView(draw, (10, 3.4))
    out, state = view.image, view.state
    drawn = {"setting": None}  # (stride, padding, dilation) of the figure shown

    def refresh(*_):
        drawn["setting"] = (stride.value, padding.value, dilation.value)
        view.refresh()

    def kernel_changed(*_):
        """Only the kernel changed: update its panel and the output, redraw only those."""
        custom_box.layout.display = "" if kernel_menu.value == "custom" else "none"
        if state["result"] is None or drawn["setting"] != (stride.value, padding.value,
                                                           dilation.value):
            return refresh()
        name = kernel_menu.value if scale.value == 1 else f"{scale.value:g} × {kernel_menu.value}"
        changed = update_conv_kernel(view.fig, image, current_kernel(), stride=stride.value,
                                     padding=padding.value, dilation=dilation.value,
                                     kernel_name=name)
        if changed is None:  # a kernel of another shape
            return refresh()
        state["result"], artists = changed
        view.show_changed(artists)

    for control in [kernel_menu, scale]:
        control.observe(kernel_changed, names="value")
    for control in [stride, padding, dilation]:
        control.observe(refresh, names="value")

    def on_custom_weight(_change):
        if kernel_menu.value == "custom":  # the boxes are hidden (and unused) otherwise
            kernel_changed()

    for cell in cells:
        cell.observe(on_custom_weight, names="value")
    refresh()
    box = widgets.VBox([kernel_menu, scale, stride, padding, dilation, custom_box, out])
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
    view = FigureView(figsize=STEP_FIGSIZE, layout="tight")
    box = widgets.VBox([widgets.HBox([n_box, f_box, c_box]),
                        widgets.HBox([s_box, p_box, d_box]), i_box, j_box, message, view.image])
    box.state = view.state
    box.result = None
    busy = {"flag": False}
    panel = {"figure": None, "key": None}  # rebuilt only when more than (i, j) changes

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
        key = (n_box.value, f_box.value, c_box.value, s_box.value, p_box.value, d_box.value)
        if panel["key"] != key:  # rebuild; the layout is reused for the same output shape
            n, f, c, s, p, d = key

            def build(fig):
                panel["figure"] = ConvStepFigure(x, w, b, n, f, c, s, p, d, fig)
                return panel["figure"].set_pixel(i_box.value, j_box.value)

            panel["key"] = key
            view.draw = build
            view.refresh(key=(OH, OW, p))
            box.result = view.state["result"]
            return
        box.result = panel["figure"].set_pixel(i_box.value, j_box.value)
        view.show_changed(panel["figure"].changing_artists())  # only these are redrawn

    for control in (n_box, f_box, c_box, s_box, p_box, d_box, i_box, j_box):
        control.observe(update, names="value")
    update()
    return box
