#!/usr/bin/env python3
"""Decodes answers with Telethon 1.45's own reader (layer 229), or with
`--pyrogram` pyrogram 2.0.106's (layer 158).

stdin: one hex answer per line. stdout: one JSON line per answer:
{"type": <class name>, "fields": <to_dict()>, "rest": <bytes left over>}, or
{"error": "..."}; a list (Vector) is {"type": "list", "items": [...]}.
"""
import io
import json
import sys

PYROGRAM = '--pyrogram' in sys.argv
if PYROGRAM:
    from pyrogram.raw.core import TLObject
else:
    from telethon.extensions import BinaryReader


def read(data):
    """The object and how many bytes were left over."""
    if PYROGRAM:
        stream = io.BytesIO(data)
        obj = TLObject.read(stream)
        return obj, len(data) - stream.tell()
    reader = BinaryReader(data)
    obj = reader.tgread_object()
    return obj, len(data) - reader.tell_position()


def fields(o):
    if PYROGRAM:
        return {k: getattr(o, k) for k in o.__slots__}
    return o.to_dict()


def plain(value):
    return json.loads(json.dumps(value, default=str))


for line in sys.stdin:
    data = bytes.fromhex(line.strip())
    try:
        obj, rest = read(data)
        if isinstance(obj, list):
            out = {'type': 'list', 'items': [
                {'type': type(o).__name__, 'fields': plain(fields(o))} for o in obj]}
        else:
            out = {'type': type(obj).__name__, 'fields': plain(fields(obj))}
        out['rest'] = rest
    except Exception as e:  # noqa: BLE001 - reported to the test
        out = {'error': repr(e)}
    print(json.dumps(out))
