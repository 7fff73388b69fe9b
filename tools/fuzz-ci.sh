#!/usr/bin/env bash
# Runs every cargo-fuzz target on a copy of its committed corpus with the
# constructor-id dictionary, for RUNS inputs (default 20000) with a fixed seed, or
# SECONDS (default 20) if that comes first. Fails on any crash (a panic, or a single
# allocation over 64 MiB: fuzz/src/lib.rs), an RSS over 2 GiB, or a timeout.
# No sanitizer (`-s none`): zerotl's crates forbid unsafe code, so AddressSanitizer
# would only watch the dependencies, for a third more build time and slower runs;
# the allocation cap checks what it checked for zerotl (sizes a peer controls reaching
# the allocator), with a tighter limit. tools/fuzz-long.sh keeps AddressSanitizer. The fixed seed makes a CI run
# repeatable on a developer's machine (same build, same inputs in the same order).
# JOBS targets (default: the number of cores) run at once, each on one core; their
# reports are printed in target order.
# The build is unoptimised (`--dev`) to keep CI short; tools/fuzz-long.sh builds with
# optimisations and runs long.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${1:-20}"
runs="${ZEROTL_FUZZ_RUNS:-20000}"
jobs="${ZEROTL_FUZZ_JOBS:-$(nproc)}"
cargo +nightly fuzz build --dev -s none
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT

# run_target TARGET: one bounded run; its output in $logs/TARGET.log, its exit status
# in $logs/TARGET.status.
run_target() {
  local target="$1" work status=0
  work="$(mktemp -d)"
  cp -r "corpus/$target/." "$work/"
  cargo +nightly fuzz run --dev -s none "$target" "$work" -- \
    -seed=1 -runs="$runs" -max_total_time="$seconds" \
    -dict=dict/ids.dict -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 >"$logs/$target.log" 2>&1 || status=$?
  rm -rf "$work"
  echo "$status" >"$logs/$target.status"
}

targets=$(cargo +nightly fuzz list)
for target in $targets; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  run_target "$target" &
done
wait

failed=0
for target in $targets; do
  log="$logs/$target.log"
  status=$(cat "$logs/$target.status")
  echo "--- $target (seed 1, ${runs} runs or ${seconds}s)"
  grep -E "stat::number_of_executed_units|stat::average_exec_per_sec" "$log" || true
  if [ "$status" -ne 0 ]; then
    grep -m1 -A2 "panicked" "$log" || true
    grep -E "^(SUMMARY|Base64|artifact_prefix)" "$log" || tail -n 60 "$log"
    echo "fuzz target $target failed (status $status); the input is in fuzz/artifacts/$target" >&2
    failed=1
  fi
done
exit "$failed"
