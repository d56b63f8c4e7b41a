#!/usr/bin/env bash
# Benchmark harness: prints figures, asserts nothing (benchmarks are not tests).
# Starts a release `tandem` on a throw-away SQLite database loaded with the demo data,
# loopback only, and measures with wrk:
#   health (baseline), /me (JWT auth + DB), login (argon2), health while logins run at
#   about 20/s, and the idle resident memory of the server.
# Knobs: BENCH_DURATION (seconds per run, default 10), BENCH_PORT (default 18080).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

DURATION=${BENCH_DURATION:-10}
PORT=${BENCH_PORT:-18080}
BASE=http://127.0.0.1:$PORT
LOGIN_BODY='{"email":"csm1@magicstore.test","password":"tandem-demo"}'
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/tandem

die() { printf 'bench.sh: error: %s\n' "$*" >&2; exit 1; }
for tool in wrk curl python3; do
    command -v "$tool" >/dev/null || die "$tool not found (scripts/setup.sh installs wrk)"
done
if curl -s -o /dev/null "$BASE/"; then
    die "something already listens on 127.0.0.1:$PORT; set BENCH_PORT"
fi

TMP=$(mktemp -d)
SERVER_PID=
WRK_PID=
BG_PID=
cleanup() {
    local rc=$?
    # `|| true` throughout: a failing kill must not cut the cleanup short (set -e).
    for pid in "$WRK_PID" "$BG_PID"; do
        if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
    done
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        # Give it a moment for a graceful shutdown, then insist.
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
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "==> cargo build --release -p api"
cargo build --release -p api

# Server environment: temp SQLite database, loopback only, quiet logs (logging every
# request would measure the terminal, not the server).
export TANDEM_DATABASE_URL=sqlite://$TMP/bench.db
export TANDEM_BIND=127.0.0.1:$PORT
export RUST_LOG=${RUST_LOG:-warn}
# The benchmark logs in hundreds of times from one address: lift the per-IP login limit.
export TANDEM_LOGIN_MAX_ATTEMPTS_PER_IP=1000000
export TANDEM_WEB_DIST=/nonexistent

echo "==> loading demo data into $TANDEM_DATABASE_URL"
"$BIN" demo >"$TMP/demo.log" 2>&1 || { cat "$TMP/demo.log" >&2; die "tandem demo failed"; }

echo "==> starting tandem serve on $TANDEM_BIND"
"$BIN" serve >"$TMP/server.log" 2>&1 &
SERVER_PID=$!

for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "$BASE/api/v1/health" 2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || die "tandem exited during start-up"
    sleep 0.2
done
curl -fsS -o /dev/null "$BASE/api/v1/health" || die "no healthy server at $BASE after 20 s"

TOKEN=$(curl -fsS -H 'Content-Type: application/json' -d "$LOGIN_BODY" "$BASE/api/v1/auth/login" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])') ||
    die "login as csm1@magicstore.test failed (demo data loaded?)"

rss_mb() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status"; }
sleep 3
RSS_START=$(rss_mb)

# wrk Lua scripts: a POST login, and the same paced by a per-request delay.
cat >"$TMP/login.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '$LOGIN_BODY'
EOF
# wrk cannot set a rate; 4 connections each waiting 200 ms before every request give
# a little under 20 logins/s (less by the login latency itself).
cp "$TMP/login.lua" "$TMP/login-paced.lua"
echo 'function delay() return 200 end' >>"$TMP/login-paced.lua"

# run_wrk NAME WRK-ARGS...: run wrk, keep its output in $TMP/NAME.txt, echo it indented.
run_wrk() {
    local name=$1
    shift
    echo "==> wrk $*"
    # In the background + wait, so an interrupt is handled at once, not after the run.
    wrk "$@" >"$TMP/$name.txt" &
    WRK_PID=$!
    wait "$WRK_PID"
    WRK_PID=
    sed 's/^/    /' "$TMP/$name.txt"
}

run_wrk health -t2 -c32 -d"${DURATION}s" --latency "$BASE/api/v1/health"
run_wrk me -t2 -c32 -d"${DURATION}s" --latency -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/me"
run_wrk login -t2 -c4 -d"${DURATION}s" --latency -s "$TMP/login.lua" "$BASE/api/v1/auth/login"

# Health while logins run in the background at about 20/s (argon2 competes for CPU).
echo "==> wrk (background) paced logins, about 20/s"
wrk -t1 -c4 -d"$((2 * DURATION + 3))s" --latency -s "$TMP/login-paced.lua" \
    "$BASE/api/v1/auth/login" >"$TMP/paced.txt" &
BG_PID=$!
sleep 1
# Twice: saturated (32 connections, the queue shows in p99) and at an interactive load
# (4 connections), where p99 shows what a person's request waits behind the hashing.
run_wrk health-busy -t2 -c32 -d"${DURATION}s" --latency "$BASE/api/v1/health"
run_wrk health-busy-c4 -t1 -c4 -d"${DURATION}s" --latency "$BASE/api/v1/health"
wait "$BG_PID"
BG_PID=
sed 's/^/    /' "$TMP/paced.txt"

echo "==> idle for 5 s"
sleep 5
kill -0 "$SERVER_PID" 2>/dev/null || die "tandem died during the benchmark"
RSS_IDLE=$(rss_mb)

# parse FILE: "req/s p50_ms p99_ms non2xx errors" from wrk --latency output.
parse() {
    awk '
        function ms(v) {
            if (v ~ /us$/) return v / 1000
            if (v ~ /ms$/) return v + 0
            if (v ~ /s$/) return v * 1000
            if (v ~ /m$/) return v * 60000
            return v + 0
        }
        /^Requests\/sec:/ { rps = $2 }
        $1 == "50%" { p50 = ms($2) }
        $1 == "99%" { p99 = ms($2) }
        /Non-2xx or 3xx responses:/ { non2xx = $NF }
        /Socket errors:/ { gsub(/,/, ""); errors = $4 + $6 + $8 + $10 }
        END { printf "%s %.2f %.2f %d %d\n", rps, p50, p99, non2xx, errors }
    ' "$1"
}

row() {
    local label=$1 rps p50 p99 non2xx errors
    read -r rps p50 p99 non2xx errors < <(parse "$2")
    printf '%-36s %10.0f %9.2f %9.2f %8d %7d\n' "$label" "$rps" "$p50" "$p99" "$non2xx" "$errors"
}

echo
echo "Tandem benchmark: release build, SQLite, demo data, ${DURATION}s per run, $(nproc) CPUs"
printf '%-36s %10s %9s %9s %8s %7s\n' endpoint 'req/s' 'p50 ms' 'p99 ms' 'non-2xx' 'errors'
row "GET /api/v1/health (c32)" "$TMP/health.txt"
row "GET /api/v1/me (c32, bearer)" "$TMP/me.txt"
row "POST /api/v1/auth/login (c4)" "$TMP/login.txt"
row "GET /api/v1/health during logins c32" "$TMP/health-busy.txt"
row "GET /api/v1/health during logins c4" "$TMP/health-busy-c4.txt"
row "  the logins (paced, c4)" "$TMP/paced.txt"
health_rps=$(parse "$TMP/health.txt" | cut -d' ' -f1)
me_rps=$(parse "$TMP/me.txt" | cut -d' ' -f1)
awk -v me="$me_rps" -v h="$health_rps" \
    'BEGIN { printf "/me / health throughput ratio: %.2f\n", (h > 0 ? me / h : 0) }'
echo "idle RSS: ${RSS_START} MB after start-up, ${RSS_IDLE} MB after the runs"
echo "(non-2xx on login usually means the login rate limit answered 429)"
