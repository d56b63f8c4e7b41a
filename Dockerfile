# Tandem container image: one binary serving the API, the docs and the built web app.
# Build: docker build -t tandem .   (or: docker-compose up --build)

# ---- builder ----------------------------------------------------------------------
FROM rust:1.95-bookworm AS builder

# pkg-config + libssl-dev: pq-sys builds a bundled libpq linked against OpenSSL.
# nodejs + npm: wasm-opt comes from npm's binaryen 132 (Debian's binaryen breaks the app).
RUN apt-get update \
    && apt-get install -y --no-install-recommends pkg-config libssl-dev nodejs npm \
    && rm -rf /var/lib/apt/lists/*

# Web toolchain first, in their own layers, so source changes do not reinstall them.
# wasm-bindgen-cli must match the wasm-bindgen pinned in Cargo.lock; no --locked
# (with it, a pinned dependency is missing from the registry).
RUN rustup target add wasm32-unknown-unknown \
    && cargo install wasm-bindgen-cli --version 0.2.130
WORKDIR /src
RUN npm install --prefix tools --no-audit --no-fund --save-exact binaryen@132.0.0

# .dockerignore keeps target/, tools/, data/ and web/dist out of the context.
COPY . .
RUN cargo build --release --locked -p api \
    && bash scripts/build-web.sh

# ---- runtime ----------------------------------------------------------------------
FROM debian:bookworm-slim

# ca-certificates for outgoing TLS (SMTP, webhooks); libssl3 because libpq links it.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libssl3 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home-dir /app --shell /usr/sbin/nologin tandem

WORKDIR /app
COPY --from=builder /src/target/release/tandem /app/tandem
COPY --from=builder /src/web/dist /app/web/dist
# The embedded SQLite default lives in ./data; give the unprivileged user a volume.
RUN mkdir -p /app/data && chown tandem:tandem /app/data
VOLUME /app/data

ENV PATH=/app:$PATH \
    TANDEM_WEB_DIST=/app/web/dist \
    TANDEM_BIND=0.0.0.0:8080
USER tandem
EXPOSE 8080
CMD ["tandem", "serve"]
