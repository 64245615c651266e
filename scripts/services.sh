#!/usr/bin/env bash
# Local backing services for development and tests.
#
#   scripts/services.sh up          start what is missing (idempotent)
#   scripts/services.sh down        stop what this script started (the MongoDB-wire store)
#   scripts/services.sh down --all  ... and stop RabbitMQ too
#   scripts/services.sh status      print both states; non-zero exit if one is down
#
# MongoDB-wire store: SecantusDB (PyPI) in the repo's .venv, data in .data/mongo,
#   log .data/mongo.log, pid .data/mongo.pid. Connect with
#   mongodb://127.0.0.1:${KASSA_MONGO_PORT:-27017}/?directConnection=true
# RabbitMQ: the Debian rabbitmq-server package, guest/guest on 127.0.0.1:5672.
#
# Environment: KASSA_MONGO_PORT (27017), KASSA_MONGO_HOST (127.0.0.1),
#              KASSA_MONGO_STORAGE (.data/mongo; ":memory:" keeps nothing),
#              KASSA_AMQP_PORT (5672), KASSA_PIP_SPEC (SecantusDB).
set -euo pipefail

export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
DATA="$ROOT/.data"
MONGO_PORT="${KASSA_MONGO_PORT:-27017}"
MONGO_HOST="${KASSA_MONGO_HOST:-127.0.0.1}"
# A second store on another port (the test suite's) gets its own files.
if [ "$MONGO_PORT" = 27017 ]; then MONGO_SUFFIX=""; else MONGO_SUFFIX="-$MONGO_PORT"; fi
# KASSA_MONGO_STORAGE=:memory: gives a throwaway store that keeps nothing on disk.
MONGO_DIR="${KASSA_MONGO_STORAGE:-$DATA/mongo$MONGO_SUFFIX}"
MONGO_LOG="$DATA/mongo$MONGO_SUFFIX.log"
MONGO_PID="$DATA/mongo$MONGO_SUFFIX.pid"
AMQP_PORT="${KASSA_AMQP_PORT:-5672}"
PIP_SPEC="${KASSA_PIP_SPEC:-SecantusDB}"
RABBIT_LOG_DIR="${RABBITMQ_LOG_BASE:-/var/log/rabbitmq}"

log() { printf '[services] %s\n' "$*"; }
die() { printf '[services] ERROR: %s\n' "$*" >&2; exit 1; }

usage() {
    sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 2
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() {
    timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

is_root() { [ "$(id -u)" -eq 0 ]; }

apt_install() {
    is_root || die "need root to apt-get install $*; run scripts/install-deps.sh as root first"
    command -v apt-get >/dev/null || die "apt-get not found; install $* by hand"
    log "apt-get install $*"
    export DEBIAN_FRONTEND=noninteractive
    # 9>&-: a service the package starts must not inherit the services lock.
    apt-get update -q 9>&-
    apt-get install -y -q "$@" 9>&-
}

# --------------------------------------------------------------------------- MongoDB wire store

ensure_venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        command -v python3 >/dev/null || apt_install python3 python3-venv
        log "creating $VENV"
        if ! python3 -m venv "$VENV"; then
            # Debian ships venv without ensurepip unless python3-venv is installed;
            # the failed attempt leaves a venv without pip behind.
            rm -rf "$VENV"
            apt_install python3-venv
            python3 -m venv "$VENV" || die "python3 -m venv $VENV failed"
        fi
    fi
    if [ ! -x "$VENV/bin/secantusd-py" ]; then
        log "installing $PIP_SPEC into $VENV"
        "$VENV/bin/python" -m pip install -q "$PIP_SPEC" \
            || die "pip install $PIP_SPEC failed"
        [ -x "$VENV/bin/secantusd-py" ] || die "$PIP_SPEC installed but $VENV/bin/secantusd-py is missing"
    fi
    if ! "$VENV/bin/python" -c 'import pymongo' 2>/dev/null; then
        log "installing pymongo into $VENV"
        "$VENV/bin/python" -m pip install -q pymongo || die "pip install pymongo failed"
    fi
}

# True when a MongoDB-wire server answers `hello` on the port.
mongo_ping() {
    [ -x "$VENV/bin/python" ] || return 1
    "$VENV/bin/python" - "$MONGO_PORT" <<'PY' 2>/dev/null
import sys
from pymongo import MongoClient
port = int(sys.argv[1])
client = MongoClient("127.0.0.1", port, directConnection=True,
                     serverSelectionTimeoutMS=1500, connectTimeoutMS=1500, socketTimeoutMS=1500)
try:
    reply = client.admin.command("hello")
    sys.exit(0 if reply.get("ok") == 1 else 1)
except Exception:
    sys.exit(1)
finally:
    client.close()
PY
}

# Pid of the store this script started, if it is still alive.
mongo_our_pid() {
    [ -f "$MONGO_PID" ] || return 1
    local pid
    pid="$(cat "$MONGO_PID" 2>/dev/null || true)"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    # Guard against pid reuse: it must still be the SecantusDB daemon.
    grep -q secantusd "/proc/$pid/cmdline" 2>/dev/null || return 1
    echo "$pid"
}

mongo_up() {
    ensure_venv
    local pid=""
    pid="$(mongo_our_pid || true)"

    if port_open "$MONGO_PORT"; then
        # Something listens. It may be ours (or another instance) still starting: give it a moment.
        local tries=5
        [ -n "$pid" ] && tries=30
        for _ in $(seq "$tries"); do
            if mongo_ping; then
                if [ -n "$pid" ]; then
                    log "mongo: already running on port $MONGO_PORT (pid $pid)"
                else
                    log "mongo: a MongoDB-wire server already answers on port $MONGO_PORT (not started by this script); using it"
                fi
                return 0
            fi
            sleep 1
        done
        die "port $MONGO_PORT is taken by something that does not answer MongoDB 'hello'; free it or set KASSA_MONGO_PORT (see: ss -ltnp 'sport = :$MONGO_PORT')"
    fi

    if [ -n "$pid" ]; then
        log "mongo: pid $pid from $MONGO_PID is alive but not listening; stopping it first"
        kill "$pid" 2>/dev/null || true
        sleep 1
    fi
    rm -f "$MONGO_PID"

    mkdir -p "$DATA"
    [ "$MONGO_DIR" = ":memory:" ] || mkdir -p "$MONGO_DIR"
    log "mongo: starting SecantusDB on $MONGO_HOST:$MONGO_PORT (data $MONGO_DIR, log $MONGO_LOG)"
    # setsid: its own session, so it outlives this shell and its job control.
    # The inner shell records its own pid, then execs the daemon under that same pid.
    # 9>&- keeps the daemon from inheriting (and holding) the services lock.
    (
        cd "$ROOT"
        setsid bash -c 'echo $$ > "$1"; shift; exec nohup "$@"' _ "$MONGO_PID" \
            "$VENV/bin/secantusd-py" --host "$MONGO_HOST" --port "$MONGO_PORT" \
            --storage-path "$MONGO_DIR" >>"$MONGO_LOG" 2>&1 </dev/null 9>&- &
    )

    local start=$SECONDS
    while [ $((SECONDS - start)) -lt 30 ]; do
        sleep 1
        pid="$(mongo_our_pid || true)"
        # The pid file appears at once; allow 2 s before calling a missing process dead.
        if [ -z "$pid" ] && [ $((SECONDS - start)) -ge 2 ]; then
            tail -n 20 "$MONGO_LOG" >&2 || true
            die "mongo: SecantusDB exited during startup; see $MONGO_LOG"
        fi
        if mongo_ping; then
            log "mongo: up on port $MONGO_PORT (pid $pid)"
            return 0
        fi
    done
    tail -n 20 "$MONGO_LOG" >&2 || true
    die "mongo: no answer to 'hello' on port $MONGO_PORT after 30 s; see $MONGO_LOG"
}

mongo_down() {
    local pid
    if ! pid="$(mongo_our_pid)"; then
        rm -f "$MONGO_PID"
        if port_open "$MONGO_PORT"; then
            log "mongo: the server on port $MONGO_PORT was not started by this script; leaving it"
        else
            log "mongo: not running"
        fi
        return 0
    fi
    log "mongo: stopping pid $pid"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 20); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "mongo: pid $pid ignored SIGTERM for 10 s; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$MONGO_PID"
    log "mongo: stopped"
}

mongo_status() {
    local pid
    if mongo_ping; then
        if pid="$(mongo_our_pid)"; then
            echo "mongo:    up   127.0.0.1:$MONGO_PORT (SecantusDB, pid $pid, log $MONGO_LOG)"
        else
            echo "mongo:    up   127.0.0.1:$MONGO_PORT (not started by this script)"
        fi
        return 0
    fi
    if port_open "$MONGO_PORT"; then
        echo "mongo:    DOWN port $MONGO_PORT is open but does not answer MongoDB 'hello'"
    else
        echo "mongo:    DOWN nothing on 127.0.0.1:$MONGO_PORT"
    fi
    return 1
}

# --------------------------------------------------------------------------- RabbitMQ

rabbit_up() {
    if port_open "$AMQP_PORT"; then
        log "rabbitmq: already answering on port $AMQP_PORT"
        return 0
    fi
    if ! command -v rabbitmq-server >/dev/null; then
        apt_install rabbitmq-server
        # The package may have started it (systemd / init script).
    fi
    if ! port_open "$AMQP_PORT"; then
        log "rabbitmq: starting (rabbitmq-server -detached; logs in $RABBIT_LOG_DIR)"
        # 9>&-: the detached node must not inherit (and hold) the services lock.
        rabbitmq-server -detached 9>&- \
            || die "rabbitmq: 'rabbitmq-server -detached' failed; see $RABBIT_LOG_DIR/"
    fi
    local deadline=$((SECONDS + 60))
    while [ "$SECONDS" -lt "$deadline" ]; do
        if port_open "$AMQP_PORT"; then
            # The listener opens late in boot; confirm the node finished starting (bounded).
            if command -v rabbitmqctl >/dev/null; then
                timeout 30 rabbitmqctl await_startup >/dev/null 2>&1 || true
            fi
            log "rabbitmq: up on port $AMQP_PORT"
            return 0
        fi
        sleep 1
    done
    die "rabbitmq: port $AMQP_PORT not accepting after 60 s; see $RABBIT_LOG_DIR/ (rabbit@*.log, startup_log, startup_err)"
}

rabbit_down() {
    if ! port_open "$AMQP_PORT"; then
        log "rabbitmq: not running"
        return 0
    fi
    command -v rabbitmqctl >/dev/null || die "rabbitmq: rabbitmqctl not found; cannot stop it"
    log "rabbitmq: stopping (rabbitmqctl stop)"
    timeout 60 rabbitmqctl stop >/dev/null || die "rabbitmq: 'rabbitmqctl stop' failed; see $RABBIT_LOG_DIR/"
    log "rabbitmq: stopped"
}

rabbit_status() {
    if port_open "$AMQP_PORT"; then
        echo "rabbitmq: up   127.0.0.1:$AMQP_PORT (amqp://guest:guest@127.0.0.1:$AMQP_PORT/%2f)"
        return 0
    fi
    echo "rabbitmq: DOWN nothing on 127.0.0.1:$AMQP_PORT (logs: $RABBIT_LOG_DIR/)"
    return 1
}

# --------------------------------------------------------------------------- main

# One `up`/`down` at a time, so two concurrent runs do not both start a store.
lock() {
    mkdir -p "$DATA"
    exec 9>"$DATA/services.lock"
    flock -w 120 9 || die "another scripts/services.sh is still running (lock $DATA/services.lock)"
}

cmd="${1:-}"
case "$cmd" in
    up)
        [ $# -eq 1 ] || usage
        lock
        mongo_up
        rabbit_up
        ;;
    down)
        all=0
        case "${2:-}" in
            "") ;;
            --all) all=1 ;;
            *) usage ;;
        esac
        lock
        mongo_down
        if [ "$all" -eq 1 ]; then
            rabbit_down
        else
            log "rabbitmq: left running (use 'down --all' to stop it)"
        fi
        ;;
    status)
        rc=0
        mongo_status || rc=1
        rabbit_status || rc=1
        exit "$rc"
        ;;
    *)
        usage
        ;;
esac
