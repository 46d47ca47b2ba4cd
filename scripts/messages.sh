#!/usr/bin/env bash
# Extract translatable strings into each app's own locale folder (fr and en).
#   scripts/messages.sh            every app
#   scripts/messages.sh members    one app (mupaka/members/locale)
set -euo pipefail
cd "$(dirname "$0")/.."
apps=("$@")
if [ ${#apps[@]} -eq 0 ]; then
  for dir in mupaka/*/locale; do apps+=("$(basename "$(dirname "$dir")")"); done
fi
for app in "${apps[@]}"; do
  (cd "mupaka/$app" && ../../.venv/bin/mupaka makemessages -l fr -l en --no-obsolete --no-location \
     -i 'tests/*' -i 'migrations/*' --verbosity 0)
done
# Strings outside any app (settings, cli) go to mupaka/locale.
if [ $# -eq 0 ]; then
  ignores=()
  for dir in mupaka/*/; do ignores+=(-i "$(basename "$dir")/*"); done
  (cd mupaka && ../.venv/bin/mupaka makemessages -l fr -l en --no-obsolete --no-location "${ignores[@]}" --verbosity 0)
fi
