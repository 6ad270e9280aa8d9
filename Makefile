# hireproof — every target sets itself up: a fresh machine needs only `make run` or `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha256sum pyproject.toml | cut -c1-12)

.DEFAULT_GOAL := help
.PHONY: help run demo test lint fmt typecheck contracts pytest browser bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

run: $(STAMP) ## Serve the app on SQLite with the built-in playbooks (http://127.0.0.1:8000/)
	$(BIN)/hireproof serve

demo: $(STAMP) ## Fill the database with sample candidates at every stage
	$(BIN)/hireproof demo

test: lint typecheck contracts pytest ## Run every check: lint, types, import contract, tests with coverage

lint: $(STAMP) ## Lint and check formatting (ruff)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(STAMP) ## Format the code and apply safe lint fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(STAMP) ## mypy --strict on the core
	$(BIN)/mypy --strict

contracts: $(STAMP) ## The core imports neither Django nor any app
	$(BIN)/lint-imports

pytest: $(STAMP) browser ## Unit, web, CLI and browser tests, branch coverage of the core at 100%
	$(BIN)/pytest --cov --cov-report=term

# The browser tests drive Debian's Chromium through Playwright (no browser download).
browser: ## Install Debian's chromium for the browser tests if it is missing
	@command -v chromium >/dev/null || { \
		echo "Installing Debian's chromium for the browser tests..."; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

bench: $(STAMP) ## Print the performance figures
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean: ## Remove the virtual environment and caches
	rm -rf $(VENV) .mypy_cache .ruff_cache .coverage htmlcov
