#!/usr/bin/env bash
# Builds the leptos SPA (web/) into web/dist/ without trunk, offline:
#   cargo (wasm32, size profile) -> wasm-bindgen -> wasm-opt -Oz -> copy index.html + static/
# Output names are fixed because web/index.html refers to them:
#   web/dist/tandem.js, web/dist/tandem_bg.wasm
# Tools come from scripts/setup.sh (wasm-bindgen-cli, tools/node_modules/.bin/wasm-opt).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
WASM_IN=$TARGET_DIR/wasm32-unknown-unknown/wasm-release/web.wasm
DIST=$ROOT/web/dist
# Assemble in a staging directory and swap at the end, so a server serving web/dist
# never sees a half-written app, and a failed build leaves the previous dist intact.
STAGE=$TARGET_DIR/web-dist.staging
WASM_OPT=$ROOT/tools/node_modules/.bin/wasm-opt

die() { printf 'build-web.sh: error: %s\n' "$*" >&2; exit 1; }

# A CLI/library version mismatch makes wasm-bindgen fail with a cryptic schema error;
# say plainly what is wrong instead.
command -v wasm-bindgen >/dev/null || die "wasm-bindgen not found; run scripts/setup.sh"
lock_version=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
cli_version=$(wasm-bindgen --version | awk '{ print $2 }')
if [ -n "$lock_version" ] && [ "$lock_version" != "$cli_version" ]; then
    die "wasm-bindgen CLI is $cli_version but Cargo.lock has $lock_version; run scripts/setup.sh"
fi

echo "==> cargo build -p web (wasm32, profile wasm-release)"
cargo build -p web --target wasm32-unknown-unknown --profile wasm-release
[ -f "$WASM_IN" ] || die "expected $WASM_IN after the build"

rm -rf "$STAGE"
mkdir -p "$STAGE"

echo "==> wasm-bindgen --target web"
wasm-bindgen --target web --no-typescript --out-dir "$STAGE" --out-name tandem "$WASM_IN"

WASM_OUT=$STAGE/tandem_bg.wasm
if [ -x "$WASM_OPT" ]; then
    echo "==> wasm-opt -Oz"
    # The features rustc's wasm32 baseline (LLVM 'generic' CPU) already uses, stated
    # explicitly rather than relying on the module's target_features section; all are
    # supported by current browsers.
    "$WASM_OPT" -Oz \
        --enable-bulk-memory --enable-mutable-globals --enable-nontrapping-float-to-int \
        --enable-sign-ext --enable-reference-types --enable-multivalue \
        -o "$WASM_OUT.opt" "$WASM_OUT"
    mv "$WASM_OUT.opt" "$WASM_OUT"
else
    echo "warning: $WASM_OPT not found (run scripts/setup.sh); shipping the unoptimised wasm" >&2
fi

echo "==> copying web/index.html and web/static/"
[ -f web/index.html ] || die "web/index.html is missing"
cp web/index.html "$STAGE/"
if [ -d web/static ] && [ -n "$(ls -A web/static)" ]; then
    cp -R web/static/. "$STAGE/"
fi

rm -rf "$DIST"
mv "$STAGE" "$DIST"

raw=$(stat -c %s "$DIST/tandem_bg.wasm")
gz=$(gzip -9 -c "$DIST/tandem_bg.wasm" | wc -c)
js=$(stat -c %s "$DIST/tandem.js")
printf '==> web/dist ready: tandem_bg.wasm %d KB raw, %d KB gzipped; tandem.js %d KB\n' \
    $(((raw + 1023) / 1024)) $(((gz + 1023) / 1024)) $(((js + 1023) / 1024))
