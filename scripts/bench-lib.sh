# Shared set-up of the benchmark scripts (bench-project.sh, bench-desk.sh): sourced, not run.
# The caller sets BENCH_NAME, DB_KIND, PG_ADMIN, PORT and BASE first; KEEP=1 keeps the
# database (its URL is printed) instead of dropping it.

die() { printf '%s: error: %s\n' "$BENCH_NAME" "$*" >&2; exit 1; }

# The tools the run needs, and a free port.
bench_check() {
    case "$DB_KIND" in
        sqlite) ;;
        postgres) command -v psql >/dev/null || die "psql not found (needed to make the temp database)" ;;
        *) die "BENCH_DB must be sqlite or postgres (got $DB_KIND)" ;;
    esac
    command -v curl >/dev/null || die "curl not found"
    if curl -s -o /dev/null "$BASE/"; then
        die "something already listens on 127.0.0.1:$PORT; set BENCH_PORT"
    fi
}

TMP=$(mktemp -d)
SERVER_PID=
PG_DB=
KEEP=${KEEP:-0}
bench_cleanup() {
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
        echo "kept: ${TANDEM_DATABASE_URL:-}" >&2
        return
    fi
    if [ -n "$PG_DB" ]; then
        psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
    fi
    rm -rf "$TMP"
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

# A fresh database: a temporary PostgreSQL database named after $1, or a file in $TMP.
bench_new_database() {
    if [ "$DB_KIND" = postgres ]; then
        PG_DB=${1}_$$_$RANDOM
        psql -q "$PG_ADMIN" -c "CREATE DATABASE $PG_DB" >/dev/null ||
            die "cannot create a database through $PG_ADMIN (is PostgreSQL running?)"
        export TANDEM_DATABASE_URL=${PG_ADMIN%/*}/$PG_DB
    else
        export TANDEM_DATABASE_URL=sqlite://$TMP/bench.db
    fi
}

# The server's settings for a measurement on loopback.
bench_server_env() {
    export TANDEM_BIND=127.0.0.1:$PORT
    # Logging every request would measure the terminal, not the server.
    export RUST_LOG=${RUST_LOG:-warn}
    # Hundreds or thousands of logins from one address: lift the per-IP login limit.
    export TANDEM_LOGIN_MAX_ATTEMPTS_PER_IP=1000000
    export TANDEM_WEB_DIST=/nonexistent
    export TANDEM_MAIL_OUTBOX_DIR=$TMP/outbox
}

# Starts `$1 serve` and waits up to $2 seconds for it to answer.
bench_start_server() {
    echo "==> starting tandem serve on $TANDEM_BIND"
    "$1" serve >"$TMP/server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 $(($2 * 5))); do
        curl -fsS -o /dev/null "$BASE/api/v1/health" 2>/dev/null && break
        kill -0 "$SERVER_PID" 2>/dev/null || die "tandem exited during start-up"
        sleep 0.2
    done
    curl -fsS -o /dev/null "$BASE/api/v1/health" || die "no healthy server at $BASE after $2 s"
}

# Sets RSS to the server's resident memory in MB (and fails if the server died).
bench_server_rss() {
    kill -0 "$SERVER_PID" 2>/dev/null || die "tandem died during the benchmark"
    RSS=$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status")
}
