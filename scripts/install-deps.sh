#!/usr/bin/env bash
# System packages and tools needed to build and test the whole Kassa workspace
# on Debian 12 (bookworm). Run as root (or with sudo available). Idempotent: when
# everything is present it makes no network calls and finishes in about a second.
#
#   scripts/install-deps.sh
#
# Python packages (SecantusDB, pymongo) go into the repo's .venv via
# scripts/services.sh up, not here.
set -euo pipefail

export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin:$HOME/.cargo/bin"

log() { printf '[install-deps] %s\n' "$*"; }
die() { printf '[install-deps] ERROR: %s\n' "$*" >&2; exit 1; }

PACKAGES=(
    # Rust toolchain needs a C toolchain and these -sys crates' libraries
    build-essential pkg-config libssl-dev ca-certificates curl git
    libudev-dev                     # serialport (libudev-sys)
    # Tauri 2 desktop shell
    libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev
    # headless desktop checks: scripts/desktop-smoke.sh and WebDriver e2e
    xvfb xdotool x11-utils imagemagick webkit2gtk-driver
    # virtual serial ports for device tests
    socat
    # the portal's browser tests (playwright-core drives Debian's chromium; no download)
    chromium
    # dev/test services (scripts/services.sh)
    python3 python3-venv rabbitmq-server
)

# Node for ui/ and the sync benchmark; only if none is installed (a NodeSource
# nodejs already ships npm and conflicts with Debian's npm package).
if ! command -v node >/dev/null; then
    PACKAGES+=(nodejs npm)
fi

installed() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

missing=()
for pkg in "${PACKAGES[@]}"; do
    installed "$pkg" || missing+=("$pkg")
done

if [ "${#missing[@]}" -eq 0 ]; then
    log "apt: all ${#PACKAGES[@]} packages already installed"
else
    command -v apt-get >/dev/null || die "apt-get not found; this script targets Debian 12"
    SUDO=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || die "run as root (missing: ${missing[*]})"
        SUDO=(sudo)
    fi
    log "apt: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    "${SUDO[@]}" apt-get update -q
    "${SUDO[@]}" apt-get install -y -q "${missing[@]}"
fi

# Rust: the workspace needs edition 2024 (rustc >= 1.85); Debian's rustc is too old,
# so use rustup when no cargo is on PATH.
if ! command -v cargo >/dev/null; then
    log "rust: installing the stable toolchain with rustup"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs \
        | sh -s -- -y --profile minimal --component clippy,rustfmt
    export PATH="$HOME/.cargo/bin:$PATH"
else
    log "rust: $(rustc --version)"
fi

# WebDriver for the desktop app's end-to-end tests (drives WebKitWebDriver).
if ! command -v tauri-driver >/dev/null 2>&1; then
    log "tauri-driver: installing (cargo install tauri-driver --locked)"
    cargo install tauri-driver --locked
else
    log "tauri-driver: $(tauri-driver --version 2>/dev/null | head -n 1)"
fi

if ! cargo nextest --version >/dev/null 2>&1; then
    log "cargo-nextest: installing (cargo install cargo-nextest --locked)"
    cargo install cargo-nextest --locked
else
    log "cargo-nextest: $(cargo nextest --version 2>/dev/null | head -n 1)"
fi

# cargo-deny: licences, advisories, bans and sources of the dependency tree (deny.toml).
if ! cargo deny --version >/dev/null 2>&1; then
    log "cargo-deny: installing (cargo install cargo-deny --locked)"
    cargo install cargo-deny --locked
else
    log "cargo-deny: $(cargo deny --version 2>/dev/null | head -n 1)"
fi

# emupos: an independent printer/drawer/scale/scanner simulator (PyPI, Python >= 3.13)
# that the device tests check the drivers against. Debian 12 has Python 3.11; this kind of
# machine has 3.13 under pyenv.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# A Python >= 3.13 (pyenv's, Debian's, or the default python3), or nothing.
python313() {
    for candidate in "$HOME"/.pyenv/versions/3.1[3-9]*/bin/python3 /usr/bin/python3.13 /usr/local/bin/python3.13; do
        [ -x "$candidate" ] && { echo "$candidate"; return; }
    done
    if command -v python3 >/dev/null \
        && python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 13) else 1)'; then
        command -v python3
    fi
}
if [ ! -x "$ROOT/.venv-emupos/bin/emupos" ]; then
    PY="$(python313)"
    [ -n "$PY" ] || die "emupos needs Python >= 3.13 (pyenv install 3.13, or set KASSA_EMUPOS to an emupos binary)"
    log "emupos: installing into .venv-emupos with $PY"
    "$PY" -m venv "$ROOT/.venv-emupos"
    "$ROOT/.venv-emupos/bin/pip" install -q emupos==0.4.0
else
    log "emupos: $("$ROOT/.venv-emupos/bin/emupos" --version 2>/dev/null | head -n 1)"
fi

# schemathesis: the API property tests (scripts/api-fuzz.sh) over the OpenAPI document.
# Python >= 3.13: on 3.11 its parallel workers trip over CPython's non-thread-safe `ast`
# ("AST constructor recursion depth mismatch").
if [ ! -x "$ROOT/.venv-schemathesis/bin/schemathesis" ]; then
    PY="$(python313)"
    [ -n "$PY" ] || die "schemathesis needs Python >= 3.13 here (pyenv install 3.13)"
    log "schemathesis: installing into .venv-schemathesis with $PY"
    "$PY" -m venv "$ROOT/.venv-schemathesis"
    "$ROOT/.venv-schemathesis/bin/pip" install -q schemathesis==4.32.5
else
    log "schemathesis: $("$ROOT/.venv-schemathesis/bin/schemathesis" --version 2>/dev/null | head -n 1)"
fi

# localstripe: a Stripe API peer (PaymentIntents, refunds, signed webhooks) that the
# payment service's tests run against (sync-server/tests/api/payment/; ../shared/VERIFIED.md
# says what it models and what it does not). Any Python 3 runs it.
if [ ! -x "$ROOT/.venv-localstripe/bin/localstripe" ]; then
    log "localstripe: installing into .venv-localstripe"
    python3 -m venv "$ROOT/.venv-localstripe"
    "$ROOT/.venv-localstripe/bin/pip" install -q localstripe==1.15.10
else
    log "localstripe: $("$ROOT/.venv-localstripe/bin/pip" show localstripe 2>/dev/null | grep -m1 '^Version')"
fi

# maildev: an SMTP peer (npm) that the emailed-receipt test sends to and reads back.
if [ ! -x "$ROOT/.maildev/node_modules/.bin/maildev" ]; then
    log "maildev: installing into .maildev"
    # shellcheck source=scripts/node-env.sh
    (source "$ROOT/scripts/node-env.sh" \
        && npm i --prefix "$ROOT/.maildev" --no-audit --no-fund maildev@3.0.0 >/dev/null)
else
    log "maildev: $("$ROOT/.maildev/node_modules/.bin/maildev" --version 2>/dev/null | head -n 1)"
fi

log "done"
