"""Packaging: the core needs numpy only, optional modules name their extra, pins agree."""
from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OPTIONAL_MODULES = ("cnnbook.viz", "cnnbook.widgets")   # need the `book` extra
BLOCKED = ("matplotlib", "ipywidgets", "sklearn", "tqdm", "PIL", "IPython")

# Runs in a fresh interpreter: block the optional packages, import every other module of
# cnnbook, then check that the optional modules fail with a message naming the extra.
ISOLATED = r"""
import importlib, pkgutil, sys
BLOCKED = {blocked!r}
OPTIONAL = {optional!r}

class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {{name!r}} (blocked by the test)")
        return None

sys.meta_path.insert(0, Block())
import cnnbook
core = ["cnnbook"]
for info in pkgutil.walk_packages(cnnbook.__path__, "cnnbook."):
    if info.name.startswith(OPTIONAL):
        continue
    importlib.import_module(info.name)
    core.append(info.name)
leaked = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
assert not leaked, f"core modules imported {{leaked}}"
for name in OPTIONAL:
    try:
        importlib.import_module(name)
    except ImportError as err:
        assert "pip install 'cnnbook[book]'" in str(err), f"{{name}}: unclear error {{err}}"
        print(f"{{name}}: {{err}}")
    else:
        raise AssertionError(f"{{name}} imported without its optional packages")
from cnnbook._extras import progress_bar, NoProgressBar
assert isinstance(progress_bar(total=3), NoProgressBar)
print("core:", " ".join(core))
"""


def test_core_modules_import_without_optional_packages():
    code = ISOLATED.format(blocked=BLOCKED, optional=OPTIONAL_MODULES)
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    for name in ("cnnbook.functional", "cnnbook.layers", "cnnbook.losses", "cnnbook.optim",
                 "cnnbook.gradcheck", "cnnbook.train", "cnnbook.data"):
        assert f" {name}" in run.stdout, f"{name} was not imported:\n{run.stdout}"


def test_pyproject_core_dependencies_and_single_version():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    project = meta["project"]
    assert [re.split(r"[<>=!~ ]", d)[0] for d in project["dependencies"]] == ["numpy"]
    book = {re.split(r"[<>=!~ \[]", d)[0] for d in project["optional-dependencies"]["book"]}
    assert {"matplotlib", "ipywidgets", "scikit-learn", "tqdm"} <= book
    assert "version" not in project and "version" in project["dynamic"]
    assert meta["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "cnnbook.__version__"}
    assert project["license"] == "MIT" and (ROOT / "LICENSE").is_file()
