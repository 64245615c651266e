#!/usr/bin/env bash
# Runs the whole Kassa test suite on this machine, installing and starting what it needs:
# formatting, lints, every Rust test tier (unit, property, integration against SecantusDB
# and RabbitMQ, end-to-end), and the desktop window smoke test under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."

# Build cache outside the clone so repeated runs (and CI on this machine) stay warm; an
# empty cache works too, it is just slower.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kassa/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

step() { printf '\n==> %s\n' "$*"; }

step "installing build and test dependencies"
scripts/install-deps.sh

step "starting local services (SecantusDB on :27017, RabbitMQ on :5672)"
scripts/services.sh up

step "a throwaway store and broker vhost for the tests"
# Tests get their own in-memory SecantusDB and RabbitMQ vhost, so they never touch
# development data and leave nothing behind.
TEST_MONGO_PORT="${KASSA_TEST_MONGO_PORT:-27018}"
TEST_VHOST="kassa-test-$$"
cleanup() {
  KASSA_MONGO_PORT="$TEST_MONGO_PORT" scripts/services.sh down >/dev/null 2>&1 || true
  rabbitmqctl -q delete_vhost "$TEST_VHOST" >/dev/null 2>&1 || true
}
trap cleanup EXIT
KASSA_MONGO_PORT="$TEST_MONGO_PORT" KASSA_MONGO_STORAGE=":memory:" scripts/services.sh up
export KASSA_TEST_MONGODB_URI="mongodb://127.0.0.1:$TEST_MONGO_PORT/?directConnection=true"
if rabbitmqctl -q add_vhost "$TEST_VHOST" >/dev/null 2>&1 &&
   rabbitmqctl -q set_permissions -p "$TEST_VHOST" guest '.*' '.*' '.*' >/dev/null 2>&1; then
  export KASSA_TEST_AMQP_URI="amqp://guest:guest@127.0.0.1:5672/$TEST_VHOST"
else
  echo "(rabbitmqctl unavailable: tests use the default vhost with per-test prefixes)"
fi

step "formatting"
cargo fmt --all -- --check

step "UI: install (npm ci), type check, lint, unit tests, build"
# Built before the Rust lints: the desktop crate embeds ui/dist/terminal.
# shellcheck source=scripts/node-env.sh
source scripts/node-env.sh
(cd ui && npm ci --no-audit --no-fund --prefer-offline && npm run check && npm run lint \
    && npm test && npm run build)

step "lints"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "dependencies: licences, bans, sources and advisories (cargo deny, deny.toml)"
# Duplicate versions are warnings: counted here, listed by `cargo deny check bans`.
deny_out="$(cargo deny check --hide-inclusion-graph bans licenses sources 2>&1)" \
    || { echo "$deny_out"; exit 1; }
echo "$(tail -n 1 <<<"$deny_out") ($(grep -c '^warning\[duplicate\]' <<<"$deny_out" || true) crates in more than one version)"
# The RustSec database lives on GitHub; where it cannot be fetched the check is skipped,
# not failed (the licence, ban and source checks above need no network).
if deny_fetch="$(timeout 120 cargo deny fetch db 2>&1)"; then
    cargo deny check --hide-inclusion-graph advisories
else
    echo "advisories SKIPPED: the RustSec advisory database cannot be fetched from here"
    echo "  ($(grep -m1 -o 'fatal: .*\|Could not resolve host: [^ ]*' <<<"$deny_fetch" || tail -n 1 <<<"$deny_fetch"))"
fi

step "building every test binary once"
cargo nextest run --workspace --locked --no-run

step "running the tests"
# I/O-bound tests (each spawns a server against the shared MongoDB and RabbitMQ), so more
# threads than cores is fine.
cargo nextest run --workspace --locked --no-fail-fast --test-threads "${KASSA_TEST_THREADS:-4}"

step "the UI's TypeScript types match the Rust views (ts-rs, written by the tests above)"
stale="$(git status --porcelain -- ui/src/lib/bindings)"
if [ -n "$stale" ]; then
    echo "$stale"
    echo "ui/src/lib/bindings is stale: run 'cargo test -p pos-core' and commit the result" >&2
    exit 1
fi

step "fuzz smoke: every parser that meets outside input, ${KASSA_FUZZ_SECONDS:-15} s each (scripts/fuzz.sh)"
scripts/fuzz.sh "${KASSA_FUZZ_SECONDS:-15}"

step "desktop app opens a window (Xvfb)"
cargo build -p kassa-desktop --locked
scripts/desktop-smoke.sh "$CARGO_TARGET_DIR/desktop-smoke.png"

step "manager portal end to end in chromium (playwright-core, axe-core) against a real server"
cargo build -p sync-server -p pos-core --locked
scripts/portal-e2e.sh

step "API property tests: schemathesis over the OpenAPI document with every role's token (scripts/api-fuzz.sh)"
scripts/api-fuzz.sh "${KASSA_API_FUZZ_EXAMPLES:-5}"

step "desktop app end to end in the real webview (tauri-driver + WebKitWebDriver, Xvfb)"
KASSA_DESKTOP_BIN="$CARGO_TARGET_DIR/debug/kassa-desktop" \
KASSA_SCREENSHOTS="${KASSA_SCREENSHOTS:-$PWD/docs/screenshots}" \
    cargo nextest run -p kassa-tests --locked --run-ignored only --no-fail-fast --test-threads 1 -E 'binary(desktop)'

echo
echo "All Kassa tests passed."
