#!/usr/bin/env python3
"""Decodes answers with Telethon 1.45's own reader (layer 229).

stdin: one hex answer per line. stdout: one JSON line per answer:
{"type": <class name>, "fields": <to_dict()>, "rest": <bytes left over>}, or
{"error": "..."}; a list (Vector) is {"type": "list", "items": [...]}.
"""
import json
import sys

from telethon.extensions import BinaryReader


def plain(value):
    return json.loads(json.dumps(value, default=str))


for line in sys.stdin:
    data = bytes.fromhex(line.strip())
    try:
        reader = BinaryReader(data)
        obj = reader.tgread_object()
        rest = len(data) - reader.tell_position()
        if isinstance(obj, list):
            out = {'type': 'list', 'items': [
                {'type': type(o).__name__, 'fields': plain(o.to_dict())} for o in obj]}
        else:
            out = {'type': type(obj).__name__, 'fields': plain(obj.to_dict())}
        out['rest'] = rest
    except Exception as e:  # noqa: BLE001 - reported to the test
        out = {'error': repr(e)}
    print(json.dumps(out))
