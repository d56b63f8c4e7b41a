#!/usr/bin/env bash
# Client-project benchmark: prints figures, asserts nothing.
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

BENCH_NAME=bench-project.sh
# shellcheck source=scripts/bench-lib.sh
source "$ROOT/scripts/bench-lib.sh"
bench_check

# Every WebSocket is a file descriptor, in the server and in the load generator alike.
WANT_FDS=$((SOCKETS * 2 + 1024))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$WANT_FDS" ]; then
    ulimit -n "$WANT_FDS" 2>/dev/null ||
        die "open-file limit $(ulimit -n) is below $WANT_FDS and cannot be raised (ulimit -Hn: $(ulimit -Hn))"
fi

echo "==> cargo build --release -p api --bin tandem --example bench_project"
cargo build --release -p api --bin tandem --example bench_project

bench_new_database tandem_bench
bench_server_env
# The first reminder sweep over this data set (tens of thousands of items already overdue)
# is one long write transaction; keep it out of the measured runs.
export TANDEM_REMINDER_INTERVAL_SECS=${TANDEM_REMINDER_INTERVAL_SECS:-86400}

echo "==> seeding $DB_KIND: $PROJECTS projects × $ITEMS items, $MESSAGES chat messages"
SEED_START=$(date +%s.%N)
"$BIN" seed-bench --projects "$PROJECTS" --items "$ITEMS" --messages "$MESSAGES" | sed 's/^/    /'
SEED_SECS=$(awk -v s="$SEED_START" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')

bench_start_server "$BIN" 20

echo "==> load: $LOAD --phases $PHASES"
"$LOAD" --base "$BASE" --phases "$PHASES" --duration "$DURATION" --logins "$LOGINS" \
    --sockets "$SOCKETS" --chat-rate "$CHAT_RATE" --tick-concurrency "$TICK_WORKERS" \
    --server-pid "$SERVER_PID" 2>&1 |
    sed 's/^/    /'

bench_server_rss
echo
echo "Tandem client-project benchmark: release build, $DB_KIND, $(nproc) CPUs, ${DURATION}s per run"
echo "seeding ($PROJECTS projects × $ITEMS items, $MESSAGES messages): ${SEED_SECS} s"
echo "server RSS after the runs: ${RSS} MB"
echo "targets: read p99 ≤ 15 ms under steady load; ≥ 500 ticks/s; chat p99 ≤ 50 ms with 2,000 sockets"
