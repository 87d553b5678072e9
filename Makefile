# radjudge - the README's two commands are `make all` and `make test`.
#
# Set-up is idempotent: the virtual environment is created once and the
# package reinstalled only when pyproject.toml changes (stamp file below).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON  ?= python3.11
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.radjudge-installed
PROFILE ?= demo
PYTEST_ARGS ?=
TEST_WORKERS ?= 2
LAB_PORT ?= 8888

# llama-cpp-python (the `server` extra) compiles llama.cpp from source.
export CMAKE_BUILD_PARALLEL_LEVEL ?= $(shell nproc 2>/dev/null || echo 2)
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PYTHONHASHSEED := 0

.PHONY: help setup nbfilter all run test bench paper lab clean strip lint rehearsal

help:
	@echo "make all    set up .venv, run the whole demo study, build the paper"
	@echo "make test   set up .venv, run the test suite"
	@echo "make lab    JupyterLab on notebooks/ with the radjudge kernel (prints the URL)"
	@echo "make rehearsal  the study's path for real: llama.cpp server, LibreOffice forms"
	@echo "make bench  speed benchmarks (ratios against in-run baselines)"
	@echo "make paper  build paper/build/radjudge_<lang>.pdf from data/results and figures/"
	@echo "make clean  remove generated outputs (keeps .venv, raw data and the LLM cache)"
	@echo "make strip  strip outputs and volatile metadata from the source notebooks"
	@echo "make lint   ruff (lint + format check) and mypy on src/"

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) (conda: mamba env create -f environment.yml)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install -e ".[dev,server,paper]"
	$(BIN)/radjudge kernel install
	@touch $(STAMP)

setup: $(STAMP) nbfilter

# Source notebooks are committed without outputs and volatile metadata (radjudge.nbclean):
# git strips them on add and diff, whatever editor saved them (.gitattributes names the
# filter). Outside a git checkout there is nothing to do.
nbfilter:
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	  git config filter.nbclean.clean "'$(abspath $(BIN))/python' -m radjudge.nbclean"; \
	  git config filter.nbclean.smudge cat; \
	fi

all: setup
	$(BIN)/radjudge run --profile $(PROFILE)
	$(MAKE) --no-print-directory paper

run: setup
	$(BIN)/radjudge run --profile $(PROFILE)

# pytest-xdist: one worker per core (TEST_WORKERS), whole modules per worker so each
# module-scoped model, server or notebook fixture runs once; modules with slow tests are
# handed out first (tests/conftest.py), hence no reordering by xdist.
test: setup
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder \
	  $(PYTEST_ARGS)

# Writes the rehearsal's inputs, starts the llama.cpp server (127.0.0.1), runs the rehearsal
# profile and stops the server. Needs LibreOffice headless (see .ci/run).
rehearsal: setup
	$(BIN)/python -m radjudge.rehearsal run

bench: setup
	$(BIN)/python -m benchmarks

paper: setup
	$(BIN)/python -m radjudge.paper

# As root (containers) JupyterLab refuses to start without --allow-root. The save hook
# strips source notebooks as they are saved: opening, running and saving one leaves
# `git status` clean.
lab: setup
	@args="--notebook-dir=notebooks --ServerApp.ip=127.0.0.1 --ServerApp.port=$(LAB_PORT)"; \
	args="$$args --ContentsManager.pre_save_hook=radjudge.nbclean.pre_save_hook"; \
	if [ "$$(id -u)" = 0 ]; then args="$$args --allow-root"; echo "running as root: --allow-root"; fi; \
	echo "JupyterLab on notebooks/: open the http://127.0.0.1:<port>/lab?token=... URL below"; \
	echo "(Ctrl+C stops it)"; \
	exec $(BIN)/jupyter lab $$args

strip: setup
	$(BIN)/python -m radjudge.nbclean notebooks/*.ipynb

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

clean:
	rm -rf data/interim/* data/processed/* data/results/* data/runs figures/*.pdf figures/*.png \
	       figures/index.* figures/*/ paper/build .pytest_cache
	@touch data/interim/.gitkeep data/processed/.gitkeep data/results/.gitkeep
