# Two commands on a fresh machine: `make report` and `make test`.
# Everything runs inside .venv, created with the machine's python3 when missing.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DATA   ?= data/nso-synthetic
YEAR   ?= 2023
SEED   ?= 2023
KERNEL := gospub

.PHONY: install data report weekly test lab bench clean

install: $(STAMP)

# Re-runs only when the dependency list changes; a second `make install` does nothing.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (gospub)" >/dev/null
	@touch $(STAMP)

data: $(DATA)/manifest.json

$(DATA)/manifest.json: | $(STAMP)
	$(BIN)/gospub generate --out $(DATA) --seed $(SEED)

report: $(STAMP) data
	$(BIN)/gospub report --year $(YEAR) --data $(DATA) --all-municipalities

# The Monday report: the last complete week of the dataset, every municipality.
weekly: $(STAMP) data
	$(BIN)/gospub weekly --data $(DATA) --all-municipalities

test: $(STAMP)
	$(BIN)/python -m pytest

# JupyterLab refuses to run as root without --allow-root (containers, CI machines).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks --MappingKernelManager.default_kernel_name=$(KERNEL) $(ROOT_FLAG)

bench: $(STAMP) data
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) reports/*/ .pytest_cache
