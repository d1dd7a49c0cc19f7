"""Sphinx extension: the link between the English and the Chinese edition of a page.

The English book is built into _build/html/, the Chinese one (scripts/zh.py) into
_build/html/zh/, at the same relative paths; the edition is told by `language`
(``zh_CN`` in the zh build's config). On every page this adds:

* a visible link in the article header (sphinx-book-theme's ``article_header_end``) to the
  same page in the other edition: "中文", ``hreflang="zh-CN"`` on English pages, "English",
  ``hreflang="en"`` on Chinese ones (templates/lang-switch.html, static/lang-switch.css);
* ``<link rel="alternate" hreflang=...>`` in the head, for both editions;
* ``<html lang="zh-CN">`` on Chinese pages (pydata-sphinx-theme writes ``language``
  verbatim, which would give the invalid tag ``zh_CN``).

Registered by `sphinx: local_extensions:` in _config.yml.
"""
from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
TEMPLATE = "lang-switch.html"
EDITIONS = {  # edition -> (BCP 47 tag, name of the edition in its own language)
    "en": ("en", "English"),
    "zh": ("zh-CN", "中文"),
}


def _edition(app) -> str:
    return "zh" if (app.config.language or "").lower().startswith("zh") else "en"


def _hrefs(pagename: str, edition: str) -> dict[str, str]:
    """Page-relative URLs of this page in both editions."""
    up = "../" * pagename.count("/")
    if edition == "en":
        return {"en": f"{up}{pagename}.html", "zh": f"{up}zh/{pagename}.html"}
    return {"en": f"{up}../{pagename}.html", "zh": f"{up}{pagename}.html"}


def add_switch(app, pagename, templatename, context, doctree):
    edition = _edition(app)
    other = "en" if edition == "zh" else "zh"
    hrefs = _hrefs(pagename, edition)
    context["language"] = EDITIONS[edition][0]
    tag, name = EDITIONS[other]
    context["lang_switch"] = {"href": hrefs[other], "hreflang": tag, "text": name,
                              "title": "Read this page in English" if other == "en"
                              else "阅读本页的中文版"}
    context["metatags"] = context.get("metatags", "") + "".join(
        f'\n<link rel="alternate" hreflang="{EDITIONS[e][0]}" href="{hrefs[e]}" />'
        for e in ("en", "zh"))
    items = context.get("theme_article_header_end")
    if isinstance(items, str):
        items = [i.strip() for i in items.split(",") if i.strip()]
    context["theme_article_header_end"] = list(items or []) + [TEMPLATE]


def add_paths(app, config):
    config.templates_path.append(str(HERE / "templates"))
    config.html_static_path.append(str(HERE / "static"))


def setup(app):
    app.connect("config-inited", add_paths)
    app.add_css_file("lang-switch.css")
    # after pydata-sphinx-theme's own handler (priority 500), which resolves template names
    app.connect("html-page-context", add_switch, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
