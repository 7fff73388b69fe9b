#!/usr/bin/env bash
# Long local fuzzing: every target (or the ones named) for SECONDS_PER_TARGET each
# (default 600), optimised build, in fuzz/corpus-long/<target> (ignored by git; seeded
# from the committed corpus). Prints execs/s and the total per target. Crashes land in
# fuzz/artifacts/<target>; turn each into a regression test.
set -uo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${SECONDS_PER_TARGET:-600}"
cargo +nightly fuzz build -O || exit 1
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo +nightly fuzz list)
for target in "${targets[@]}"; do
  mkdir -p "corpus-long/$target"
  cp -rn "corpus/$target/." "corpus-long/$target/"
  echo "--- $target (${seconds}s)"
  cargo +nightly fuzz run -O "$target" "corpus-long/$target" -- \
    -max_total_time="$seconds" -dict=dict/ids.dict -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 > "corpus-long/$target.log" 2>&1
  echo "exit status $?"
  grep -E "stat::number_of_executed_units|stat::average_exec_per_sec|ERROR|SUMMARY|panicked" "corpus-long/$target.log"
done
