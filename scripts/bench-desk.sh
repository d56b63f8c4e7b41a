#!/usr/bin/env bash
# Support-desk benchmark: prints figures, asserts nothing.
# Seeds a throw-away database with `tandem seed-desk` (1,000,000 tickets and 5,000,000
# messages by default), starts a release `tandem` on it (loopback only) and runs the load
# generator api/examples/bench_desk.rs:
#   lists   first page (limit 50) of each work queue as desk agents, of each filter, of
#           searches (common word, rare word, prefix) and of client users' portal lists;
#   create  client users open tickets in parallel (POST /tickets: the full intake);
#   outage  BENCH_OUTAGE_TICKETS (20,000) tickets about one product from every logged-in
#           client user (BENCH_CLIENTS, 100); outage-one: the same from one client.
# Knobs: BENCH_DB=sqlite|postgres (default sqlite), BENCH_POSTGRES_URL (an admin URL, default
# postgres://postgres@127.0.0.1:5432/postgres; a temp database is created and dropped),
# BENCH_PORT (18082), BENCH_TICKETS (1000000), BENCH_MESSAGES (5000000), BENCH_ORGS (2000),
# BENCH_AGENTS (100), BENCH_REQUESTS (requests per list measure, 300), BENCH_DURATION
# (seconds of the create run, 20), BENCH_MEASURE_SECS (a list measure stops early after this, 15), BENCH_CREATE_CONCURRENCY (16), BENCH_PHASES (lists,create),
# BENCH_CLIENTS (client users logged in, 100), BENCH_OUTAGE_TICKETS (20000),
# BENCH_KEEP_DB=1 keeps the SQLite file / PostgreSQL database and prints where it is;
# BENCH_DATABASE_URL=<url of a database seeded before> skips seeding and measures that one
# (seed a million tickets once, measure many times; it is migrated, never dropped).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

DB_KIND=${BENCH_DB:-sqlite}
PG_ADMIN=${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
PORT=${BENCH_PORT:-18082}
TICKETS=${BENCH_TICKETS:-1000000}
MESSAGES=${BENCH_MESSAGES:-5000000}
ORGS=${BENCH_ORGS:-2000}
AGENTS=${BENCH_AGENTS:-100}
REQUESTS=${BENCH_REQUESTS:-300}
MEASURE_SECS=${BENCH_MEASURE_SECS:-15}
DURATION=${BENCH_DURATION:-20}
CREATE_CONCURRENCY=${BENCH_CREATE_CONCURRENCY:-16}
PHASES=${BENCH_PHASES:-lists,create}
CLIENTS=${BENCH_CLIENTS:-100}
OUTAGE_TICKETS=${BENCH_OUTAGE_TICKETS:-20000}
KEEP=${BENCH_KEEP_DB:-0}
BASE=http://127.0.0.1:$PORT
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}/release
BIN=$TARGET/tandem
LOAD=$TARGET/examples/bench_desk

BENCH_NAME=bench-desk.sh
# shellcheck source=scripts/bench-lib.sh
source "$ROOT/scripts/bench-lib.sh"
bench_check

# BENCH_NO_BUILD=1 measures the binaries already built (a tree others are editing would
# otherwise rebuild first).
if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
    echo "==> cargo build --release -p api --bin tandem --example bench_desk"
    cargo build --release -p api --bin tandem --example bench_desk
fi

SEEDED=${BENCH_DATABASE_URL:-}
if [ -n "$SEEDED" ]; then
    export TANDEM_DATABASE_URL=$SEEDED
    KEEP=1
    case "$SEEDED" in postgres*) DB_KIND=postgres ;; *) DB_KIND=sqlite ;; esac
else
    bench_new_database tandem_desk_bench
fi
bench_server_env

SEED_SECS="(seeded before)"
if [ -z "$SEEDED" ]; then
    echo "==> seeding $DB_KIND: $TICKETS tickets, $MESSAGES messages, $ORGS client organisations, $AGENTS agents"
    SEED_START=$(date +%s.%N)
    "$BIN" seed-desk --tickets "$TICKETS" --messages "$MESSAGES" --orgs "$ORGS" --agents "$AGENTS" | sed 's/^/    /'
    SEED_SECS=$(awk -v s="$SEED_START" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f s", e - s }')
fi
if [ "$DB_KIND" = sqlite ]; then
    DB_FILE=${TANDEM_DATABASE_URL#sqlite://}
    DB_SIZE=$(du -ch "$DB_FILE"* | tail -n 1 | cut -f1)
else
    DB_SIZE=$(psql -tA "$TANDEM_DATABASE_URL" -c "SELECT pg_size_pretty(pg_database_size(current_database()))")
fi

# A database seeded by an older build may lack newer migrations (index builds over a
# million tickets take a while): apply them before the server's start-up clock runs.
"$BIN" migrate | sed 's/^/    /'

bench_start_server "$BIN" 30

echo "==> load: $LOAD --phases $PHASES"
"$LOAD" --base "$BASE" --phases "$PHASES" --orgs "$ORGS" --requests "$REQUESTS" \
    --measure-secs "$MEASURE_SECS" \
    --duration "$DURATION" --create-concurrency "$CREATE_CONCURRENCY" \
    --clients "$CLIENTS" --outage-tickets "$OUTAGE_TICKETS" \
    --server-pid "$SERVER_PID" 2>&1 | sed 's/^/    /'

bench_server_rss
echo
echo "Tandem support-desk benchmark: release build, $DB_KIND, $(nproc) CPUs"
echo "seeding ($TICKETS tickets, $MESSAGES messages): ${SEED_SECS}; database size $DB_SIZE"
echo "server RSS after the runs: ${RSS} MB"
echo "targets: first page of any queue, filter or search p99 ≤ 20 ms; ticket creation ≥ 300/s"
