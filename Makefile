# Steward: `make run` (install, migrate, demo data, serve) and `make test` (install, check, test).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PYTEST_ARGS ?=
# The suite runs on both cores (pytest-xdist; each worker has its own database).
PYTEST_WORKERS ?= auto

.PHONY: run test install assets translations messages-extract messages-update migrate demo lint typecheck chromium wrk bench clean openapi-snapshot

run: migrate
	$(BIN)/steward demo
	@echo ""
	@echo "  Steward is starting on http://127.0.0.1:8000/  (API docs: /docs, emails: /dev/outbox)"
	@echo ""
	$(BIN)/steward run

test: install lint typecheck chromium
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

install: $(VENV)/.installed assets translations

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Steward needs Python 3.11 or newer"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

assets: app/static/vendor/.installed

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

app/static/vendor/.installed: node_modules/.package-lock.json scripts/vendor-assets.sh
	sh scripts/vendor-assets.sh
	touch $@

# Page translations (Babel): the .po catalogues are the source, committed; the .mo files are
# compiled here at install time (not committed). `make messages-extract messages-update` after
# changing a page's words, then translate the new entries in each .po file.
TRANSLATIONS := app/translations
MO_FILES := $(TRANSLATIONS)/es/LC_MESSAGES/messages.mo $(TRANSLATIONS)/pt/LC_MESSAGES/messages.mo

translations: $(MO_FILES)

$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d $(TRANSLATIONS) -D messages -l $*

messages-extract: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output --omit-header -o $(TRANSLATIONS)/messages.pot app

messages-update: messages-extract
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) -D messages

migrate: install
	$(BIN)/steward db upgrade

demo: migrate
	$(BIN)/steward demo

lint: install
	$(BIN)/ruff check app tests bench migrations
	$(BIN)/ruff format --check app tests bench migrations
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

chromium:
	@sh scripts/ensure-chromium.sh

wrk:
	@sh scripts/ensure-wrk.sh

# After an intended API change: rewrite tests/snapshots/openapi.json, then review its diff.
openapi-snapshot: install
	STEWARD_UPDATE_OPENAPI_SNAPSHOT=1 $(BIN)/pytest -q tests/routers/api/platform/test_openapi_contract.py

# BENCH_QUICK=1 for one short round of each; STEWARD_BENCH_DATABASE_URL (an empty database of its
# own) to run them on PostgreSQL too. Figures are printed and written to bench/results.json.
bench: install wrk
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python "$$b" || exit 1; done

clean:
	rm -rf $(VENV) node_modules app/static/vendor .pytest_cache .mypy_cache .ruff_cache
