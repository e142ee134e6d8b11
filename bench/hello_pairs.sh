#!/usr/bin/env bash
# bench/hello_pairs.sh [ROUNDS]
#
# Issue 10's floor: the portal's signed-in hello-world against the kit's plain Django view, in
# alternate rounds (helpdesk's hello, then the portal's, ROUNDS times), so that both see the same
# machine at nearly the same moment. Each server is served with the kit's reference gunicorn
# config and measured with the kit's tools (helpdesk-bench.sh, measure.sh); compare.py prints each
# round's pair. Needs the helpdesk installation of side_by_side.sh (HD_DIR) and a portal data set
# with the demo users (DATABASE_URL_1X).
#
# Environment (defaults): BENCH_PEER=../shared/bench-peer  PORTAL_VENV=<repo>/.venv
#   HD_DIR=<repo>/var/bench/hd  OUT_DIR=<repo>/var/bench/hello_pairs
#   DATABASE_URL_1X=postgres://postgres@127.0.0.1:5432/liaison_gen1x  REDIS_URL=redis://127.0.0.1:6379/0
#   DEMO_PASSWORD=Demo-pass-2026
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS="${1:-3}"
BENCH_PEER="$(cd "${BENCH_PEER:-$ROOT/../shared/bench-peer}" && pwd)"
PORTAL_VENV="${PORTAL_VENV:-$ROOT/.venv}"
HD_DIR="${HD_DIR:-$ROOT/var/bench/hd}"
OUT_DIR="${OUT_DIR:-$ROOT/var/bench/hello_pairs}"
mkdir -p "$OUT_DIR"
cd "$ROOT"
export DATABASE_URL="${DATABASE_URL_1X:-postgres://postgres@127.0.0.1:5432/liaison_gen1x}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}" DEBUG=false BENCH_QUERY_COUNT=true CONN_MAX_AGE=60
export REQUIRE_STAFF_2FA=false ALLOWED_HOSTS=127.0.0.1,localhost
export SECRET_KEY="${SECRET_KEY:-hello-pairs-$(date +%s)-not-a-production-secret-key-0123456789}"
export CACHE_KEY_PREFIX="hello-pairs-$(date +%s)"

for r in $(seq 1 "$ROUNDS"); do
  echo "# round $r, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  LABEL=helpdesk JSON_OUT="$OUT_DIR/helpdesk-$r.json" bash "$BENCH_PEER/helpdesk-bench.sh" "$HD_DIR" 8701 -- hello=/hello/ >/dev/null
  "$PORTAL_VENV/bin/gunicorn" liaison.wsgi:application --bind 127.0.0.1:8702 --workers 2 --worker-class sync \
    --timeout 60 --no-control-socket --error-logfile "$OUT_DIR/gunicorn.log" &
  GPID=$!
  for _ in $(seq 1 60); do curl -s -o /dev/null http://127.0.0.1:8702/accounts/login/ && break; sleep 0.5; done
  LOGIN_PATH=/accounts/login/ BENCH_USER=demo_deputy BENCH_PASSWORD="${DEMO_PASSWORD:-Demo-pass-2026}" LABEL=portal \
    JSON_OUT="$OUT_DIR/portal-$r.json" bash "$BENCH_PEER/measure.sh" http://127.0.0.1:8702 "$OUT_DIR/cookies.txt" hello=/hello/ >/dev/null
  kill "$GPID"; wait "$GPID" 2>/dev/null || true
  python3 "$BENCH_PEER/compare.py" "$OUT_DIR/helpdesk-$r.json" "$OUT_DIR/portal-$r.json" | tail -2
done
