#!/usr/bin/env bash
# bench/side_by_side.sh [BENCH_PEER_DIR]
#
# Issue 10, item 3: in one run on one machine, django-helpdesk 2.6 (the bench-peer kit) and then
# the portal at 1x and at 10x, one server under load at a time, all served with the kit's
# reference gunicorn config (2 sync workers, DEBUG=False, CONN_MAX_AGE=60, the query counter
# first in MIDDLEWARE) and measured with the kit's measure.sh. Ends with the kit's compare.py
# table against the helpdesk's JSON list at HD_TICKETS tickets. The kit is used where it lies
# (argument or BENCH_PEER, default ../shared/bench-peer from the repository root); none of its
# code is copied here.
#
# Steps:
#   1. helpdesk: helpdesk-setup.sh into HD_DIR (scratch, not committed), helpdesk-populate.py
#      with HD_TICKETS tickets (skipped when the database already holds that many), then
#      helpdesk-bench.sh (starts gunicorn, measures hello / HTML list / JSON list, stops it).
#   2. the portal on DATABASE_URL_1X, then on DATABASE_URL_10X: manage.py migrate, the page list
#      from `bench/pages.py --urls` (one line per demo user), gunicorn with the reference config,
#      one measure.sh per user (it logs in once per invocation), gunicorn stopped by its PID; the
#      per-user JSON files merged into one per data set.
#   3. compare.py --vs helpdesk-<N>k:helpdesk_json over the three JSON files.
# `uptime` is printed before and after every part.
#
# Environment (defaults):
#   BENCH_PEER=../shared/bench-peer (from the repo root)   PORTAL_VENV=<repo>/.venv
#   HD_DIR=<repo>/var/bench/hd  HD_TICKETS=500000  HD_DB_NAME=helpdesk_bench (helpdesk-setup.sh's)
#   HD_PORT=8701  PORTAL_PORT=8702  OUT_DIR=<repo>/var/bench
#   DATABASE_URL_1X=postgres://postgres@127.0.0.1:5432/liaison_gen1x
#   DATABASE_URL_10X=postgres://postgres@127.0.0.1:5432/liaison_gen10x
#   SCALES="1x 10x" (which portal data sets to run)   REDIS_URL=redis://127.0.0.1:6379/0
#   DEMO_PASSWORD=Demo-pass-2026 (seed_demo's)   SKIP_HELPDESK=1 (reuse OUT_DIR's helpdesk JSON)
#   and every knob of the kit's measure.py (SEQ_N, DURATION, CONC, ...), for both servers.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_PEER="${1:-${BENCH_PEER:-$ROOT/../shared/bench-peer}}"
[ -x "$BENCH_PEER/measure.sh" ] || { echo "no bench-peer kit at $BENCH_PEER (pass its path or set BENCH_PEER)" >&2; exit 2; }
BENCH_PEER="$(cd "$BENCH_PEER" && pwd)"

PORTAL_VENV="${PORTAL_VENV:-$ROOT/.venv}"
PY="$PORTAL_VENV/bin/python"
OUT_DIR="${OUT_DIR:-$ROOT/var/bench}"
HD_DIR="${HD_DIR:-$OUT_DIR/hd}"
HD_TICKETS="${HD_TICKETS:-500000}"
HD_PORT="${HD_PORT:-8701}"
PORTAL_PORT="${PORTAL_PORT:-8702}"
DATABASE_URL_1X="${DATABASE_URL_1X:-postgres://postgres@127.0.0.1:5432/liaison_gen1x}"
DATABASE_URL_10X="${DATABASE_URL_10X:-postgres://postgres@127.0.0.1:5432/liaison_gen10x}"
SCALES="${SCALES:-1x 10x}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
DEMO_PASSWORD="${DEMO_PASSWORD:-Demo-pass-2026}"
RUN_ID="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT_DIR"
OUT_DIR="$(cd "$OUT_DIR" && pwd)"

if [ "$HD_TICKETS" -ge 1000 ] && [ $((HD_TICKETS % 1000)) = 0 ]; then HD_LABEL="helpdesk-$((HD_TICKETS / 1000))k"
else HD_LABEL="helpdesk-$HD_TICKETS"; fi
HD_JSON="$OUT_DIR/$HD_LABEL.json"

load() { echo "# uptime $1: $(uptime)"; }
section() { printf '\n## %s  (%s)\n' "$*" "$(date -u +%H:%M:%S) UTC"; }

echo "# side_by_side.sh run $RUN_ID on $(hostname): $(nproc) cores; kit $BENCH_PEER"
echo "# knobs: HD_TICKETS=$HD_TICKETS SCALES='$SCALES' SEQ_N=${SEQ_N:-30} DURATION=${DURATION:-15} CONC=${CONC:-4}"

# ------------------------------------------------------------------ 1. helpdesk
if [ "${SKIP_HELPDESK:-0}" = 1 ]; then
  [ -f "$HD_JSON" ] || { echo "SKIP_HELPDESK=1 but no $HD_JSON" >&2; exit 1; }
  section "helpdesk: skipped, reusing $HD_JSON"
else
  section "helpdesk 2.6 at $HD_TICKETS tickets"
  bash "$BENCH_PEER/helpdesk-setup.sh" "$HD_DIR"
  (
    # shellcheck disable=SC1091
    . "$HD_DIR/env.sh"
    have="$("$HD_VENV/bin/python" -c 'import django; django.setup(); from helpdesk.models import Ticket; print(Ticket.objects.count())')"
    if [ "$have" = "$HD_TICKETS" ]; then
      echo "# helpdesk database already holds $have tickets: not repopulated"
    else
      echo "# helpdesk database holds $have tickets: populating $HD_TICKETS"
      "$HD_VENV/bin/python" "$BENCH_PEER/helpdesk-populate.py" --tickets "$HD_TICKETS" --reset
    fi
  )
  load "before helpdesk"
  LABEL="$HD_LABEL" JSON_OUT="$HD_JSON" bash "$BENCH_PEER/helpdesk-bench.sh" "$HD_DIR" "$HD_PORT"
  load "after helpdesk"
fi

# ------------------------------------------------------------------ 2. the portal
portal_env() {
  export DATABASE_URL="$1" REDIS_URL DEBUG=false BENCH_QUERY_COUNT=true CONN_MAX_AGE=60 \
         REQUIRE_STAFF_2FA=false CACHE_KEY_PREFIX="sbs-$RUN_ID-$2" DJANGO_SETTINGS_MODULE=liaison.settings
}

GPID=""
stop_portal() {
  if [ -n "$GPID" ] && kill -0 "$GPID" 2>/dev/null; then
    kill -TERM "$GPID" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$GPID" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$GPID" 2>/dev/null && kill -KILL "$GPID" 2>/dev/null || true
  fi
  [ -n "$GPID" ] && wait "$GPID" 2>/dev/null || true
  GPID=""
}
trap stop_portal EXIT INT TERM

portal_run() {  # portal_run SCALE DATABASE_URL
  local scale="$1" url="$2" label="portal-$1" log="$OUT_DIR/portal-$1-gunicorn.log"
  local json="$OUT_DIR/portal-$1.json" parts=() line user targets
  section "portal at $scale ($url)"
  portal_env "$url" "$scale"
  (cd "$ROOT" && "$PY" manage.py migrate --noinput | grep -v '^  Applying\|^Operations\|^Running\|^  No migrations' || true)
  (cd "$ROOT" && "$PY" manage.py collectstatic --noinput -v0)
  mapfile -t lines < <(cd "$ROOT" && "$PY" bench/pages.py --urls | grep -E '^[A-Za-z0-9_]+ [A-Za-z0-9_]+=')
  [ "${#lines[@]}" -gt 0 ] || { echo "bench/pages.py --urls printed no pages" >&2; exit 1; }
  # Pages that need no login are measured in the first signed-in group (they answer the same).
  local anon=""
  for line in "${lines[@]}"; do [ "${line%% *}" = anonymous ] && anon="${line#* }"; done
  (cd "$ROOT" && "$PY" - <<'PY'
import django
django.setup()
from django.db import connection
from cases.models import Case
from offices.models import Deputy
with connection.cursor() as c:
    c.execute("select version()"); pg = c.fetchone()[0].split(" on ")[0]
    c.execute("select pg_size_pretty(pg_database_size(current_database()))"); size = c.fetchone()[0]
print(f"# data: deputies={Deputy.objects.count()} cases={Case.objects.count()} db={size}; Django {django.get_version()}, {pg}")
PY
  )
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORTAL_PORT") 2>/dev/null; then echo "port $PORTAL_PORT is already in use" >&2; exit 1; fi
  : > "$log"
  (cd "$ROOT" && exec "$PORTAL_VENV/bin/gunicorn" liaison.wsgi:application --bind "127.0.0.1:$PORTAL_PORT" \
     --workers 2 --worker-class sync --timeout 60 --no-control-socket --error-logfile "$log") &
  GPID=$!
  for _ in $(seq 1 60); do
    curl -fsS -o /dev/null "http://127.0.0.1:$PORTAL_PORT/accounts/login/" 2>/dev/null && break
    kill -0 "$GPID" 2>/dev/null || { echo "gunicorn died; log:" >&2; cat "$log" >&2; exit 1; }
    sleep 0.5
  done
  echo "# gunicorn pid=$GPID 127.0.0.1:$PORTAL_PORT workers=2 sync timeout=60s DEBUG=false CONN_MAX_AGE=60 BENCH_QUERY_COUNT=true"
  load "before portal $scale"
  local first=1 rc=0
  for line in "${lines[@]}"; do
    user="${line%% *}"; targets="${line#* }"
    [ "$user" = anonymous ] && continue
    if [ "$first" = 1 ] && [ -n "$anon" ]; then targets="$targets $anon"; fi
    first=0
    echo "# as $user: $targets"
    # shellcheck disable=SC2086  # targets are NAME=PATH words without spaces
    LOGIN_PATH=/accounts/login/ BENCH_USER="$user" BENCH_PASSWORD="$DEMO_PASSWORD" LABEL="$label" \
      JSON_OUT="$OUT_DIR/portal-$scale-$user.json" \
      bash "$BENCH_PEER/measure.sh" "http://127.0.0.1:$PORTAL_PORT" "$OUT_DIR/portal-cookies.txt" $targets || rc=$?
    parts+=("$OUT_DIR/portal-$scale-$user.json")
  done
  load "after portal $scale"
  stop_portal
  echo "# gunicorn log $log: worker_timeouts=$(grep -c 'WORKER TIMEOUT' "$log" || true) tracebacks=$(grep -c Traceback "$log" || true)"
  # One JSON per data set, as compare.py reads it (one label, the hello floor of the same run).
  python3 - "$json" "$label" "${parts[@]}" <<'PY'
import json, sys
out, label, parts = sys.argv[1], sys.argv[2], sys.argv[3:]
merged = {"label": label, "figures": [], "targets": {}, "users": {}}
for p in parts:
    with open(p) as f:
        run = json.load(f)
    merged.setdefault("base", run["base"]); merged.setdefault("time", run["time"]); merged.setdefault("settings", run["settings"])
    merged["figures"] += run["figures"]; merged["targets"].update(run["targets"])
    merged["users"][p.rsplit("-", 1)[-1][:-5]] = list(run["targets"])
with open(out, "w") as f:
    json.dump(merged, f, ensure_ascii=False, indent=1)
print(f"# figures of {len(parts)} logins merged into {out}")
PY
  return $rc
}

runs=("$HD_JSON")
status=0
for scale in $SCALES; do
  case "$scale" in
    1x) portal_run 1x "$DATABASE_URL_1X" || status=$? ;;
    10x) portal_run 10x "$DATABASE_URL_10X" || status=$? ;;
    *) echo "unknown scale $scale (1x or 10x)" >&2; exit 2 ;;
  esac
  runs+=("$OUT_DIR/portal-$scale.json")
done

# ------------------------------------------------------------------ 3. the table
section "side by side (--vs $HD_LABEL:helpdesk_json)"
python3 "$BENCH_PEER/compare.py" --vs "$HD_LABEL:helpdesk_json" "${runs[@]}"
echo "# JSON: ${runs[*]}"
exit $status
