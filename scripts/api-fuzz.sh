#!/usr/bin/env bash
# API property tests: schemathesis drives every operation of the served OpenAPI document
# (generated valid and invalid requests, then stateful sequences along the links it infers)
# with each role's token, and fails on any 5xx, any answer outside the documented schema
# or status codes, and any schema-valid request refused (see scripts/api-fuzz.toml).
#
#   scripts/api-fuzz.sh [MAX_EXAMPLES]      # default 5: about two minutes on two cores
#   scripts/api-fuzz.sh 1000                # the long run (docs/reliability.md)
#
# Starts the sync-server binary ($KASSA_API_FUZZ_SERVER, default
# $CARGO_TARGET_DIR/debug/sync-server) on a free port with its own database and queue
# prefix, seeds it through the REST API (scripts/api-fuzz-seed.py), then runs schemathesis
# as a platform admin, a company admin, a shop manager and an enrolled terminal. Each run's
# full report is kept in $CARGO_TARGET_DIR/api-fuzz/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
MAX_EXAMPLES="${1:-5}"
TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kassa/target}"
SERVER="${KASSA_API_FUZZ_SERVER:-$TARGET_DIR/debug/sync-server}"
SCHEMATHESIS="$ROOT/.venv-schemathesis/bin/schemathesis"
OUT="$TARGET_DIR/api-fuzz"

die() { printf '[api-fuzz] ERROR: %s\n' "$*" >&2; exit 1; }
[ -x "$SERVER" ] || die "no $SERVER; build it: cargo build -p sync-server"
[ -x "$SCHEMATHESIS" ] || die "no $SCHEMATHESIS; run scripts/install-deps.sh"
[[ "$MAX_EXAMPLES" =~ ^[0-9]+$ ]] || die "MAX_EXAMPLES must be a number, not '$MAX_EXAMPLES'"
mkdir -p "$OUT"

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
PREFIX="apifuzz$$_"
BASE="http://127.0.0.1:$PORT"
export KASSA_LISTEN="127.0.0.1:$PORT"
export KASSA_MONGODB__URI="${KASSA_TEST_MONGODB_URI:-mongodb://127.0.0.1:27017/?directConnection=true}"
export KASSA_MONGODB__DB_PREFIX="$PREFIX"
export KASSA_AMQP__URI="${KASSA_TEST_AMQP_URI:-amqp://guest:guest@127.0.0.1:5672/%2f}"
export KASSA_AMQP__PREFIX="$PREFIX."
export KASSA_AUTH__JWT_SECRET="api-fuzz-secret-0123456789abcdef01234"
export KASSA_AUTH__BOOTSTRAP_ADMIN_EMAIL=platform@fuzz.test
export KASSA_AUTH__BOOTSTRAP_ADMIN_PASSWORD=platform-password
# The long run outlasts the default 15-minute access token.
export KASSA_AUTH__ACCESS_TTL_SECS=86400
# Thousands of requests from one address: the limits are for attackers, not for this.
export KASSA_LIMITS__PER_IP_PER_SECOND=100000
export KASSA_LIMITS__PER_IP_BURST=100000
export KASSA_LIMITS__LOGIN_ATTEMPTS_PER_MINUTE=100000
export RUST_LOG="${RUST_LOG:-warn}"

"$SERVER" serve > "$OUT/server.log" 2>&1 &
server_pid=$!
trap 'kill $server_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 150); do
    curl -fsS "$BASE/api/health" >/dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || die "the server exited; see $OUT/server.log"
    sleep 0.2
done
curl -fsS "$BASE/api/health" >/dev/null || die "the server did not come up; see $OUT/server.log"

seed="$(python3 scripts/api-fuzz-seed.py "$BASE" "$KASSA_AUTH__BOOTSTRAP_ADMIN_EMAIL" "$KASSA_AUTH__BOOTSTRAP_ADMIN_PASSWORD")" \
    || die "seeding failed"
token() { printf '%s\n' "$seed" | sed -n "s/^$1=//p"; }

echo "[api-fuzz] $BASE, up to $MAX_EXAMPLES examples per operation and phase, reports in $OUT"
failed=0
summary=()
for role in platform_admin:PLATFORM_TOKEN company_admin:ADMIN_TOKEN shop_manager:MANAGER_TOKEN terminal:DEVICE_TOKEN; do
    name="${role%%:*}"
    bearer="$(token "${role#*:}")"
    [ -n "$bearer" ] || die "the seed printed no ${role#*:}"
    report="$OUT/$name.txt"
    status=0
    # Run from $OUT: schemathesis keeps a cache directory where it runs.
    (cd "$OUT" && "$SCHEMATHESIS" --config-file "$ROOT/scripts/api-fuzz.toml" --no-color \
        run "$BASE/api/openapi.json" -H "Authorization: Bearer $bearer" --checks all \
        --max-examples "$MAX_EXAMPLES" --workers 2) > "$report" 2>&1 || status=$?
    tested="$(sed -n 's/^  Tested: \([0-9]*\).*/\1/p' "$report" | head -n 1)"
    cases="$(sed -n 's/^  \([0-9]*\) generated.*/\1/p' "$report" | head -n 1)"
    failures="$(sed -n 's/.* found \([0-9]*\) unique failure.*/\1/p' "$report" | head -n 1)"
    errors="$(sed -n 's/.* \([0-9]*\) errored.*/\1/p' "$report" | head -n 1)"
    line="$(printf '%-15s %3s operations %6s cases %3s failures %3s errors' "$name" \
        "${tested:-?}" "${cases:-?}" "${failures:-0}" "${errors:-0}")"
    summary+=("$line")
    echo "[api-fuzz] $line"
    if [ "$status" -ne 0 ]; then
        failed=1
        # The failures and errors sections, without the long tail of hints.
        sed -n '/^=* \(FAILURES\|ERRORS\) =*$/,/^=* WARNINGS =*$/p' "$report" | head -n 200
        echo "[api-fuzz] $name: schemathesis exited $status; full report: $report"
    fi
done

echo
echo "API property tests ($MAX_EXAMPLES examples):"
printf '  %s\n' "${summary[@]}"
if [ "$failed" -ne 0 ]; then
    echo "[api-fuzz] FAILED" >&2
    exit 1
fi
echo "[api-fuzz] passed"
