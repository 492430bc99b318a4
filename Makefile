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

test: setup
	$(VENV)/pytest -q

lint: setup
	$(VENV)/ruff format --check src tests bench
	$(VENV)/ruff check src tests bench
	$(VENV)/mypy
	$(VENV)/lint-imports
