"""tests/plugins/nbval_record.py: the notebook nbval executed is kept whole for the book.

Runs nbval (with the plugin) on two small notebooks in a temporary folder and compares what
it kept with what nbclient (myst-nb's executor) makes of the same notebook.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from plugins.nbval_record import one_kernel_start_at_a_time

ROOT = Path(__file__).resolve().parent.parent

GOOD = [
    "print('a'); import sys; print('b', file=sys.stderr); print('c')",
    "from IPython.display import display, HTML, clear_output\n"
    "display(HTML('<b>old</b>')); clear_output(wait=True); display(HTML('<b>new</b>'))",
    "import ipywidgets as w\nout = w.Output()\nwith out:\n    print('inside the widget')\n"
    "w.VBox([w.IntSlider(3, description='k'), out])",
    "1 + 1",
    "2 + 2;  # a trailing semicolon hides the result",
]


def _notebook(path, sources, *, ignore_output=(), outputs_from=None):
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3",
                                                             "display_name": "Python 3",
                                                             "language": "python"}})
    nb.cells = [nbformat.v4.new_markdown_cell("# t")] + [nbformat.v4.new_code_cell(s) for s in sources]
    for k in ignore_output:
        nb.cells[1 + k].metadata["tags"] = ["nbval-ignore-output"]
    if outputs_from is not None:
        for cell, ref in zip(nb.cells, outputs_from.cells):
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = ref.outputs, ref.execution_count
    nbformat.write(nb, path)
    return nb


def _run_nbval(folder, record):
    # nbval is loaded by its entry point: `make unit` turns autoloading off for its own run
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_DISABLE_PLUGIN_AUTOLOAD"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", str(folder), "--nbval", "--nbval-current-env",
         "-p", "tests.plugins.nbval_record", "--nbval-record", str(record), "-q",
         "--nbval-cell-timeout", "60",
         "-p", "no:cacheprovider", "--rootdir", str(folder)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def _shape(nb):
    """Per code cell: execution count, and each output's type, stream name, mimetypes, text."""
    def text(o):
        return o.get("text") or o.get("data", {}).get("text/plain") or o.get("data", {}).get("text/html")
    return [(c.execution_count, [(o.output_type, o.get("name"), sorted(o.get("data", {})), text(o))
                                 for o in c.outputs])
            for c in nb.cells if c.cell_type == "code"]


def _widget_models(nb):
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    return sorted((m["model_name"], json.dumps(m["state"].get("outputs", m["state"].get("value")),
                                               sort_keys=True))
                  for m in state.get("state", {}).values())


def test_kept_notebook_is_what_nbclient_makes_of_it(tmp_path):
    folder, record = tmp_path / "nbs", tmp_path / "executed"
    folder.mkdir()
    # nbval itself ignores clear_output and Output widgets (it sees both HTML outputs and
    # the widget's print), so it cannot compare cells 1 and 2; the plugin must handle them
    reference = _notebook(folder / "good.ipynb", GOOD, ignore_output=(1, 2))
    client = NotebookClient(reference, kernel_name="python3", record_timing=False, timeout=60,
                            startup_timeout=60)
    client.km = client.create_kernel_manager()
    with one_kernel_start_at_a_time():  # not in the same instant as nbval's kernels
        client.start_new_kernel()
        client.start_new_kernel_client()
    client.execute()
    _notebook(folder / "good.ipynb", GOOD, ignore_output=(1, 2), outputs_from=reference)
    _notebook(folder / "bad.ipynb", ["x = 1", "raise ValueError('boom')", "print(x)"])

    result = _run_nbval(folder, record)
    assert "1 failed" in result.stdout and "boom" in result.stdout, result.stdout[-3000:]

    kept = nbformat.read(record / "good.ipynb", as_version=4)
    assert _shape(kept) == _shape(reference)
    assert kept.cells[2].outputs[0]["data"]["text/html"] == "<b>new</b>"   # cleared, then new
    assert _widget_models(kept) == _widget_models(reference)
    assert any("inside the widget" in s for _, s in _widget_models(kept))  # the Output's state
    assert [c.source for c in kept.cells] == [c.source for c in reference.cells]
    assert not (record / "bad.ipynb").exists(), "a notebook with an error must not be kept"
