# The make targets are the interface: `make demo`, `make test`, `make bench`, `make lint`.
# Each installs what it needs (virtualenv, Kafka jars via Maven, redis-server via apt) first.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
# The bootstrap copy model (about 10 minutes on 2 cores); rebuilt only when missing.
MODEL := .cache/models/bootstrap/onnx/copystream_model.json

.PHONY: install infra down model demo test lint unit integration bench soak clean

$(INSTALLED): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e '.[train,dev]'
	@touch $@

install: $(INSTALLED)

$(MODEL): | $(INSTALLED)
	$(PY) -m training.bootstrap

model: $(MODEL)

infra: install
	$(PY) -m infra.cli up

down: install
	$(PY) -m infra.cli down

demo: infra model
	$(PY) -m simulate.demo

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

unit: install
	$(VENV)/bin/pytest tests/unit -q

integration: install
	$(VENV)/bin/pytest tests/integration -q

test: lint
	$(VENV)/bin/pytest -q

bench: infra model
	$(PY) -m bench.ingest
	$(PY) -m bench.generate
	$(PY) -m bench.e2e
	$(PY) -m bench.loop

# Not part of `make test`: 30 minutes of steady load (bench/results/soak.json).
soak: infra model
	$(PY) -m bench.soak

clean:
	rm -rf $(VENV) .cache .mypy_cache .ruff_cache .pytest_cache
