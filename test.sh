#!/usr/bin/env bash
# Set up and run the whole test suite on the embedded default (SQLite, tasks in process).
#   ./test.sh                 everything
#   ./test.sh tests/cases     one folder; any pytest arguments pass through
# Browser tests drive Debian's chromium: installed here when missing and running as root,
# otherwise they are skipped with a notice. Set DATABASE_URL / REDIS_URL to run the same suite on
# PostgreSQL and Redis (with the real Celery worker tests), as .ci/run does.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv || { echo "python3 -m venv failed: install python3-venv (apt-get install python3-venv)"; exit 1; }
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -r requirements.txt
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium and CJK fonts for the browser tests..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) \
    || echo "Could not install chromium; browser tests will be skipped."
fi
mkdir -p var
exec .venv/bin/python -m pytest "$@"
