"""Keep only the text outputs of the book's notebooks (what nbval compares).

The HTML book re-executes every notebook (`make book`), so images, embedded animations and
widget state stored in a notebook serve no reader; they only bloat git history. This script
removes, from every code-cell output:

- ``image/*`` data (matplotlib figures);
- ``text/html`` data that embeds a script or an image (``to_jshtml`` animations);

the execution timestamps nbconvert records in each cell (``metadata.execution``, which
would change every line of history at each re-run), and the notebook-level widget state
(``metadata.widgets``). The ``text/plain`` fallback of each
output stays, so nbval still sees every output and compares the text ones.

    python scripts/strip_notebooks.py book/02_core_concepts.ipynb   # some notebooks
    python scripts/strip_notebooks.py                                # every notebook under book/
    python scripts/strip_notebooks.py --check                        # exit 1 if any would change

`make notebook NB=book/NAME.ipynb` re-executes one notebook and strips it.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
# text/html that is a picture or a program, not text: animations, embedded images.
RICH_HTML = re.compile(r"<script|<img|data:image/", re.IGNORECASE)


def _html_text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def strip_output(output: dict) -> dict:
    """Return the output without image data and script/image HTML (text/plain kept)."""
    data = output.get("data")
    if not data:
        return output
    kept = {}
    for mime, value in data.items():
        if mime.startswith("image/"):
            continue
        if mime == "text/html" and RICH_HTML.search(_html_text(value)):
            continue
        kept[mime] = value
    output = dict(output)
    output["data"] = kept
    if "metadata" in output:
        output["metadata"] = {k: v for k, v in output["metadata"].items()
                              if not k.startswith("image/")}
    return output


def strip_notebook(nb: dict) -> dict:
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = [strip_output(o) for o in cell.get("outputs", [])]
            cell.get("metadata", {}).pop("execution", None)
    nb.get("metadata", {}).pop("widgets", None)
    return nb


def dumps(nb: dict) -> str:
    # The layout nbformat writes (indent 1, keys sorted, trailing newline).
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path)
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a notebook carries outputs to strip")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(
        p for p in (ROOT / "book").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    dirty = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        new = dumps(strip_notebook(json.loads(text)))
        if json.loads(new) != json.loads(text):
            dirty.append(path)
            if not args.check:
                path.write_text(new, encoding="utf-8")
    verb = "would strip" if args.check else "stripped"
    for path in dirty:
        print(f"{verb} {path}")
    return 1 if (args.check and dirty) else 0


if __name__ == "__main__":
    sys.exit(main())
