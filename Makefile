# The two commands of the README: `make reports` (the main job) and `make test`.
# Each creates the project environment .venv and installs the project into it when it is
# missing or older than pyproject.toml, so nothing else is needed on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.calib-installed
PARAMS ?= params/sample.yaml

.PHONY: reports test install notebooks sample bench

$(STAMP): pyproject.toml
	@test -x $(BIN)/python && $(BIN)/python -c "import sys" 2>/dev/null || $(PYTHON) -m venv --clear $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

## Regenerate every report from the bundled sample programme into reports/<run-id>/
reports: $(STAMP)
	$(BIN)/calib run $(PARAMS)

## The whole test suite: unit tests, nbval over the notebooks, the end-to-end report run
test: $(STAMP)
	$(BIN)/python -m pytest

## Refresh the outputs stored in notebooks/ (only the cells nbval checks keep theirs)
notebooks: $(STAMP)
	$(BIN)/python tools/refresh_notebooks.py

## Rebuild the bundled sample programme (byte-identical for the same seed)
sample: $(STAMP)
	$(BIN)/calib synth --out data/sample

## Benchmarks print their figures (not part of the test suite)
bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done
