#!/usr/bin/env bash
# `make loadtest`: gunicorn (3 workers) on the bench database, locust headless for a bounded time,
# then a summary (throughput, p95, errors). The CSV files stay in loadtest-results/.
#   LOADTEST_DATABASE_URL  the bench database (default: $DATABASE_URL with "_bench" appended)
#   LOADTEST_USERS (30), LOADTEST_SPAWN_RATE (5), LOADTEST_TIME (2m), LOADTEST_PORT (8765)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
LOCUST=${LOCUST:-$BIN/locust}
: "${LOADTEST_DATABASE_URL:=${DATABASE_URL:?set LOADTEST_DATABASE_URL or DATABASE_URL}_bench}"
USERS=${LOADTEST_USERS:-30}
RATE=${LOADTEST_SPAWN_RATE:-5}
TIME=${LOADTEST_TIME:-2m}
PORT=${LOADTEST_PORT:-8765}
OUT=loadtest-results
mkdir -p "$OUT"

export DATABASE_URL="$LOADTEST_DATABASE_URL"
# Many logins from one address within a minute: the token-login throttle and the lock-out are
# raised for the run (they protect real accounts, not a bench database).
export API_THROTTLE_ANON=100000/minute API_THROTTLE_AUTH=100000/minute API_THROTTLE_USER=100000/minute \
  AXES_FAILURE_LIMIT=1000
"$BIN/python" manage.py migrate --no-input -v 0
"$BIN/python" manage.py loadtest_users

"$BIN/gunicorn" config.wsgi:application --workers 3 --bind "127.0.0.1:$PORT" --access-logfile /dev/null \
  --error-logfile "$OUT/gunicorn.log" &
GUNICORN=$!
trap 'kill "$GUNICORN" 2>/dev/null || true; wait "$GUNICORN" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 1
done

"$LOCUST" -f loadtest/locustfile.py --headless --host "http://127.0.0.1:$PORT" --users "$USERS" \
  --spawn-rate "$RATE" --run-time "$TIME" --csv "$OUT/locust" --only-summary --exit-code-on-error 0 \
  >"$OUT/locust.log" 2>&1 || true
"$BIN/python" loadtest/summary.py "$OUT/locust"
