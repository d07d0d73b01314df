# Two commands for a newcomer: `make report` and `make test`. Both build .venv when it is
# missing or when pyproject.toml changed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: report test lint lab sample bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

report: $(STAMP)
	$(BIN)/pracops run

test: $(STAMP)
	.ci/ensure-chromium
	$(BIN)/ruff check .
	$(BIN)/python -m pytest --nbval-lax tests notebooks

lint: $(STAMP)
	$(BIN)/ruff check .

# Jupyter prints the URL to open, with its token; root (a container) needs --allow-root
lab: $(STAMP)
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/

sample: $(STAMP)
	$(BIN)/python -m pracops.sample

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	for b in bench/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info
