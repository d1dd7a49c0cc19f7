"""Browser test of the built book: every page works offline in Chromium.

Run after `make book` (`make test` does both): `pytest tests/test_browser.py -m browser`.

It serves _build/html on 127.0.0.1, opens every page in Debian's chromium through
Playwright at two widths, 1280 px (a laptop) and 390 px (a phone), aborts (and records)
every request to any other host, and fails a page on:
- an external request, a failed request or an HTTP status >= 400, a console error or
  warning, or an uncaught page error;
- math left untypeset, an image that did not load, or an embedded widget that did not render;
- a sidebar that does not open: every visible "Toggle primary/secondary sidebar" button is
  clicked, and the sidebar's links must become visible (or hidden, when it was open), then
  return to how they were (a second click, or Escape for the phone's dialog);
- an overflow: a display equation or a table wider than the text column at 1280 px; on a
  phone, one that scrolls without the scroll cue of book/_custom/book.css; code or printed
  output that scrolls without that cue (either width); an image or animation player wider
  than its column or than the screen;
- progress-bar text left by an execution ("it/s", "batch/s", "100%|");
- Chinese text outside an element marked lang="zh-CN" (book/_custom/book.js marks it).

With CNNBOOK_SCREENSHOTS=1 (`make screenshots`) it also saves a full-page screenshot of
each page at each width to _build/screenshots/ (NAME-1280.jpg, NAME-390.jpg; JPEG, quality 85: pages run to 36,000 pixels, and PNG
took twice as long to encode). No check looks at them (they are for people), and they
cost a third of the test's CPU time (62 of 194 CPU-s, measured on 2 cores), so `make test`
does not take them.

Chromium is required when CI is set (as in .ci/run); elsewhere the test skips with the
install command when it is missing.
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = os.environ.get("CNNBOOK_CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
]
LOCAL_HOST = "127.0.0.1"
TIMEOUT_MS = 90_000  # a math-heavy page on a busy 2-core machine can need more than 30 s
SCREENSHOTS = os.environ.get("CNNBOOK_SCREENSHOTS", "").strip().lower() not in (
    "", "0", "false", "no")

pytestmark = pytest.mark.browser
# (name, viewport width): a laptop and a phone (iPhone 12-15: 390 x 844 CSS pixels)
WIDTHS = {"1280": (1280, 900), "390": (390, 844)}


def _pages() -> list[str]:
    """Every HTML page of the build (paths relative to _build/html), assets excluded."""
    if not HTML.is_dir():
        return []
    return sorted(
        p.relative_to(HTML).as_posix()
        for p in HTML.rglob("*.html")
        if not any(part.startswith(("_", ".")) for part in p.relative_to(HTML).parts)
    )


PAGES = _pages()
NO_BUILD = "run make book first"


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason}: the browser test is required in CI (CI={os.environ['CI']})")
    pytest.skip(f"{reason}; install it with `sudo apt-get install -y chromium` "
                "(Debian/Ubuntu) to run the browser test")


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def server():
    """`python -m http.server` on a free port of 127.0.0.1, serving _build/html."""
    if not HTML.is_dir():
        pytest.fail(f"{HTML} is missing: {NO_BUILD}")
    with socket.socket() as s:
        s.bind((LOCAL_HOST, 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", LOCAL_HOST,
         "--directory", str(HTML)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection((LOCAL_HOST, port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"http.server did not start on port {port}")
                time.sleep(0.1)
        yield f"http://{LOCAL_HOST}:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright Python package is not installed")
    if not Path(CHROMIUM).is_file():
        _unavailable(f"{CHROMIUM} (Debian's chromium) is not installed")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# --------------------------------------------------------------------------- checks
WAIT_FOR_WIDGETS = """() => {
  const views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]');
  return Array.from(views).every(v => {
    const area = v.previousElementSibling;
    return area && area.classList.contains('widget-subarea') && area.childElementCount > 0;
  });
}"""

MATHJAX_DONE = """async () => {
  if (!document.querySelector('script[src*="mathjax/es5/"]')) return 'no mathjax';
  const t0 = Date.now();
  while (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) {
    if (Date.now() - t0 > 20000) return 'MathJax did not start';
    await new Promise(r => setTimeout(r, 50));
  }
  await MathJax.startup.promise;
  return 'ok';
}"""

NO_RAW_WIDGET_MATH = r"""() => Array.from(document.querySelectorAll('.widget-subarea'))
  .every(a => !/\\\(|\\\[|\$\$/.test(a.innerText))"""

INSPECT = r"""async () => {
  const out = {problems: [], math: 0, mjx: 0, images: 0, widgets: 0};
  const raw = /\\\(|\\\[|\$\$/;
  // math: every .math element typeset by MathJax, no TeX source left visible
  const maths = Array.from(document.querySelectorAll('.math'));
  out.math = maths.length;
  out.mjx = document.querySelectorAll('mjx-container').length;
  for (const m of maths) {
    if (!m.querySelector('mjx-container') || raw.test(m.innerText)) {
      out.problems.push('untypeset math: ' + m.textContent.trim().slice(0, 80));
    }
  }
  if (maths.length && !out.mjx) out.problems.push('page has math but no mjx-container');
  // images: every <img> loaded (lazy ones made eager first)
  const imgs = Array.from(document.images);
  imgs.forEach(i => { if (i.loading === 'lazy') i.loading = 'eager'; });
  await Promise.all(imgs.map(i => i.decode().catch(() => null)));
  out.images = imgs.length;
  for (const i of imgs) {
    if (!i.complete || i.naturalWidth === 0) out.problems.push('image did not load: ' + (i.currentSrc || i.src).slice(0, 120));
  }
  // widgets: state embedded -> every view rendered, no error, no raw TeX in labels
  if (document.querySelector('script[type="application/vnd.jupyter.widget-state+json"]')) {
    const views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]');
    out.widgets = views.length;
    if (!views.length) out.problems.push('widget state embedded but no widget view');
    for (const v of views) {
      const area = v.previousElementSibling;
      const ok = area && area.classList.contains('widget-subarea') && area.childElementCount > 0
        && area.querySelector('.jupyter-widgets') !== null;
      if (!ok) { out.problems.push('widget did not render'); continue; }
      if (/Error displaying widget/.test(area.innerText)) out.problems.push('widget error: ' + area.innerText.slice(0, 120));
      if (raw.test(area.innerText)) out.problems.push('raw TeX in widget: ' + area.innerText.slice(0, 120));
      for (const s of area.querySelectorAll('.widget-slider')) {
        if (!s.querySelector('.noUi-handle, input[type=range]')) out.problems.push('slider without handle');
      }
    }
  }
  return out;
}"""


LAYOUT = r"""(phone) => {
  const problems = [];
  const article = document.querySelector('article.bd-article') || document.querySelector('main') || document.body;
  const col = article.getBoundingClientRect();
  const cued = el => { const cs = getComputedStyle(el);
    return /auto|scroll/.test(cs.overflowX) && /gradient/.test(cs.backgroundImage); };
  const short = t => t.replace(/\s+/g, ' ').trim().slice(0, 60);
  // display equations: none wider than the column at 1280 px; on a phone a wide one scrolls visibly
  document.querySelectorAll('div.math mjx-container[display="true"]').forEach(m => {
    const over = m.scrollWidth - m.clientWidth;
    if (over <= 1) return;
    const d = m.closest('div.math'), no = d && d.querySelector('.eqno');
    const name = no ? no.textContent.replace(/#/g, '').trim() : short(m.textContent);
    if (!phone) problems.push(`display equation ${name} is ${over} px wider than its column (${m.clientWidth} px)`);
    else if (!cued(m)) problems.push(`display equation ${name} overflows by ${over} px with no scroll cue`);
  });
  // tables fit the column at 1280 px; code and printed outputs that do not fit (and tables
  // on a phone) scroll, and show that they do
  article.querySelectorAll('.pst-scrollable-table-container').forEach(e => {
    const over = e.scrollWidth - e.clientWidth;
    if (over > 1 && !phone) problems.push(`table ${over} px wider than its column: ${short(e.innerText)}`);
    else if (over > 1 && !cued(e)) problems.push(`table cut at the right edge (${over} px, no scroll cue): ${short(e.innerText)}`);
  });
  article.querySelectorAll('pre').forEach(e => {
    const over = e.scrollWidth - e.clientWidth;
    if (over > 1 && !cued(e)) problems.push(`cut at the right edge (${over} px, no scroll cue): ${short(e.innerText)}`);
  });
  // images and animation players: never wider than the column or the screen
  article.querySelectorAll('img, .animation').forEach(e => {
    if (e.closest('.pst-scrollable-table-container')) return;
    const r = e.getBoundingClientRect();
    if (!r.width) return;
    const what = e.tagName === 'IMG' ? 'image ' + (e.getAttribute('alt') || e.src.split('/').pop()).slice(0, 50) : 'animation player';
    if (r.right > col.right + 1 || r.left < col.left - 1 || r.right > document.documentElement.clientWidth + 1)
      problems.push(`${what} is ${Math.round(r.width)} px wide, wider than its column (${Math.round(col.width)} px)`);
    else if (e.classList.contains('animation') && e.scrollWidth > e.clientWidth + 1)
      problems.push(`animation player's controls overflow it (${e.scrollWidth} px in ${e.clientWidth} px)`);
  });
  // leftovers of execution: progress bars
  const bar = /\d\s*(it|batch)\/s|\d+%\|/.exec(article.innerText);
  if (bar) problems.push('progress-bar text in the page: ' + short(article.innerText.slice(Math.max(0, bar.index - 30), bar.index + 30)));
  // Chinese marked as such (book/_custom/book.js), or Chromium picks a Japanese font
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let unmarked = 0, first = '';
  while (walker.nextNode()) {
    const n = walker.currentNode, el = n.parentElement;
    if (!/[\u3400-\u9fff]/.test(n.nodeValue) || !el || el.closest('script, style, mjx-container')) continue;
    if (!el.closest('[lang="zh-CN"]')) { unmarked++; first = first || short(n.nodeValue); }
  }
  if (unmarked) problems.push(`${unmarked} Chinese text(s) not marked lang="zh-CN", e.g. ${first}`);
  return problems;
}"""

# Links shown by a sidebar: in its place, or in the dialog pydata-sphinx-theme moves it to.
SIDEBAR_LINKS = r"""(kind) => {
  const vis = e => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && r.right > 0 && r.left < innerWidth; };
  const sel = `#pst-${kind}-sidebar a, #pst-${kind}-sidebar-modal a`;
  return Array.from(document.querySelectorAll(sel)).filter(vis).length;
}"""

VISIBLE_TOGGLES = r"""() => Array.from(document.querySelectorAll('.sidebar-toggle')).map((b, i) => {
  const r = b.getBoundingClientRect(), s = getComputedStyle(b);
  const kind = b.classList.contains('primary-toggle') ? 'primary' : 'secondary';
  return [i, kind, b.title || b.getAttribute('aria-label') || kind,
          r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && r.right > 0 && r.left < innerWidth];
}).filter(t => t[3])"""


def _check_sidebars(page, problems: list[str]) -> int:
    """Click every visible sidebar toggle: its sidebar must open (or close), then come back."""
    toggles = page.evaluate(VISIBLE_TOGGLES)
    if not page.locator("#pst-primary-sidebar").count():
        return 0
    if not any(kind == "primary" for _, kind, _, _ in toggles):
        problems.append("no visible button opens the chapter list (primary sidebar)")
    buttons = page.locator(".sidebar-toggle")
    for index, kind, title, _ in toggles:
        before = page.evaluate(SIDEBAR_LINKS, kind)
        buttons.nth(index).click()
        page.wait_for_timeout(400)
        after = page.evaluate(SIDEBAR_LINKS, kind)
        if after == before:
            problems.append(f"clicking '{title}' changed nothing: {before} links of the {kind} "
                            "sidebar visible before and after")
            continue
        if page.locator("dialog[open]").count():
            page.keyboard.press("Escape")
        else:
            buttons.nth(index).click()
        page.wait_for_timeout(400)
        again = page.evaluate(SIDEBAR_LINKS, kind)
        if again != before:
            problems.append(f"'{title}' opened or closed the {kind} sidebar ({before} -> {after} "
                            f"links visible) but closing it again left {again}")
    return len(toggles)


def _settle(page, in_flight: dict, problems: list[str], quiet_ms: int = 200) -> None:
    """Wait until no request of the page has been in flight for ``quiet_ms``.

    Playwright's own "networkidle" wait is the same idea, but when it times out it cannot say
    what was still loading; this records the requests that never finished as a problem.
    """
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    quiet_since = None
    while time.monotonic() < deadline:
        if in_flight:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif (time.monotonic() - quiet_since) * 1000 >= quiet_ms:
            return
        page.wait_for_timeout(50)
    problems.append(f"requests still loading after {TIMEOUT_MS // 1000} s: "
                    + ", ".join(sorted(in_flight.values()))[:500])


def _screenshot_name(page: str, width: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "__", page.removesuffix(".html")) + f"-{width}.jpg"


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("page_path", PAGES or [pytest.param(None, id="no-build")])
def test_page_works_offline(page_path, width, server, browser):
    if page_path is None:
        pytest.fail(f"no HTML pages in {HTML}: {NO_BUILD}")
    problems: list[str] = []
    external: list[str] = []

    def route(route):
        url = route.request.url
        if urlparse(url).hostname == LOCAL_HOST:
            route.continue_()
        else:
            external.append(url)
            route.abort()

    def on_console(msg):
        if msg.type in ("error", "warning"):
            loc = msg.location or {}
            problems.append(f"console {msg.type}: {msg.text} ({loc.get('url', '')}:{loc.get('lineNumber', '')})")

    def on_request_failed(req):
        if urlparse(req.url).hostname == LOCAL_HOST:
            problems.append(f"request failed: {req.url} ({req.failure})")

    def on_response(resp):
        if resp.status >= 400:
            problems.append(f"HTTP {resp.status}: {resp.url}")

    in_flight: dict = {}  # request -> url, for _settle

    view_width, view_height = WIDTHS[width]
    context = browser.new_context(viewport={"width": view_width, "height": view_height})
    try:
        context.route("**/*", route)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.on("console", on_console)
        page.on("pageerror", lambda err: problems.append(f"page error: {err}"))
        page.on("requestfailed", on_request_failed)
        page.on("response", on_response)
        page.on("request", lambda req: in_flight.__setitem__(req, req.url))
        page.on("requestfinished", lambda req: in_flight.pop(req, None))
        page.on("requestfailed", lambda req: in_flight.pop(req, None))

        page.goto(f"{server}/{page_path}", wait_until="load")
        _settle(page, in_flight, problems)
        if page.locator('script[type="application/vnd.jupyter.widget-state+json"]').count():
            try:
                page.wait_for_function(WAIT_FOR_WIDGETS, timeout=TIMEOUT_MS)
            except Exception:  # reported by INSPECT below
                pass
        status = page.evaluate(MATHJAX_DONE)
        if status not in ("ok", "no mathjax"):
            problems.append(status)
        try:  # widget labels are typeset after the page (see book/_custom/mathjax2-shim.js)
            page.wait_for_function(NO_RAW_WIDGET_MATH, timeout=10_000)
        except Exception:
            pass
        _settle(page, in_flight, problems)
        result = page.evaluate(INSPECT)
        problems += result["problems"]
        problems += page.evaluate(LAYOUT, view_width < 700)
        if SCREENSHOTS:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / _screenshot_name(page_path, width)), full_page=True,
                            type="jpeg", quality=85)
        result["toggles"] = _check_sidebars(page, problems)
    finally:
        context.close()

    problems += [f"external request (aborted): {u}" for u in external]
    summary = (f"{page_path} at {width} px: {result['math']} math, {result['mjx']} typeset, "
               f"{result['images']} images, {result['widgets']} widgets, "
               f"{result.get('toggles', 0)} sidebar toggles clicked")
    print(summary)
    assert not problems, summary + "\n" + "\n".join(problems)


def test_no_external_urls_in_html():
    """No <script src>, <link href>, <img src>... and no inline script naming another host."""
    if not PAGES:
        pytest.fail(f"no HTML pages in {HTML}: {NO_BUILD}")
    tag = re.compile(
        r"<(script|link|img|iframe|source|video|audio|embed)\b[^>]*?\b(src|href)=[\"']((?:https?:)?//[^\"']*)",
        re.I,
    )
    inline = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.I | re.S)
    found = []
    for name in PAGES:
        text = (HTML / name).read_text(encoding="utf-8")
        for m in tag.finditer(text):
            if m.group(1).lower() == "link" and re.search(r"rel=[\"']?(canonical|alternate)", m.group(0)):
                continue
            found.append(f"{name}: <{m.group(1)} {m.group(2)}={m.group(3)}>")
        for m in inline.finditer(text):
            if "src=" in m.group(1) or "json" in m.group(1):
                continue  # external scripts are checked above; JSON is data
            for url in re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s\"'<>]*", m.group(2)):
                found.append(f"{name}: inline script names {url}")
    assert not found, "\n".join(found)
