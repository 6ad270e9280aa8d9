# hireproof — every target sets itself up: a fresh machine needs only `make run` or `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha256sum pyproject.toml | cut -c1-12)

.DEFAULT_GOAL := help
.PHONY: help run demo test lint fmt typecheck contracts pytest pytest-postgres app-packages test-packages bench bench-load bench-ats clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

run: $(STAMP) app-packages ## Serve the app on SQLite with the built-in playbooks (http://127.0.0.1:8000/)
	$(BIN)/hireproof serve

demo: $(STAMP) app-packages ## Fill the database with sample candidates at every stage
	$(BIN)/hireproof demo

test: lint typecheck contracts pytest pytest-postgres ## Every check: lint, types, import contracts, tests on SQLite and PostgreSQL

lint: $(STAMP) ## Lint and check formatting (ruff)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(STAMP) ## Format the code and apply safe lint fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(STAMP) ## mypy --strict on the whole package (with Django's stubs)
	@# The Django plugin imports the settings, which create the data folder: give it a throwaway one.
	@data=$$(mktemp -d "$${TMPDIR:-/tmp}/hireproof-typecheck.XXXXXX"); \
	HIREPROOF_DATA_DIR="$$data" $(BIN)/mypy; status=$$?; rm -rf -- "$$data"; exit $$status

contracts: $(STAMP) ## The layers import only downwards; the core imports neither Django nor any part
	$(BIN)/lint-imports

pytest: $(STAMP) test-packages ## Unit, web, CLI and browser tests, branch coverage of the core at 100%
	$(BIN)/pytest --cov --cov-report=term

pytest-postgres: $(STAMP) test-packages ## The whole test suite again on a throwaway PostgreSQL server
	scripts/with-postgres $(BIN)/pytest

# Debian packages: Pango for WeasyPrint's PDF hiring files (the app), and chromium for the
# browser tests (Playwright drives Debian's build; nothing is downloaded). Installed if missing.
APP_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
TEST_PACKAGES := $(APP_PACKAGES) chromium

app-packages:
	@scripts/install-debian-packages $(APP_PACKAGES)

test-packages: ## Install the Debian packages the tests need (chromium, Pango) if missing
	@scripts/install-debian-packages $(TEST_PACKAGES)

bench: $(STAMP) ## Print the performance figures (scoring; audit log: unsigned window, appends, verify; tasks; autosave; pipeline; results export; the API; webhooks; Ashby)
	$(BIN)/python bench/score.py
	$(BIN)/python bench/regex.py
	$(BIN)/python bench/audit.py
	$(BIN)/python bench/tasks.py
	$(BIN)/python bench/autosave.py
	$(BIN)/python bench/api.py
	$(BIN)/python bench/webhooks.py
	$(BIN)/python bench/ashby.py
	$(BIN)/python bench/pipeline.py
	$(BIN)/python bench/results_export.py

bench-ats: $(STAMP) app-packages ## Greenhouse end to end: attempt scored -> PATCH at a fake Greenhouse (p50/p95/max), then a failing Greenhouse's retries (about 3 minutes)
	$(BIN)/python bench/ats.py

# The recipe of docs/deploy.md minus TLS: PostgreSQL, hireproof serve --processes, nginx in front.
LOAD_ARGS ?=
bench-load: $(STAMP) app-packages ## A campus day: candidates autosaving against docs/deploy.md's recipe, ramped up to 2,000 (minutes)
	@scripts/install-debian-packages postgresql nginx-light
	$(BIN)/python bench/load.py --proxy $(LOAD_ARGS)

clean: ## Remove the virtual environment and caches
	rm -rf $(VENV) .mypy_cache .ruff_cache .coverage htmlcov
