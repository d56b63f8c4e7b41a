#!/usr/bin/env bash
# Installs and starts everything the test suite needs. Idempotent: every step checks
# first and skips what is already there, so a second run takes seconds.
# Works unattended (CI=true, no stdin, root or sudo). Registries only: apt, crates.io,
# npm, PyPI; nothing is downloaded from GitHub or CDNs.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

# Pinned versions. wasm-bindgen-cli must equal the wasm-bindgen in Cargo.lock
# (web/Cargo.toml pins =0.2.130); Debian's binaryen is too old (see TOOLCHAIN.md).
WASM_BINDGEN_VERSION=0.2.130
BINARYEN_VERSION=132.0.0
SPECTRAL_VERSION=6.16.3
APT_PACKAGES=(chromium chromium-driver wrk pkg-config libssl-dev docker-compose)
PY_PACKAGES=(aiosmtpd openapi-spec-validator icalendar)

# `setup.sh --run`: only what building and running Tandem needs (scripts/run.sh), not the
# test tools (browser, SMTP server, linters, PostgreSQL).
RUN_ONLY=0
[ "${1:-}" = --run ] && RUN_ONLY=1
[ "$RUN_ONLY" = 1 ] && APT_PACKAGES=(pkg-config libssl-dev)

# Never prompt (no stdin in CI).
export DEBIAN_FRONTEND=noninteractive
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
export npm_config_update_notifier=false
# Spectral pulls in @scarf/scarf, whose install script phones home; keep it quiet.
export SCARF_ANALYTICS=false
# `cargo install` puts binaries here; CI shells do not always have it on PATH.
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

START=$SECONDS
log() { printf '==> %s\n' "$*"; }
skip() { printf '    ok: %s\n' "$*"; }
die() { printf 'setup.sh: error: %s\n' "$*" >&2; exit 1; }

# Run as root directly, otherwise through sudo (non-interactive, so it fails fast).
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi
}

# Two concurrent runs (e.g. two terminals) must not both run apt/npm at once.
mkdir -p "$ROOT/tools"
if command -v flock >/dev/null; then
    exec 9>"$ROOT/tools/.setup.lock"
    flock 9
fi

# --- Debian packages ---------------------------------------------------------------
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$pkg")
    fi
done
if [ ${#missing[@]} -gt 0 ]; then
    # apt-get update only when something must be installed: it is the slow part.
    log "apt: installing ${missing[*]}"
    as_root apt-get update -q </dev/null
    as_root apt-get install -y -q "${APT_PACKAGES[@]}" </dev/null
else
    skip "apt packages present (${APT_PACKAGES[*]})"
fi

# --- Rust toolchain pieces -----------------------------------------------------------
command -v cargo >/dev/null || die "cargo not found; install Rust with rustup first"
if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
    log "rustup: adding rustfmt and clippy"
    rustup component add rustfmt clippy </dev/null
else
    skip "rustfmt and clippy present"
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "rustup: adding target wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown </dev/null
else
    skip "target wasm32-unknown-unknown present"
fi

# Without --locked: with it, a pinned dependency is missing from the registry.
if wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
    skip "wasm-bindgen $WASM_BINDGEN_VERSION present"
else
    log "cargo: installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2-3 min)"
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force </dev/null
fi

# The test command runs nextest; a fresh machine may lack it.
if cargo nextest --version >/dev/null 2>&1; then
    skip "cargo-nextest present"
else
    log "cargo: installing cargo-nextest"
    cargo install cargo-nextest --locked </dev/null
fi

# --- npm tools, project-local in tools/ (gitignored) ------------------------------
if ! command -v npm >/dev/null; then
    log "apt: installing nodejs npm (for wasm-opt and the OpenAPI linter)"
    as_root apt-get update -q </dev/null
    as_root apt-get install -y -q nodejs npm </dev/null
fi
TOOLS_BIN=$ROOT/tools/node_modules/.bin
if "$TOOLS_BIN/wasm-opt" --version 2>/dev/null | grep -q "version ${BINARYEN_VERSION%%.*}" &&
    "$TOOLS_BIN/spectral" --version 2>/dev/null | grep -qx "$SPECTRAL_VERSION"; then
    skip "tools/: wasm-opt (binaryen $BINARYEN_VERSION) and spectral $SPECTRAL_VERSION present"
else
    log "npm: installing binaryen@$BINARYEN_VERSION @stoplight/spectral-cli@$SPECTRAL_VERSION into tools/"
    # Own package.json so npm never walks up to some other project's.
    [ -f tools/package.json ] ||
        printf '{\n  "name": "tandem-tools",\n  "private": true\n}\n' >tools/package.json
    npm install --prefix tools --no-audit --no-fund --no-progress --save-exact \
        "binaryen@$BINARYEN_VERSION" "@stoplight/spectral-cli@$SPECTRAL_VERSION" </dev/null
    "$TOOLS_BIN/wasm-opt" --version >/dev/null || die "wasm-opt did not install"
    "$TOOLS_BIN/spectral" --version >/dev/null || die "spectral did not install"
fi

if [ "$RUN_ONLY" = 1 ]; then
    log "setup (run only) complete in $((SECONDS - START)) s"
    exit 0
fi

# --- Python packages (the python3 on PATH, i.e. pyenv's 3.11) ---------------------
# `python3 -m pip` so the packages land in the interpreter test.sh runs.
if python3 -c 'import aiosmtpd, openapi_spec_validator, icalendar' 2>/dev/null; then
    skip "python: ${PY_PACKAGES[*]} importable"
else
    log "pip: installing ${PY_PACKAGES[*]}"
    python3 -m pip install --quiet "${PY_PACKAGES[@]}" </dev/null
fi

# --- PostgreSQL -------------------------------------------------------------------
if pg_isready -q -h 127.0.0.1 2>/dev/null; then
    skip "PostgreSQL accepting connections on 127.0.0.1:5432"
else
    if ! command -v pg_ctlcluster >/dev/null || [ ! -d /etc/postgresql ]; then
        die "PostgreSQL is not installed (expected a cluster under /etc/postgresql)"
    fi
    # Newest installed major version, cluster "main".
    pg_version=$(find /etc/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)
    log "postgres: starting cluster $pg_version/main"
    as_root pg_ctlcluster --skip-systemctl-redirect "$pg_version" main start </dev/null || true
    for _ in $(seq 1 30); do
        pg_isready -q -h 127.0.0.1 && break
        sleep 1
    done
    pg_isready -h 127.0.0.1 || die "PostgreSQL did not become ready on 127.0.0.1:5432"
fi

log "setup complete in $((SECONDS - START)) s"
