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
	$(BIN)/ruff check .
	$(BIN)/python -m pytest --nbval-lax tests notebooks

lint: $(STAMP)
	$(BIN)/ruff check .

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

sample: $(STAMP)
	$(BIN)/python -m pracops.sample

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	$(BIN)/python bench/bench_runner.py
	$(BIN)/python bench/bench_validate.py
	$(BIN)/python bench/bench_x12.py
	$(BIN)/python bench/bench_billing.py
	$(BIN)/python bench/bench_staffing.py --whole-week
	$(BIN)/python bench/bench_budget.py
	$(BIN)/python bench/bench_purchasing.py --notebook

clean:
	rm -rf $(VENV) build *.egg-info
