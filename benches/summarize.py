#!/usr/bin/env python3
"""Prints the README's table from criterion's last run (target/criterion/*/*/new).

Ratios are peer time / zerotl time from the same run (> 1: zerotl is faster).
Times are criterion's median per iteration (less sensitive than the mean to the
other users of a shared machine). Usage: python3 summarize.py [TARGET_DIR]
"""
import json
import pathlib
import sys

ROOT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target") / "criterion"

# (group, zerotl function, peer function, goal text)
ROWS = [
    ("decode_exported_chat_invites_1000", "zerotl", "grammers", ">= 10x"),
    ("encode_export_chat_invite_230", "zerotl_build_and_encode", "grammers_build_and_encode", ">= 2x"),
    ("encode_export_chat_invite_230", "zerotl_encode_prebuilt", "grammers_encode_prebuilt", ">= 2x"),
    ("seed_decode_export_chat_invite_chat", "zerotl", "tl_proto", ""),
    ("seed_decode_export_chat_invite_channel", "zerotl", "tl_proto", ""),
    ("seed_decode_chat_invite_exported", "zerotl", "tl_proto", ""),
    ("seed_decode_chat_invite_empty", "zerotl", "tl_proto", ""),
    ("seed_encode_export_chat_invite_chat", "zerotl", "tl_proto", ">= 1x"),
    ("seed_encode_export_chat_invite_channel", "zerotl", "tl_proto", ">= 1x"),
    ("seed_encode_chat_invite_exported", "zerotl", "tl_proto", ">= 1x"),
    ("seed_encode_chat_invite_empty", "zerotl", "tl_proto", ">= 1x"),
    ("throughput_upload_file_1mib_decode", "zerotl", "grammers", ""),
    ("throughput_upload_file_1mib_encode", "zerotl", "grammers", ""),
    ("throughput_vector_long_100k_decode", "zerotl", "grammers", ""),
    ("throughput_vector_long_100k_decode", "zerotl_le_slice", "grammers", ""),
    ("throughput_vector_long_100k_encode", "zerotl", "grammers", ""),
]
EXTRA = [
    ("decode_exported_chat_invites_1000", "zerotl_decode_only"),
    ("decode_exported_chat_invites_1000", "zerotl_iterate_only"),
    ("decode_exported_chat_invites_1000", "hand_validate_only"),
    ("encode_export_chat_invite_230", "hand_encode_prebuilt"),
    ("throughput_upload_file_1mib_encode", "memcpy"),
    ("throughput_vector_long_100k_decode", "hand_chunks"),
    ("throughput_vector_long_100k_encode", "hand_bulk"),
]


def load(group, function):
    base = ROOT / group / function / "new"
    est = json.loads((base / "estimates.json").read_text())
    bench = json.loads((base / "benchmark.json").read_text())
    ns = est["median"]["point_estimate"]
    thr = bench.get("throughput") or {}
    nbytes = thr.get("Bytes") or thr.get("BytesDecimal")
    return ns, nbytes


def fmt_time(ns):
    for unit, div in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= div:
            return f"{ns / div:.3g} {unit}"
    return f"{ns:.3g} ns"


def fmt_rate(nbytes, ns):
    if not nbytes:
        return ""
    gib = nbytes / (ns / 1e9) / 2**30
    return f"{gib:,.1f} GiB/s"


print("| bench | zerotl | peer | peer/zerotl | goal |")
print("|---|---|---|---|---|")
for group, z, p, goal in ROWS:
    try:
        zt, zb = load(group, z)
        pt, pb = load(group, p)
    except FileNotFoundError:
        continue
    zr, pr = fmt_rate(zb, zt), fmt_rate(pb, pt)
    zs = fmt_time(zt) + (f" ({zr})" if zr else "")
    ps = f"{p}: " + fmt_time(pt) + (f" ({pr})" if pr else "")
    print(f"| `{group}` `{z}` | {zs} | {ps} | **{pt / zt:.2f}x** | {goal} |")
print()
print("| extra | time |")
print("|---|---|")
for group, f in EXTRA:
    try:
        t, b = load(group, f)
    except FileNotFoundError:
        continue
    r = fmt_rate(b, t)
    print(f"| `{group}/{f}` | {fmt_time(t)}{' (' + r + ')' if r else ''} |")
