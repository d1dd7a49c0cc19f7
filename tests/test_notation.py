"""One notation for the whole book: every page's mathematics follows book/appendix_notation.md.

The rules are the table "What a test checks" of that page (one regular expression per
row, the pages it applies to, what to write instead), so the page a reader sees and the
test are one source. Quotations of the source article (the boxes titled "Where the source
differs", and the article's formulas quoted in appendix_source_notes.md) keep the
article's letters and are not checked.
"""
from __future__ import annotations

import fnmatch
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
NOTATION = BOOK / "appendix_notation.md"

MATH = re.compile(r"```\{math\}(.*?)```|\$\$(.*?)\$\$|\$((?:[^$\n]|\n(?!\n))+?)\$", re.S)
ADMONITION = re.compile(r"(`{3,}|:{3,})\{admonition\}\s*Where the source differs.*?^\1\s*$",
                        re.S | re.M)


def rules() -> list[tuple[re.Pattern, str, str]]:
    """The rows of the table "What a test checks": (pattern, page glob, what to write)."""
    text = NOTATION.read_text(encoding="utf-8")
    table = text.split("## What a test checks", 1)[1]
    rows = []
    for line in table.splitlines():
        cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
        if len(cells) != 3 or not cells[0].strip().startswith("`"):
            continue
        pattern, pages, instead = (c.strip() for c in cells)
        pattern = pattern.strip("`").replace("\\|", "|")
        rows.append((re.compile(pattern), pages.strip("`"), instead))
    return rows


def page_texts():
    """(page name, markdown text) of every page, article quotations removed."""
    for path in sorted(BOOK.glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        text = "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        yield path.name, ADMONITION.sub("", text)
    for path in sorted(BOOK.glob("*.md")):
        if path == NOTATION:
            continue
        text = path.read_text(encoding="utf-8")
        if path.name == "appendix_source_notes.md":   # quotes and restates the article
            text = re.sub(r"\$\$.*?\$\$", "", text, flags=re.S)
        yield path.name, text


def math_spans(text: str):
    for match in MATH.finditer(text):
        span = next(g for g in match.groups() if g is not None)
        yield re.sub(r":label:.*", "", span)


def test_the_table_has_rules():
    assert len(rules()) >= 10


def test_notation_table_gives_each_symbol_one_row():
    text = NOTATION.read_text(encoding="utf-8").split("## What a test checks", 1)[0]
    symbols = [m.group(1) for m in re.finditer(r"^\| (\$[^|]+\$) \|", text, re.M)]
    assert len(symbols) == len(set(symbols)), [s for s in symbols if symbols.count(s) > 1]


PAGES = list(page_texts())


@pytest.mark.parametrize("page, text", PAGES, ids=[page for page, _ in PAGES])
def test_page_follows_the_notation(page, text):
    problems = []
    for pattern, pages, instead in rules():
        if pages != "*" and not fnmatch.fnmatch(page, pages):
            continue
        for span in math_spans(text):
            if pattern.search(span):
                problems.append(f"${span.strip()[:80]}$ matches {pattern.pattern!r}: {instead}")
    assert not problems, f"{page}:\n" + "\n".join(problems)
