"""Browser test of the built book: every page works offline in Chromium.

Run after `make book` (`make test` does both): `pytest tests/test_browser.py -m browser`.

It serves _build/html on 127.0.0.1, opens every page in Debian's chromium through
Playwright, aborts (and records) every request to any other host, and fails a page on:
an external request, a failed request or an HTTP status >= 400, a console error or an
uncaught page error, math left untypeset, an image that did not load, or an embedded
widget that did not render.

With CNNBOOK_SCREENSHOTS=1 (`make screenshots`) it also saves a full-page screenshot of
each page to _build/screenshots/ (JPEG, quality 85: pages run to 36,000 pixels, and PNG
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
    // an explorer's page shows its offline form, not its widget (whose state stays embedded)
    if (!views.length && !document.querySelector('div.cnnbook-explorer')) out.problems.push('widget state embedded but no widget view');
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


def _screenshot_name(page: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "__", page.removesuffix(".html")) + ".jpg"


@pytest.mark.parametrize("page_path", PAGES or [pytest.param(None, id="no-build")])
def test_page_works_offline(page_path, server, browser):
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
        if msg.type == "error":
            loc = msg.location or {}
            problems.append(f"console error: {msg.text} ({loc.get('url', '')}:{loc.get('lineNumber', '')})")

    def on_request_failed(req):
        if urlparse(req.url).hostname == LOCAL_HOST:
            problems.append(f"request failed: {req.url} ({req.failure})")

    def on_response(resp):
        if resp.status >= 400:
            problems.append(f"HTTP {resp.status}: {resp.url}")

    in_flight: dict = {}  # request -> url, for _settle

    context = browser.new_context(viewport={"width": 1280, "height": 900})
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
        if SCREENSHOTS:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / _screenshot_name(page_path)), full_page=True,
                            type="jpeg", quality=85)
    finally:
        context.close()

    problems += [f"external request (aborted): {u}" for u in external]
    summary = (f"{page_path}: {result['math']} math, {result['mjx']} typeset, "
               f"{result['images']} images, {result['widgets']} widgets")
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
