#!/usr/bin/env bash
# Runs every benchmark in bench/; each prints its figures and the ratio to a
# baseline measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
files=(bench/*.py)
if [ ${#files[@]} -eq 0 ]; then echo "bench/ is empty"; exit 0; fi
for f in "${files[@]}"; do
  case "$(basename "$f")" in _*) continue;; esac
  echo "== $f"
  .venv/bin/python "$f"
done
