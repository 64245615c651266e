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

echo "==> building the portal and the terminal screens (ui/)"
# shellcheck source=scripts/node-env.sh
source scripts/node-env.sh
(cd ui && npm ci --no-audit --no-fund --prefer-offline && npm run build)

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
echo "Portal: http://127.0.0.1:8000  (manager@demo.kassa.test / demo-password-1; API docs: /api/docs)"

# The demo till: enrolled once into the demo company's Downtown shop, so the app opens
# on its PIN screen with the catalog already there.
till_db="$PWD/.data/terminal.db"
if [ ! -s "$till_db" ]; then
  echo "==> enrolling the demo till into the Downtown shop"
  cargo build -p pos-core --bin pos --locked
  json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
  token="$(curl -fsS localhost:8000/api/auth/login -H 'content-type: application/json' \
    -d '{"email":"manager@demo.kassa.test","password":"demo-password-1"}' | json "d['access_token']")"
  shop="$(curl -fsS localhost:8000/api/shops -H "authorization: Bearer $token" \
    | json "next(s['id'] for s in (d if isinstance(d, list) else d['items']) if s['name'] == 'Downtown')")"
  code="$(curl -fsS -X POST "localhost:8000/api/shops/$shop/enrollment-codes" \
    -H "authorization: Bearer $token" -H 'content-type: application/json' -d '{}' | json "d['code']")"
  "$CARGO_TARGET_DIR/debug/pos" --db "$till_db" enroll --server http://127.0.0.1:8000 \
    --code "$code" --name "Demo till"
fi

if [ -n "${DISPLAY:-}" ] && [ "${KASSA_NO_DESKTOP:-}" != "1" ]; then
  echo "==> building the desktop app"
  cargo build -p kassa-desktop --locked
  KASSA_TERMINAL_DB="$till_db" "$CARGO_TARGET_DIR/debug/kassa-desktop" &
  app_pid=$!
  echo "Terminal app started (window 'Kassa'): log in with PIN 1111 (Alex, cashier) or 9999 (Morgan, manager)."
else
  echo "No DISPLAY: the terminal app is not started (set DISPLAY, or use the pos CLI: pos --db $till_db --help)."
fi
wait $server_pid
