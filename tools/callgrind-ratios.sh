#!/usr/bin/env bash
# The speed goals of the benches, checked by instruction counts (callgrind), which do
# not move with the host's load the way wall times do. Ratios only: each goal
# compares zerotl with a peer on the same machine and the same bytes.
#
#   bench 1          invites_grammers / invites                    >= 10
#   build + encode   encode_request_grammers / encode_request      >= 2
#   seed encodes     seed_encode_{chat,channel}_tl_proto / zerotl  >= 1
#   zero allocations benches' checks (src/bin/bench_checks.rs, tests/checks.rs's)
#
# Each case of benches/src/bin/profile_driver.rs runs twice under callgrind, with
# LOW and HIGH iterations; (instructions(HIGH) - instructions(LOW)) / (HIGH - LOW) is
# the cost of one operation, without the setup both runs share.
#
# Usage: tools/callgrind-ratios.sh   (needs valgrind; builds benches/ with the bench
# profile, which compiles zerotl-types' two layers in release)
set -euo pipefail
cd "$(dirname "$0")/../benches"
# Instruction counts need no debug info (the bench profile keeps it for profilers):
# without it the build is quicker and the counts are the same.
export CARGO_PROFILE_BENCH_DEBUG=false

command -v valgrind >/dev/null || {
    echo "valgrind is not installed (apt-get install -y valgrind)" >&2
    exit 1
}

# The driver and the checks are binaries of benches/: built without the
# dev-dependencies (criterion's tree), which only the criterion benches need.
cargo build --profile bench --bins
target_dir="${CARGO_TARGET_DIR:-target}"
driver="$target_dir/release/profile_driver"
checks="$target_dir/release/bench_checks"
for bin in "$driver" "$checks"; do
    [ -x "$bin" ] || {
        echo "no $bin" >&2
        exit 1
    }
done

LOW=${ZEROTL_CALLGRIND_LOW:-10}
HIGH=${ZEROTL_CALLGRIND_HIGH:-30}

# instructions CASE N -> total instructions of `profile_driver CASE N`
instructions() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$driver" "$1" "$2" 2>&1 >/dev/null |
        awk '/Collected :/ { print $NF }'
}

# per_op CASE -> instructions of one operation (its two runs side by side, one core each)
per_op() {
    local lo hi
    instructions "$1" "$LOW" >"$tmp/lo" &
    instructions "$1" "$HIGH" >"$tmp/hi" &
    wait
    lo=$(cat "$tmp/lo")
    hi=$(cat "$tmp/hi")
    awk -v lo="$lo" -v hi="$hi" -v n=$((HIGH - LOW)) 'BEGIN { printf "%.1f", (hi - lo) / n }'
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail=0
# check NAME ZEROTL_CASE PEER_CASE GOAL
check() {
    local z p ratio ok
    z=$(per_op "$2")
    p=$(per_op "$3")
    ratio=$(awk -v z="$z" -v p="$p" 'BEGIN { printf "%.2f", p / z }')
    ok=$(awk -v r="$ratio" -v g="$4" 'BEGIN { print (r >= g) ? "ok" : "FAIL" }')
    printf '%-16s zerotl %12s  peer %12s  ratio %6sx  goal >= %sx  %s\n' "$1" "$z" "$p" "$ratio" "$4" "$ok"
    [ "$ok" = ok ] || fail=1
}

echo "instructions per operation (callgrind; $LOW and $HIGH iterations)"
check "bench 1" invites invites_grammers 10
check "build + encode" encode_request encode_request_grammers 2
check "seed enc chat" seed_encode_chat seed_encode_chat_tl_proto 1
check "seed enc channel" seed_encode_channel seed_encode_channel_tl_proto 1

# Zero allocations (and every peer agreeing on the bytes): the benches' checks
# (tests/checks.rs as a program, src/bin/bench_checks.rs), from the build above.
"$checks"

exit "$fail"
