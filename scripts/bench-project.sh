#!/usr/bin/env bash
# Client-project benchmark (issue #3, performance): prints figures, asserts nothing.
# Seeds a throw-away database with `tandem seed-bench` (2,000 projects × 60 items, 200,000
# chat messages by default), starts a release `tandem` on it (loopback only) and runs the
# load generator api/examples/bench_project.rs:
#   read  GET /projects/{id} + /projects/{id}/activities, random projects as CSM or client;
#   tick  POST /activities/{id}/transitions {"action":"complete"} on distinct to-do items;
#   chat  2,000 WebSockets open; client POSTs a chat message, its CSM's socket times receipt.
# Knobs: BENCH_DB=sqlite|postgres (default sqlite), BENCH_POSTGRES_URL (an admin URL, default
# postgres://postgres@127.0.0.1:5432/postgres; a temp database is created and dropped),
# BENCH_PORT (18081), BENCH_DURATION (seconds per run, 20), BENCH_PROJECTS (2000),
# BENCH_ITEMS (60), BENCH_MESSAGES (200000), BENCH_LOGINS (client users logged in, 2000),
# BENCH_SOCKETS (2000), BENCH_CHAT_RATE (messages/s, 50), BENCH_PHASES (read,tick,chat),
# BENCH_TICK_WORKERS (concurrent tickers, 8).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

DB_KIND=${BENCH_DB:-sqlite}
PG_ADMIN=${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
DURATION=${BENCH_DURATION:-20}
PORT=${BENCH_PORT:-18081}
PROJECTS=${BENCH_PROJECTS:-2000}
ITEMS=${BENCH_ITEMS:-60}
MESSAGES=${BENCH_MESSAGES:-200000}
LOGINS=${BENCH_LOGINS:-2000}
SOCKETS=${BENCH_SOCKETS:-2000}
CHAT_RATE=${BENCH_CHAT_RATE:-50}
PHASES=${BENCH_PHASES:-read,tick,chat}
TICK_WORKERS=${BENCH_TICK_WORKERS:-8}
BASE=http://127.0.0.1:$PORT
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}/release
BIN=$TARGET/tandem
LOAD=$TARGET/examples/bench_project

die() { printf 'bench-project.sh: error: %s\n' "$*" >&2; exit 1; }
case "$DB_KIND" in
    sqlite) ;;
    postgres) command -v psql >/dev/null || die "psql not found (needed to make the temp database)" ;;
    *) die "BENCH_DB must be sqlite or postgres (got $DB_KIND)" ;;
esac
command -v curl >/dev/null || die "curl not found"
if curl -s -o /dev/null "$BASE/"; then
    die "something already listens on 127.0.0.1:$PORT; set BENCH_PORT"
fi

# Every WebSocket is a file descriptor, in the server and in the load generator alike.
WANT_FDS=$((SOCKETS * 2 + 1024))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$WANT_FDS" ]; then
    ulimit -n "$WANT_FDS" 2>/dev/null ||
        die "open-file limit $(ulimit -n) is below $WANT_FDS and cannot be raised (ulimit -Hn: $(ulimit -Hn))"
fi

TMP=$(mktemp -d)
SERVER_PID=
PG_DB=
cleanup() {
    local rc=$?
    # `|| true` throughout: a failing step must not cut the cleanup short (set -e).
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.5
        done
        kill -9 "$SERVER_PID" 2>/dev/null || true
    fi
    if [ "$rc" -ne 0 ] && [ -f "$TMP/server.log" ]; then
        echo "--- last lines of the server log ---" >&2
        tail -n 30 "$TMP/server.log" >&2
    fi
    if [ -n "$PG_DB" ]; then
        psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "==> cargo build --release -p api --bin tandem --example bench_project"
cargo build --release -p api --bin tandem --example bench_project

if [ "$DB_KIND" = postgres ]; then
    PG_DB=tandem_bench_$$_$RANDOM
    psql -q "$PG_ADMIN" -c "CREATE DATABASE $PG_DB" >/dev/null ||
        die "cannot create a database through $PG_ADMIN (is PostgreSQL running?)"
    export TANDEM_DATABASE_URL=${PG_ADMIN%/*}/$PG_DB
else
    export TANDEM_DATABASE_URL=sqlite://$TMP/bench.db
fi
export TANDEM_BIND=127.0.0.1:$PORT
# Logging every request would measure the terminal, not the server.
export RUST_LOG=${RUST_LOG:-warn}
# Thousands of logins from one address: lift the per-IP login limit.
export TANDEM_LOGIN_MAX_ATTEMPTS_PER_IP=1000000
export TANDEM_WEB_DIST=/nonexistent
export TANDEM_MAIL_OUTBOX_DIR=$TMP/outbox
# The first reminder sweep over this data set (tens of thousands of items already overdue)
# is one long write transaction; keep it out of the measured runs.
export TANDEM_REMINDER_INTERVAL_SECS=${TANDEM_REMINDER_INTERVAL_SECS:-86400}

echo "==> seeding $DB_KIND: $PROJECTS projects × $ITEMS items, $MESSAGES chat messages"
SEED_START=$(date +%s.%N)
"$BIN" seed-bench --projects "$PROJECTS" --items "$ITEMS" --messages "$MESSAGES" | sed 's/^/    /'
SEED_SECS=$(awk -v s="$SEED_START" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')

echo "==> starting tandem serve on $TANDEM_BIND"
"$BIN" serve >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "$BASE/api/v1/health" 2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || die "tandem exited during start-up"
    sleep 0.2
done
curl -fsS -o /dev/null "$BASE/api/v1/health" || die "no healthy server at $BASE after 20 s"

echo "==> load: $LOAD --phases $PHASES"
"$LOAD" --base "$BASE" --phases "$PHASES" --duration "$DURATION" --logins "$LOGINS" \
    --sockets "$SOCKETS" --chat-rate "$CHAT_RATE" --tick-concurrency "$TICK_WORKERS" \
    --server-pid "$SERVER_PID" 2>&1 |
    sed 's/^/    /'

kill -0 "$SERVER_PID" 2>/dev/null || die "tandem died during the benchmark"
RSS=$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status")
echo
echo "Tandem client-project benchmark: release build, $DB_KIND, $(nproc) CPUs, ${DURATION}s per run"
echo "seeding ($PROJECTS projects × $ITEMS items, $MESSAGES messages): ${SEED_SECS} s"
echo "server RSS after the runs: ${RSS} MB"
echo "targets: read p99 ≤ 15 ms under steady load; ≥ 500 ticks/s; chat p99 ≤ 50 ms with 2,000 sockets"
