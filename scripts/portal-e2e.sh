#!/usr/bin/env bash
# The manager portal end to end in a real browser: starts a sync-server (already built,
# $CARGO_TARGET_DIR/debug/sync-server) on a free port with its own database prefix and
# the demo data, serving the built portal (ui/dist/portal), then runs ui/e2e with
# playwright-core on Debian's chromium. Screenshots go to $KASSA_SCREENSHOTS.
#
#   scripts/portal-e2e.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
SERVER="$TARGET_DIR/debug/sync-server"
[ -x "$SERVER" ] || { echo "no $SERVER; build it: cargo build -p sync-server" >&2; exit 1; }
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
PREFIX="portale2e$$_"
export KASSA_LISTEN="127.0.0.1:$PORT"
export KASSA_MONGODB__URI="${KASSA_TEST_MONGODB_URI:-mongodb://127.0.0.1:27017/?directConnection=true}"
export KASSA_MONGODB__DB_PREFIX="$PREFIX"
export KASSA_AMQP__URI="${KASSA_TEST_AMQP_URI:-amqp://guest:guest@127.0.0.1:5672/%2f}"
export KASSA_AMQP__PREFIX="$PREFIX."
export KASSA_AUTH__JWT_SECRET="portal-e2e-secret-0123456789abcdef0123"
export KASSA_AUTH__BOOTSTRAP_ADMIN_EMAIL=platform@kassa.local
export KASSA_AUTH__BOOTSTRAP_ADMIN_PASSWORD=platform-password
export KASSA_PORTAL_DIR="$ROOT/ui/dist/portal"
# Browsers log in many times in a run; the per-account login limit is for attackers.
export KASSA_LIMITS__LOGIN_ATTEMPTS_PER_MINUTE=600
export KASSA_LIMITS__PER_IP_PER_SECOND=500
export KASSA_LIMITS__PER_IP_BURST=2000
"$SERVER" seed-demo >/dev/null
"$SERVER" serve > "$TARGET_DIR/portal-e2e-server.log" 2>&1 &
server_pid=$!
trap 'kill $server_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$PORT/api/health" >/dev/null 2>&1 && break
    sleep 0.2
done
export KASSA_PORTAL_URL="http://127.0.0.1:$PORT"
export KASSA_POS="$TARGET_DIR/debug/pos"
export KASSA_SCREENSHOTS="${KASSA_SCREENSHOTS:-$ROOT/docs/screenshots}"
cd ui && npm run e2e
