#!/usr/bin/env bash
# The manager portal's benchmarks (issue 23): a release sync-server on a free port with its
# own database prefix (pb<pid>_) and the demo data; `kassa-bench portal` adds shops up to 10,
# imports 100,000 products and writes a year of sales (1,000,000 orders) with their
# analytics rollups; then ui/e2e/portal.bench.mjs times the portal in Debian's chromium
# (dashboard first load, filter change, products first page, live sale from a real `pos`
# till) and measures the built portal's gzipped JS+CSS. The figures go to the `portal`
# section of bench/RESULTS.md; the databases are dropped at the end. A long run (about
# half an hour on 2 cores); not part of scripts/test.sh.
#
#   scripts/portal-bench.sh                       # 1,000,000 orders
#   PB_ORDERS=100000 scripts/portal-bench.sh      # smaller
#
# Needs SecantusDB/MongoDB on 127.0.0.1:27017 and RabbitMQ on :5672 (scripts/services.sh up),
# node (scripts/node-env.sh) and /usr/bin/chromium.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kassa/target}"
ORDERS="${PB_ORDERS:-1000000}"
PRODUCTS="${PB_PRODUCTS:-100000}"
if [ "${PB_NO_BUILD:-}" != 1 ]; then
    if [ "${PB_PROFILE:-release}" = release ]; then
        cargo build --release -p sync-server -p kassa-bench
    else
        cargo build -p sync-server -p kassa-bench
    fi
    cargo build -p pos-core --bin pos
    (source scripts/node-env.sh && cd ui && npm run build >/dev/null)
fi
# PB_PROFILE=debug measures debug builds (say so in the results); PB_SERVER / PB_BENCH name
# other binaries.
export PB_PROFILE="${PB_PROFILE:-release}"
SERVER="${PB_SERVER:-$CARGO_TARGET_DIR/$PB_PROFILE/sync-server}"
BENCH="${PB_BENCH:-$CARGO_TARGET_DIR/$PB_PROFILE/kassa-bench}"
POS="${KASSA_POS:-$CARGO_TARGET_DIR/debug/pos}"
# Without a till binary the live measurement is skipped (checked again when it is due).
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
PREFIX="pb$$_"
OUT="$(mktemp -d)"
export KASSA_LISTEN="127.0.0.1:$PORT"
export KASSA_MONGODB__URI="${KASSA_TEST_MONGODB_URI:-mongodb://127.0.0.1:27017/?directConnection=true}"
export KASSA_MONGODB__DB_PREFIX="$PREFIX"
export KASSA_AMQP__URI="${KASSA_TEST_AMQP_URI:-amqp://guest:guest@127.0.0.1:5672/%2f}"
export KASSA_AMQP__PREFIX="$PREFIX."
export KASSA_AUTH__JWT_SECRET="portal-bench-secret-0123456789abcdef0123"
export KASSA_AUTH__BOOTSTRAP_ADMIN_EMAIL=platform@kassa.local
export KASSA_AUTH__BOOTSTRAP_ADMIN_PASSWORD=platform-password
export KASSA_PORTAL_DIR="$ROOT/ui/dist/portal"
export KASSA_LIMITS__LOGIN_ATTEMPTS_PER_MINUTE=600
export KASSA_LIMITS__PER_IP_PER_SECOND=500
export KASSA_LIMITS__PER_IP_BURST=2000
# The seeder imports 10,000 products a request (the import's own maximum).
export KASSA_LIMITS__BODY_BYTES=16777216
drop() {
    [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null || true
    [ "${PB_KEEP:-}" = 1 ] || "$BENCH" portal --drop || true
}
trap drop EXIT
"$SERVER" seed-demo >/dev/null
"$SERVER" serve > "$OUT/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 150); do
    curl -fsS "http://127.0.0.1:$PORT/api/health" >/dev/null 2>&1 && break
    sleep 0.2
done
echo "server on :$PORT, prefix $PREFIX, logs in $OUT" >&2
seed_start="$(date +%s.%N)"
"$BENCH" portal --api "http://127.0.0.1:$PORT" --orders "$ORDERS" --products "$PRODUCTS" \
    > "$OUT/seed.json" 2> "$OUT/seed.log" || { tail -20 "$OUT/seed.log" >&2; exit 1; }
seed_s="$(python3 -c "import sys; print(round($(date +%s.%N) - $seed_start, 1))")"
cat "$OUT/seed.json" >&2
# The server as it would be after a restart on this data (indexes and caches warm from disk).
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
"$SERVER" serve >> "$OUT/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 150); do
    curl -fsS "http://127.0.0.1:$PORT/api/health" >/dev/null 2>&1 && break
    sleep 0.2
done
du_mb="$("$BENCH" portal --size || echo '?')"
# Each API call on its own (curl, no browser), on the restarted server: the first call of
# each (nothing the server read kept yet) and the second.
api_token="$(curl -fsS -H 'content-type: application/json' \
    -d '{"email":"admin@demo.kassa.test","password":"demo-password-1"}' \
    "http://127.0.0.1:$PORT/api/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"
today="$(date -u +%F)"
month0="$(date -u +%Y-%m-01)"
year0="$(date -u -d '365 days ago' +%F)"
{
    for call in "dashboard today|/api/analytics/dashboard?from=$today&to=$today" \
        "dashboard month|/api/analytics/dashboard?from=$month0&to=$today" \
        "dashboard year|/api/analytics/dashboard?from=$year0&to=$today" \
        "products first page|/api/catalog/products?limit=50" \
        "products page 1000|/api/catalog/products?limit=50&offset=50000"; do
        for run in first second; do
            t="$(curl -fsS -o /dev/null -w '%{time_total}' -H "authorization: Bearer $api_token" \
                "http://127.0.0.1:$PORT${call#*|}")"
            echo "${call%%|*} ($run): ${t} s"
        done
    done
} | tee "$OUT/api.txt" >&2
[ -x "$POS" ] || { echo "no till binary at $POS: live sales not measured" >&2; POS=""; }
(source scripts/node-env.sh && cd ui && KASSA_PORTAL_URL="http://127.0.0.1:$PORT" KASSA_POS="$POS" \
    node e2e/portal.bench.mjs > "$OUT/browser.json")
cat "$OUT/browser.json" >&2
(source scripts/node-env.sh && node bench/portal/write-results.mjs "$OUT/seed.json" "$OUT/browser.json" "$du_mb" "$seed_s" bench/RESULTS.md)
