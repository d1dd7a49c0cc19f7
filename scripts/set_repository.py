"""The book's public repository: one setting, `repository: url:` in _config.yml.

    python scripts/set_repository.py                  # apply the current setting
    python scripts/set_repository.py --url URL        # set it (e.g. https://github.com/ORG/REPO)
    python scripts/set_repository.py --url ""         # unset it: no buttons, no setup cell
    python scripts/set_repository.py --check          # exit 1 if anything disagrees

What follows from the setting:

* unset (``url: ""``; today the book has no public repository yet): no repository button
  (``html: use_repository_button: false``; JB1 refuses that button without a URL), no
  launch buttons (``launch_buttons: binderhub_url/colab_url: ""``; sphinx-book-theme
  fails on them without a repository), and no notebook carries a setup cell;
* set: the repository button is on, the Binder and Colab buttons appear on every notebook
  page, and every notebook under book/ starts with a setup cell, hidden in the HTML
  (tag ``remove-cell``), that installs ``cnnbook[book]`` from the repository when
  ``import cnnbook`` fails (as on Colab; Binder installs it in binder/postBuild).

tests/test_repository_setting.py runs ``--check``. Notebooks are edited in place (JSON,
nothing else in them changes); take each notebook's lock first when others are editing.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "_config.yml"
SETUP_TAG = "cnnbook-setup"   # marks the generated cell, with remove-cell
URL_RE = re.compile(r"^https://(github\.com|gitlab\.com)/[\w.-]+/[\w.-]+$")


def read_setting(text: str) -> tuple[str, str]:
    """(url, branch) from the ``repository:`` block of _config.yml's text."""
    block = re.search(r"^repository:\n((?:[ \t]+.*\n?|\s*\n)*)", text, re.M)
    if not block:
        raise SystemExit(f"{CONFIG.name}: no 'repository:' block")
    fields = dict(re.findall(r"^[ \t]+(\w+):[ \t]*\"?([^\"#\n]*?)\"?[ \t]*(?:#.*)?$",
                             block.group(1), re.M))
    return fields.get("url", "").strip(), fields.get("branch", "main").strip() or "main"


def check_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if url and not URL_RE.match(url):
        raise SystemExit(f"expected an https://github.com/ORG/REPO (or gitlab.com) URL, got {url!r}")
    return url


LAUNCH = {"binderhub_url": "https://mybinder.org", "colab_url": "https://colab.research.google.com"}


def _set_key(text: str, key: str, value: str) -> str:
    text, n = re.subn(rf"^([ \t]+{key}:[ \t]*)[^#\n]*?([ \t]*(?:#.*)?)$",
                      lambda m: m.group(1) + value + m.group(2), text, count=1, flags=re.M)
    if n != 1:
        raise SystemExit(f"{CONFIG.name}: no '{key}:' key")
    return text


def write_setting(text: str, url: str) -> str:
    """_config.yml's text with ``repository: url:`` and what follows from it set."""
    text, n = re.subn(r"^(repository:\n(?:[ \t]+.*\n)*?[ \t]+url:[ \t]*)[^#\n]*?([ \t]*(?:#.*)?)$",
                      lambda m: m.group(1) + f'"{url}"' + m.group(2), text, count=1, flags=re.M)
    if n != 1:
        raise SystemExit(f"{CONFIG.name}: no 'url:' under 'repository:'")
    text = _set_key(text, "use_repository_button", "true" if url else "false")
    for key, value in LAUNCH.items():  # the theme fails on launch buttons with no repository
        text = _set_key(text, key, f'"{value if url else ""}"')
    return text


def setup_cell(url: str, branch: str) -> dict:
    """The first cell of every notebook when the repository is set."""
    source = (
        "# Set-up for a fresh environment such as Colab: install cnnbook from the book's\n"
        "# repository when it is not importable (hidden in the HTML; a no-op elsewhere).\n"
        "try:\n"
        "    import cnnbook\n"
        "except ImportError:\n"
        f"    %pip install --quiet \"cnnbook[book] @ git+{url}@{branch}\"\n"
    )
    return {"cell_type": "code", "execution_count": None, "id": "cnnbook-setup",
            "metadata": {"tags": ["remove-cell", SETUP_TAG]}, "outputs": [],
            "source": source.splitlines(keepends=True)}


def is_setup(cell: dict) -> bool:
    return SETUP_TAG in cell.get("metadata", {}).get("tags", [])


def notebook_problem(nb: dict, url: str, branch: str) -> str | None:
    """What is wrong with this notebook's first cell for the setting (None: nothing)."""
    cells = nb["cells"]
    extra = [i for i, c in enumerate(cells) if is_setup(c)]
    if not url:
        return f"setup cell(s) at {extra} but no repository is set" if extra else None
    want = setup_cell(url, branch)
    if not cells or not is_setup(cells[0]):
        return "first cell is not the setup cell"
    if "".join(cells[0]["source"]) != "".join(want["source"]):
        return "setup cell differs from the setting"
    if extra != [0]:
        return f"setup cells at {extra}"
    return None


def sync_notebook(nb: dict, url: str, branch: str) -> bool:
    """Make the first cell match the setting; True if ``nb`` changed."""
    if notebook_problem(nb, url, branch) is None:
        return False
    nb["cells"] = [c for c in nb["cells"] if not is_setup(c)]
    if url:
        nb["cells"].insert(0, setup_cell(url, branch))
    return True


def notebooks() -> list[Path]:
    return sorted(p for p in (ROOT / "book").glob("*.ipynb"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="set repository.url (\"\" unsets it)")
    parser.add_argument("--check", action="store_true", help="only report; exit 1 on problems")
    args = parser.parse_args(argv)
    current = CONFIG.read_text()
    text = current if args.url is None else write_setting(current, check_url(args.url))
    url, branch = read_setting(text)
    url = check_url(url)
    wanted = write_setting(text, url)
    problems = []
    if wanted != current:
        if args.check:
            problems.append(f"{CONFIG.name}: buttons disagree with repository.url {url!r}")
        else:
            CONFIG.write_text(wanted)
            print(f"updated {CONFIG.name}")
    for path in notebooks():
        nb = json.loads(path.read_text())
        problem = notebook_problem(nb, url, branch)
        if problem and args.check:
            problems.append(f"{path.relative_to(ROOT)}: {problem}")
        elif problem:
            sync_notebook(nb, url, branch)
            path.write_text(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
            print(f"updated {path.relative_to(ROOT)}")
    if problems:
        print("\n".join(problems) + "\nrun: python scripts/set_repository.py", file=sys.stderr)
        return 1
    print(f"repository: {url or '(not set: no repository or launch buttons, no setup cells)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
