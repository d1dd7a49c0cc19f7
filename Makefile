# cnnbook: `make book` builds the HTML, `make test` runs every check.
# Each target first sets up .venv (Python 3.11) from requirements.txt and pyproject.toml;
# that step is skipped while .venv/.installed is newer than both files.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# One BLAS thread per process: the notebooks' matrices are small, pytest-xdist already runs
# two processes on two cores, and oversubscribed BLAS threads made training 10x slower
# under load. Override with `make test OPENBLAS_NUM_THREADS=2`.
OPENBLAS_NUM_THREADS ?= 1
OMP_NUM_THREADS ?= 1
export OPENBLAS_NUM_THREADS OMP_NUM_THREADS

VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
PYTHON ?= $(shell command -v python3.11 || command -v python3)

# Notebooks of the book (checkpoints excluded); nbval runs only when there are some.
NOTEBOOKS = $(shell find book -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' 2>/dev/null)
PYTEST    := $(PY) -m pytest
# The unit and browser tests load only the pytest plugins they use: autoloading every
# installed one costs each pytest process (controller and workers) about 3 s, mostly
# nbval's import of nbformat (jsonschema builds a URI grammar when imported).
PYTEST_LEAN := PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 $(PYTEST) -p xdist -p _hypothesis_pytestplugin
XDIST     := -n 2 --dist loadfile
# Every notebook is executed once per `make test`: under nbval, which compares its text
# outputs with the stored ones, while the plugin tests/plugins/nbval_record.py (loaded by
# module name from the repository root: see tests/plugins/__init__.py) keeps everything
# the kernel sent (images, animations, widget state) in $(EXECUTED); the book is then
# rendered from those (scripts/cache_executed.py fills its jupyter-cache), so its HTML shows
# exactly the outputs nbval checked. nbval uses two workers, one notebook each (--dist loadfile); the plugin
# starts their kernels one at a time (two kernels started in the same instant can pick the
# same TCP port: jupyter/jupyter_client#487).
EXECUTED  := _build/executed
JCACHE    := _build/.jupyter_cache
NBVAL     := --nbval --nbval-current-env --nbval-cell-timeout 120 \
             --nbval-sanitize-with tests/nbval_sanitize.cfg \
             -p tests.plugins.nbval_record --nbval-record $(EXECUTED) -n 2 --dist loadfile
# make test runs the unit tests beside nbval -> book -> browser (JOBS=1: one after the other).
JOBS      ?= 2
# $(call timed,NAME,COMMAND): run COMMAND, then print its wall time and CPU time
# (user + sys, its child processes and kernels included).
timed = TIMEFORMAT="[time] $(1): %0R s wall, %0U s user + %0S s sys"; time { $(2); }

.PHONY: help venv book test unit nbval browser screenshots site lab clean distclean vendor notebook lock

help:
	@echo "make book       build the book into _build/html, the Chinese edition into _build/html/zh (runs every notebook once)"
	@echo "make test       unit tests, notebooks (nbval, executed once), book from those runs, browser test"
	@echo "make screenshots  browser test of the built book, saving full-page screenshots"
	@echo "make lab        open JupyterLab on book/"
	@echo "make clean      remove _build/ and caches (make distclean: also .venv/)"
	@echo "make notebook NB=book/NAME.ipynb   re-execute one notebook, keep text outputs only"
	@echo "make vendor     re-fetch book/_vendor/ from npm and check it against its manifest"
	@echo "make lock       regenerate requirements.txt from requirements.in (UPGRADE=1: newest)"

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -n "$(PYTHON)" || { echo "error: python3.11 (or python3) not found" >&2; exit 1; }
	@test -x $(PY) || { echo "creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

# `make book` executes every notebook (its jupyter-cache is emptied first); inside
# `make test` (FROM_NBVAL=1) it renders the notebooks nbval has just executed, and
# executes only those nbval could not run to their end.
# Then the Chinese edition: scripts/zh.py writes its sources to $(ZH_SRC) (translated
# text from book/zh/, each notebook's outputs from the English build's jupyter-cache, so
# nothing runs twice: its config has execute_notebooks "off"), rendered into _build/html/zh/.
ZH_SRC := _build/zh_src
book: $(STAMP)
	rm -rf _build/html _build/screenshots
	$(if $(FROM_NBVAL),$(PY) scripts/cache_executed.py $(EXECUTED) $(JCACHE),rm -rf $(JCACHE))
	$(call timed,book,$(BIN)/jupyter-book build . --all -W -n --keep-going)
	$(call timed,zh book,$(PY) scripts/zh.py build && \
	  $(BIN)/jupyter-book build $(ZH_SRC) --all -W -n --keep-going && \
	  mv $(ZH_SRC)/_build/html _build/html/zh)

unit: $(STAMP)
	$(call timed,unit,$(PYTEST_LEAN) tests/ -m "not browser" $(XDIST) --durations=8)

nbval: $(STAMP)
	@if [ -z "$(strip $(NOTEBOOKS))" ]; then \
	  echo "nbval: no notebooks under book/ yet, nothing to run"; \
	else \
	  rm -rf $(EXECUTED); \
	  $(call timed,nbval,$(PYTEST) book/ $(NBVAL) --durations=8); \
	fi

# SCREENSHOTS=1 also saves a full-page screenshot of every page to _build/screenshots/
# (a third more CPU time; no check looks at them): `make screenshots` after a build.
browser: $(STAMP)
	$(call timed,browser,CNNBOOK_SCREENSHOTS=$(SCREENSHOTS) $(PYTEST_LEAN) tests/test_browser.py tests/test_browser_zh.py -m browser -v -n 2)

screenshots: $(STAMP)
	@test -d _build/html || { echo "error: no _build/html: run make book (or make test) first" >&2; exit 1; }
	$(MAKE) --no-print-directory browser SCREENSHOTS=1

# The unit tests run beside the chain nbval -> book -> browser test. The book is built
# even when an nbval comparison fails (every failure is reported: --keep-going), and the
# browser test runs once the book is built. Each target's output is printed whole when it
# ends. Times: see "`make test`, measured" in benchmarks/README.md.
site: $(STAMP)
	@status=0; \
	$(MAKE) --no-print-directory nbval || status=1; \
	{ $(MAKE) --no-print-directory book FROM_NBVAL=1 && \
	  $(MAKE) --no-print-directory browser; } || status=1; \
	exit $$status

test: $(STAMP)
	@$(call timed,make test,$(MAKE) --no-print-directory -j$(JOBS) --keep-going --output-sync=target unit site)

# LAB_ARGS passes options, e.g. `make lab LAB_ARGS="--no-browser --port 8899"`.
LAB_ARGS ?=
lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=book $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

# Re-execute notebooks in place and strip image/animation outputs and widget state
# (the HTML re-executes; nbval compares text). NB defaults to every notebook.
NB ?= $(NOTEBOOKS)
notebook: $(STAMP)
	@for nb in $(NB); do \
	  echo "executing $$nb"; \
	  $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.kernel_name=python3 --ExecutePreprocessor.timeout=120 "$$nb"; \
	done
	$(PY) scripts/strip_notebooks.py $(NB)

# The lock: requirements.txt is generated from requirements.in (the direct dependencies,
# commented) in a throwaway venv made with $(PYTHON). Versions already in requirements.txt
# are kept (it is passed as a constraint); UPGRADE=1 drops that, so pip takes the newest
# allowed by requirements.in. Check the diff, then run `make test`.
LOCK_VENV := /tmp/cnnbook-lock-venv
lock:
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
	  -r requirements.in $(if $(UPGRADE),,-c requirements.txt)
	{ echo "# The lock: every package of the book's environment, pinned. Do not edit by hand:"; \
	  echo "# generated by 'make lock' from requirements.in (the direct dependencies, with"; \
	  echo "# reasons) in a fresh venv of Python $$($(LOCK_VENV)/bin/python -V | cut -d' ' -f2):"; \
	  echo "#   pip install -r requirements.in -c requirements.txt && pip freeze"; \
	  $(LOCK_VENV)/bin/python -m pip freeze --exclude-editable --disable-pip-version-check; \
	} > requirements.txt.new
	mv requirements.txt.new requirements.txt
	rm -rf $(LOCK_VENV)

vendor: $(STAMP)
	$(PY) scripts/vendor_assets.py

clean:
	rm -rf _build .pytest_cache .hypothesis
	find . -path ./$(VENV) -prune -o \( -name __pycache__ -o -name .ipynb_checkpoints \) -type d -print0 \
	  | xargs -0 rm -rf

distclean: clean
	rm -rf $(VENV) *.egg-info
