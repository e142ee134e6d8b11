#!/usr/bin/env bash
# Set up and run the portal on the embedded default: SQLite, tasks in process, demo data.
#   ./run.sh            then open http://127.0.0.1:8000/ (the residents' online office; staff log in from there)
# PORT=8080 ./run.sh picks another port. The demo's passwords are public, so the portal listens on
# this machine only; HOST=0.0.0.0 ./run.sh shows it to the local network on purpose.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv || { echo "python3 -m venv failed: install python3-venv (apt-get install python3-venv)"; exit 1; }
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -r requirements.txt
export DEBUG="${DEBUG:-true}" DEMO_MODE="${DEMO_MODE:-true}"
# Links in residents' SMS (the outbox in the admin) and the QR posters point here.
export PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-http://127.0.0.1:${PORT:-8000}}"
mkdir -p var
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py seed_demo --if-empty
echo
echo "Residents' online office (public):  http://127.0.0.1:${PORT:-8000}/"
echo "Staff login:  http://127.0.0.1:${PORT:-8000}/accounts/login/        admin: http://127.0.0.1:${PORT:-8000}/admin/"
echo "Log in with one of the demo logins above (tasks run in process; SMS go to the outbox in the admin)."
echo
exec .venv/bin/python manage.py runserver "${HOST:-127.0.0.1}:${PORT:-8000}"
