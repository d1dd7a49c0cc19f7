"""The repository URL is one setting (_config.yml repository.url, scripts/set_repository.py):
buttons and every notebook's hidden set-up cell follow it."""
from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("set_repository",
                                               ROOT / "scripts" / "set_repository.py")
setrepo = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(setrepo)


def test_config_and_every_notebook_follow_the_setting(capsys):
    assert setrepo.main(["--check"]) == 0, capsys.readouterr().err


def test_buttons_follow_the_url():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    url = config["repository"]["url"]
    on = bool(url)
    assert config["html"]["use_repository_button"] is on
    assert bool(config["launch_buttons"]["binderhub_url"]) is on
    assert bool(config["launch_buttons"]["colab_url"]) is on
    if on:
        assert setrepo.URL_RE.match(url), url


def test_no_page_links_to_the_made_up_repository():
    paths = [ROOT / "_config.yml", ROOT / "README.md", *(ROOT / "book").glob("*.ipynb"),
             *(ROOT / "book").glob("*.md"), *(ROOT / "binder").iterdir()]
    for path in paths:
        assert "github.com/cnnbook/cnnbook" not in path.read_text(), path


def test_set_url_adds_a_hidden_install_cell_and_unset_removes_it():
    text = (ROOT / "_config.yml").read_text()
    url = "https://github.com/someone/cnnbook"
    on = yaml.safe_load(setrepo.write_setting(text, url))
    assert on["repository"]["url"] == url and on["html"]["use_repository_button"] is True
    assert on["launch_buttons"]["colab_url"] == "https://colab.research.google.com"
    off = yaml.safe_load(setrepo.write_setting(setrepo.write_setting(text, url), ""))
    assert off["repository"]["url"] == "" and off["html"]["use_repository_button"] is False
    assert setrepo.read_setting(setrepo.write_setting(text, url)) == (url, "main")

    nb = json.loads(next((ROOT / "book").glob("*.ipynb")).read_text())
    original = copy.deepcopy(nb)
    assert setrepo.sync_notebook(nb, url, "main")
    first = nb["cells"][0]
    assert "remove-cell" in first["metadata"]["tags"]
    source = "".join(first["source"])
    assert "import cnnbook\nexcept ImportError:" in source
    assert f'%pip install --quiet "cnnbook[book] @ git+{url}@main"' in source
    assert nb["cells"][1:] == original["cells"]
    assert not setrepo.sync_notebook(nb, url, "main")          # already in sync
    assert setrepo.notebook_problem(nb, url, "dev") is not None  # another branch: differs
    assert setrepo.sync_notebook(nb, "", "main") and nb == original
