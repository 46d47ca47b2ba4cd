#!/usr/bin/env bash
# The whole suite: lint, layer contracts, tests on SQLite, the same tests on a
# throwaway PostgreSQL 15 cluster, then the browser tests in Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export MUPAKA_TESTING=1
export MUPAKA_VAR_DIR="${MUPAKA_VAR_DIR:-$(mktemp -d /tmp/mupaka-test-var.XXXXXX)}"

echo "== ruff"
$BIN/ruff check .
echo "== import contracts"
$BIN/lint-imports --no-cache
echo "== translations"
$BIN/python scripts/check_translations.py

echo "== tests on SQLite"
env -u DATABASE_URL $BIN/pytest -m "not browser" -n 2 -q -p no:cacheprovider "$@"

echo "== tests on PostgreSQL"
$BIN/python scripts/pg_throwaway.py -- $BIN/pytest -m "not browser" -n 2 -q -p no:cacheprovider "$@"

echo "== browser tests (Chromium)"
./scripts/ensure_chromium.sh
env -u DATABASE_URL $BIN/pytest -m browser -q -p no:cacheprovider "$@"
