# Mupaka: two commands do everything on a fresh machine.
#   make run   → virtual environment, install, migrate, demo data when empty, serve on 127.0.0.1:$(PORT)
#   make test  → lint, layer contracts, tests on SQLite, then PostgreSQL, then in Chromium
PORT ?= 8000
# One process by default: on SQLite all its request threads share one group commit
# (README, "Many tellers at once"); with PostgreSQL, WORKERS=2 or more.
WORKERS ?= 1
THREADS ?= 8
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PO_FILES := $(shell find mupaka -name '*.po' 2>/dev/null)
MO_STAMP := var/.mo-stamp

.PHONY: run test lint bench messages demo serve clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

$(MO_STAMP): $(STAMP) $(PO_FILES)
	mkdir -p var
	cd mupaka && ../$(BIN)/mupaka compilemessages --ignore=.venv --verbosity 0
	touch $(MO_STAMP)

run: $(MO_STAMP)
	$(BIN)/mupaka migrate --noinput --verbosity 0
	$(BIN)/mupaka collectstatic --noinput --verbosity 0
	$(BIN)/mupaka demo --if-empty
	@echo "Mupaka is serving on http://127.0.0.1:$(PORT)/  (Ctrl-C to stop)"
	$(BIN)/gunicorn mupaka.wsgi:application --bind 127.0.0.1:$(PORT) --workers $(WORKERS) --threads $(THREADS) \
		--access-logfile - --log-level warning

test: $(MO_STAMP)
	./scripts/test.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

bench: $(MO_STAMP)
	./scripts/bench.sh

messages: $(STAMP)
	./scripts/messages.sh

clean:
	rm -rf $(VENV) var
