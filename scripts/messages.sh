#!/usr/bin/env bash
# Regenerate the zh_Hans message catalogues (one per app, plus locale/ for the shared templates)
# and compile them. Source strings are English; English needs no catalogue.
# Usage: scripts/messages.sh            (needs GNU gettext: apt-get install gettext)
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-$PWD/.venv/bin/python}"
for app in $(ls -d */apps.py | xargs -n1 dirname); do
  mkdir -p "$app/locale"
  (cd "$app" && "$PY" ../manage.py makemessages -l zh_Hans --no-location --no-obsolete -i "migrations/*" >/dev/null)
done
(cd templates && "$PY" ../manage.py makemessages -l zh_Hans --no-location --no-obsolete >/dev/null)
"$PY" manage.py compilemessages -l zh_Hans >/dev/null
"$PY" scripts/po_check.py
