# Two commands do all the set-up: `make run` and `make test`. Both create .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench eval model clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/daqiao run --config config.yaml

# The suite writes nothing into the checkout: no bytecode, no cache, exports in temp folders.
# Two workers (pytest-xdist): every test has its own folder, database and ports, and the
# suite stays well under ten minutes on a two-core machine (one worker takes about eleven).
WORKERS ?= 2
test: $(STAMP)
	PYTHONDONTWRITEBYTECODE=1 $(BIN)/python -m pytest -q -n $(WORKERS)

lint: $(STAMP)
	$(BIN)/ruff check bot parsers storage scheduler tests benchmarks tools

# Retrain the intent model after the labelled cases change (`make test` says when).
model: $(STAMP)
	$(BIN)/python -m tools.train_intent

bench: $(STAMP)
	$(BIN)/python benchmarks/parse_bench.py

eval: $(STAMP)
	$(BIN)/python ../shared/tools/eval_parse.py ../shared/spec/devset.jsonl --quiet

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
