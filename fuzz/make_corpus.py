#!/usr/bin/env python3
"""Writes the seed corpora and the dictionary of constructor ids from data/ (run from fuzz/).

fuzz/corpus/<target>/ gets one file per golden vector (named by its SHA-1, as
libFuzzer does), the .tl parser gets slices of the schemas, and dict/ids.dict lists
every constructor id of both layers in libFuzzer's dictionary syntax.
"""
import hashlib, json, os, re, sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")

def put(target, data):
    d = os.path.join(ROOT, "fuzz", "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)

def vectors(name):
    with open(os.path.join(ROOT, "data", "vectors", name)) as f:
        for line in f:
            if line.strip():
                yield json.loads(line)

for v in vectors("seed.jsonl"):
    put("seed_round_trip", bytes.fromhex(v["hex"]))
    put("decode_layer122", bytes.fromhex(v["hex"]))
for v in vectors("layer122-sample.jsonl"):
    put("decode_layer122", bytes.fromhex(v["hex"]))
for v in vectors("layer230-sample.jsonl"):
    put("decode_layer230", bytes.fromhex(v["hex"]))

# Transport streams: selector byte, three chunk sizes, then Telethon's client frames
# (client -> server, so decoded with Role::Server: selector bit 2 set).
order = {"abridged": 0, "intermediate": 1, "padded": 2, "full": 3}
# WebSocket: a chunk-size byte, then client frames masked with 37 fa 21 3d carrying
# each transport's stream (the upgrade request itself is a seed too).
def ws_frame(b0, data, mask=bytes([0x37, 0xfa, 0x21, 0x3d])):
    n = len(data)
    head = bytes([b0, 0x80 | n]) if n < 126 else (
        bytes([b0, 0xfe]) + n.to_bytes(2, "big") if n < 65536 else bytes([b0, 0xff]) + n.to_bytes(8, "big"))
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data))

put("websocket", bytes([64]) + b"GET /apiws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
    b"Sec-WebSocket-Protocol: binary\r\n\r\n")
put("websocket", bytes([5]) + ws_frame(0x8a, b"Hello") + ws_frame(0x89, b"") + ws_frame(0x88, b"\x03\xe8"))
for v in vectors("transports.jsonl"):
    stream = bytes.fromhex(v["tag"]) + b"".join(bytes.fromhex(f) for f in v["frames"])
    put("websocket", bytes([7]) + ws_frame(0x02, stream[:5]) + ws_frame(0x89, b"hi") + ws_frame(0x80, stream[5:]))
for v in vectors("transports.jsonl"):
    sel = order[v["transport"]] | 4
    stream = b"".join(bytes.fromhex(f) for f in v["frames"])
    put("transport_decoder", bytes([sel, 1, 7, 64]) + stream)
    put("server_stream", bytes([3, 9]) + bytes.fromhex(v["tag"]) + stream)
    for f in v["frames"]:
        put("envelope", bytes.fromhex(v["payload"]))
# rpc_error bodies and names from docs/wire.md section 2 and docs/errors.md.
for name, code in [("CHANNEL_PRIVATE", 400), ("FLOOD_WAIT_42", 420), ("2FA_CONFIRM_WAIT_86400", 420),
                   ("FILE_PART_3_MISSING", 400), ("PREVIOUS_CHAT_IMPORT_ACTIVE_WAIT_5MIN", 406), ("Timeout", -503)]:
    put("rpc_error_name", code.to_bytes(4, "little", signed=True) + name.encode())
rpc_result = bytes.fromhex("016d5cf34a967027c47ae55119ca44219001000013434841545f41444d494e5f5245515549524544")
put("envelope", rpc_result)
put("envelope", bytes(8) + (0x51e57ac42770964a).to_bytes(8, "little") + len(rpc_result).to_bytes(4, "little") + rpc_result)

ids = set()
for layer in ("layer122", "layer230"):
    for f in ("api.tl", "mtproto.tl"):
        text = open(os.path.join(ROOT, "data", "schema", layer, f)).read()
        lines = [l for l in text.splitlines() if l.strip() and not l.startswith("//")]
        for i in range(0, len(lines), 40):
            put("tl_parser", "\n".join(lines[i:i + 40]).encode())
        ids.update(int(m, 16) for m in re.findall(r"^[\w.]+#([0-9a-f]{1,8})\b", text, re.M))
ids.update([0x1cb5c415, 0x997275b5, 0xbc799737])
with open(os.path.join(ROOT, "fuzz", "dict", "ids.dict"), "w") as f:
    f.write("# Constructor ids of layers 122 and 230 (little-endian), made by make_corpus.py\n")
    for i in sorted(ids):
        b = i.to_bytes(4, "little")
        f.write('"' + "".join("\\x%02x" % x for x in b) + '"\n')
print("corpus and dictionary written", file=sys.stderr)

# The connection cores: a plain rpc_result frame (intermediate), a container
# holding a gzip_packed rpc_result, and message bodies for the server session.
import struct, gzip as _gzip

def tl_bytes(b):
    head = bytes([len(b)]) if len(b) < 254 else b"\xfe" + struct.pack("<I", len(b))[:3]
    out = head + b
    return out + b"\0" * (-len(out) % 4)

def plain_frame(msg_id, body):
    m = b"\0" * 8 + struct.pack("<qI", msg_id, len(body)) + body
    return struct.pack("<I", len(m)) + m

req = (1_700_000_000 << 32) | 4
rpc = struct.pack("<Iq", 0xf35c6d01, req) + struct.pack("<I", 0x997275b5)
packed = struct.pack("<I", 0x3072cfa1) + tl_bytes(_gzip.compress(rpc, mtime=0))
container = struct.pack("<II", 0x73f1f8dc, 1) + struct.pack("<qiI", (1_700_000_000 << 32) | 1, 1, len(packed)) + packed
put("client_stream", bytes([1, 7, 13]) + plain_frame((1_700_000_000 << 32) | 1, rpc))
put("client_stream", bytes([0x21, 64, 3]) + plain_frame((1_700_000_000 << 32) | 5, container))
export = bytes.fromhex("4c53f70d63e89b1787d61200")
inner = struct.pack("<qiI", (1_699_999_999 << 32) | 4, 1, len(export)) + export
put("server_session", bytes([3, 0]) + struct.pack("<II", 0x73f1f8dc, 1) + inner)
put("server_session", bytes([1, 128]) + export + struct.pack("<I", 0x3072cfa1) + tl_bytes(_gzip.compress(export, mtime=0)))
put("server_session", bytes([3, 128]) + struct.pack("<Ii", 0xb921bd04, 3) + struct.pack("<Iq", 0x7abe77ec, 9))
