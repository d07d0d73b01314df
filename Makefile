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

# One table of every measure against its anchor, also written to bench/results.json.
# BIG=1 adds the 5 M-line billing run (minutes, several GB; not in CI).
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	$(BIN)/python bench/table.py $(if $(BIG),--billing-sizes 100000 300000 1000000 5000000)

clean:
	rm -rf $(VENV) build *.egg-info
