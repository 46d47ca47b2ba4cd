#!/usr/bin/env bash
# Extract translatable strings into each app's own locale folder (fr and en).
set -euo pipefail
cd "$(dirname "$0")/.."
for dir in mupaka/*/locale; do
  app=$(dirname "$dir")
  (cd "$app" && ../../.venv/bin/mupaka makemessages -l fr -l en --no-obsolete --no-location -i 'tests/*' --verbosity 0)
done
(cd mupaka && mkdir -p locale && ../.venv/bin/mupaka makemessages -l fr -l en --no-obsolete --no-location \
   -i 'core/*' -i 'members/*' -i 'ledger/*' -i 'loans/*' -i 'savings/*' -i 'shares/*' -i 'tellers/*' \
   -i 'cob/*' -i 'reports/*' -i 'channels/*' -i 'network/*' -i 'impact/*' --verbosity 0)
echo "Now fill the empty msgstr in mupaka/*/locale/fr/LC_MESSAGES/django.po, then: make test"
