#!/usr/bin/env bash
# Set up and run the portal with demo data at http://127.0.0.1:8000.
# PostgreSQL and Redis are used when reachable; otherwise SQLite and eager tasks.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DEBUG="${DEBUG:-True}"
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/p4p_portal}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"

if [[ "$DATABASE_URL" == postgres* ]] && ! $PY scripts/ensure_database.py "$DATABASE_URL"; then
  echo ">> PostgreSQL is not reachable: falling back to SQLite (db.sqlite3)."
  export DATABASE_URL="sqlite:///$(pwd)/db.sqlite3"
fi
use_redis=1
if ! $PY -c "import redis,sys; redis.Redis.from_url('$REDIS_URL', socket_connect_timeout=2).ping()" 2>/dev/null; then
  echo ">> Redis is not reachable: Celery tasks run eagerly inside the web process."
  export CELERY_TASK_ALWAYS_EAGER=True
  use_redis=0
fi

$PY manage.py migrate --noinput
$PY manage.py seed_demo
logins="$($PY manage.py seed_demo --logins)"

pids=()
cleanup() { for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

if [[ -f scripts/demo_services.sh ]]; then
  # Apps add the local fake services they need (e.g. the fake QPP API) here.
  source scripts/demo_services.sh
fi
if [[ $use_redis == 1 ]]; then
  # --quiet: no start-up banner in the middle of the demo's own output.
  setsid .venv/bin/celery --quiet -A p4p_portal worker -B -l warning --concurrency 2 \
    --schedule "$(mktemp -d)/celerybeat-schedule" &
  pids+=($!)
  echo ">> Celery worker and beat started (Redis at $REDIS_URL)."
fi
PORT="${PORT:-8000}"
setsid $PY manage.py runserver "127.0.0.1:$PORT" --noreload &
web=$!
pids+=($web)
# Say "ready" only once the portal answers, so the logins are the last thing printed.
for _ in $(seq 1 100); do
  $PY -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/healthz', timeout=1)" \
    2>/dev/null && break
  sleep 0.2
done
echo ">> Demo ready at http://127.0.0.1:$PORT"
echo ">> $logins"
wait "$web"
