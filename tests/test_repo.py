"""Checks of the repository's wiring: CI script, table of contents, notebooks, offline assets."""
from __future__ import annotations

import importlib.util
import json
import os
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
SPHINX = CONFIG["sphinx"]["config"]

# Hosts that serve third-party JavaScript, CSS or fonts. Any host with "cdn" in its name
# counts too.
CDN_HOSTS = {
    "unpkg.com", "jsdelivr.net", "cdnjs.cloudflare.com", "code.jquery.com",
    "fonts.googleapis.com", "fonts.gstatic.com", "ajax.googleapis.com", "use.fontawesome.com",
    "kit.fontawesome.com", "stackpath.bootstrapcdn.com", "maxcdn.bootstrapcdn.com",
    "polyfill.io", "cdn.plot.ly", "mathjax.org", "esm.sh", "skypack.dev", "thebe.readthedocs.io",
}
URL = re.compile(r"(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}(?::\d+)?(?:/[^\s\"'<>)\]]*)?")


def _is_cdn(url: str) -> bool:
    host = (urlparse(url if "://" in url else "http:" + url).hostname or "").lower()
    return "cdn" in host or any(host == h or host.endswith("." + h) for h in CDN_HOSTS)


def _book_sources(suffixes=(".ipynb", ".md")) -> list[Path]:
    """Pages under book/ (folders starting with _ or . excluded: assets, checkpoints)."""
    return sorted(
        p for p in BOOK.rglob("*")
        if p.suffix in suffixes
        and not any(part.startswith(("_", ".")) for part in p.relative_to(BOOK).parts)
    )


def _toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for e in entries or []:
            if "file" in e:
                files.append(e["file"])
            for key in ("sections", "chapters", "parts"):
                walk(e.get(key))

    for key in ("chapters", "parts", "sections"):
        walk(toc.get(key))
    return files


def _resolve(entry: str) -> Path | None:
    base = ROOT / entry
    for candidate in (base, base.with_suffix(".ipynb"), base.with_suffix(".md")):
        if candidate.is_file():
            return candidate
    return None


# --------------------------------------------------------------------------- CI
def test_ci_run_calls_make_test():
    run = ROOT / ".ci" / "run"
    assert run.is_file() and os.access(run, os.X_OK), ".ci/run must exist and be executable"
    text = run.read_text()
    assert text.startswith("#!/usr/bin/env bash") or text.startswith("#!/bin/bash")
    assert "set -euo pipefail" in text
    lines = [ln.strip() for ln in text.splitlines()]
    assert "make test" in lines, ".ci/run must call `make test`"


def test_makefile_targets():
    text = (ROOT / "Makefile").read_text()
    for target in ("book", "test", "lab", "clean"):
        assert re.search(rf"^{target}:", text, re.M), f"Makefile has no `{target}` target"
    assert "jupyter-book build . --all -W -n --keep-going" in text


# --------------------------------------------------------------------------- toc
def test_toc_entries_exist():
    missing = [e for e in _toc_files() if _resolve(e) is None]
    assert not missing, f"_toc.yml lists files that do not exist: {missing}"


def test_every_page_under_book_is_in_toc():
    listed = {_resolve(e) for e in _toc_files()}
    unlisted = [p.relative_to(ROOT).as_posix() for p in _book_sources() if p not in listed]
    assert not unlisted, f"add these to _toc.yml (or move them out of book/): {unlisted}"


def test_toc_has_no_duplicates():
    files = [_resolve(e) or e for e in _toc_files()]
    assert len(files) == len(set(files)), "a file is listed twice in _toc.yml"


# --------------------------------------------------------------------------- notebooks
NOTEBOOKS = _book_sources((".ipynb",))


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_executed_with_python3_kernel(nb_path):
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    kernel = nb.get("metadata", {}).get("kernelspec", {}).get("name")
    assert kernel == "python3", f"kernelspec name is {kernel!r}, not 'python3'"
    code = [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    unexecuted = [i for i, c in enumerate(code) if c.get("execution_count") is None]
    assert not unexecuted, (
        "save notebooks executed, with outputs, for nbval "
        f"(`make notebook NB={nb_path.relative_to(ROOT)}`): code cells {unexecuted}")
    comments = [i for i, c in enumerate(code) if re.search(r"#\s*NBVAL_", "".join(c["source"]))]
    assert not comments, f"use nbval cell tags, not `# NBVAL_*` comments (cells {comments})"


# Stored notebooks carry text outputs only (what nbval compares): the HTML re-executes them.
# A notebook of prose, code and text outputs is 10-80 kB; 150 kB leaves room for a long
# chapter and still catches a single stored figure (a PNG is 30-200 kB in base64).
MAX_NOTEBOOK_BYTES = 150_000


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_stores_text_outputs_only(nb_path):
    strip = _load_script("strip_notebooks")
    text = nb_path.read_text(encoding="utf-8")
    nb = json.loads(text)
    assert strip.strip_notebook(json.loads(text)) == nb, (
        "the notebook stores images, animations or widget state: "
        f"`make notebook NB={nb_path.relative_to(ROOT)}` re-executes and strips it")
    size = nb_path.stat().st_size
    assert size <= MAX_NOTEBOOK_BYTES, (
        f"{nb_path.name} is {size:,} bytes (limit {MAX_NOTEBOOK_BYTES:,}): "
        "split the page or shorten its printed outputs")


# --------------------------------------------------------------------------- offline
def test_no_cdn_urls_in_config_book_or_package():
    files = [ROOT / "_config.yml", ROOT / "_toc.yml"]
    files += [p for p in BOOK.rglob("*") if p.is_file() and p.suffix in {".md", ".ipynb", ".js", ".css", ".html", ".py", ".yml"}
              and "_vendor" not in p.relative_to(BOOK).parts]
    files += sorted((ROOT / "cnnbook").rglob("*.py"))
    found = [
        f"{p.relative_to(ROOT)}: {url}"
        for p in files
        for url in URL.findall(p.read_text(encoding="utf-8", errors="replace"))
        if _is_cdn(url)
    ]
    assert not found, "CDN URLs (the HTML must work offline):\n" + "\n".join(found)


def test_no_top_level_static_folder():
    # JB1 injects every .js/.css of a top-level _static/ into every page.
    assert not (ROOT / "_static").exists(), "keep assets in book/_vendor or book/_custom"


def _load_script(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _load_vendor_script():
    return _load_script("vendor_assets")


def test_vendored_assets_match_manifest():
    problems = _load_vendor_script().check()
    assert not problems, "book/_vendor differs from MANIFEST.sha256 " \
        "(regenerate: python scripts/vendor_assets.py):\n" + "\n".join(problems)


def _static_file(rel: str) -> Path | None:
    for folder in SPHINX["html_static_path"]:
        if (ROOT / folder / rel).is_file():
            return ROOT / folder / rel
    return None


def test_config_points_at_local_assets():
    assert "_static" not in SPHINX["html_static_path"]
    assert _static_file(SPHINX["mathjax_path"]), f"mathjax_path {SPHINX['mathjax_path']} is not vendored"
    for rel in list(SPHINX["nb_ipywidgets_js"]) + list(SPHINX.get("html_js_files", [])) \
            + list(SPHINX.get("html_css_files", [])):
        assert "://" not in rel and _static_file(rel), f"{rel} is not a local static file"
    assert "sphinx_thebe" not in SPHINX["extensions"]
    assert SPHINX["html_context"]["default_mode"] == "light"


def test_config_essentials():
    assert CONFIG["title"] == "Backpropagation in CNNs, from first principles"
    execute = CONFIG["execute"]
    # "cache", with `make book` emptying the cache first: every build executes every
    # notebook, except that `make test` renders the ones its nbval run has just executed
    assert execute["execute_notebooks"] == "cache" and execute["raise_on_error"] is True
    makefile = (ROOT / "Makefile").read_text()
    book = makefile[makefile.index("\nbook:"):makefile.index("\nunit:")]
    assert "rm -rf $(JCACHE)" in book and "JCACHE    := _build/.jupyter_cache" in makefile
    assert not execute.get("cache"), "the book's jupyter-cache must be _build/.jupyter_cache"
    for pattern in (".venv", "_build", "README.md", "**.ipynb_checkpoints", "scripts", "tests",
                    "benchmarks", "cnnbook"):
        assert pattern in CONFIG["exclude_patterns"], pattern
    assert "references.bib" in CONFIG["bibtex_bibfiles"] and (ROOT / "references.bib").is_file()
