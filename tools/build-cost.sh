#!/usr/bin/env bash
# The price of the generated types: clean builds, back to back, of
#   zerotl-types --no-default-features --features layer230
# and of grammers-tl-types 0.11 (its default features, the same layer 230), each in
# a target directory of its own, in release and in debug. Prints the wall times,
# their ratio (zerotl / grammers; the goal is <= 1.0) and the peak RSS of the build
# (the largest process cargo waited for: rustc on the generated crate).
#
# Both builds use cargo's default profiles (the workspace's own profile settings,
# such as debug info in release, are overridden by environment for the zerotl
# build), so the two compile under the same options. Dependencies are fetched
# before timing; the times include compiling them (zerotl + zerocopy for zerotl,
# grammers-tl-types' own dependencies for it).
#
# Usage: tools/build-cost.sh [release|debug]...   (default: release debug)
# Needs network access to crates.io the first time (for grammers-tl-types).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
profiles=("$@")
[ ${#profiles[@]} -eq 0 ] && profiles=(release debug)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/zerotl-build-cost.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The peer: a throwaway crate that depends on grammers-tl-types from crates.io.
mkdir -p "$tmp/peer/src"
cat >"$tmp/peer/Cargo.toml" <<'EOF'
[package]
name = "build-cost-peer"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

[dependencies]
grammers-tl-types = "=0.11.0"
EOF
echo 'pub use grammers_tl_types as tl;' >"$tmp/peer/src/lib.rs"

# Cargo's default profile options for both builds.
export CARGO_PROFILE_RELEASE_DEBUG=false
export CARGO_PROFILE_DEV_DEBUG=true
export CARGO_INCREMENTAL=0

cargo fetch -q --manifest-path "$tmp/peer/Cargo.toml"
cargo fetch -q --manifest-path "$root/Cargo.toml"

# measure NAME TARGET_DIR CARGO_ARGS... -> prints "seconds peak_kb"
measure() {
    local log="$tmp/$1.time"
    shift
    local target="$1"
    shift
    /usr/bin/time -f '%e %M' -o "$log" \
        cargo build -q --offline --target-dir "$target" "$@" >/dev/null
    cat "$log"
}

printf '%-8s %14s %14s %7s %16s %16s\n' profile zerotl-types grammers ratio 'zerotl peak' 'grammers peak'
for p in "${profiles[@]}"; do
    case "$p" in
    release) flag=(--release) ;;
    debug) flag=() ;;
    *)
        echo "unknown profile $p (release or debug)" >&2
        exit 2
        ;;
    esac
    read -r zt zm < <(measure "z-$p" "$tmp/target-zerotl-$p" \
        --manifest-path "$root/Cargo.toml" -p zerotl-types \
        --no-default-features --features layer230 "${flag[@]}")
    read -r gt gm < <(measure "g-$p" "$tmp/target-grammers-$p" \
        --manifest-path "$tmp/peer/Cargo.toml" "${flag[@]}")
    ratio=$(awk -v a="$zt" -v b="$gt" 'BEGIN { printf "%.2f", a / b }')
    printf '%-8s %12.1f s %12.1f s %6sx %13d MB %13d MB\n' \
        "$p" "$zt" "$gt" "$ratio" $((zm / 1024)) $((gm / 1024))
    rm -rf "$tmp/target-zerotl-$p" "$tmp/target-grammers-$p"
done
