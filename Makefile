# The two commands of the README: `make demo` and `make test`. Both set up a fresh machine first.
# `make demo` opens the operator's TUI on the demo station (without a terminal it prints the status instead).
DEMO_DIR ?= demo-station
VENV := .venv/bin

.PHONY: setup demo test lint

setup:
	bash scripts/setup.sh

demo: setup
	$(VENV)/truyenthanh --data-dir $(DEMO_DIR) init --demo
	$(VENV)/truyenthanh --data-dir $(DEMO_DIR)

# `make test` runs the suite in three passes (see scripts/test.sh): the hub's long province run in the background,
# every other test not marked `realtime` on $(TEST_WORKERS) workers, then the `realtime` tests one at a time.
TEST_WORKERS ?= 4
PYTEST_ARGS ?=

test: setup
	TEST_WORKERS=$(TEST_WORKERS) PYTEST_ARGS="$(PYTEST_ARGS)" bash scripts/test.sh

lint: setup
	$(VENV)/ruff format --check src tests bench
	$(VENV)/ruff check src tests bench
	$(VENV)/mypy
	$(VENV)/lint-imports
