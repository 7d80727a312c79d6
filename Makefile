# Everything runs in a local virtual environment (.venv) that `make` creates on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python examples/demo.py

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/eager_overhead.py
	$(BIN)/python benchmarks/grad_overhead.py
	$(BIN)/python benchmarks/jit_bench.py
	$(BIN)/python benchmarks/vmap_bench.py

lint: $(STAMP)
	$(BIN)/python -m pip install --quiet ruff
	$(BIN)/ruff check axc compiler runtime kernels tests examples benchmarks

clean:
	rm -rf $(VENV) build dist *.egg-info
