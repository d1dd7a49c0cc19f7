"""The Chinese edition's translations (book/zh/, scripts/zh.py): complete, current, faithful.

* Every page of _toc.yml not in ``PENDING_PAGES`` (book/zh/config.yml) has a current
  translation of every paragraph and markdown cell: a missing, stale or obsolete one fails,
  naming the page and the paragraph (`python scripts/zh.py status` shows what changed).
  Pending pages are listed in a warning, not failed.
* In every current translation (pending pages' included): the same math, labels,
  cross-references, citations, directives and inline code as the English; fenced code and
  code cells differ in comments only; the fixed box titles are translated as glossary.yml says.
* On every translated page: the glossary's terms, never a listed wrong variant (unless
  quoted, or kept from the English page, whose headings keep the article's Chinese titles),
  and the English in parentheses at a term's first use.
"""
from __future__ import annotations

import importlib.util
import io
import re
import shutil
import sys
import tokenize
import warnings
from collections import Counter
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def _load_zh():
    spec = importlib.util.spec_from_file_location("zh", ROOT / "scripts" / "zh.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("zh", module)
    spec.loader.exec_module(module)
    return module


zh = _load_zh()
PAGES = zh.toc_pages()
PENDING = zh.pending_pages()
TRANSLATED = [p for p in PAGES if p.as_posix() not in PENDING]
GLOSSARY = yaml.safe_load((zh.ZH / "glossary.yml").read_text(encoding="utf-8"))
CURRENT = [(page, m) for page in PAGES for m in zh.match(page)[0] if m.state == "current"]


def _ids(pairs):
    return [f"{p.stem}:{m.unit.key or m.unit.number}" for p, m in pairs]


# --------------------------------------------------------------------------- complete, current
def test_pending_pages_are_pages_of_the_book():
    names = [p.as_posix() for p in PAGES]
    unknown = [p for p in PENDING if p not in names]
    assert not unknown, f"PENDING_PAGES in book/zh/config.yml names no page of _toc.yml: {unknown}"
    assert len(set(PENDING)) == len(PENDING), "a page is listed twice in PENDING_PAGES"
    if PENDING:
        warnings.warn(f"{len(PENDING)} of {len(PAGES)} pages have no Chinese translation yet "
                      f"(PENDING_PAGES in book/zh/config.yml): {', '.join(PENDING)}")


@pytest.mark.parametrize("page", TRANSLATED, ids=[p.stem for p in TRANSLATED])
def test_translation_is_complete_and_current(page):
    problems = zh.problems(page)
    assert not problems, (
        f"{len(problems)} translations to write or update (`python scripts/zh.py status "
        f"{page.as_posix()}` shows the English that changed; README.md, 'Chinese edition'):\n"
        + "\n".join(problems))


def test_translation_files_belong_to_pages():
    stems = {p.stem for p in PAGES}
    assert not stems & zh.RESERVED, f"a page may not be called {zh.RESERVED}"
    stray = [f.name for f in zh.ZH.glob("*.yml") if f.stem not in stems | zh.RESERVED]
    assert not stray, f"book/zh/ has translations of no page of _toc.yml: {stray}"
    for page in PAGES:
        path = zh.translation_file(page)
        if path.is_file():
            assert yaml.safe_load(path.read_text(encoding="utf-8"))["source"] == page.as_posix()


def test_every_toc_caption_is_translated():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    captions = zh.load_config()["toc_captions"]
    missing = [p["caption"] for p in toc.get("parts", []) if p["caption"] not in captions]
    assert not missing, f"add to toc_captions in book/zh/config.yml: {missing}"


# --------------------------------------------------------------------------- what must not change
FENCE_BLOCK = re.compile(r"^([ \t]*)(`{3,}|~{3,}|:{3,})(.*?)\n(.*?)^\1\2[ \t]*$", re.M | re.S)
INLINE_CODE = re.compile(r"(?<![`}])`([^`\n]+)`(?!`)")
ROLE = re.compile(r"\{([\w:-]+)\}`([^`]*)`")
DIRECTIVE = re.compile(r"^[ \t]*(?:`{3,}|:{3,})\{([\w:-]+)\}[ \t]*(.*)$", re.M)
OPTION = re.compile(r"^[ \t]*:([\w-]+):[ \t]*(.*)$", re.M)
LABEL = re.compile(r"^[ \t]*\(([^)\s]+)\)=[ \t]*$", re.M)
EQ_LABEL = re.compile(r"\$\$[ \t]*\(([^)\s]+)\)")
VERBATIM_DIRECTIVES = {"literalinclude", "include", "image", "figure", "bibliography", "math",
                       "code-block", "code", "code-cell", "eval-rst"}
PROSE_OPTIONS = {"caption", "alt", "title"}


def _code_fences(text: str) -> list[str]:
    """Fenced code blocks (```bash ...), not directives: their code without comments."""
    out = []
    for m in FENCE_BLOCK.finditer(text):
        if not m.group(3).strip().startswith("{") and m.group(2)[0] != ":":
            out.append(_without_comments_text(m.group(4)))
    return out


def _without_comments_text(code: str) -> str:
    lines = (re.sub(r"(^|\s+)#.*$", "", line).rstrip() for line in code.splitlines())
    return "\n".join(line for line in lines if line.strip())


def _prose(text: str) -> str:
    """The text with fenced code blocks and inline code removed (math and prose kept)."""
    def drop(m):
        return "" if not m.group(3).strip().startswith("{") and m.group(2)[0] != ":" else m.group(0)
    return INLINE_CODE.sub(" ", ROLE.sub(" ", FENCE_BLOCK.sub(drop, text)))


def math_of(text: str) -> Counter:
    """Every $$...$$, \\begin..\\end, $...$ and {math} directive body, whitespace collapsed."""
    text = _prose(text)
    found = []
    for m in FENCE_BLOCK.finditer(text):
        if m.group(3).strip().startswith("{math}"):
            found.append(OPTION.sub("", m.group(4)))
    text = FENCE_BLOCK.sub(lambda m: "" if m.group(3).strip().startswith("{math}") else m.group(0), text)
    for pattern in (r"\$\$(.+?)\$\$", r"\\begin\{(\w+\*?)\}.*?\\end\{\1\}", r"(?<![\\$])\$([^$\n]+?)\$"):
        found += [m.group(0) for m in re.finditer(pattern, text, re.S)]
        text = re.sub(pattern, " ", text, flags=re.S)
    return Counter(" ".join(f.split()) for f in found)


def structure_of(text: str) -> dict:
    """Labels, cross-references and citations (role and target), directives, inline code."""
    roles = set()
    for name, body in ROLE.findall(text):
        target = re.search(r"<([^<>]+)>\s*$", body)
        roles.add((name, (target.group(1) if target else body).strip()))
    directives, options = Counter(), Counter()
    for m in DIRECTIVE.finditer(text):
        name = m.group(1)
        directives[(name, m.group(2).strip() if name in VERBATIM_DIRECTIVES else "")] += 1
    for m in FENCE_BLOCK.finditer(text):
        if m.group(3).strip().startswith("{"):
            for key, value in OPTION.findall(m.group(4)):
                if key not in PROSE_OPTIONS:
                    options[(key, value.strip())] += 1
    return {"labels": set(LABEL.findall(text)) | set(EQ_LABEL.findall(text)),
            "roles": roles, "directives": directives, "options": options,
            "inline code": set(INLINE_CODE.findall(ROLE.sub(" ", text)))}


def code_tokens(source: str) -> list[tuple[int, str]]:
    """Python tokens without comments and line structure: what a translation may not change."""
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
            tokenize.DEDENT, tokenize.ENDMARKER}
    lines = [l for l in source.splitlines() if not l.lstrip().startswith(("%", "!"))]
    tokens = tokenize.generate_tokens(io.StringIO("\n".join(lines) + "\n").readline)
    return [(t.type, t.string) for t in tokens if t.type not in skip]


def _markdown(pairs):
    return [(p, m) for p, m in pairs if m.unit.kind == "markdown"]


@pytest.mark.parametrize("page,m", _markdown(CURRENT), ids=_ids(_markdown(CURRENT)))
def test_math_is_unchanged(page, m):
    en, tr = math_of(m.unit.text), math_of(m.entry["zh"])
    assert en == tr, (f"{page}: {m.unit.name()}: the math differs from the English\n"
                      f"only in English: {list((en - tr).elements())}\n"
                      f"only in Chinese: {list((tr - en).elements())}")


@pytest.mark.parametrize("page,m", _markdown(CURRENT), ids=_ids(_markdown(CURRENT)))
def test_labels_references_and_directives_are_unchanged(page, m):
    en, tr = structure_of(m.unit.text), structure_of(m.entry["zh"])
    for key in en:
        assert en[key] == tr[key], (f"{page}: {m.unit.name()}: {key} differ from the English: "
                                    f"English {en[key]}, Chinese {tr[key]}")


@pytest.mark.parametrize("page,m", CURRENT, ids=_ids(CURRENT))
def test_code_differs_in_comments_only(page, m):
    if m.unit.kind == "code" and page.suffix == ".ipynb":
        assert code_tokens(m.unit.text) == code_tokens(m.entry["zh"]), (
            f"{page}: {m.unit.name()}: the translated code cell differs from the English in more "
            "than its comments")
    else:
        assert _code_fences(m.unit.text) == _code_fences(m.entry["zh"]), (
            f"{page}: {m.unit.name()}: a fenced code block differs in more than its comments")


@pytest.mark.parametrize("page,m", _markdown(CURRENT), ids=_ids(_markdown(CURRENT)))
def test_fixed_titles_are_translated_alike(page, m):
    for en, title in GLOSSARY["titles"].items():
        if en in m.unit.text:
            assert title in m.entry["zh"], f"{page}: {m.unit.name()}: write {en!r} as {title!r}"
    for name, arg in DIRECTIVE.findall(m.entry["zh"]):
        if name == "admonition" and arg.strip() in GLOSSARY["titles"]:
            pytest.fail(f"{page}: {m.unit.name()}: translate the title {arg.strip()!r}")


# --------------------------------------------------------------------------- terminology
QUOTED = re.compile(r"“[^”]*”|「[^」]*」|^[ \t]*>.*$", re.M)


def _page_texts(page):
    units = zh.english_units(page)
    return "\n\n".join(u.text for u in units), "\n\n".join(zh.translated_units(page, False))


def _masked(text: str, term: str) -> str:
    """The text with every longer glossary term containing `term` blanked out."""
    for other in sorted((t["zh"] for t in GLOSSARY["terms"]), key=len, reverse=True):
        if term in other and other != term:
            text = text.replace(other, "□" * len(other))
    return text


def test_glossary_is_well_formed():
    seen = set()
    for term in GLOSSARY["terms"]:
        assert term["zh"] not in seen, f"{term['zh']} is in glossary.yml twice"
        seen.add(term["zh"])
        re.compile(term.get("match", "x"))
        for wrong in term.get("wrong", []):
            assert term["zh"] not in wrong, f"wrong variant {wrong} contains the term {term['zh']}"
        for word in term.get("words", []):
            assert word in term["zh"] and len(word) >= 2, word


@pytest.mark.parametrize("page", TRANSLATED, ids=[p.stem for p in TRANSLATED])
def test_glossary_terms_are_used(page):
    problems = glossary_problems(*_page_texts(page))
    assert not problems, f"{page}:\n" + "\n".join(problems)


def test_glossary_check_sees_wrong_and_unglossed_terms():
    en = "Pooling layers (池化层). Backpropagation (后向传播) and the learning rate."
    assert glossary_problems(en, "池化层（pooling layer）、反向传播（backpropagation）、"
                                 "“批次归一化”、后向传播、学习率（learning rate）") == []
    problems = glossary_problems(en, "汇聚层（pooling layer）、反向传播、学习率（learning rate）")
    assert sorted(p[:12] for p in problems) == ["first use of", "the English ", "uses '汇聚层': "]


def glossary_problems(en: str, text: str) -> list[str]:
    unquoted = QUOTED.sub(" ", _prose(text))
    body = "\n".join(l for l in _prose(text).splitlines() if not l.lstrip().startswith("#"))
    problems = []
    for term in GLOSSARY["terms"]:
        for wrong in term.get("wrong", []):
            if wrong in unquoted and wrong not in en:  # in the English: the article's words
                problems.append(f"uses {wrong!r}: write {term['zh']!r} ({term['en']})")
        pattern = term.get("match")
        if not pattern or not re.search(pattern, en, re.I):
            continue
        if term["zh"] not in text:
            problems.append(f"the English says {term['en']!r}: the Chinese must use {term['zh']!r}")
            continue
        masked = _masked(body, term["zh"])
        at = masked.find(term["zh"])
        after = masked[at + len(term["zh"]):].lstrip("”」*") if at >= 0 else ""
        gloss = re.match(r"[（(]([^）)]*)[）)]", after)
        if at >= 0 and not (gloss and re.search(pattern, gloss.group(1), re.I)):
            problems.append(f"first use of {term['zh']!r} (outside headings) must give the "
                            f"English in parentheses: {term['zh']}（{term['en']}）; it reads "
                            f"{masked[max(at - 10, 0):at + 20]!r}")
    return problems


# --------------------------------------------------------------------------- the machinery
def test_yaml_files_round_trip(tmp_path, monkeypatch):
    monkeypatch.setattr(zh, "ZH", tmp_path)
    page = Path("book/example.md")
    entries = [{"sha": "0" * 12, "en": "  indented first line\nsecond: line\n```\ncode\n```",
                "zh": "  首行缩进\n第二行：冒号\n- 列表"}, {"sha": "1" * 12, "en": "x", "zh": None}]
    path = zh.save_entries(page, entries)
    assert zh.load_entries(page) == entries
    assert "zh: |" in path.read_text(encoding="utf-8") and "首行缩进" in path.read_text(encoding="utf-8")


def test_split_blocks_keeps_fences_whole():
    text = "# T\n\npara one\nline two\n\n```{note}\nin note\n\nstill note\n```\n\n$$\nx\n$$ (l)\n"
    assert zh.split_blocks(text) == ["# T", "para one\nline two",
                                     "```{note}\nin note\n\nstill note\n```", "$$\nx\n$$ (l)"]


def test_join_cjk_lines():
    assert zh.join_cjk_lines("## 标题\n正文，\n  续行。\n* 项\n  续\n```\n中\n文\n```") == \
        "## 标题\n正文，续行。\n* 项续\n```\n中\n文\n```"
    assert zh.join_cjk_lines("中文 and\nEnglish\n中文") == "中文 and\nEnglish\n中文"


def _copy_book(tmp_path, pages):
    for rel in ["_toc.yml", "book/zh/config.yml", "book/zh/glossary.yml"] + pages:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / rel, tmp_path / rel)


def test_a_changed_english_paragraph_makes_its_translation_stale(tmp_path, monkeypatch):
    """What the staleness test sees when someone edits, inserts or deletes English."""
    _copy_book(tmp_path, ["book/index.md", "book/zh/index.yml"])
    monkeypatch.setattr(zh, "ROOT", tmp_path)
    monkeypatch.setattr(zh, "ZH", tmp_path / "book" / "zh")
    page = Path("book/index.md")
    assert zh.problems(page) == []
    md = tmp_path / page
    blocks = zh.split_blocks(md.read_text(encoding="utf-8"))
    blocks[5] = blocks[5].replace("offline", "without a network")          # edit paragraph 6
    blocks.insert(9, "A new paragraph.")                                      # new paragraph 10
    del blocks[13]                                                            # drop one
    md.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    problems = zh.problems(page)
    assert "book/index.md: stale translation of paragraph 6 ('The web pages work without" in problems[0]
    assert any("missing translation of paragraph 10 ('A new paragraph.')" in p for p in problems)
    assert any("obsolete entry" in p for p in problems) and len(problems) == 3
    # the translator updates paragraph 6 and says so; the obsolete entry goes with --all
    zh.cmd_refresh(page, ["6"], everything=False)
    assert len(zh.problems(page)) == 2
    zh.cmd_stub(page, code=False)       # adds an empty entry for the new paragraph
    zh.cmd_refresh(page, [], everything=True)
    assert [p.split(": ", 1)[1][:35] for p in zh.problems(page)] == ["missing translation of paragraph 10"]


def test_a_changed_cell_makes_its_translation_stale(tmp_path, monkeypatch):
    _copy_book(tmp_path, ["book/how_to_read.ipynb", "book/zh/how_to_read.yml"])
    monkeypatch.setattr(zh, "ROOT", tmp_path)
    monkeypatch.setattr(zh, "ZH", tmp_path / "book" / "zh")
    page = Path("book/how_to_read.ipynb")
    nb = nbformat.read(tmp_path / page, as_version=4)
    cell = next(c for c in nb.cells if c.id == "eb6a5aaa")
    cell.source = cell.source.replace("slider", "control")
    nbformat.write(nb, tmp_path / page)
    assert zh.problems(page) == [
        "book/how_to_read.ipynb: stale translation of cell eb6a5aaa ('In the notebook, a "
        "control reruns the function each time it ')"]


class _Cache:
    """Stands in for the jupyter-cache: the English notebook as 'executed'."""

    def merge_match_into_notebook(self, nb):
        return 0, nb


def test_build_page_keeps_code_outputs_and_metadata(tmp_path, monkeypatch):
    monkeypatch.setattr(zh, "SRC", tmp_path)
    page = Path("book/how_to_read.ipynb")
    zh.build_page(page, _Cache(), pending=False)
    en = nbformat.read(ROOT / page, as_version=4)
    out = nbformat.read(tmp_path / page, as_version=4)
    assert [(c.id, c.cell_type, c.metadata) for c in en.cells] == \
        [(c.id, c.cell_type, c.metadata) for c in out.cells]
    for a, b in zip(en.cells, out.cells):
        if a.cell_type == "code":
            assert code_tokens(a.source) == code_tokens(b.source) and a.outputs == b.outputs
    assert out.cells[0].source.startswith("# 如何使用本书\n")
    zh.build_page(page, _Cache(), pending=True)
    first = nbformat.read(tmp_path / page, as_version=4).cells[0].source
    assert first.startswith("# How to use this book\n\n:::{admonition} 本页尚未翻译")


def test_zh_config_renders_without_executing():
    config = zh.zh_config(yaml.safe_load((ROOT / "_config.yml").read_text()), zh.load_config())
    assert config["execute"]["execute_notebooks"] == "off"
    assert config["sphinx"]["config"]["language"] == "zh_CN"
    assert config["sphinx"]["local_extensions"]["lang_switch"] == "book/_ext"
    assert "lang_switch" in config["sphinx"]["config"]["extensions"]
    assert "zh.css" in config["sphinx"]["config"]["html_css_files"]
    assert (ROOT / "book" / "_custom" / "zh.css").is_file()
    assert "池化" in zh.jieba_dictionary(GLOSSARY) and "卷积" in zh.jieba_dictionary(GLOSSARY)


def test_the_checks_see_what_they_check():
    assert math_of(r"a $x$, $$\sum y$$ (eq) and `$z$` \begin{align}a\end{align}") == \
        Counter(["$x$", r"$$\sum y$$", r"\begin{align}a\end{align}"])
    assert math_of("```{math}\n:label: e\nx^2\n```") == Counter(["x^2"])
    assert code_tokens("x = 1  # one\n# why\ny = x") == code_tokens("x = 1  # 一\ny = x")
    assert code_tokens("x = 1") != code_tokens("x = 2") != code_tokens("x = '2'")
    s = structure_of("(sec)=\nsee {doc}`the notation <appendix_notation>`, {eq}`chain` `code`")
    assert s["labels"] == {"sec"} and s["inline code"] == {"code"}
    assert s["roles"] == {("doc", "appendix_notation"), ("eq", "chain")}
    assert _code_fences("```bash\nmake lab  # opens\n```") == _code_fences("```bash\nmake lab  # 打开\n```")
    assert QUOTED.sub("", "原文写作“批次归一化”，即批量归一化") == "原文写作，即批量归一化"
