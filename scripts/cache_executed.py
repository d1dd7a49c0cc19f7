"""Put the notebooks nbval executed into the book's jupyter-cache (used by `make test`).

    python scripts/cache_executed.py EXECUTED_DIR CACHE_DIR

Empties CACHE_DIR, then caches every EXECUTED_DIR/<path>.ipynb (written by
tests/plugins/nbval_record.py during this run's nbval) whose code cells are still those
of <path>.
The book build (execute_notebooks: cache) renders a cached notebook as it is and executes
any other one itself, so a notebook nbval could not run to its end is still executed
(and its error reported) by the build.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import nbformat
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn


def _code(nb):
    return [(c.source, c.metadata) for c in nb.cells if c.cell_type == "code"]


def main(executed: Path, cache_dir: Path, root: Path) -> int:
    shutil.rmtree(cache_dir, ignore_errors=True)
    cache = get_cache(str(cache_dir))
    cached, stale = [], []
    for path in sorted(executed.rglob("*.ipynb")):
        source = root / path.relative_to(executed)
        if not source.is_file():
            continue
        nb = nbformat.read(path, as_version=4)
        if _code(nb) != _code(nbformat.read(source, as_version=4)):
            stale.append(str(source.relative_to(root)))
            continue
        cache.cache_notebook_bundle(CacheBundleIn(nb, str(source)), check_validity=False,
                                    overwrite=True)
        cached.append(source.name)
    print(f"cache_executed: {len(cached)} notebooks executed by nbval go to the book "
          f"unchanged; the build executes any other" + (f" (changed since: {stale})" if stale else ""))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve(), Path.cwd().resolve()))
