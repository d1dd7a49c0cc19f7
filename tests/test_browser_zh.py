"""Browser test of the Chinese edition (_build/html/zh/, built by `make book`).

tests/test_browser.py opens every page under _build/html, the zh ones included, and checks
each works offline (no external request, no console error, math typeset, images and widgets
rendered); the first test here makes sure it still does. This file adds what is particular
to the two editions:

* every English page has its zh twin at the same relative path, and back;
* ``<html lang="zh-CN">`` on zh pages, ``lang="en"`` on English ones;
* the language switch: a visible header link with ``hreflang`` to the same page in the other
  edition, the matching ``<link rel="alternate" hreflang>`` in the head, both resolving;
  followed in Chromium from a zh page to its English twin and back;
* Chinese text drawn with a CJK font installed on the system (no webfont);
* the zh search index finds two-character words (卷积, 池化, 梯度), and the search page too.

Run after `make book`: `pytest tests/test_browser_zh.py -m browser` (fixtures from
tests/test_browser.py).
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest

import test_browser
from test_browser import HTML, NO_BUILD, browser, server  # noqa: F401  (pytest fixtures)

pytestmark = pytest.mark.browser
ZH = HTML / "zh"
# A page of each kind: the front page (translated .md), a translated notebook, and a
# notebook with widgets and figures (shown in English until it is translated).
SAMPLES = ["book/index.html", "book/how_to_read.html", "book/02_core_concepts.html"]
WORDS = ["卷积", "池化", "梯度"]


def _pages(root: Path) -> list[str]:
    if not root.is_dir():
        return []
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.html")
                  if not any(part.startswith(("_", ".")) for part in p.relative_to(root).parts)
                  and p.relative_to(root).parts[0] != "zh")


EN_PAGES, ZH_PAGES = _pages(HTML), _pages(ZH)


def _need_build():
    if not ZH_PAGES:
        pytest.fail(f"no Chinese pages in {ZH}: {NO_BUILD}")


def test_browser_test_covers_zh_pages():
    _need_build()
    covered = set(getattr(test_browser, "PAGES", []))
    missing = [f"zh/{p}" for p in ZH_PAGES if f"zh/{p}" not in covered]
    assert not missing, ("tests/test_browser.py no longer opens the zh pages "
                         f"(its PAGES): {missing[:5]}")


def test_every_page_has_its_twin():
    _need_build()
    book_en = [p for p in EN_PAGES if p.startswith("book/")]
    book_zh = [p for p in ZH_PAGES if p.startswith("book/")]
    assert book_en == book_zh, (f"only English: {sorted(set(book_en) - set(book_zh))}, "
                                f"only Chinese: {sorted(set(book_zh) - set(book_en))}")


def _links(text: str) -> dict:
    html_tag = re.search(r"<html\b[^>]*>", text).group(0)
    switch = re.findall(r"<a\b[^>]*class=\"[^\"]*lang-switch[^\"]*\"[^>]*>", text)
    alternates = re.findall(r"<link\b[^>]*rel=\"alternate\"[^>]*>", text)

    def attr(tag, name):
        m = re.search(rf'\b{name}="([^"]*)"', tag)
        return m.group(1) if m else None

    return {"lang": attr(html_tag, "lang"),
            "switch": [(attr(t, "href"), attr(t, "hreflang")) for t in switch],
            "alternates": {attr(t, "hreflang"): attr(t, "href") for t in alternates}}


def _target(page: Path, href: str) -> Path:
    return Path(unquote(urlparse(urljoin(page.as_uri(), href)).path))


@pytest.mark.parametrize("edition", ["en", "zh"])
def test_lang_and_switch_links_resolve(edition):
    _need_build()
    root, pages = (HTML, EN_PAGES) if edition == "en" else (ZH, ZH_PAGES)
    lang, other_lang = ("en", "zh-CN") if edition == "en" else ("zh-CN", "en")
    other_root = ZH if edition == "en" else HTML
    problems = []
    for name in pages:
        page = root / name
        text = page.read_text(encoding="utf-8")
        if re.search(r"http-equiv=\"refresh\"", text, re.I) and "<article" not in text:
            continue  # JB1's redirect at the root, index.html
        links = _links(text)
        if links["lang"] != lang:
            problems.append(f"{name}: <html lang={links['lang']!r}>, not {lang!r}")
        if len(links["switch"]) != 1 or links["switch"][0][1] != other_lang:
            problems.append(f"{name}: language switch {links['switch']}, want one to {other_lang}")
            continue
        twin = other_root / name
        if _target(page, links["switch"][0][0]) != twin.resolve():
            problems.append(f"{name}: the switch points at {links['switch'][0][0]}, not {twin}")
        if not twin.is_file():
            problems.append(f"{name}: the switch's target {twin.relative_to(HTML)} does not exist")
        for tag, target in (("en", HTML / name), ("zh-CN", ZH / name)):
            href = links["alternates"].get(tag)
            if href is None or _target(page, href) != target.resolve():
                problems.append(f"{name}: <link rel=alternate hreflang={tag}> is {href}")
    assert not problems, "\n".join(problems)


def test_zh_search_index_has_two_character_words():
    _need_build()
    text = (ZH / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("(") + 1:text.rindex(")")])
    missing = [w for w in WORDS if w not in index["terms"]]
    assert not missing, f"the zh search index has no entry for {missing}"


def _open(browser, url):  # noqa: F811  (the fixture, passed in)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(test_browser.TIMEOUT_MS)
    errors = []

    def on_console(msg):
        url = (msg.location or {}).get("url", "")
        # Chromium asks for /favicon.ico after a click-through; the book has no favicon
        if msg.type == "error" and not url.endswith("/favicon.ico"):
            errors.append(f"{msg.text} ({url})")

    page.on("console", on_console)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url, wait_until="load")
    return context, page, errors


# The fonts Chromium actually drew an element's text with (DevTools protocol).
def _fonts_of(page, selector: str) -> list[str]:
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return [f["familyName"] for f in fonts]


@pytest.mark.parametrize("name", SAMPLES)
def test_zh_page_in_chromium(name, server, browser):  # noqa: F811
    _need_build()
    context, page, errors = _open(browser, f"{server}/zh/{name}")
    try:
        assert page.evaluate("document.documentElement.lang") == "zh-CN"
        heading = page.locator("article h1").first
        assert re.search(r"[\u4e00-\u9fff]", heading.inner_text()) or \
            page.locator("text=本页尚未翻译").count(), f"{name}: no Chinese title nor pending note"
        fonts = _fonts_of(page, "article p")
        assert fonts and not any("webfont" in f.lower() for f in fonts)
        if re.search(r"[\u4e00-\u9fff]", page.locator("article p").first.inner_text()):
            cjk = [f for f in fonts if re.search(r"Hei|CJK|Han|Hiragino|YaHei|PingFang|Sans SC", f)]
            assert cjk, f"{name}: Chinese drawn with {fonts}, no CJK system font"
        # the switch, visible in the header, goes to the English twin, and its switch back
        switch = page.locator("a.lang-switch")
        assert switch.count() == 1 and switch.is_visible()
        assert switch.get_attribute("hreflang") == "en"
        switch.click()
        page.wait_for_load_state("load")
        assert page.url == f"{server}/{name}" and page.evaluate("document.documentElement.lang") == "en"
        back = page.locator("a.lang-switch")
        assert back.get_attribute("hreflang") == "zh-CN" and back.inner_text().strip() == "中文"
        back.click()
        page.wait_for_load_state("load")
        assert page.url == f"{server}/zh/{name}"
    finally:
        context.close()
    assert not errors, f"{name}: console errors: {errors}"


@pytest.mark.parametrize("word", WORDS)
def test_zh_search_page_finds(word, server, browser):  # noqa: F811
    _need_build()
    context, page, errors = _open(browser, f"{server}/zh/search.html?q={word}")
    try:
        page.wait_for_function(
            "() => document.querySelectorAll('#search-results li').length > 0", timeout=30_000)
        assert page.locator("#search-results li").count() > 0
    finally:
        context.close()
    assert not errors, f"search {word}: console errors: {errors}"
