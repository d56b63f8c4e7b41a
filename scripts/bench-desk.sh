#!/usr/bin/env bash
# Support-desk benchmark (issue #4, performance): prints figures, asserts nothing.
# Seeds a throw-away database with `tandem seed-desk` (1,000,000 tickets and 5,000,000
# messages by default), starts a release `tandem` on it (loopback only) and runs the load
# generator api/examples/bench_desk.rs:
#   lists   first page (limit 50) of each work queue as desk agents, of each filter, of
#           searches (common word, rare word, prefix) and of client users' portal lists;
#   create  client users open tickets in parallel (POST /tickets: the full intake).
# Knobs: BENCH_DB=sqlite|postgres (default sqlite), BENCH_POSTGRES_URL (an admin URL, default
# postgres://postgres@127.0.0.1:5432/postgres; a temp database is created and dropped),
# BENCH_PORT (18082), BENCH_TICKETS (1000000), BENCH_MESSAGES (5000000), BENCH_ORGS (2000),
# BENCH_AGENTS (100), BENCH_REQUESTS (requests per list measure, 300), BENCH_DURATION
# (seconds of the create run, 20), BENCH_MEASURE_SECS (a list measure stops early after this, 15), BENCH_CREATE_CONCURRENCY (16), BENCH_PHASES (lists,create),
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
KEEP=${BENCH_KEEP_DB:-0}
BASE=http://127.0.0.1:$PORT
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}/release
BIN=$TARGET/tandem
LOAD=$TARGET/examples/bench_desk

die() { printf 'bench-desk.sh: error: %s\n' "$*" >&2; exit 1; }
case "$DB_KIND" in
    sqlite) ;;
    postgres) command -v psql >/dev/null || die "psql not found (needed to make the temp database)" ;;
    *) die "BENCH_DB must be sqlite or postgres (got $DB_KIND)" ;;
esac
command -v curl >/dev/null || die "curl not found"
if curl -s -o /dev/null "$BASE/"; then
    die "something already listens on 127.0.0.1:$PORT; set BENCH_PORT"
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
    if [ "$KEEP" = 1 ]; then
        echo "kept: $TANDEM_DATABASE_URL" >&2
        return
    fi
    if [ -n "$PG_DB" ]; then
        psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

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
elif [ "$DB_KIND" = postgres ]; then
    PG_DB=tandem_desk_bench_$$_$RANDOM
    psql -q "$PG_ADMIN" -c "CREATE DATABASE $PG_DB" >/dev/null ||
        die "cannot create a database through $PG_ADMIN (is PostgreSQL running?)"
    export TANDEM_DATABASE_URL=${PG_ADMIN%/*}/$PG_DB
else
    export TANDEM_DATABASE_URL=sqlite://$TMP/bench.db
fi
export TANDEM_BIND=127.0.0.1:$PORT
# Logging every request would measure the terminal, not the server.
export RUST_LOG=${RUST_LOG:-warn}
# Hundreds of logins from one address: lift the per-IP login limit.
export TANDEM_LOGIN_MAX_ATTEMPTS_PER_IP=1000000
export TANDEM_WEB_DIST=/nonexistent
export TANDEM_MAIL_OUTBOX_DIR=$TMP/outbox

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

echo "==> starting tandem serve on $TANDEM_BIND"
"$BIN" serve >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 150); do
    curl -fsS -o /dev/null "$BASE/api/v1/health" 2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || die "tandem exited during start-up"
    sleep 0.2
done
curl -fsS -o /dev/null "$BASE/api/v1/health" || die "no healthy server at $BASE after 30 s"

echo "==> load: $LOAD --phases $PHASES"
"$LOAD" --base "$BASE" --phases "$PHASES" --orgs "$ORGS" --requests "$REQUESTS" \
    --measure-secs "$MEASURE_SECS" \
    --duration "$DURATION" --create-concurrency "$CREATE_CONCURRENCY" \
    --server-pid "$SERVER_PID" 2>&1 | sed 's/^/    /'

kill -0 "$SERVER_PID" 2>/dev/null || die "tandem died during the benchmark"
RSS=$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status")
echo
echo "Tandem support-desk benchmark: release build, $DB_KIND, $(nproc) CPUs"
echo "seeding ($TICKETS tickets, $MESSAGES messages): ${SEED_SECS}; database size $DB_SIZE"
echo "server RSS after the runs: ${RSS} MB"
echo "targets: first page of any queue, filter or search p99 ≤ 20 ms; ticket creation ≥ 300/s"
