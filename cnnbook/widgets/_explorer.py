"""The one contract of every explorer, and its offline form for the static HTML.

An explorer is an :class:`Explorer` (an ``ipywidgets.VBox``): named controls above a
one-line message and the figure of a :class:`~cnnbook.widgets.FigureView`.

- **Built once.** The explorer module draws its figure once, then hands the controls, the
  view and one ``update(**settings) -> result`` function to :class:`Explorer`, which calls
  ``update`` with the controls' values now and on every change of a control.
- **``set(**settings)``** moves any controls at once and redraws once (a reader moving one
  control is ``set`` with one setting).
- **What changes.** ``update`` changes the figure's artists in place and shows them with
  :meth:`FigureView.show_changed` (or redraws it with :meth:`FigureView.show`);
  :attr:`Explorer.changed` then lists the artists of the last step (``None``: all).
- **The result** of the last step is :attr:`Explorer.result`.
- **"This setting doesn't fit".** ``update`` raises :class:`DoesNotFit` (drawing nothing):
  the message line says why, the figure keeps the last setting that fitted (no layout
  jump) and :attr:`Explorer.result` is ``None``; the next setting that fits clears it.
- **The offline form.** ``offline`` names the controls that matter and the values to
  precompute (a grid: every combination). :meth:`Explorer.offline_html` renders the figure
  at each point and writes the same controls in plain HTML; ``book/_custom/explorers.js``
  swaps the pictures as the reader moves them, with no kernel. The explorer's display
  carries both the live widget and this HTML; Jupyter shows the widget, the book's HTML
  build shows the offline form (``nb_mime_priority_overrides`` in ``_config.yml``).
  Drawing the grid takes seconds, so it is drawn only where the environment variable
  ``CNNBOOK_OFFLINE_FORMS`` is ``1``: the Makefile sets it for nbval and the book build
  (the runs the HTML is rendered from), not for ``make lab`` or a reader's own Jupyter.
  A control the live explorer disables at a setting (the dense layer's stride) is
  disabled in the offline form at that setting too.
"""
from __future__ import annotations

import base64
import html
import io
import itertools
import json
import os
import re

import ipywidgets as widgets
import numpy as np
from PIL import Image

__all__ = ["Explorer", "DoesNotFit", "OFFLINE_WIDTH", "OFFLINE_BUDGET", "OFFLINE_ENV"]

#: The environment variable that turns the offline form on (value ``1``).
OFFLINE_ENV = "CNNBOOK_OFFLINE_FORMS"

#: Width in pixels of the offline pictures of a figure at least this wide at 100 dpi: the
#: book's text column at 1280 px (narrower figures are rendered at 100 dpi). Pictures are
#: shown at their own size (never upscaled) and shrink on narrower screens.
OFFLINE_WIDTH = 684
#: Budget of one offline explorer: at most this many pictures and bytes (of the HTML). A
#: page holds at most two explorers.
OFFLINE_BUDGET = {"images": 48, "bytes": 1_500_000}

_TEX = {r"\eta": "η", r"\delta": "δ", r"\sigma": "σ", r"\mu": "μ", "_1": "₁", "_2": "₂",
        "_0": "₀", "_3": "₃"}


class DoesNotFit(ValueError):
    """Raised by an explorer's ``update`` for settings that do not fit its input; the
    message (the exception's text) is shown to the reader instead of a new figure."""


def plain_label(description: str) -> str:
    r"""A control's description for HTML without MathJax: ``stride \(s\)`` -> ``stride s``
    (in italics), ``\eta`` -> η."""
    def math(m):
        text = m.group(1)
        for tex, char in _TEX.items():
            text = text.replace(tex, char)
        return f"<i>{text}</i>"
    return re.sub(r"\\\((.*?)\\\)", math, html.escape(description, quote=False))


def value_label(control, value) -> str:
    """How ``control`` shows ``value``: the option's label, or the number as its readout."""
    options = getattr(control, "options", None)
    if options:
        for option in options:
            if isinstance(option, tuple) and option[1] == value:
                return str(option[0])
        return str(value)
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    fmt = getattr(control, "readout_format", ".2f") or ".2f"
    return format(float(value), fmt)


def _png(pixels, colours=256) -> bytes:
    """RGB pixels as a palette PNG (a third of the bytes of an RGB PNG, the same look)."""
    out = io.BytesIO()
    Image.fromarray(pixels).quantize(colours, method=Image.Quantize.MEDIANCUT).save(
        out, format="png")
    return out.getvalue()


def offline_dpi(fig) -> float:
    """The dpi of the offline pictures: :data:`OFFLINE_WIDTH` pixels wide, at most 100 dpi."""
    return min(100.0, OFFLINE_WIDTH / fig.get_figwidth())


class Explorer(widgets.VBox):
    """Controls, a message line and a figure, wired by one ``update`` function.

    Parameters
    ----------
    name : str
        The explorer's function name (in the offline HTML and messages).
    controls : dict
        ``setting name -> control widget``, in the order ``set`` applies them.
    view : FigureView
        The figure, already drawn once.
    update : callable
        ``update(**settings) -> result``: shows the settings (in place) and returns the
        result; raises :class:`DoesNotFit` when they do not fit.
    rows : list, optional
        The layout above the message: widgets or lists of setting names (one HBox each);
        default one control per row, in ``controls`` order.
    constrain : callable, optional
        ``constrain()``: adjusts controls' ranges to the others' values (e.g. the output
        pixel sliders to the output size); called before ``update`` and, in :meth:`set`,
        after each setting.
    offline : dict, optional
        ``setting name -> values`` of the offline form's grid (the controls that matter);
        the other controls keep their starting values there. Empty: no offline form.
    """

    def __init__(self, name, controls, view, update, *, rows=None, constrain=None,
                 offline=None):
        self.name = name
        self.controls = dict(controls)
        self.view = view
        self.fig = view.fig
        self._update = update
        self._constrain = constrain or (lambda: None)
        self.offline = {k: list(v) for k, v in (offline or {}).items()}
        for key in self.offline:
            if key not in self.controls:
                raise ValueError(f"{name}: offline grid names {key!r}, not one of its "
                                 f"controls {list(self.controls)}")
        self.message = widgets.HTML("", layout=widgets.Layout(min_height="1.5em"))
        self.result = None
        self.changed = None
        self._busy = False
        if rows is None:
            rows = list(self.controls.values())
        children = [widgets.HBox([self.controls[k] for k in row]) if isinstance(row, list)
                    else row for row in rows]
        super().__init__(children=[*children, self.message, view.image])
        self._start = self.settings()
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self._on_change()

    # ------------------------------------------------------------------ live
    def settings(self) -> dict:
        """The controls' values, by setting name."""
        return {key: control.value for key, control in self.controls.items()}

    def set(self, **settings):
        """Move the named controls at once, then update once. Returns :attr:`result`."""
        unknown = set(settings) - set(self.controls)
        if unknown:
            raise TypeError(f"{self.name}.set: unknown settings {sorted(unknown)}; "
                            f"expected some of {list(self.controls)}")
        self._busy = True
        try:
            for key, control in self.controls.items():
                if key in settings:
                    control.value = settings[key]
                    self._constrain()
        finally:
            self._busy = False
        self._on_change()
        return self.result

    def _on_change(self, _change=None):
        if self._busy:  # set(), or a range the update adjusts: one update at the end
            return
        self._busy = True
        try:
            self._constrain()
            self.view.last_changed = None
            self.result = self._update(**self.settings())
            self.changed = self.view.last_changed
            self.message.value = ""
        except DoesNotFit as err:
            self.result = self.changed = None
            self.message.value = (f'<span style="color:#b00">This setting does not fit: '
                                  f"{html.escape(str(err))} (the figure shows the last "
                                  "setting that fits)</span>")
        finally:
            self._busy = False

    # ------------------------------------------------------------------ offline
    def offline_points(self):
        """Every combination of the offline grid's values, as ``set`` keyword dicts."""
        keys = list(self.offline)
        return [dict(zip(keys, values))
                for values in itertools.product(*(self.offline[k] for k in keys))]

    def offline_frames(self):
        """``[(point, png bytes or None, message, disabled settings)]`` over
        :meth:`offline_points`, then the controls are set back to where they were."""
        before = self.settings()
        dpi = offline_dpi(self.fig)
        frames = []
        self.view.paused = True  # nothing sent to the page while the grid is drawn
        try:
            for point in self.offline_points():
                self.set(**point)
                disabled = [k for k in self.offline if self.controls[k].disabled]
                if self.result is None and self.message.value:
                    frames.append((point, None, re.sub("<[^>]+>", "", self.message.value),
                                   disabled))
                else:
                    frames.append((point, _png(self.view.pixels(dpi)), "", disabled))
        finally:
            self.view.paused = False
            self.set(**before)
        return frames

    def offline_html(self) -> str:
        """The offline form: the same controls (those of the grid) over the precomputed
        pictures, one line saying so, and the data for ``explorers.js``."""
        frames = self.offline_frames()
        keys = list(self.offline)
        start = tuple(self._nearest(k, self._start[k]) for k in keys)
        data, messages, disabled = {}, {}, {}
        for point, png, message, off in frames:
            key = "-".join(str(self.offline[k].index(point[k])) for k in keys)
            if off:
                disabled[key] = off
            if png is None:
                messages[key] = message
            else:
                data[key] = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        first = "-".join(map(str, start))
        rows = []
        for k, index in zip(keys, start):
            control, values = self.controls[k], self.offline[k]
            label = plain_label(control.description or k)
            labels = [value_label(control, v) for v in values]
            if len(values) > 6 or isinstance(control, (widgets.IntSlider, widgets.FloatSlider,
                                                       widgets.FloatLogSlider,
                                                       widgets.SelectionSlider)):
                rows.append(
                    f'<label class="cnnbook-explorer-control">{label} '
                    f'<input type="range" min="0" max="{len(values) - 1}" step="1" '
                    f'value="{index}" data-setting="{html.escape(k)}" '
                    f"data-labels='{html.escape(json.dumps(labels))}'> "
                    f"<output>{html.escape(labels[index])}</output></label>")
            else:
                options = "".join(
                    f'<option value="{i}"{" selected" if i == index else ""}>'
                    f"{html.escape(lab)}</option>"
                    for i, lab in enumerate(labels))
                rows.append(f'<label class="cnnbook-explorer-control">{label} '
                            f'<select data-setting="{html.escape(k)}">{options}</select></label>')
        others = [plain_label(c.description or k) for k, c in self.controls.items()
                  if k not in self.offline]
        where = "its starting value" if len(others) == 1 else "their starting values"
        kept = f" ({', '.join(others)} at {where})" if others else ""
        note = (f"Precomputed: {len(frames)} settings of this explorer{kept}. Run the "
                "notebook in Jupyter to try every setting.")
        some = next(iter(data.values()), "")
        width, height = self._size(frames)
        img = (f'<img class="cnnbook-explorer-figure" alt="{html.escape(self.name)} figure" '
               f'width="{width}" height="{height}" src="{data.get(first, some)}">')
        payload = json.dumps({"images": data, "messages": messages, "disabled": disabled}
                             ).replace("</", "<\\/")
        return (f'<div class="cnnbook-explorer" data-explorer="{html.escape(self.name)}" '
                f'data-key="{first}">'
                f'<p class="cnnbook-explorer-note">{note}</p>'
                f'<div class="cnnbook-explorer-controls">{"".join(rows)}</div>'
                f'<p class="cnnbook-explorer-message" aria-live="polite">'
                f'{html.escape(messages.get(first, ""))}</p>'
                f"{img}"
                f'<script type="application/json" class="cnnbook-explorer-data">{payload}'
                "</script></div>")

    def _nearest(self, key, value):
        """Index of the grid value of ``key`` nearest the control's starting ``value``."""
        values = self.offline[key]
        if value in values:
            return values.index(value)
        try:
            return int(np.argmin([abs(float(v) - float(value)) for v in values]))
        except (TypeError, ValueError):
            return 0

    def _size(self, frames):
        for _, png, _, _ in frames:
            if png is not None:
                with Image.open(io.BytesIO(png)) as im:
                    return im.size
        return 0, 0

    def _repr_mimebundle_(self, **kwargs):
        """The live widget (Jupyter) and, with an offline grid and ``CNNBOOK_OFFLINE_FORMS=1``,
        the offline form (HTML)."""
        bundle = super()._repr_mimebundle_(**kwargs)
        if self.offline and bundle is not None and os.environ.get(OFFLINE_ENV) == "1":
            bundle = dict(bundle)
            bundle["text/html"] = self.offline_html()
        return bundle
