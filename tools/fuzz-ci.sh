#!/usr/bin/env bash
# Runs every cargo-fuzz target for SECONDS (default 20) on a copy of its committed
# corpus with the constructor-id dictionary. Fails on any crash, leak
# (AddressSanitizer's leak checker is on) or timeout. The build is unoptimised
# (`--dev`) to keep CI short; tools/fuzz-long.sh builds with optimisations.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${1:-20}"
cargo +nightly fuzz build --dev
log="$(mktemp)"
for target in $(cargo +nightly fuzz list); do
  work="$(mktemp -d)"
  cp -r "corpus/$target/." "$work/"
  echo "--- $target (${seconds}s)"
  status=0
  cargo +nightly fuzz run --dev "$target" "$work" -- \
    -max_total_time="$seconds" -dict=dict/ids.dict -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 >"$log" 2>&1 || status=$?
  grep -E "stat::number_of_executed_units|stat::average_exec_per_sec" "$log" || true
  rm -rf "$work"
  if [ "$status" -ne 0 ]; then
    tail -n 60 "$log"
    echo "fuzz target $target failed (status $status); the input is in fuzz/artifacts/$target" >&2
    exit 1
  fi
done
rm -f "$log"
