"""The Chinese edition: translations kept as data beside the English pages, and its build.

    python scripts/zh.py status [PAGE ...]       missing and stale translations, per page
    python scripts/zh.py stub PAGE [--code]      write (or complete) book/zh/<page>.yml
    python scripts/zh.py refresh PAGE ID ... | --all   mark updated entries current
    python scripts/zh.py build                   write the zh source tree, _build/zh_src/

PAGE is a page of _toc.yml, e.g. book/how_to_read.ipynb or how_to_read.

**The data.** ``book/zh/<page>.yml`` holds one entry per unit of the English page: each
markdown cell of a notebook (``id``: the cell id) and each block of a ``.md`` page (the
text between blank lines; a fenced block is one block). An entry stores ``sha``, the
SHA-256 (first 12 hex digits) of the English it translates, that English (``en``, for the
translator and for the diff `status` prints when it changes) and the translation (``zh``).
An entry is *current* when its ``sha`` is the hash of today's English, *stale* otherwise;
a unit with no entry (or ``zh`` empty) is *missing*. Notebook cells are matched by cell
id; the blocks of a ``.md`` page, which have no ids, by aligning the sequence of hashes
(difflib), so an inserted paragraph is missing and an edited one stale. Code (notebook code
cells, fenced code blocks of ``.md`` pages) needs no entry; an entry of ``kind: code``
translates its comments (tests/test_zh.py checks that only comments differ).
``book/zh/config.yml`` holds the zh title, the toc captions and ``PENDING_PAGES``;
``book/zh/glossary.yml`` the terms.

**The build** (`make book`, after the English build): every page of _toc.yml is written to
_build/zh_src/ at the same path. A notebook gets the outputs of the English build's own
execution (``merge_match_into_notebook`` from its jupyter-cache, _build/.jupyter_cache:
in `make book` the notebooks the English build executed, in `make test` those nbval
executed), then its translated cells; the zh config has ``execute_notebooks: "off"``, so
nothing runs twice. A unit without a current translation stays English; a page in
PENDING_PAGES stays English whole, under a note "本页尚未翻译". `jupyter-book build
_build/zh_src` then renders it, and the Makefile moves the HTML to _build/html/zh/.
"""
from __future__ import annotations

import argparse
import copy
import difflib
import hashlib
import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
ZH = ROOT / "book" / "zh"
SRC = ROOT / "_build" / "zh_src"
JCACHE = ROOT / "_build" / ".jupyter_cache"
RESERVED = {"config", "glossary"}  # book/zh/<name>.yml that are not pages
# What the zh tree links to rather than copies: assets, the package (literalinclude
# ../cnnbook/...), the bibliography and the language-switch extension.
LINKED = ["references.bib", "cnnbook", "book/_vendor", "book/_custom", "book/_ext"]
PENDING_NOTE = (":::{{admonition}} 本页尚未翻译\n:class: warning\n"
                "以下是英文原文，中文译文尚未完成（{yml}）。\n:::")


# --------------------------------------------------------------------------- units
def digest(text: str) -> str:
    """SHA-256 of a unit's text (trailing spaces and surrounding blank lines ignored)."""
    return hashlib.sha256(normalize(text).encode()).hexdigest()[:12]


def normalize(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines()).strip("\n")


@dataclass
class Unit:
    """A translatable piece of an English page."""
    key: str | None    # notebook cell id; None for a block of a .md page
    kind: str          # "markdown" (needs a translation) or "code" (optional)
    text: str
    number: int        # 1-based, in page order (paragraph number of a .md page)

    @property
    def sha(self) -> str:
        return digest(self.text)

    def name(self) -> str:
        where = f"cell {self.key}" if self.key else f"paragraph {self.number}"
        first = normalize(self.text).splitlines()[0] if self.text.strip() else ""
        return f"{where} ({first[:60]!r})"


FENCE = re.compile(r"^\s*(`{3,}|~{3,}|:{3,})(.*)$")


def split_blocks(text: str) -> list[str]:
    """The blocks of a markdown page: runs of non-blank lines; a fenced block is one block."""
    blocks, current, fence = [], [], None
    for line in text.splitlines():
        if fence:
            current.append(line)
            stripped = line.strip()
            if stripped.startswith(fence) and not stripped.lstrip(fence[0]):
                fence = None
            continue
        m = FENCE.match(line)
        if m:
            fence = m.group(1)
        if line.strip():
            current.append(line)
        elif current:
            blocks.append("\n".join(current))
            current = []
    if current:
        blocks.append("\n".join(current))
    return blocks


def _is_code_block(block: str) -> bool:
    """A fenced code block (```bash ...), not a directive (```{note} ...)."""
    m = FENCE.match(block.splitlines()[0])
    return bool(m) and not m.group(2).strip().startswith("{") and m.group(1)[0] != ":"


def toc_pages() -> list[Path]:
    """The English pages of _toc.yml, in order (paths relative to the repository)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    entries = [toc["root"]]

    def walk(items):
        for item in items or []:
            if "file" in item:
                entries.append(item["file"])
            for key in ("parts", "chapters", "sections"):
                walk(item.get(key))

    walk(toc.get("parts"))
    walk(toc.get("chapters"))
    pages = []
    for entry in entries:
        for suffix in (".ipynb", ".md"):
            if (ROOT / (entry + suffix)).is_file():
                pages.append(Path(entry + suffix))
                break
    return pages


def page_path(name: str) -> Path:
    """book/how_to_read.ipynb, book/how_to_read or how_to_read -> book/how_to_read.ipynb."""
    stem = Path(name).stem
    for page in toc_pages():
        if page.stem == stem:
            return page
    sys.exit(f"zh.py: {name} is not a page of _toc.yml")


def english_units(page: Path) -> list[Unit]:
    if page.suffix == ".ipynb":
        nb = nbformat.read(ROOT / page, as_version=4)
        return [Unit(c.id, "markdown" if c.cell_type == "markdown" else "code", c.source, i + 1)
                for i, c in enumerate(nb.cells)
                if c.cell_type in ("markdown", "code") and c.source.strip()]
    blocks = split_blocks((ROOT / page).read_text(encoding="utf-8"))
    return [Unit(None, "code" if _is_code_block(b) else "markdown", b, i + 1)
            for i, b in enumerate(blocks)]


# --------------------------------------------------------------------------- data
def translation_file(page: Path) -> Path:
    return ZH / f"{page.stem}.yml"


def load_config() -> dict:
    return yaml.safe_load((ZH / "config.yml").read_text(encoding="utf-8"))


def pending_pages() -> list[str]:
    return list(load_config().get("PENDING_PAGES") or [])


def load_entries(page: Path) -> list[dict]:
    path = translation_file(page)
    if not path.is_file():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return list(data.get("entries") or [])


class _Dumper(yaml.SafeDumper):
    """Multi-line strings as literal blocks (|), Chinese as is: files a person edits."""


_Dumper.add_representer(str, lambda d, s: d.represent_scalar(
    "tag:yaml.org,2002:str", s, style="|" if "\n" in s else None))


HEADER = """\
# Chinese translation of {page} (see scripts/zh.py and README.md, "Chinese edition").
# Edit `zh` only. `en` is the English the entry translates and `sha` its hash: when
# the English changes, `python scripts/zh.py status` says which entries are stale and
# shows what changed; update `zh`, then `python scripts/zh.py refresh {page} ID...`.
"""


def save_entries(page: Path, entries: list[dict]) -> Path:
    path = translation_file(page)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = yaml.dump({"source": page.as_posix(), "entries": entries}, Dumper=_Dumper,
                     allow_unicode=True, sort_keys=False, width=100_000)
    path.write_text(HEADER.format(page=page.as_posix()) + body, encoding="utf-8")
    return path


def new_entry(unit: Unit, zh: str | None) -> dict:
    entry = {"id": unit.key} if unit.key else {}
    if unit.kind == "code":
        entry["kind"] = "code"
    entry.update(sha=unit.sha, en=normalize(unit.text), zh=zh)
    return entry


# --------------------------------------------------------------------------- matching
@dataclass
class Match:
    unit: Unit
    entry: dict | None
    state: str          # "current", "stale", "missing", or "english" (code, no entry)


def match(page: Path, entries: list[dict] | None = None) -> tuple[list[Match], list[dict]]:
    """Pair each English unit with its entry; return the pairs and the orphan entries."""
    units = english_units(page)
    entries = load_entries(page) if entries is None else entries
    if page.suffix == ".ipynb":
        by_id = {e.get("id"): e for e in entries}
        pairs = [(u, by_id.get(u.key)) for u in units]
        used = {id(e) for _, e in pairs if e is not None}
        orphans = [e for e in entries if id(e) not in used]
    else:
        pairs, orphans = _align(units, entries)
    matches = []
    for unit, entry in pairs:
        if entry is None or not (entry.get("zh") or "").strip():
            state = "english" if unit.kind == "code" else "missing"
        elif entry.get("sha") == unit.sha:
            state = "current"
        else:
            state = "stale"
        matches.append(Match(unit, entry, state))
    return matches, orphans


def _align(units: list[Unit], entries: list[dict]):
    """Blocks of a .md page have no ids: align their hashes with the entries' (difflib)."""
    ops = difflib.SequenceMatcher(None, [e.get("sha") for e in entries],
                                  [u.sha for u in units], autojunk=False).get_opcodes()
    pairs, orphans = [], []
    for tag, i1, i2, j1, j2 in ops:
        olds, news = entries[i1:i2], units[j1:j2]
        if tag == "equal" or tag == "replace":
            for k, unit in enumerate(news):  # replace: edited blocks, paired in order
                pairs.append((unit, olds[k] if k < len(olds) else None))
            orphans += olds[len(news):]
        elif tag == "insert":
            pairs += [(u, None) for u in news]
        else:
            orphans += olds
    return pairs, orphans


def problems(page: Path) -> list[str]:
    """Missing, stale and obsolete translations of a page, one line each."""
    matches, orphans = match(page)
    out = []
    for m in matches:
        if m.state in ("missing", "stale"):
            out.append(f"{page.as_posix()}: {m.state} translation of {m.unit.name()}")
        if m.entry is not None and m.entry.get("sha") != digest(m.entry.get("en") or ""):
            out.append(f"{page.as_posix()}: entry for {m.unit.name()} has a sha that is not "
                       "the hash of its `en`: do not edit `en` (refresh sets both)")
    for e in orphans:
        first = normalize(e.get("en") or "").splitlines()[:1]
        out.append(f"{page.as_posix()}: obsolete entry {e.get('id') or ''} {first} (its English "
                   "is gone): `python scripts/zh.py refresh PAGE --all` removes it")
    return out


# --------------------------------------------------------------------------- commands
def cmd_status(pages: list[Path], verbose: bool = True) -> int:
    pending = set(pending_pages())
    total = 0
    for page in pages:
        matches, orphans = match(page)
        counts = {s: sum(m.state == s for m in matches) for s in ("current", "stale", "missing")}
        flag = "  [PENDING]" if page.as_posix() in pending else ""
        print(f"{page.as_posix()}: {counts['current']} current, {counts['stale']} stale, "
              f"{counts['missing']} missing, {len(orphans)} obsolete{flag}")
        if page.as_posix() in pending:
            continue
        for line in problems(page):
            total += 1
            print("  " + line.split(": ", 1)[1])
        if verbose:
            for m in matches:
                if m.state == "stale":
                    diff = difflib.unified_diff(normalize(m.entry["en"]).splitlines(),
                                                normalize(m.unit.text).splitlines(),
                                                "translated English", "English now", lineterm="")
                    print("    " + "\n    ".join(diff))
    return 1 if total else 0


def cmd_stub(page: Path, code: bool) -> int:
    matches, orphans = match(page)
    entries = []
    for m in matches:
        if m.entry is not None:
            entries.append(m.entry)
        elif m.unit.kind == "markdown" or (code and "#" in m.unit.text):
            entries.append(new_entry(m.unit, m.unit.text if m.unit.kind == "code" else None))
    entries += orphans  # kept until `refresh --all`: the translator may reuse their text
    path = save_entries(page, entries)
    print(f"wrote {path.relative_to(ROOT)}: {sum(e.get('zh') is None for e in entries)} "
          "entries to translate (zh: null)")
    return 0


def cmd_refresh(page: Path, ids: list[str], everything: bool) -> int:
    matches, orphans = match(page)
    wanted = set(ids)
    entries, done = [], []
    for m in matches:
        if m.entry is None:
            continue
        key = m.unit.key or str(m.unit.number)
        if m.state == "stale" and (everything or key in wanted):
            m.entry.update(sha=m.unit.sha, en=normalize(m.unit.text))
            done.append(key)
        entries.append(m.entry)
    unknown = wanted - set(done)
    if unknown:
        sys.exit(f"zh.py refresh: no stale entry {sorted(unknown)} in {page} "
                 "(ids: cell ids of a notebook, paragraph numbers of a .md page; see status)")
    if not everything:
        entries += orphans
    save_entries(page, entries)
    print(f"{page}: refreshed {done or 'nothing'}"
          + (f", removed {len(orphans)} obsolete entries" if everything and orphans else ""))
    return 0


# --------------------------------------------------------------------------- build
CJK = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"  # CJK punctuation, ideographs, full width
ENDS_CJK, STARTS_CJK = re.compile(rf"[{CJK}]$"), re.compile(rf"[{CJK}]")


def join_cjk_lines(text: str) -> str:
    """Join the lines of a paragraph where both sides are Chinese: a line break renders as
    a space, which Chinese text must not have. So translators may wrap lines anywhere."""
    result, fence, joinable = [], None, False
    for line in text.split("\n"):
        stripped = line.strip()
        if fence:  # inside a fenced code block: as is
            if stripped.startswith(fence) and not stripped.lstrip(fence[0]):
                fence = None
            result.append(line)
            continue
        m = FENCE.match(line)
        if m and not m.group(2).strip().startswith("{") and m.group(1)[0] != ":":
            fence = m.group(1)
        elif joinable and ENDS_CJK.search(result[-1]) and STARTS_CJK.match(stripped):
            result[-1] += stripped
            continue
        result.append(line)
        # a heading, a directive's first line or an option line ends where it ends
        joinable = bool(stripped) and not m and not stripped.startswith(("#", ":", "|"))
    return "\n".join(result)


def translated_units(page: Path, pending: bool) -> list[str]:
    """Each English unit's text in the zh edition: its translation if current, else English."""
    matches, _ = match(page)
    return [(join_cjk_lines(m.entry["zh"]) if m.unit.kind == "markdown" else m.entry["zh"])
            if (m.state == "current" and not pending) else m.unit.text
            for m in matches]


def _with_note(text: str, page: Path) -> str:
    """The pending note, right after the page's title (its first heading)."""
    lines = text.split("\n")
    at = next((i + 1 for i, line in enumerate(lines) if line.startswith("#")), 0)
    note = PENDING_NOTE.format(yml=translation_file(page).relative_to(ROOT).as_posix())
    return "\n".join(lines[:at] + ["", note, ""] + lines[at:])


def executed_notebook(page: Path, cache) -> nbformat.NotebookNode:
    nb = nbformat.read(ROOT / page, as_version=4)
    try:
        return cache.merge_match_into_notebook(nb)[1]
    except KeyError:
        sys.exit(f"zh.py build: {page} has no executed version in {JCACHE}: build the "
                 "English book first (make book)")


def build_page(page: Path, cache, pending: bool) -> None:
    out = SRC / page
    out.parent.mkdir(parents=True, exist_ok=True)
    texts = translated_units(page, pending)
    if page.suffix == ".md":
        text = "\n\n".join(texts) + "\n"
        out.write_text(_with_note(text, page) if pending else text, encoding="utf-8")
        return
    nb = executed_notebook(page, cache)
    units = iter(texts)
    first_markdown = True
    for cell in nb.cells:
        if cell.cell_type in ("markdown", "code") and cell.source.strip():
            cell.source = next(units)
            if cell.cell_type == "markdown" and first_markdown and pending:
                cell.source = _with_note(cell.source, page)
            first_markdown = first_markdown and cell.cell_type != "markdown"
    nbformat.write(nb, out)


def zh_config(english: dict, zh: dict) -> dict:
    config = copy.deepcopy(english)
    config["title"] = zh["title"]
    config["execute"]["execute_notebooks"] = "off"   # outputs come from the English run
    sphinx = config["sphinx"]["config"]
    sphinx["language"] = "zh_CN"
    sphinx["html_search_options"] = {"dict": str(SRC / "jieba_dict.txt")}
    sphinx.setdefault("html_css_files", []).append("zh.css")
    return config


def zh_toc(toc: dict, captions: dict) -> dict:
    toc = copy.deepcopy(toc)
    for part in toc.get("parts", []):
        if part.get("caption") not in captions:
            sys.exit(f"zh.py build: book/zh/config.yml has no zh caption for {part.get('caption')!r}")
        part["caption"] = captions[part["caption"]]
    return toc


def jieba_dictionary(glossary: dict) -> str:
    """Every glossary term, and the words of two or more characters inside it, for jieba:
    so that the search finds 池化 in 池化层 (jieba alone keeps 池化层 whole)."""
    words = set()
    for term in glossary["terms"]:
        words.add(term["zh"])
        words.update(term.get("words", []))
    return "".join(f"{w} 1000\n" for w in sorted(words))


def cmd_build() -> int:
    from jupyter_cache import get_cache

    config = load_config()
    glossary = yaml.safe_load((ZH / "glossary.yml").read_text(encoding="utf-8"))
    pending = set(pending_pages())
    if SRC.exists():
        shutil.rmtree(SRC)
    SRC.mkdir(parents=True)
    for rel in LINKED:
        (SRC / rel).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(os.path.relpath(ROOT / rel, (SRC / rel).parent), SRC / rel)
    english = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    for name, data in (("_config.yml", zh_config(english, config)),
                       ("_toc.yml", zh_toc(toc, config["toc_captions"]))):
        (SRC / name).write_text("# generated by scripts/zh.py build: do not edit\n"
                                + yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                                encoding="utf-8")
    (SRC / "jieba_dict.txt").write_text(jieba_dictionary(glossary), encoding="utf-8")
    cache = get_cache(str(JCACHE))
    pages = toc_pages()
    for page in pages:
        build_page(page, cache, page.as_posix() in pending)
    stale = sum(len(problems(p)) for p in pages if p.as_posix() not in pending)
    print(f"zh.py build: {SRC.relative_to(ROOT)}: {len(pages) - len(pending)} pages translated, "
          f"{len(pending)} pending (English, with a note)"
          + (f"; {stale} missing or stale paragraphs shown in English (zh.py status)" if stale else ""))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("status", help="missing and stale translations, per page")
    p.add_argument("pages", nargs="*")
    p.add_argument("-q", "--quiet", action="store_true", help="no diffs of changed English")
    p = sub.add_parser("stub", help="write or complete a page's translation file")
    p.add_argument("page")
    p.add_argument("--code", action="store_true", help="also entries for commented code")
    p = sub.add_parser("refresh", help="mark updated entries current (re-hash their English)")
    p.add_argument("page")
    p.add_argument("ids", nargs="*", help="cell ids (notebook) or paragraph numbers (.md)")
    p.add_argument("--all", action="store_true", help="every stale entry; drop obsolete ones")
    sub.add_parser("build", help="write the zh source tree to _build/zh_src/")
    args = parser.parse_args(argv)
    if args.command == "status":
        pages = [page_path(p) for p in args.pages] or toc_pages()
        return cmd_status(pages, verbose=not args.quiet)
    if args.command == "stub":
        return cmd_stub(page_path(args.page), args.code)
    if args.command == "refresh":
        if not args.ids and not args.all:
            parser.error("refresh: name the entries you updated (ids), or --all")
        return cmd_refresh(page_path(args.page), args.ids, args.all)
    return cmd_build()


if __name__ == "__main__":
    sys.exit(main())
