#!/usr/bin/env bash
# Runs Kassa on this machine: installs what it needs, starts SecantusDB and RabbitMQ, seeds
# the demo data, starts the server on :8000 and (when a display is available) the terminal
# app. Stop with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kassa/target}"

scripts/install-deps.sh
scripts/services.sh up

# A signing key per installation, kept beside the data so tokens survive restarts.
mkdir -p .data
if [ ! -s .data/jwt-secret ]; then
  head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > .data/jwt-secret
fi
export KASSA_AUTH__JWT_SECRET="${KASSA_AUTH__JWT_SECRET:-$(cat .data/jwt-secret)}"
export KASSA_AUTH__BOOTSTRAP_ADMIN_EMAIL="${KASSA_AUTH__BOOTSTRAP_ADMIN_EMAIL:-platform@kassa.local}"
export KASSA_AUTH__BOOTSTRAP_ADMIN_PASSWORD="${KASSA_AUTH__BOOTSTRAP_ADMIN_PASSWORD:-platform-password}"

cargo build --release -p sync-server --locked
server="$CARGO_TARGET_DIR/release/sync-server"

echo "==> seeding demo data"
"$server" seed-demo
echo "Platform admin: $KASSA_AUTH__BOOTSTRAP_ADMIN_EMAIL / $KASSA_AUTH__BOOTSTRAP_ADMIN_PASSWORD"

"$server" serve &
server_pid=$!
trap 'kill $server_pid 2>/dev/null || true; [ -n "${app_pid:-}" ] && kill $app_pid 2>/dev/null || true' EXIT INT TERM

for _ in $(seq 1 60); do
  if curl -fsS http://127.0.0.1:8000/api/health >/dev/null 2>&1; then break; fi
  sleep 0.5
done
curl -sS http://127.0.0.1:8000/api/health; echo
echo "Server: http://127.0.0.1:8000  (API docs: http://127.0.0.1:8000/api/docs)"

if [ -n "${DISPLAY:-}" ] && [ "${KASSA_NO_DESKTOP:-}" != "1" ]; then
  cargo build -p kassa-desktop --locked
  "$CARGO_TARGET_DIR/debug/kassa-desktop" &
  app_pid=$!
  echo "Terminal app started (window 'Kassa')."
else
  echo "No DISPLAY: the terminal app is not started (set DISPLAY, or use the pos CLI)."
fi
wait $server_pid
