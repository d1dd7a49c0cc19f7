"""Browser test of the offline explorers: in the built book every control changes its figure.

Run after `make book`: `pytest tests/test_browser_explorers.py -m browser` (it uses the
server and Chromium of tests/test_browser.py). On every page with an offline explorer
(cnnbook.widgets.Explorer.offline_html, driven by book/_custom/explorers.js), at 1280 and
390 px wide, it moves each control of each explorer once as a reader would (the arrow key
on a slider, another option of a menu) and fails when the picture (or the "does not fit"
message) stays the same: a dead control. It also fails when an explorer's picture is wider
than the screen or shown larger than it was drawn (upscaled, blurred), when a control
reaches past the right edge of the screen, or when an explorer has no note saying it is
precomputed.
"""
from __future__ import annotations

import pytest

from test_browser import HTML, NO_BUILD, PAGES, TIMEOUT_MS, browser, server  # noqa: F401

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)


def _explorer_pages() -> list[str]:
    return [p for p in PAGES if 'class="cnnbook-explorer"' in (HTML / p).read_text("utf-8")]


EXPLORER_PAGES = _explorer_pages()

#: What a reader sees of each explorer and control: the picture (a hash of its URL, which
#: holds the picture), the message, the controls' readouts and where they sit.
STATE = r"""() => {
  function hash(s) { let h = 5381; for (let i = 0; i < s.length; i++) h = (h * 33 + s.charCodeAt(i)) | 0; return h; }
  return Array.from(document.querySelectorAll('div.cnnbook-explorer')).map(root => {
    const img = root.querySelector('img.cnnbook-explorer-figure');
    const box = img.getBoundingClientRect();
    return {
      name: root.dataset.explorer,
      picture: hash(img.currentSrc || img.src) + ':' + (img.currentSrc || img.src).length,
      message: root.querySelector('.cnnbook-explorer-message').textContent,
      stale: img.classList.contains('cnnbook-explorer-stale'),
      note: (root.querySelector('.cnnbook-explorer-note') || {}).textContent || '',
      shown: [box.left, box.right, box.width], natural: img.naturalWidth,
      controls: Array.from(root.querySelectorAll('[data-setting]')).map(c => {
        const r = c.getBoundingClientRect();
        const label = c.closest('label');
        const lr = label ? label.getBoundingClientRect() : r;
        const out = c.tagName === 'SELECT' ? c.options[c.selectedIndex].text
          : (c.parentNode.querySelector('output') || {}).textContent;
        return {setting: c.dataset.setting, tag: c.tagName, value: c.value, label: out,
                max: c.max || String(c.options ? c.options.length - 1 : 0),
                right: Math.max(r.right, lr.right), visible: r.width > 0 && r.height > 0};
      }),
    };
  });
}"""


def _move(page, explorer_index, control):
    """Move one control as a reader would: the next option of a menu (the previous one on
    the last), one arrow-key step on a slider (left at its end)."""
    locator = page.locator("div.cnnbook-explorer").nth(explorer_index).locator(
        f'[data-setting="{control["setting"]}"]')
    if control["tag"] == "SELECT":
        index = int(control["value"])
        locator.select_option(index=index + 1 if index + 1 <= int(control["max"]) else index - 1)
    else:
        locator.focus()
        at_end = int(control["value"]) >= int(control["max"])
        page.keyboard.press("ArrowLeft" if at_end else "ArrowRight")


def check_page(page, width) -> list[str]:
    """Every problem a reader of this page at ``width`` px would meet in its explorers."""
    problems = []
    before = page.evaluate(STATE)
    if not before:
        return ["no offline explorer on the page"]
    for k, explorer in enumerate(before):
        name = explorer["name"]
        if "Precomputed" not in explorer["note"] or "Jupyter" not in explorer["note"]:
            problems.append(f"{name}: no note saying it is precomputed")
        left, right, shown = explorer["shown"]
        if right > width + 1 or left < -1:
            problems.append(f"{name}: picture {shown:.0f} px wide reaches past the screen "
                            f"({left:.0f}..{right:.0f} of {width})")
        if shown > explorer["natural"] + 1:
            problems.append(f"{name}: picture drawn {explorer['natural']} px wide shown "
                            f"{shown:.0f} px wide (upscaled)")
        if not explorer["controls"]:
            problems.append(f"{name}: no control")
        for control in explorer["controls"]:
            where = f"{name}: control {control['setting']!r} at {width} px"
            if not control["visible"]:
                problems.append(f"{where} is not visible")
                continue
            if control["right"] > width + 1:
                problems.append(f"{where} reaches past the right edge "
                                f"({control['right']:.0f} px)")
            seen = page.evaluate(STATE)[k]
            _move(page, k, control)
            after = page.evaluate(STATE)[k]
            moved = [c for c in after["controls"] if c["setting"] == control["setting"]][0]
            if moved["value"] == control["value"]:
                problems.append(f"{where} could not be moved")
            elif (after["picture"], after["message"]) == (seen["picture"], seen["message"]):
                problems.append(f"{where} is dead: moving it from {control['label']} to "
                                f"{moved['label']} changes neither the picture nor the message")
    return problems


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page_path", EXPLORER_PAGES or [pytest.param(None, id="no-build")])
def test_every_offline_control_changes_its_figure(page_path, width, server, browser):  # noqa: F811
    if page_path is None:
        pytest.fail(f"no page of {HTML} holds an offline explorer: {NO_BUILD}")
    errors = []
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.on("pageerror", lambda err: errors.append(f"page error: {err}"))
        page.goto(f"{server}/{page_path}", wait_until="load")
        problems = check_page(page, width)
    finally:
        context.close()
    problems += errors
    assert not problems, f"{page_path} at {width} px:\n" + "\n".join(problems)
