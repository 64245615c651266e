#!/usr/bin/env bash
# Headless smoke test of the Tauri desktop shell: start a private Xvfb, run the
# already-built kassa-desktop binary in it, wait (<= 30 s) for a window titled
# "Kassa", screenshot the screen, then stop everything this script started.
#
#   scripts/desktop-smoke.sh SCREENSHOT.png
#
# Build first: cargo build -p kassa-desktop
# Environment: KASSA_DESKTOP_BIN (default $CARGO_TARGET_DIR/debug/kassa-desktop,
#   or target/debug/kassa-desktop), KASSA_SMOKE_TIMEOUT (30 s),
#   KASSA_SMOKE_SETTLE (3 s to let the page paint after the window maps).
# Needs: Xvfb, imagemagick (import), xdotool or x11-utils (xwininfo).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-}"
[ -n "$OUT" ] || { echo "usage: $0 SCREENSHOT.png" >&2; exit 2; }
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="${KASSA_DESKTOP_BIN:-$TARGET_DIR/debug/kassa-desktop}"
TIMEOUT="${KASSA_SMOKE_TIMEOUT:-30}"
SETTLE="${KASSA_SMOKE_SETTLE:-3}"

log() { printf '[desktop-smoke] %s\n' "$*"; }
die() { printf '[desktop-smoke] FAIL: %s\n' "$*" >&2; exit 1; }

mkdir -p "$(dirname "$OUT")"
[ -x "$BIN" ] || die "no binary at $BIN; build it with: cargo build -p kassa-desktop"
for tool in Xvfb import; do
    command -v "$tool" >/dev/null || die "$tool not found; run scripts/install-deps.sh"
done
command -v xdotool >/dev/null || command -v xwininfo >/dev/null \
    || die "neither xdotool nor xwininfo found; run scripts/install-deps.sh"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/kassa-smoke.XXXXXX")"
XVFB_PID=""
APP_PID=""
cleanup() {
    local rc=$?
    for pid in "$APP_PID" "$XVFB_PID"; do
        [ -n "$pid" ] || continue
        kill "$pid" 2>/dev/null || true
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.3
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Let Xvfb choose a free display and report it on fd 3.
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$WORK/display" >"$WORK/xvfb.log" 2>&1 &
XVFB_PID=$!
for _ in $(seq 50); do
    [ -s "$WORK/display" ] && break
    kill -0 "$XVFB_PID" 2>/dev/null || { cat "$WORK/xvfb.log" >&2; die "Xvfb exited"; }
    sleep 0.2
done
[ -s "$WORK/display" ] || die "Xvfb did not report a display within 10 s"
export DISPLAY=":$(tr -dc '0-9' <"$WORK/display")"
log "Xvfb on $DISPLAY (pid $XVFB_PID)"

"$BIN" >"$WORK/app.log" 2>&1 &
APP_PID=$!
log "started $BIN (pid $APP_PID)"

has_window() {
    if command -v xdotool >/dev/null; then
        xdotool search --name '^Kassa$' >/dev/null 2>&1
    else
        xwininfo -root -tree 2>/dev/null | grep -q '"Kassa":'
    fi
}

found=0
start=$SECONDS
while [ $((SECONDS - start)) -lt "$TIMEOUT" ]; do
    if ! kill -0 "$APP_PID" 2>/dev/null; then
        cat "$WORK/app.log" >&2
        die "kassa-desktop exited before showing a window"
    fi
    if has_window; then
        found=1
        break
    fi
    sleep 0.5
done
if [ "$found" -ne 1 ]; then
    cat "$WORK/app.log" >&2
    import -window root "$OUT" 2>/dev/null || true
    die "no window named Kassa within ${TIMEOUT}s (screen saved to $OUT)"
fi
log "window 'Kassa' appeared after $((SECONDS - start)) s"

sleep "$SETTLE"
kill -0 "$APP_PID" 2>/dev/null || { cat "$WORK/app.log" >&2; die "kassa-desktop exited after mapping its window"; }
import -window root "$OUT" || die "screenshot failed"
log "screenshot: $OUT"
log "OK"
