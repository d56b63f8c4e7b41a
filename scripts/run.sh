#!/usr/bin/env bash
# The README's run command: builds the web app and the server, loads the demo dataset into
# the configured database (SQLite at ./data/tandem.db unless TANDEM_DATABASE_URL says
# otherwise) and serves everything at http://127.0.0.1:8080 (TANDEM_BIND). Idempotent:
# installed tools, builds and the demo data are reused on the next run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

bash scripts/setup.sh --run
bash scripts/build-web.sh
cargo build --release -p api
export TANDEM_WEB_DIST=${TANDEM_WEB_DIST:-$PWD/web/dist}
./target/release/tandem demo
echo "Tandem: open http://${TANDEM_BIND:-127.0.0.1:8080} — demo logins are in README.md (password tandem-demo)"
exec ./target/release/tandem serve
