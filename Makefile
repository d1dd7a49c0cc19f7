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
XDIST     := -n 2 --dist loadfile
# Notebooks run one kernel at a time: two kernels started at once by parallel workers
# occasionally picked the same TCP port and hung for minutes (seen here under load).
NBVAL     := --nbval --nbval-current-env --nbval-cell-timeout 120 \
             --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: help venv book test unit nbval browser lab clean distclean vendor notebook

help:
	@echo "make book       build the book into _build/html (runs every notebook)"
	@echo "make test       unit tests, notebooks (nbval), book build, browser test"
	@echo "make lab        open JupyterLab on book/"
	@echo "make clean      remove _build/ and caches (make distclean: also .venv/)"
	@echo "make notebook NB=book/NAME.ipynb   re-execute one notebook, keep text outputs only"
	@echo "make vendor     re-fetch book/_vendor/ from npm and check it against its manifest"

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -n "$(PYTHON)" || { echo "error: python3.11 (or python3) not found" >&2; exit 1; }
	@test -x $(PY) || { echo "creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

book: $(STAMP)
	rm -rf _build/html _build/screenshots
	$(BIN)/jupyter-book build . --all -W -n --keep-going

unit: $(STAMP)
	$(PYTEST) tests/ -m "not browser" $(XDIST)

nbval: $(STAMP)
	@if [ -z "$(strip $(NOTEBOOKS))" ]; then \
	  echo "nbval: no notebooks under book/ yet, nothing to run"; \
	else \
	  $(PYTEST) book/ $(NBVAL); \
	fi

browser: $(STAMP)
	$(PYTEST) tests/test_browser.py -m browser -v

test: $(STAMP)
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory nbval
	$(MAKE) --no-print-directory book
	$(MAKE) --no-print-directory browser

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

vendor: $(STAMP)
	$(PY) scripts/vendor_assets.py

clean:
	rm -rf _build .pytest_cache .hypothesis
	find . -path ./$(VENV) -prune -o \( -name __pycache__ -o -name .ipynb_checkpoints \) -type d -print0 \
	  | xargs -0 rm -rf

distclean: clean
	rm -rf $(VENV) *.egg-info
