"""Interactive explorers (ipywidgets) used by the book's chapters.

Each function builds its controls, recomputes with :mod:`cnnbook` when a control moves,
and returns the widget (a ``VBox``/``interactive``), so a notebook cell is one call.
The plotting itself lives in :mod:`cnnbook.viz`; these functions only wire controls to it.
"""
from __future__ import annotations

import numpy as np

__all__: list[str] = []


def _figure_output(draw, figsize):
    """Output widget + ``refresh()`` redrawing ``draw(fig)``; ``state`` keeps the result."""
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    out = widgets.Output()
    state = {"result": None, "title": None, "updates": 0}

    def refresh(*_):
        with out:
            out.clear_output(wait=True)
            fig = plt.figure(figsize=figsize, dpi=80, constrained_layout=True)
            state["result"] = draw(fig)
            state["title"] = " | ".join(t for t in [fig.get_suptitle()]
                                        + [ax.get_title() for ax in fig.axes] if t)
            state["updates"] += 1
            plt.show()
            plt.close(fig)

    return out, state, refresh


# ---- ch3.1-3.2: losses and gradient descent ----

__all__ += ["softmax_explorer", "lr_explorer"]


def _show_in(out, fig):
    """Replace the contents of ``out`` with ``fig`` and close it."""
    import matplotlib.pyplot as plt

    out.clear_output(wait=True)
    with out:
        plt.show()
    plt.close(fig)


def softmax_explorer(logits=(2.0, 1.0, -1.0), true_class=0):
    r"""Sliders for the three logits of one example and its true class.

    Each change recomputes :func:`cnnbook.losses.softmax_cross_entropy` and redraws
    :func:`cnnbook.viz.plot_softmax_bars` (logits, probabilities, gradient ``p - y``).

    Returns
    -------
    ipywidgets.VBox
        Children: three ``FloatSlider`` (logits), a ``Dropdown`` (true class), the
        ``Output``. ``box.result`` holds the last ``{"loss", "p", "grad"}``.
    """
    import ipywidgets as W
    import numpy as np

    from ..losses import softmax, softmax_cross_entropy
    from ..viz import plot_softmax_bars

    sliders = [W.FloatSlider(value=float(v), min=-6.0, max=6.0, step=0.1,
                             description=rf"\(z_{k}\)", continuous_update=False)
               for k, v in enumerate(logits)]
    cls = W.Dropdown(options=list(range(len(logits))), value=int(true_class),
                     description="true class")
    out = W.Output()
    box = W.VBox(sliders + [cls, out])

    def update(_change=None):
        z = np.array([[s.value for s in sliders]])
        loss, grad = softmax_cross_entropy(z, np.array([cls.value]))
        box.result = {"loss": loss, "p": softmax(z)[0], "grad": grad[0]}
        fig = plot_softmax_bars(z[0], cls.value)
        _show_in(out, fig)

    for control in sliders + [cls]:
        control.observe(update, names="value")
    update()
    return box


def lr_explorer(curvatures=(1.0, 10.0), lr=0.1, steps=40, momentum=0.0, x0=(-4.0, 2.0)):
    r"""Learning-rate explorer: gradient descent on a 2-D ill-conditioned quadratic.

    Controls: learning rate (log scale), number of steps, momentum and the starting
    point. Each change reruns :func:`cnnbook.optim.gradient_descent` and redraws
    :func:`cnnbook.viz.plot_lr_explorer`; the title says "converges" or "diverges" and
    gives the bound :math:`2/L`.

    Returns
    -------
    ipywidgets.VBox
        Children: ``FloatLogSlider`` (lr), ``IntSlider`` (steps), ``FloatSlider``
        (momentum), two ``FloatSlider`` (start :math:`x_1, x_2`), the ``Output``.
        ``box.result`` holds the last ``{"path", "rate", "converges"}``.
    """
    import warnings

    import ipywidgets as W
    import numpy as np

    from ..optim import gradient_descent
    from ..viz import Quadratic2D, heavy_ball_rate, plot_lr_explorer

    quad = Quadratic2D(curvatures)
    style = {"description_width": "initial"}
    lr_s = W.FloatLogSlider(value=lr, base=10, min=-3, max=0, step=0.05,
                            description=r"learning rate \(\eta\)", readout_format=".3g",
                            continuous_update=False, style=style)
    steps_s = W.IntSlider(value=steps, min=1, max=200, description="steps",
                          continuous_update=False, style=style)
    mom_s = W.FloatSlider(value=momentum, min=0.0, max=0.95, step=0.05,
                          description=r"momentum \(\mu\)", continuous_update=False,
                          style=style)
    x1_s = W.FloatSlider(value=x0[0], min=-5.0, max=5.0, step=0.1,
                         description=r"start \(x_1\)", continuous_update=False, style=style)
    x2_s = W.FloatSlider(value=x0[1], min=-3.0, max=3.0, step=0.1,
                         description=r"start \(x_2\)", continuous_update=False, style=style)
    out = W.Output()
    controls = [lr_s, steps_s, mom_s, x1_s, x2_s]
    box = W.VBox(controls + [out])

    def update(_change=None):
        start = (x1_s.value, x2_s.value)
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            path = gradient_descent(quad.grad, np.array(start), lr=lr_s.value,
                                    steps=steps_s.value, momentum=mom_s.value)
        rate = heavy_ball_rate(np.diag(quad.A), lr_s.value, mom_s.value)
        box.result = {"path": path, "rate": rate, "converges": rate < 1}
        fig = plot_lr_explorer(quad, lr_s.value, steps_s.value, mom_s.value, start)
        _show_in(out, fig)

    for control in controls:
        control.observe(update, names="value")
    update()
    return box


# --------------------------------------------------------------------------------------
# ---- ch1: background ----
# --------------------------------------------------------------------------------------

def tangent_explorer(loss_and_grad, *, w0=0.0, w_range=(-4.0, 4.0), lr=1.0,
                     lr_max=5.0):
    r"""Move one weight and see the loss, the tangent backprop computed, and a descent step.

    Parameters
    ----------
    loss_and_grad : callable
        ``loss_and_grad(w) -> (L, dL/dw)``.
    w0 : float
        Initial weight.
    w_range : (float, float)
        Slider range and plot range.
    lr : float
        Initial learning rate :math:`\eta` of the step shown (0 hides the step).

    Returns
    -------
    ipywidgets.VBox
        ``children = [w slider, learning-rate slider, Output]``; ``.state["result"]`` holds
        ``(w, L, dL/dw)`` of the last redraw.
    """
    import ipywidgets as widgets

    from ..viz import plot_loss_tangent

    w_slider = widgets.FloatSlider(value=w0, min=w_range[0], max=w_range[1], step=0.05,
                                   description=r"weight \(w\)", continuous_update=False,
                                   readout_format=".2f")
    lr_slider = widgets.FloatSlider(value=lr, min=0.0, max=lr_max, step=0.1,
                                    description=r"step \(\eta\)", continuous_update=False)

    def draw(fig):
        ax = fig.subplots()
        w = w_slider.value
        plot_loss_tangent(loss_and_grad, w, w_range=w_range,
                          lr=lr_slider.value if lr_slider.value > 0 else None, ax=ax)
        loss, grad = loss_and_grad(w)
        return w, loss, grad

    out, state, refresh = _figure_output(draw, (6.5, 3.6))
    for control in (w_slider, lr_slider):
        control.observe(refresh, names="value")
    refresh()
    box = widgets.VBox([w_slider, lr_slider, out])
    box.state = state
    return box


__all__ += ["tangent_explorer"]


# --------------------------------------------------------------------------------------
# ---- ch2: core concepts ----
# --------------------------------------------------------------------------------------

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
        Output]``; ``.state["result"]`` is the last output map, ``.state["title"]`` the
        panel titles (with the output-size formula).
    """
    import ipywidgets as widgets

    from ..viz import KERNELS_3X3, draw_conv

    if image is None:
        from ..data import sample_photo
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

    out, state, refresh = _figure_output(draw, (10, 3.4))
    for control in [kernel_menu, scale, stride, padding, dilation] + cells:
        control.observe(refresh, names="value")
    refresh()
    box = widgets.VBox([kernel_menu, scale, stride, padding, dilation, custom_box, out])
    box.state = state
    return box


def pool_explorer(fmap=None):
    r"""Pooling explorer: forward values and where the backward pass sends the gradient.

    Parameters
    ----------
    fmap : ndarray, shape (H, W), optional
        Feature map; default the first 8×8 digit of :func:`cnnbook.data.load_digits`.

    Returns
    -------
    ipywidgets.VBox
        ``children = [mode, kernel size, stride, dout choice, row, column, Output]``;
        ``.state["result"]`` is ``(out, dx)`` of the last redraw.
    """
    import ipywidgets as widgets

    from ..pooling import pool_output_size
    from ..viz import draw_pool

    if fmap is None:
        from ..data import load_digits
        fmap = load_digits()[0][0, 0]
    fmap = np.asarray(fmap, dtype=np.float64)
    H, W = fmap.shape
    mode = widgets.ToggleButtons(options=["max", "avg"], value="max", description="pooling")
    ksize = widgets.IntSlider(value=2, min=1, max=min(4, H, W), description=r"kernel \(k\)",
                              continuous_update=False)
    stride = widgets.IntSlider(value=2, min=1, max=4, description=r"stride \(s\)",
                               continuous_update=False)
    which = widgets.ToggleButtons(options=["one cell", "all ones"], value="one cell",
                                  description=r"\(\delta\)")
    row = widgets.IntSlider(value=0, min=0, max=0, description="output row",
                            continuous_update=False)
    col = widgets.IntSlider(value=0, min=0, max=0, description="output col",
                            continuous_update=False)

    def sync_cell_range():
        OH = pool_output_size(H, ksize.value, stride.value)
        OW = pool_output_size(W, ksize.value, stride.value)
        row.max, col.max = OH - 1, OW - 1   # also clamps the values

    def draw(fig):
        cell = (row.value, col.value) if which.value == "one cell" else None
        return draw_pool(fig, fmap, kernel_size=ksize.value, stride=stride.value,
                         mode=mode.value, cell=cell)

    out, state, refresh = _figure_output(draw, (11, 3.6))
    busy = {"on": False}

    def on_change(*_):
        if busy["on"]:
            return
        busy["on"] = True
        try:
            sync_cell_range()
        finally:
            busy["on"] = False
        refresh()

    for control in (mode, ksize, stride, which, row, col):
        control.observe(on_change, names="value")
    sync_cell_range()
    refresh()
    box = widgets.VBox([mode, ksize, stride, which, row, col, out])
    box.state = state
    return box


__all__ += ["conv_explorer", "pool_explorer"]


# ---- ch3.3: backpropagation ----

__all__ += ["backprop_step_through"]


def _c33_show(out, fig):
    """Show ``fig`` in the Output widget ``out`` (replacing what was there) and close it."""
    import matplotlib.pyplot as plt

    out.clear_output(wait=True)
    with out:
        plt.show()
    plt.close(fig)


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
        (output row ``i``); ``IntSlider`` (output column ``j``); the ``Output``.
        ``box.result`` holds the last :func:`cnnbook.viz.conv_step_gradients` dict
        (or ``None`` if the settings do not fit the input).
    """
    import ipywidgets as W
    import numpy as np

    from ..conv import conv_output_size
    from ..viz import conv_step_gradients, plot_conv_step

    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    b = np.zeros(w.shape[0]) if b is None else np.asarray(b, dtype=np.float64)
    N, C, H, Wd = x.shape
    F, _, KH, KW = w.shape
    n_box = W.Dropdown(options=list(range(N)), value=0, description=r"sample \(n\)")
    f_box = W.Dropdown(options=list(range(F)), value=int(f), description=r"filter \(f\)")
    c_box = W.Dropdown(options=list(range(C)), value=0, description=r"channel \(c\)")
    s_box = W.Dropdown(options=[1, 2, 3], value=int(stride), description="stride")
    p_box = W.Dropdown(options=[0, 1, 2], value=int(padding), description="padding")
    d_box = W.Dropdown(options=[1, 2, 3], value=int(dilation), description="dilation")
    OH0 = max(conv_output_size(H, KH, stride, padding, dilation), 1)
    OW0 = max(conv_output_size(Wd, KW, stride, padding, dilation), 1)
    i_box = W.IntSlider(value=min(int(i), OH0 - 1), min=0, max=OH0 - 1,
                        description=r"output row \(i\)", continuous_update=False,
                        style={"description_width": "initial"})
    j_box = W.IntSlider(value=min(int(j), OW0 - 1), min=0, max=OW0 - 1,
                        description=r"output column \(j\)", continuous_update=False,
                        style={"description_width": "initial"})
    out = W.Output()
    box = W.VBox([W.HBox([n_box, f_box, c_box]), W.HBox([s_box, p_box, d_box]),
                  i_box, j_box, out])
    box.result = None
    busy = {"flag": False}

    def output_size():
        s, p, d = s_box.value, p_box.value, d_box.value
        return (conv_output_size(H, KH, s, p, d), conv_output_size(Wd, KW, s, p, d))

    def update(_change=None):
        if busy["flag"]:
            return
        OH, OW = output_size()
        if OH < 1 or OW < 1:
            box.result = None
            out.clear_output(wait=True)
            with out:
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
        kwargs = dict(stride=s_box.value, padding=p_box.value, dilation=d_box.value)
        box.result = conv_step_gradients(x, w, b, n_box.value, f_box.value, i_box.value,
                                         j_box.value, **kwargs)
        fig = plot_conv_step(x, w, b, n_box.value, f_box.value, i_box.value, j_box.value,
                             c=c_box.value, **kwargs)
        _c33_show(out, fig)

    for control in (n_box, f_box, c_box, s_box, p_box, d_box, i_box, j_box):
        control.observe(update, names="value")
    update()
    return box


# ---- ch3.4: layer math ----
# The "derivation checker" of book/03_4_layer_math: pick a layer and its options, run
# cnnbook.gradcheck.check_layer on the package's kernel, and compare the analytic and
# numerical input gradients as heatmaps (drawn by cnnbook.viz.plot_gradient_check).
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

_C34_LAYERS = ("conv", "max-pool", "avg-pool", "dense")


def derivation_check(layer="conv", *, stride=1, padding=0, dilation=1, height=6, width=7,
                     kernel_size=3, seed=0):
    r"""Run one gradient check of a layer kernel in float64, on non-trivial inputs.

    Parameters
    ----------
    layer : {"conv", "max-pool", "avg-pool", "dense"}
        Kernel to check: ``conv2d_forward`` (2 input channels, 3 filters),
        ``max_pool2d_forward`` (tie-free input: a random permutation of values spaced
        0.1 apart), ``avg_pool2d_forward``, or flatten + ``linear_forward`` (4 outputs).
    stride, padding, dilation, kernel_size : int
        Options of the convolution or pooling (``dilation`` is for ``conv`` only; the
        dense layer ignores all four).
    height, width : int
        Spatial size of the input, shape ``(1, 2, height, width)``.
    seed : int
        Seed of the inputs, weights and upstream gradient.

    Returns
    -------
    dict
        ``result`` (a :class:`~cnnbook.gradcheck.GradCheckResult` over every input),
        ``analytic`` and ``numeric`` (:math:`\partial L/\partial x`, shape of ``x``) and
        ``title`` (the setting, as text).

    Raises
    ------
    ValueError
        If the options do not fit (kernel larger than the padded input, pooling padding
        over half the kernel, unknown layer).
    """
    from .. import functional as F
    from ..gradcheck import check_layer, numerical_gradient

    if layer not in _C34_LAYERS:
        raise ValueError(f"derivation_check: expected layer in {_C34_LAYERS}, got {layer!r}")
    rng = np.random.default_rng(seed)
    shape = (1, 2, int(height), int(width))
    if layer == "max-pool":
        n = int(np.prod(shape))
        x = ((rng.permutation(n) + 0.5 - n / 2) * 0.1).reshape(shape)
    else:
        x = rng.normal(size=shape)
    opts = dict(stride=stride, padding=padding)
    if layer == "conv":
        forward, backward = F.conv2d_forward, F.conv2d_backward
        args = (rng.normal(size=(3, 2, kernel_size, kernel_size)), rng.normal(size=3))
        opts["dilation"] = dilation
        title = (f"conv {kernel_size}×{kernel_size}, stride {stride}, padding {padding}, "
                 f"dilation {dilation}, input {height}×{width}")
    elif layer in ("max-pool", "avg-pool"):
        forward, backward = ((F.max_pool2d_forward, F.max_pool2d_backward)
                             if layer == "max-pool"
                             else (F.avg_pool2d_forward, F.avg_pool2d_backward))
        args = ()
        opts["kernel_size"] = kernel_size
        title = (f"{layer} {kernel_size}×{kernel_size}, stride {stride}, padding {padding}, "
                 f"input {height}×{width}")
    else:
        x_flat = x.reshape(1, -1)
        w, b = rng.normal(size=(4, x_flat.shape[1])), rng.normal(size=4)
        out, cache = F.linear_forward(x_flat, w, b)
        dout = rng.normal(size=out.shape)
        result = check_layer(F.linear_forward, x_flat, w, b, dout=dout)
        dx = F.linear_backward(dout, cache)[0].reshape(shape)
        num = numerical_gradient(lambda _x: F.linear_forward(_x.reshape(1, -1), w, b)[0],
                                 x.copy(), dout).reshape(shape)
        return {"result": result, "analytic": dx, "numeric": num,
                "title": f"flatten + dense (4 outputs), input {height}×{width}"}
    out, cache = forward(x, *args, **opts)
    dout = rng.normal(size=out.shape)
    result = check_layer(forward, x, *args, dout=dout, **opts)
    grads = backward(dout, cache)
    dx = grads[0] if isinstance(grads, tuple) else grads
    num = numerical_gradient(lambda _x: forward(_x, *args, **opts)[0], x.copy(), dout)
    return {"result": result, "analytic": np.array(dx), "numeric": num, "title": title}


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
        width, kernel size), ``children[7]`` the output; ``last_check`` is the latest
        :func:`derivation_check` result (``None`` if the setting did not fit).
    """
    import ipywidgets as widgets

    from ..viz import gradcheck_verdict, plot_gradient_check

    style = {"description_width": "initial"}
    controls = [
        widgets.Dropdown(options=list(_C34_LAYERS), value=layer, description="layer"),
        widgets.IntSlider(value=stride, min=1, max=3, description=r"stride \(s\)", style=style),
        widgets.IntSlider(value=padding, min=0, max=2, description=r"padding \(P\)", style=style),
        widgets.IntSlider(value=dilation, min=1, max=3, description=r"dilation \(d\)",
                          style=style),
        widgets.IntSlider(value=height, min=3, max=12, description=r"height \(H\)", style=style),
        widgets.IntSlider(value=width, min=3, max=12, description=r"width \(W\)", style=style),
        widgets.IntSlider(value=kernel_size, min=1, max=4, description=r"kernel \(K\)",
                          style=style),
    ]
    out = widgets.Output()

    def update(_change=None):
        name = controls[0].value
        controls[3].disabled = name != "conv"
        for c in (controls[1], controls[2], controls[6]):
            c.disabled = name == "dense"
        with out:
            out.clear_output(wait=True)
            try:
                check = derivation_check(
                    name, stride=controls[1].value, padding=controls[2].value,
                    dilation=controls[3].value, height=controls[4].value,
                    width=controls[5].value, kernel_size=controls[6].value)
            except ValueError as e:
                print(f"This setting does not fit: {e}")
                box.last_check = None
                return
            print(gradcheck_verdict(check["result"]))
            print(check["result"])
            fig = plot_gradient_check(check["analytic"][0, 0], check["numeric"][0, 0],
                                      title=check["title"])
            plt.show()
        box.last_check = check

    box = widgets.VBox(controls + [out])
    box.last_check = None  # the latest derivation_check result, for tests and the curious
    for c in controls:
        c.observe(update, names="value")
    update()
    return box


__all__ += ["derivation_check", "derivation_checker"]


# --------------------------------------------------------------------------------------
# ---- ch5-6: trends and FAQ ----
# --------------------------------------------------------------------------------------

__all__ += ["saliency_explorer", "depth_explorer", "plain_and_residual_stacks",
            "bn_training_explorer"]


def saliency_explorer(model, x, y, *, index=0):
    r"""Pick an image and a class; see the saliency map of that class score.

    Parameters
    ----------
    model : Layer
        A trained classifier, (N, 1, H, W) -> (N, K) logits.
    x : ndarray, shape (N, 1, H, W)
    y : ndarray, shape (N,)
        True labels (shown in the title).
    index : int
        Image shown first.

    Returns
    -------
    ipywidgets.VBox
        ``children = [image slider, class dropdown, Output]``; ``.state["result"]`` is
        ``(index, class, saliency map)`` of the last redraw.
    """
    import ipywidgets as widgets

    from ..viz import draw_saliency, saliency

    K = model.forward(x[:1]).shape[1]
    pick = widgets.IntSlider(value=index, min=0, max=len(x) - 1, description="image",
                             continuous_update=False)
    cls = widgets.Dropdown(options=[("predicted", -1)] + [(str(k), k) for k in range(K)],
                           value=-1, description="class \\(c\\)")

    def draw(fig):
        i = pick.value
        xi = x[i:i + 1]
        logits = model.forward(xi)
        pred = int(logits.argmax())
        c = pred if cls.value < 0 else cls.value
        grad = saliency(model, xi, c)
        draw_saliency(fig, xi, grad, titles=[f"label {int(y[i])}, predicted {pred}"])
        fig.suptitle(f"saliency of class {c} for image {i}", fontsize=10)
        return i, c, np.abs(grad).max(axis=1)[0]

    out, state, refresh = _figure_output(draw, (4.2, 5.2))
    for control in (pick, cls):
        control.observe(refresh, names="value")
    refresh()
    box = widgets.VBox([pick, cls, out])
    box.state = state
    return box


def plain_and_residual_stacks(depth, *, width=32, gain=1.0, seed=0):
    r"""Two stacks of ``depth`` blocks ``tanh(W x + b)`` with the same weights.

    The plain stack applies the blocks one after the other; the residual one wraps each in
    :class:`cnnbook.residual.Residual` (``x + tanh(W x + b)``). Weights are Glorot-uniform
    (standard deviation ``1/sqrt(width)``) times ``gain``.

    Returns
    -------
    plain, residual : Sequential
    """
    import copy

    from ..layers import Dense, Sequential, Tanh
    from ..residual import Residual

    rng = np.random.default_rng(seed)
    plain, residual = [], []
    for _ in range(depth):
        dense = Dense(width, width, rng=rng, init="glorot")
        dense.params["weight"] *= gain
        twin = copy.deepcopy(dense)  # same weights, separate arrays and cache
        plain.append(Sequential(dense, Tanh()))
        residual.append(Residual(Sequential(twin, Tanh())))
    return Sequential(*plain), Sequential(*residual)


def depth_explorer(*, depth=20, gain=1.0, width=32, batch=64, seed=0):
    r"""Depth and weight-scale sliders: gradient norms through plain and residual stacks.

    Builds :func:`plain_and_residual_stacks`, draws a batch of inputs and an upstream
    gradient from ``seed``, and plots :func:`cnnbook.viz.input_grad_norms` of both.

    Returns
    -------
    ipywidgets.VBox
        ``children = [depth slider, gain slider, Output]``; ``.state["result"]`` is the
        dict ``{"plain": norms, "residual": norms}`` of the last redraw.
    """
    import ipywidgets as widgets

    from ..viz import input_grad_norms, plot_grad_norm_profile

    depth_slider = widgets.IntSlider(value=depth, min=2, max=50, description="depth",
                                     continuous_update=False)
    gain_slider = widgets.FloatSlider(value=gain, min=0.25, max=2.0, step=0.25,
                                      description="weight scale", continuous_update=False)

    def draw(fig):
        plain, residual = plain_and_residual_stacks(depth_slider.value, width=width,
                                                    gain=gain_slider.value, seed=seed)
        rng = np.random.default_rng(seed + 1)
        x = rng.normal(size=(batch, width))
        dout = rng.normal(size=(batch, width))
        norms = {"plain": input_grad_norms(plain, x, dout),
                 "residual": input_grad_norms(residual, x, dout)}
        plot_grad_norm_profile(norms, ax=fig.subplots(),
                               title=f"{depth_slider.value} tanh blocks, weight scale "
                                     f"{gain_slider.value:g}")
        return norms

    out, state, refresh = _figure_output(draw, (6.5, 3.6))
    for control in (depth_slider, gain_slider):
        control.observe(refresh, names="value")
    refresh()
    box = widgets.VBox([depth_slider, gain_slider, out])
    box.state = state
    return box


def bn_training_explorer(build, x, y, *, lrs=(0.01, 0.03, 0.1, 0.2, 0.5), lr=0.2, epochs=3,
                         batch_size=32, momentum=0.9, seed=0):
    r"""Learning-rate slider: train the same network with and without batch norm.

    Parameters
    ----------
    build : callable
        ``build(batch_norm: bool, rng) -> model``; called with a fresh
        ``np.random.default_rng(seed)`` for each run, so both runs start alike.
    x, y : ndarray
        Training images (N, 1, H, W) and integer labels (N,).
    lrs : sequence of float
        Learning rates offered by the slider.
    lr : float
        The initial one (must be in ``lrs``).
    epochs, batch_size, momentum, seed
        Training settings (:class:`cnnbook.optim.SGD`, :func:`cnnbook.train.fit`).

    Returns
    -------
    ipywidgets.VBox
        ``children = [learning-rate slider, epochs slider, Output]``; ``.state["result"]``
        is ``{"without BN": losses, "with BN": losses}`` (NaN after a divergence).
    """
    import ipywidgets as widgets

    from ..losses import softmax_cross_entropy
    from ..optim import SGD
    from ..train import TrainingDiverged, fit
    from ..viz import plot_curves

    lr_slider = widgets.SelectionSlider(options=list(lrs), value=lr,
                                        description="learning rate", continuous_update=False)
    epoch_slider = widgets.IntSlider(value=epochs, min=1, max=10, description="epochs",
                                     continuous_update=False)

    def draw(fig):
        curves = {}
        for bn in (False, True):
            model = build(bn, np.random.default_rng(seed))
            try:
                hist = fit(model, softmax_cross_entropy, SGD(lr_slider.value, momentum=momentum),
                           x, y, epochs=epoch_slider.value, batch_size=batch_size,
                           rng=np.random.default_rng(seed + 1), progress=False)
                losses = np.array(hist["loss"])
            except TrainingDiverged:
                losses = np.full(epoch_slider.value, np.nan)
            curves["with BN" if bn else "without BN"] = losses
        plot_curves(curves, xlabel="epoch", ylabel="training loss", markers=True,
                    title=f"SGD, lr={lr_slider.value:g}, momentum={momentum:g}",
                    ax=fig.subplots())
        return curves

    out, state, refresh = _figure_output(draw, (6.0, 3.4))
    for control in (lr_slider, epoch_slider):
        control.observe(refresh, names="value")
    refresh()
    box = widgets.VBox([lr_slider, epoch_slider, out])
    box.state = state
    return box


# --------------------------------------------------------------------------------------
# ---- ch4: code example and training ----
# --------------------------------------------------------------------------------------

import numpy as np  # noqa: E402

__all__ += ["recover_kernel", "kernel_recovery_explorer", "digit_explorer"]


def recover_kernel(x, y, *, lr=0.1, steps=200, momentum=0.9, kernel_size=3, n_records=25):
    r"""Fit a convolution ``(w, b)`` to input/output pairs by gradient descent on the MSE.

    Starts from ``w = 0``, ``b = 0`` and repeats: forward with
    :func:`cnnbook.functional.conv2d_forward`, loss and ``dout`` with
    :func:`cnnbook.losses.mse`, ``dw`` and ``db`` with
    :func:`cnnbook.functional.conv2d_backward`, then one step of
    :class:`cnnbook.optim.SGD` (plain gradient descent when ``momentum=0``).

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
        Input images.
    y : ndarray, shape (N, 1, OH, OW)
        Target outputs (a "valid" convolution of ``x``: no padding, stride 1).
    lr : float
        Learning rate.
    steps : int
        Number of gradient-descent steps.
    momentum : float
        Momentum of :class:`cnnbook.optim.SGD`; ``0`` is plain gradient descent.
    kernel_size : int
    n_records : int
        About how many snapshots of the kernel to keep (spaced evenly in log(step)).

    Returns
    -------
    dict
        ``"weight"`` (1, C, k, k) and ``"bias"`` (1,): the fitted parameters;
        ``"loss"``: the loss before each step and after the last one (``steps + 1``
        values, fewer if it diverged); ``"steps"`` and ``"kernels"``: the recorded steps
        and ``weight[0, 0]`` at each; ``"diverged"``: whether it stopped early
        because the loss became inf/NaN or grew above ``1e10`` times its first value.
    """
    from ..functional import conv2d_backward, conv2d_forward
    from ..losses import mse
    from ..optim import SGD

    k = int(kernel_size)
    params = {"weight": np.zeros((1, x.shape[1], k, k)), "bias": np.zeros(1)}
    optimizer = SGD(lr=lr, momentum=momentum)
    record = set(np.unique(np.round(np.geomspace(1, steps + 1, n_records)).astype(int) - 1))
    record.add(steps)
    losses, rec_steps, kernels, diverged = [], [], [], False
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(steps + 1):
            out, cache = conv2d_forward(x, params["weight"], params["bias"])
            loss, dout = mse(out, y)
            if not np.isfinite(loss) or (losses and loss > 1e10 * losses[0]):
                diverged = True
                break
            losses.append(loss)
            if step in record:
                rec_steps.append(step)
                kernels.append(params["weight"][0, 0].copy())
            if step == steps:
                break
            _, dw, db = conv2d_backward(dout, cache)
            optimizer.step(params, {"weight": dw, "bias": db})
    return {"weight": params["weight"], "bias": params["bias"], "loss": np.array(losses),
            "steps": rec_steps, "kernels": kernels, "diverged": diverged}


def kernel_recovery_explorer(x, w_true, *, lr=0.1, steps=200, noise=0.0, momentum=0.9,
                             seed=0):
    r"""Recover ``w_true`` from ``(x, conv(x, w_true) + noise)`` with chosen settings.

    Parameters
    ----------
    x : ndarray, shape (N, 1, H, W)
        Input images.
    w_true : ndarray, shape (k, k)
        The kernel that makes the targets (bias 0).
    lr, steps, momentum
        As in :func:`recover_kernel`; ``lr``, ``steps`` and ``noise`` get controls.
    noise : float
        Standard deviation of Gaussian noise added to the targets, drawn from
        ``np.random.default_rng(seed)`` (the same draw every time).

    Returns
    -------
    ipywidgets.VBox
        ``children = [lr slider, steps slider, noise slider, Output]``;
        ``.state["result"]`` is the :func:`recover_kernel` result of the last redraw.
    """
    import ipywidgets as widgets

    from ..functional import conv2d_forward
    from ..viz import plot_recovery

    w_true = np.asarray(w_true, dtype=float)
    clean, _ = conv2d_forward(x, w_true[None, None], np.zeros(1))
    lr_slider = widgets.FloatLogSlider(value=lr, base=10, min=-3, max=0, step=0.1,
                                       description="learning rate", readout_format=".3f",
                                       continuous_update=False)
    steps_slider = widgets.IntSlider(value=steps, min=10, max=1000, step=10,
                                     description="steps", continuous_update=False)
    noise_slider = widgets.FloatSlider(value=noise, min=0.0, max=2.0, step=0.1,
                                       description="noise \\(\\sigma\\)",
                                       continuous_update=False)

    def draw(fig):
        rng = np.random.default_rng(seed)
        y = clean + noise_slider.value * rng.standard_normal(clean.shape)
        result = recover_kernel(x, y, lr=lr_slider.value, steps=steps_slider.value,
                                momentum=momentum)
        if len(result["kernels"]) == 0:
            fig.suptitle("diverged at the first step: lower the learning rate")
            return result
        plot_recovery(result, w_true, fig=fig)
        err = np.abs(result["weight"][0, 0] - w_true).max()
        status = "DIVERGED (the loss exploded): lower the learning rate" if result["diverged"] \
            else f"max |learned - true| = {err:.3g}"
        fig.suptitle(status, fontsize=10)
        return result

    out, state, refresh = _figure_output(draw, (10.5, 3.3))
    for control in (lr_slider, steps_slider, noise_slider):
        control.observe(refresh, names="value")
    refresh()
    box = widgets.VBox([lr_slider, steps_slider, noise_slider, out])
    box.state = state
    return box


def digit_explorer(model, x, y, *, index=0):
    r"""Pick a digit: see it, the predicted probabilities and the first-layer feature maps.

    Parameters
    ----------
    model : Sequential
        A trained classifier (N, 1, H, W) -> (N, K) logits.
    x : ndarray, shape (N, 1, H, W)
    y : ndarray, shape (N,)
        True labels.
    index : int
        Digit shown first.

    Returns
    -------
    ipywidgets.VBox
        ``children = [index slider, Output]``; ``.state["result"]`` is
        ``(index, predicted class)`` of the last redraw.
    """
    import ipywidgets as widgets

    from ..train import predict
    from ..viz import plot_digit_prediction

    pick = widgets.IntSlider(value=index, min=0, max=len(x) - 1, description="test digit",
                             continuous_update=False)

    def draw(fig):
        i = pick.value
        plot_digit_prediction(model, x[i], int(y[i]), fig=fig)
        return i, int(predict(model, x[i:i + 1]).argmax())

    out, state, refresh = _figure_output(draw, (11, 3.4))
    pick.observe(refresh, names="value")
    refresh()
    box = widgets.VBox([pick, out])
    box.state = state
    return box


# --------------------------------------------------------------------------------------
# ---- ch3: overview (the six steps) ----
# --------------------------------------------------------------------------------------

__all__ += ["run_training_loop", "training_loop_explorer", "training_loop_animation"]


def run_training_loop(build, x, y, *, steps, lr):
    r"""The article's six steps, written out: returns the loss before each update and the
    model after ``steps`` updates.

    1. initialise (``build()`` makes a freshly seeded model), then ``steps`` times:
    2. forward pass, 3. loss (softmax cross-entropy), 4. backward pass (every gradient),
    5. update (plain gradient descent, ``lr``); 6. repeat.

    Parameters
    ----------
    build : callable
        ``build() -> Layer``, seeded so that every call gives the same initial weights.
    x : ndarray, shape (N, C, H, W)
    y : ndarray of int, shape (N,)
    steps : int
        Number of updates.
    lr : float
        Learning rate.

    Returns
    -------
    losses : ndarray, shape (steps + 1,)
        ``losses[t]`` is the loss after ``t`` updates.
    model : Layer
    """
    from ..losses import softmax_cross_entropy
    from ..optim import SGD

    model = build()                                          # 1 initialise
    optimizer = SGD(lr=lr)
    losses = []
    for _ in range(steps + 1):
        loss, dout = softmax_cross_entropy(model.forward(x), y)   # 2 forward, 3 loss
        losses.append(loss)
        if len(losses) > steps:
            break
        model.backward(dout)                                  # 4 backward
        optimizer.step(model.params, model.grads)             # 5 update; 6 repeat
    return np.array(losses), model


def _draw_training_loop(fig, losses, weight, steps_max, lr):
    ax_loss = fig.add_subplot(1, 2, 1)
    ax_loss.plot(np.arange(losses.size), losses, marker="o", ms=2)
    ax_loss.set_xlim(0, steps_max)
    ax_loss.set_xlabel("update step t")
    ax_loss.set_ylabel("mean cross-entropy loss")
    ax_loss.set_title(f"loss after {losses.size - 1} steps (lr {lr:g}): {losses[-1]:.3f}")
    ax_loss.grid(alpha=0.3)
    F = weight.shape[0]
    grid = np.full((weight.shape[2], F * (weight.shape[3] + 1) - 1), np.nan)
    for f in range(F):
        grid[:, f * (weight.shape[3] + 1):f * (weight.shape[3] + 1) + weight.shape[3]] = weight[f, 0]
    ax_w = fig.add_subplot(1, 2, 2)
    limit = float(np.nanmax(np.abs(grid))) or 1.0
    image = ax_w.imshow(grid, cmap="RdBu_r", vmin=-limit, vmax=limit)
    ax_w.set_title(f"the {F} conv filters at step {losses.size - 1}")
    ax_w.set_xticks([])
    ax_w.set_yticks([])
    fig.colorbar(image, ax=ax_w, shrink=0.7, label="weight")


def training_loop_explorer(build, x, y, *, steps=20, steps_max=60, lr=0.1):
    r"""Slide the number of updates (and the learning rate): the model is re-initialised,
    trained with :func:`run_training_loop`, and its loss curve and first-layer filters
    are drawn.

    Parameters
    ----------
    build : callable
        ``build() -> Layer`` whose first layer is a ``Conv2D`` (its filters are shown).
    x, y : ndarray
        Inputs ``(N, C, H, W)`` and integer labels ``(N,)``.
    steps, steps_max : int
        Initial and largest number of updates.
    lr : float
        Initial learning rate.

    Returns
    -------
    ipywidgets.VBox
        ``box.result`` holds the last ``(losses, model)``.
    """
    import ipywidgets as widgets

    steps_slider = widgets.IntSlider(value=steps, min=0, max=steps_max, step=1,
                                     description="steps \\(t\\)", continuous_update=False)
    lr_slider = widgets.FloatLogSlider(value=lr, base=10, min=-3, max=0.5, step=0.25,
                                       description="lr \\(\\eta\\)", continuous_update=False)

    def draw(fig):
        losses, model = run_training_loop(build, x, y, steps=steps_slider.value,
                                          lr=lr_slider.value)
        _draw_training_loop(fig, losses, model.params["0.weight"], steps_max, lr_slider.value)
        return losses, model

    out, state, refresh = _figure_output(draw, (9.5, 3.2))
    box = widgets.VBox([widgets.HBox([steps_slider, lr_slider]), out])

    def update(*_):
        refresh()
        box.result = state["result"]

    steps_slider.observe(update, names="value")
    lr_slider.observe(update, names="value")
    update()
    return box


def training_loop_animation(build, x, y, *, steps=(0, 2, 5, 10, 20, 40, 60), lr=0.1):
    r"""The static-HTML version of :func:`training_loop_explorer`: one precomputed frame
    per number of updates in ``steps`` (see :func:`cnnbook.viz.offline_animation`)."""
    import matplotlib.pyplot as plt

    from ..viz import offline_animation

    steps = list(steps)
    runs = {t: run_training_loop(build, x, y, steps=t, lr=lr) for t in steps}
    fig = plt.figure(figsize=(9.5, 3.2), dpi=72, constrained_layout=True)

    def draw_frame(t):
        fig.clear()
        losses, model = runs[t]
        _draw_training_loop(fig, losses, model.params["0.weight"], max(steps), lr)

    draw_frame(steps[0])
    return offline_animation(fig, draw_frame, steps)
