#!/usr/bin/env bash
# Size of the no_std session (tests/nostd-session) on thumbv7em-none-eabihf: builds
# it as a staticlib (the workspace's `embedded` profile: opt-level "s", LTO, one
# codegen unit, panic = abort), links it with
# rustup's rust-lld keeping only what its C entry point zerotl_export_chat_invite
# reaches (--gc-sections), and prints the sections of the linked ELF with
# llvm-size (or binutils' size).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo rustc -q -p zerotl-nostd-session --profile embedded --target thumbv7em-none-eabihf \
  --features bare --crate-type staticlib
sysroot=$(rustc --print sysroot)
lld=$(find "$sysroot/lib/rustlib" -name rust-lld -type f | head -1)
out=target/thumbv7em-none-eabihf/embedded
elf=$out/session.elf
"$lld" -flavor gnu --gc-sections -e zerotl_export_chat_invite -u zerotl_export_chat_invite \
  -o "$elf" "$out/libzerotl_nostd_session.a"
if command -v llvm-size >/dev/null; then sizer=llvm-size; else sizer=size; fi
"$sizer" -A "$elf" | grep -E '^(section|\.text|\.rodata|\.data|\.bss|\.ARM)'
text=$("$sizer" -A "$elf" | awk '$1 == ".text" { print $2 }')
echo "thumbv7em .text: $text bytes ($((text / 1024)) KiB)"
if (( text >= 64 * 1024 )); then
  echo "the no_std session's .text is over 64 KiB" >&2
  exit 1
fi
