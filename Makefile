# The two commands of the README: `make reports` (the main job) and `make test`.
# Each creates the project environment .venv and installs into it the exact versions of
# requirements.lock (plus the project itself) when it is missing or older than pyproject.toml or
# the lock, so nothing else is needed on a fresh machine. `make lock` regenerates the lock from
# the ranges in pyproject.toml after a dependency was added there.
PYTHON   ?= python3
VENV     := .venv
BIN      := $(VENV)/bin
STAMP    := $(VENV)/.calib-installed
LOCK     := requirements.lock
PARAMS   ?= params/sample.yaml
KERNEL   := calib
LAB_ARGS ?=
PIP      := $(BIN)/python -m pip --disable-pip-version-check
# Bytecode caches on (an environment may turn them off with PYTHONDONTWRITEBYTECODE=1): pytest then
# keeps its assertion-rewritten test modules in __pycache__, and a later run's workers skip
# rewriting ~220 modules (about 6 s each); Python reads an empty value as unset
export PYTHONDONTWRITEBYTECODE :=

.PHONY: reports test test-fast install lab lock sysdeps warm warm-spark notebooks sample bench

$(STAMP): pyproject.toml $(LOCK)
	@test -x $(BIN)/python && $(BIN)/python -c "import sys" 2>/dev/null || $(PYTHON) -m venv --clear $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r $(LOCK) -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python 3 (calib)" >/dev/null
	@touch $(STAMP)

## Create .venv from the lock and register the Jupyter kernel "calib"
install: $(STAMP)

## Regenerate requirements.lock (exact versions for Python 3.11 on Linux x86-64) from pyproject.toml
lock:
	@test -x $(BIN)/uv || { test -x $(BIN)/python || $(PYTHON) -m venv $(VENV); $(PIP) install --quiet "uv>=0.5,<1"; }
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 \
	    --python-platform x86_64-unknown-linux-gnu --no-emit-package calib \
	    --custom-compile-command "make lock" --quiet -o $(LOCK)

## The system packages the tests and reports use (Debian): PostgreSQL, Chromium, the CJK fonts, a JRE.
## Installs only what is missing; needs root (or sudo).
sysdeps:
	@missing=""; \
	{ command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; } || missing="$$missing postgresql"; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	{ command -v fc-list >/dev/null 2>&1 && fc-list | grep -qi "Noto Sans CJK"; } || missing="$$missing fonts-noto-cjk"; \
	command -v java >/dev/null 2>&1 || missing="$$missing default-jre-headless"; \
	if [ -n "$$missing" ]; then \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  echo "installing system packages:$$missing"; \
	  { $$sudo apt-get -o DPkg::Lock::Timeout=600 update -qq && \
	    DEBIAN_FRONTEND=noninteractive $$sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
	        --no-install-recommends $$missing fontconfig >/dev/null; } || \
	  echo "WARNING: could not install$$missing; the tests and plots that need them will fail" >&2; \
	fi

## Build the caches every process would otherwise build at once on a fresh machine: matplotlib's
## font list (after sysdeps installed the CJK fonts), the package's bytecode and the loader's and consensus's
## compiled kernels (numba, about 10 CPU s once per checkout). The kernels are warmed again only when
## their sources or the environment changed, or their cache is gone (checking a warm cache costs
## 1.8 s: numba's import and every kernel's load)
WARM    := $(VENV)/.calib-kernels-warm
# the modules that define cached kernels (found by their decorator, so a new one counts at once),
# the packages' kernel switches, and the folders whose __pycache__ must hold the kernels' cache
NUMBA   := $(shell grep -rl --include='*.py' 'njit.cache=True' src/calib 2>/dev/null)
KERNELS := $(NUMBA) $(wildcard src/calib/_jit.py src/calib/*/_jit.py src/calib/*/_*_nb.py)
NBI     := $(addsuffix __pycache__/*.nbi,$(sort $(dir $(NUMBA))))
warm: $(STAMP)
	@$(BIN)/python -c "import matplotlib.font_manager" 2>/dev/null || true
	@$(BIN)/python -m compileall -q src >/dev/null || true
	@ls $(NBI) >/dev/null 2>&1 || rm -f $(WARM)
	@$(MAKE) -s --no-print-directory $(WARM)

$(WARM): $(STAMP) $(KERNELS)
	@$(BIN)/python -c "from calib import _jit; _jit.warm()" >/dev/null 2>&1 && touch $@ || true

## The class-data archive of the Spark driver's JVM (calib.engine.class_archive: a driver then starts
## and runs a small job on about 60% of the CPU); built once per Java runtime and pyspark jars (about
## 40 s), after sysdeps installed the JRE; nothing when pyspark or Java is missing
warm-spark: $(STAMP)
	@$(BIN)/python -c "from calib.engine import class_archive; class_archive.build()" >/dev/null 2>&1 || true

## Regenerate every report from the bundled sample programme into reports/<run-id>/; first record
## the sample's earlier quarterly evaluations in the run history (once; later runs skip them)
reports: $(STAMP) sysdeps warm
	-$(BIN)/calib history backfill $(PARAMS)
	$(BIN)/calib run $(PARAMS)

## The whole test suite: unit tests, nbval over the notebooks, the end-to-end report runs; one
## pytest-xdist worker per core (TEST_WORKERS=0 runs it in one process), a module per worker, in
## the suite's own order (units, notebooks, then the checks of the runs started in the background)
TEST_WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
XDIST := -n $(TEST_WORKERS)
test: $(STAMP) sysdeps warm warm-spark
	$(BIN)/python -m pytest $(XDIST)

## Unit tests only (no notebooks, no end-to-end run, no slow simulation): under a minute
## (no notebooks: the nbval plugin is not loaded, nor nbformat and jsonschema (calib._iri keeps
## their IRI grammar out of a full run); pyproject's addopts without the nbval options)
test-fast: $(STAMP) warm
	$(BIN)/python -m pytest tests -q -m "not slow and not e2e" -p no:nbval -o addopts="-ra -p calib._iri -p no:cacheprovider" $(XDIST)

## JupyterLab on the project environment; every notebook opens with the sample parameters
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks --MultiKernelManager.default_kernel_name=$(KERNEL) $(LAB_ARGS)

## Refresh the outputs stored in notebooks/ (only the cells nbval checks keep theirs)
notebooks: $(STAMP)
	$(BIN)/python tools/refresh_notebooks.py

## Rebuild the bundled sample programme (byte-identical for the same seed)
sample: $(STAMP)
	$(BIN)/calib synth --out data/sample

## Benchmarks print their figures (not part of the test suite)
bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done
