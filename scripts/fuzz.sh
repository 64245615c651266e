#!/usr/bin/env bash
# Fuzzes every parser that meets outside input (cargo fuzz / libFuzzer, nightly toolchain).
#
#   scripts/fuzz.sh                 every target for 20 s (the smoke .ci/run runs)
#   scripts/fuzz.sh 3600            every target for an hour (the long run)
#   scripts/fuzz.sh 600 barcodes    one target for ten minutes
#
# Targets live in tests/fuzz/fuzz_targets; their seed corpora in tests/fuzz/corpus/<target>
# are committed and replayed first on every run, so an input that once crashed a target
# (added there when fixed) is a regression test from then on. New inputs a run discovers
# go to a scratch corpus under the build cache, not into the clone; a crash is kept in
# $FUZZ_OUT/artifacts/<target>/ and fails the run.
# Environment: KASSA_FUZZ_OUT (scratch corpora, crashes, logs), KASSA_FUZZ_TARGET (build
# dir), RUSTUP_TOOLCHAIN_FUZZ (nightly).
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_EACH="${1:-20}"
shift || true
TOOLCHAIN="${RUSTUP_TOOLCHAIN_FUZZ:-nightly}"
OUT="${KASSA_FUZZ_OUT:-$HOME/.cache/kassa/fuzz}"
export CARGO_TARGET_DIR="${KASSA_FUZZ_TARGET:-$HOME/.cache/kassa/fuzz-target}"
FUZZ_DIR=tests/fuzz

log() { printf '[fuzz] %s\n' "$*"; }

if ! cargo "+$TOOLCHAIN" --version >/dev/null 2>&1; then
    log "no $TOOLCHAIN toolchain here (libFuzzer needs one; rustup toolchain install nightly): skipped"
    exit 0
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    log "installing cargo-fuzz"
    cargo install cargo-fuzz --locked --quiet
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo "+$TOOLCHAIN" fuzz list --fuzz-dir "$FUZZ_DIR")
fi

# No separate build step: each run builds its target (release, ASan, libFuzzer); the
# first one pays for the shared dependencies, the rest only link.

failed=()
for t in "${targets[@]}"; do
    scratch="$OUT/corpus/$t"
    artifacts="$OUT/artifacts/$t"
    mkdir -p "$scratch" "$artifacts"
    log "$t: ${SECONDS_EACH}s"
    if ! cargo "+$TOOLCHAIN" fuzz run --fuzz-dir "$FUZZ_DIR" -O "$t" "$scratch" "$FUZZ_DIR/corpus/$t" -- \
        -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$artifacts/" -print_final_stats=1 >"$OUT/$t.log" 2>&1; then
        failed+=("$t")
        log "$t FAILED; the input is in $artifacts, the log in $OUT/$t.log:"
        grep -E 'panicked|ERROR|SUMMARY|Test unit written' "$OUT/$t.log" | head -20 || true
    else
        grep -E '^stat::number_of_executed_units|^stat::new_units_added' "$OUT/$t.log" |
            tr '\n' ' ' | sed "s/^/[fuzz] $t: /"; echo
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    log "crashes in: ${failed[*]}"
    exit 1
fi
log "no crashes in ${#targets[@]} targets (${SECONDS_EACH}s each)"
