"""pytest plugin: keep what nbval's kernel produced, so the book need not run it again.

`make test` executes every notebook once, under nbval (`pytest --nbval book/ -p
tests.plugins.nbval_record --nbval-record DIR`; ``tests/plugins/__init__.py`` says why that
name imports). nbval compares each cell's text outputs with the stored ones, as always;
this plugin only listens to the same kernel messages and builds the executed notebook the
HTML needs (images, animations, widget views and the widgets' state), with nbclient's own
message handling, the code myst-nb executes the book with. Cells are sent as a notebook
frontend sends them (store_history=True, so a trailing ";" hides a result and execution
counts advance; nbval alone sends store_history=False). A notebook whose every cell ran to
the end without an error is written to ``DIR/<path>.ipynb``; `scripts/cache_executed.py`
then puts those into the book's jupyter-cache, and the book build (execute_notebooks:
cache) renders them instead of executing the notebooks again. `make book` alone empties
that cache first, so it executes every notebook itself.

Also: kernels start one at a time on this machine (``one_kernel_start_at_a_time``, a lock
file in the temporary directory, also used by tests that start kernels), because
jupyter_client picks a kernel's ports by binding and releasing them, and two kernels
started in the same instant can pick the same port (jupyter/jupyter_client#487): the
client of one then waits forever for the other. Seen here with nbval's two workers and a
unit test starting kernels at once.
"""
from __future__ import annotations

import copy
import fcntl
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionComplete


def pytest_addoption(parser):
    parser.addoption("--nbval-record", metavar="DIR", default=None,
                     help="write each notebook nbval executed completely to DIR/<path>.ipynb, "
                          "with every output and the widgets' state")


class _Recorder:
    """The executed copy of one notebook, filled from the kernel's iopub messages."""

    def __init__(self, nb, path: Path):
        self.path = path
        self.nb = copy.deepcopy(nb)
        # nbclient's message handling (outputs, clear_output, display updates, Output
        # widgets, widget state) without its kernel: process_message is fed nbval's messages.
        self.client = NotebookClient(self.nb, kernel_name="python3", store_widget_state=True,
                                     record_timing=False)
        self.pending = {i for i, c in enumerate(self.nb.cells) if c.cell_type == "code"}
        self.failed = False
        self.current = None  # (msg_id, cell index)

    def start(self, index, msg_id):
        cell = self.nb.cells[index]
        cell.outputs, cell.execution_count = [], None
        self.client.clear_before_next_output = False  # as nbclient's execute_cell does
        self.current = (msg_id, index)

    def feed(self, msg):
        if self.current is None or msg["parent_header"].get("msg_id") != self.current[0]:
            return
        index = self.current[1]
        if msg["msg_type"] == "error":
            self.failed = True
        try:
            self.client.process_message(msg, self.nb.cells[index], index)
        except CellExecutionComplete:  # the kernel is idle: the cell ran to its end
            self.pending.discard(index)
            self.current = None
            self._merge_streams(self.nb.cells[index])

    @staticmethod
    def _merge_streams(cell):
        merged = []
        for out in cell.outputs:
            if (out.output_type == "stream" and merged and merged[-1].output_type == "stream"
                    and merged[-1].name == out.name):
                merged[-1].text += out.text  # one block per stream, however it was flushed
            else:
                merged.append(out)
        cell.outputs = merged

    def write(self, directory: Path, root: Path):
        if self.failed or self.pending:
            return None
        self.client.set_widgets_metadata()
        out = directory / self.path.resolve().relative_to(root)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".tmp")
        nbformat.write(self.nb, tmp)
        os.replace(tmp, out)
        return out


KERNEL_START_LOCK = Path(tempfile.gettempdir()) / "cnnbook-kernel-start.lock"


@contextmanager
def one_kernel_start_at_a_time():
    """Hold a machine-wide lock while a kernel starts (until it answers kernel_info)."""
    with open(KERNEL_START_LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def pytest_configure(config):
    target = config.getoption("--nbval-record")
    if not target or not config.pluginmanager.hasplugin("nbval"):
        return
    from nbval.plugin import IPyNbCell, IPyNbFile

    directory = Path(target).resolve()
    root = Path(str(config.rootpath)).resolve()
    if getattr(IPyNbFile, "_recording_into", None) is not None:
        return
    IPyNbFile._recording_into = directory
    setup, teardown, get_message = IPyNbFile.setup, IPyNbFile.teardown, IPyNbFile.get_kernel_message
    runtest = IPyNbCell.runtest

    def file_setup(self):
        self._recorder = _Recorder(self.nb, Path(str(self.fspath)))
        with one_kernel_start_at_a_time():
            setup(self)
        # nbclient's stand-in for an Output widget sends its outputs back to the kernel,
        # as a browser's would: through this kernel's client
        self._recorder.client.kc = self.kernel.kc

    def file_teardown(self):
        try:
            recorder = getattr(self, "_recorder", None)
            if recorder is not None:
                recorder.write(directory, root)
        finally:
            teardown(self)

    def get_kernel_message(self, timeout=None, stream="iopub"):
        msg = get_message(self, timeout=timeout, stream=stream)
        recorder = getattr(self, "_recorder", None)
        if stream == "iopub" and recorder is not None:
            recorder.feed(msg)
        return msg

    def cell_runtest(self):
        recorder = getattr(self.parent, "_recorder", None)
        kernel = self.parent.kernel
        if recorder is None or kernel is None:
            return runtest(self)
        index = next(i for i, c in enumerate(self.parent.nb.cells) if c is self.cell)

        def execute_and_note(source, allow_stdin=None):
            # as a notebook frontend (and nbclient) does: with store_history, so that a
            # trailing ";" hides a cell's result (nbval's own call passes store_history=False)
            msg_id = kernel.kc.execute(source, store_history=True, allow_stdin=allow_stdin,
                                       stop_on_error=False)
            recorder.start(index, msg_id)
            return msg_id

        kernel.execute_cell_input = execute_and_note
        try:
            return runtest(self)
        except pytest.skip.Exception:
            raise
        except BaseException:
            if recorder.current is not None:  # the cell did not run to its end
                recorder.failed = True
            raise
        finally:
            del kernel.execute_cell_input

    IPyNbFile.setup, IPyNbFile.teardown = file_setup, file_teardown
    IPyNbFile.get_kernel_message = get_kernel_message
    IPyNbCell.runtest = cell_runtest
