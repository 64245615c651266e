#!/usr/bin/env bash
# Builds the terminal app's Debian package (docs/packaging.md): the terminal screens
# (ui/dist/terminal, which the binary embeds), then `tauri build --bundles deb` over
# pos-app/desktop with the Tauri CLI from npm (installers/deb/package.json pins it; its
# Linux binary comes from the npm registry alone, no GitHub download). Prints the
# package's path, its size, its installed size and its control fields.
#
#   installers/build-deb.sh [OUT_DIR]
#
# OUT_DIR (optional) receives a copy of the .deb. Release build: 10+ minutes the first
# time on 2 cores. Honours CARGO_TARGET_DIR (the .deb lands in its release/bundle/deb/).
# Needs what scripts/install-deps.sh installs (libwebkit2gtk-4.1-dev, Node >= 20).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-}"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"

log() { printf '[build-deb] %s\n' "$*"; }
die() { printf '[build-deb] ERROR: %s\n' "$*" >&2; exit 1; }

command -v dpkg-deb >/dev/null || die "dpkg-deb not found (Debian/Ubuntu only)"
# shellcheck source=../scripts/node-env.sh
source "$ROOT/scripts/node-env.sh"

log "terminal screens: ui/dist/terminal"
cd "$ROOT/ui"
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build:terminal

log "Tauri CLI: installers/deb"
cd "$ROOT/installers/deb"
[ -x node_modules/.bin/tauri ] || npm ci --no-audit --no-fund
TAURI="$ROOT/installers/deb/node_modules/.bin/tauri"
log "$("$TAURI" --version)"

log "tauri build --bundles deb (release build of kassa-desktop)"
cd "$ROOT/pos-app/desktop"
export CARGO_TARGET_DIR="$TARGET_DIR"
"$TAURI" build --bundles deb --ci

VERSION="$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' tauri.conf.json | head -n 1)"
DEB="$(ls -t "$TARGET_DIR"/release/bundle/deb/*_"${VERSION}"_*.deb 2>/dev/null | head -n 1)"
[ -n "$DEB" ] && [ -f "$DEB" ] || die "no .deb for version $VERSION under $TARGET_DIR/release/bundle/deb"

SIZE="$(stat -c %s "$DEB")"
INSTALLED_KIB="$(dpkg-deb -f "$DEB" Installed-Size)"
log "package: $DEB"
log "size: $SIZE bytes ($((SIZE / 1024)) KiB); installed size: ${INSTALLED_KIB} KiB"
dpkg-deb -f "$DEB" Package Version Architecture Depends | sed 's/^/[build-deb]   /'
if [ -n "$OUT" ]; then
    mkdir -p "$OUT"
    cp "$DEB" "$OUT/"
    log "copied to $OUT/$(basename "$DEB")"
fi
