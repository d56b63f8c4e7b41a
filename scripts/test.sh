#!/usr/bin/env bash
# The project's test command (README, CI via .ci/run). Runs every check in order and
# stops at the first failing step, naming it.
#
#   scripts/test.sh           full run: setup, lint, wasm build, tests on SQLite and
#                             PostgreSQL (incl. browser tests), OpenAPI and compose checks
#   scripts/test.sh --quick   for developers: skips setup, clippy and the web build
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

QUICK=0
for arg in "$@"; do
    case $arg in
        --quick) QUICK=1 ;;
        -h | --help)
            awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"
            exit 0
            ;;
        *)
            echo "test.sh: unknown argument: $arg (try --help)" >&2
            exit 2
            ;;
    esac
done

# Environment for the test suite. The browser tests (in the api crate's tests) drive
# headless Chromium against the SPA built into web/dist.
export TANDEM_WEB_DIST=$ROOT/web/dist
export TANDEM_BROWSER_TESTS=1
export CHROMEDRIVER=${CHROMEDRIVER:-$(command -v chromedriver || echo /usr/bin/chromedriver)}
PG_URL=${TANDEM_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}

if [ "$QUICK" = 1 ] && [ ! -f "$TANDEM_WEB_DIST/tandem_bg.wasm" ]; then
    # --quick does not build the SPA; without a previous build there is nothing to drive.
    echo "note: web/dist not built (run scripts/build-web.sh); browser tests disabled for this run"
    export TANDEM_BROWSER_TESTS=0
fi

# Colours only for a terminal (and never with NO_COLOR set).
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
    BOLD=$'\e[1m' RED=$'\e[1;31m' GREEN=$'\e[1;32m' RESET=$'\e[0m'
else
    BOLD='' RED='' GREEN='' RESET=''
fi

# The last "Summary [...]" line of a nextest log, colour codes removed.
summary_of() { sed 's/\x1b\[[0-9;]*m//g' "$1" | grep -E '^ *Summary \[' | tail -n 1 || true; }

STEPS_DONE=()
START=$SECONDS

# step NAME COMMAND...: banner, run, record duration; on failure name the step and stop.
step() {
    local name=$1 t0=$SECONDS rc=0
    shift
    printf '\n%s==================== %s ====================%s\n' "$BOLD" "$name" "$RESET"
    # Helper functions print their own, real command line.
    [ "$(type -t "$1")" = function ] || printf '$ %s\n' "$*"
    "$@" || rc=$?
    if [ "$rc" -ne 0 ]; then
        printf '\n%sFAILED: step "%s" (exit code %d)%s\n' "$RED" "$name" "$rc" "$RESET" >&2
        # A failed test run: end the output with nextest's summary line once more.
        if [ "$1" = nextest ]; then summary_of "$2"; fi
        exit "$rc"
    fi
    STEPS_DONE+=("$(printf '%5ss  %s' $((SECONDS - t0)) "$name")")
}

if [ "$QUICK" = 0 ]; then
    step "setup" bash scripts/setup.sh
fi

step "rustfmt" cargo fmt --all --check

if [ "$QUICK" = 0 ]; then
    step "clippy (shared, api; native)" cargo clippy -p shared -p api --all-targets -- -D warnings
    step "clippy (web; wasm32)" cargo clippy -p web --target wasm32-unknown-unknown -- -D warnings
fi

# The shared crate is used by the browser app too: it must keep compiling to wasm.
step "check shared for wasm32" cargo check -p shared --target wasm32-unknown-unknown

if [ "$QUICK" = 0 ]; then
    step "build web app (web/dist)" bash scripts/build-web.sh
fi

# nextest's output is shown untouched (it ends with its "Summary [...] N tests run: ..."
# line) and also kept in target/, so the final recap can repeat both summary lines.
LOG_DIR=${CARGO_TARGET_DIR:-$ROOT/target}/test-logs
mkdir -p "$LOG_DIR"
NEXTEST_ARGS=(--workspace --exclude web --no-fail-fast)
# tee hides the terminal from nextest; keep colours when a human is watching.
[ -t 1 ] && NEXTEST_ARGS+=(--color always)

# nextest LOGFILE ENV=VALUE...: run the suite with the given environment.
nextest() {
    local log=$1
    shift
    printf '$ %s cargo nextest run %s\n' "$*" "${NEXTEST_ARGS[*]}"
    env "$@" cargo nextest run "${NEXTEST_ARGS[@]}" 2>&1 | tee "$log"
}

step "tests on SQLite" nextest "$LOG_DIR/nextest-sqlite.log" TANDEM_TEST_DB=sqlite
# PGSSLMODE=disable: loopback needs no TLS, and with it a test process that had passed
# now and then died of SIGSEGV while exiting (libpq's OpenSSL torn down by the exit handlers
# while a pool thread still held a TLS connection).
step "tests on PostgreSQL" nextest "$LOG_DIR/nextest-postgres.log" \
    TANDEM_TEST_DB=postgres TANDEM_TEST_POSTGRES_URL="$PG_URL" PGSSLMODE=disable

step "OpenAPI: openapi-spec-validator" python3 -m openapi_spec_validator openapi.yaml
step "OpenAPI: spectral lint" \
    tools/node_modules/.bin/spectral lint --ruleset .spectral.yaml --fail-severity=error openapi.yaml

step "docker-compose config" docker-compose -f docker-compose.yml config -q

printf '\n%sAll steps passed in %d s%s:%s\n' "$GREEN" $((SECONDS - START)) \
    "$([ "$QUICK" = 1 ] && echo ' (--quick: setup, clippy and web build skipped)')" "$RESET"
printf '  %s\n' "${STEPS_DONE[@]}"
printf 'nextest, SQLite:\n%s\n' "$(summary_of "$LOG_DIR/nextest-sqlite.log")"
printf 'nextest, PostgreSQL:\n%s\n' "$(summary_of "$LOG_DIR/nextest-postgres.log")"
