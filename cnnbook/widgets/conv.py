"""Convolution explorers: a kernel applied to an image; backprop through one output pixel."""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..conv import conv_output_size
from ..data import sample_photo
from ..viz.conv import KERNELS_3X3, ConvFigure
from ..viz.conv_step import STEP_FIGSIZE, ConvStepFigure
from . import _controls as controls
from ._explorer import DoesNotFit, Explorer
from ._figure import FigureView

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
    Explorer
        Settings ``kernel, scale, stride, padding, dilation`` (the custom weights' boxes
        below them); ``.result`` is the output map (``None`` when the dilated kernel does
        not fit the padded image); the panel titles give the output-size formula.
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
    settings = {
        "kernel": controls.choice("kernel", names, names[1] if len(names) > 2 else names[0]),
        "scale": controls.number("scale", 1.0, -2.0, 2.0, 0.25),
        "stride": controls.stride(1, high=4),
        "padding": controls.padding(0, high=4),
        "dilation": controls.dilation(1, high=6),
    }
    start = kernels.get("edge x (Sobel)", np.eye(3))
    cells = [widgets.FloatText(value=float(start.flat[k]), layout=widgets.Layout(width="70px"))
             for k in range(9)]
    custom = widgets.GridBox(cells, layout=widgets.Layout(
        grid_template_columns="repeat(3, 75px)", grid_gap="2px"))
    custom_box = widgets.HBox([widgets.Label("custom weights:"), custom])

    def kernel_of(kernel, scale):
        if kernel == "custom":
            return scale * np.array([c.value for c in cells], dtype=np.float64).reshape(3, 3)
        return scale * kernels[kernel]

    def options(kernel, scale, stride, padding, dilation):
        name = kernel if scale == 1 else f"{scale:g} × {kernel}"
        return dict(stride=stride, padding=padding, dilation=dilation, kernel_name=name)

    view = FigureView(figsize=(10, 3.4))
    first = {k: c.value for k, c in settings.items()}
    try:
        figure = ConvFigure(view.fig, image, kernel_of(first["kernel"], first["scale"]),
                            **options(**first))
    except ValueError as err:
        raise ValueError(f"conv_explorer: the {image.shape} image does not fit a "
                         f"{first['kernel']} kernel ({err})") from None
    figure.lay_out()  # once: the panels keep their places

    def update(**s):
        custom_box.layout.display = "" if s["kernel"] == "custom" else "none"
        try:
            changed = figure.set(kernel_of(s["kernel"], s["scale"]), **options(**s))
        except ValueError as err:  # e.g. a dilated kernel larger than the padded input
            raise DoesNotFit(str(err)) from None
        view.show_changed(changed, figure.dynamic_artists())  # only these are redrawn
        return figure.out

    custom_box.layout.display = "none"
    box = Explorer("conv_explorer", settings, view, update,
                   rows=[*settings.values(), custom_box],
                   offline={"kernel": names[1:4], "stride": [1, 2],
                            "padding": [0, 2], "dilation": [1, 3]})

    def on_custom_weight(_change):
        if settings["kernel"].value == "custom":  # the boxes are hidden (and unused) otherwise
            box.set()

    for cell in cells:
        cell.observe(on_custom_weight, names="value")
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
    Explorer
        Settings ``n, f, c`` (sample, filter, input channel: one row), ``stride, padding,
        dilation`` (one row), ``i, j`` (the output pixel; their ranges follow the output
        size). ``.result`` is the last :func:`cnnbook.receptive_field.conv_step_gradients`
        dict (``None`` if the settings do not fit the input).
    """
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    b = np.zeros(w.shape[0]) if b is None else np.asarray(b, dtype=np.float64)
    N, C, H, Wd = x.shape
    F, _, KH, KW = w.shape

    def output_size(stride, padding, dilation):
        return (conv_output_size(H, KH, stride, padding, dilation),
                conv_output_size(Wd, KW, stride, padding, dilation))

    OH0, OW0 = (max(size, 1) for size in output_size(stride, padding, dilation))
    settings = {
        "n": controls.choice(r"sample \(n\)", range(N), 0),
        "f": controls.choice(r"filter \(f\)", range(F), int(f)),
        "c": controls.choice(r"channel \(c\)", range(C), 0),
        "stride": controls.stride(stride, high=3),
        "padding": controls.padding(padding, high=2),
        "dilation": controls.dilation(dilation, high=3),
        "i": controls.integer(r"output row \(i\)", min(int(i), OH0 - 1), 0, OH0 - 1),
        "j": controls.integer(r"output column \(j\)", min(int(j), OW0 - 1), 0, OW0 - 1),
    }
    conv_keys = ("n", "f", "c", "stride", "padding", "dilation")
    view = FigureView(figsize=STEP_FIGSIZE, layout="tight")
    start = {k: settings[k].value for k in conv_keys}
    # laid out with the widest padding, so that the input's tick labels always fit
    figure = ConvStepFigure(x, w, b, **{**start, "padding": settings["padding"].max},
                            fig=view.fig)
    figure.lay_out()
    figure.set_conv(**start)

    def constrain():  # the pixel sliders follow the output size (clamping their values)
        OH, OW = output_size(*(settings[k].value for k in ("stride", "padding", "dilation")))
        if OH >= 1 and OW >= 1:
            settings["i"].max, settings["j"].max = OH - 1, OW - 1

    def update(i, j, **conv):
        OH, OW = output_size(conv["stride"], conv["padding"], conv["dilation"])
        if OH < 1 or OW < 1:
            raise DoesNotFit(f"kernel {KH}x{KW} with dilation {conv['dilation']} is larger "
                             f"than the {H}x{Wd} input with padding {conv['padding']}")
        changed = figure.set_conv(**conv) if figure.setting != tuple(conv.values()) else []
        result = figure.set_pixel(i, j)
        view.show_changed(changed + figure.changing_artists(), figure.dynamic_artists())
        return result

    return Explorer("backprop_step_through", settings, view, update,
                    rows=[["n", "f", "c"], ["stride", "padding", "dilation"],
                          settings["i"], settings["j"]],
                    constrain=constrain,
                    offline={"i": list(range(OH0)), "j": list(range(OW0))})
