#!/usr/bin/env python3
"""Telethon 1.45 as an oracle for zerotl-mtproto's crypto tests.

Two modes:

* default: reads JSON cases from stdin, one per line, and prints one JSON
  result per line (same order). Every answer is computed by Telethon's own
  code (telethon.crypto.AES, telethon.crypto.AuthKey, telethon.crypto.rsa,
  telethon.crypto.Factorization, telethon.network.mtprotostate.MTProtoState).
* `--handshake`: runs Telethon's client key exchange
  (telethon.network.authenticator.do_authentication) over stdin/stdout: each
  request is printed as `REQ <hex of the TL request>`, and the answer is read
  back as one hex line. The first stdin line is the server's PKCS#1 public key
  PEM with `\\n` escaped as `|`. Ends with `DONE <auth key hex> <time offset>`.

Needs `pip install telethon==1.45.0`.
"""
import asyncio
import json
import os
import struct
import sys

import rsa as pyrsa
import telethon
from telethon.crypto import AES, AuthKey, Factorization
from telethon.crypto import rsa as trsa
from telethon.extensions import BinaryReader
from telethon.network import authenticator
from telethon.network.mtprotostate import MTProtoState

import telethon_quirks

assert telethon.__version__ == "1.45.0", telethon.__version__


class _Loggers(dict):
    def __missing__(self, key):
        import logging
        return logging.getLogger(key)


def _state(key_hex, session_id=None, salt=0):
    state = MTProtoState(AuthKey(bytes.fromhex(key_hex)), _Loggers())
    if session_id is not None:
        state.id = session_id
    state.salt = salt
    return state


def _le(value, n=8):
    return (value & ((1 << (8 * n)) - 1)).to_bytes(n, "little").hex()


def handle(case):
    op = case["op"]
    if op == "ige_encrypt":
        return {"out": AES.encrypt_ige(bytes.fromhex(case["data"]), bytes.fromhex(case["key"]), bytes.fromhex(case["iv"])).hex()}
    if op == "ige_decrypt":
        return {"out": AES.decrypt_ige(bytes.fromhex(case["data"]), bytes.fromhex(case["key"]), bytes.fromhex(case["iv"])).hex()}
    if op == "auth_key":
        key = AuthKey(bytes.fromhex(case["key"]))
        new_nonce = int.from_bytes(bytes.fromhex(case["new_nonce"]), "little", signed=True)
        out = {"key_id": _le(key.key_id), "aux_hash": _le(key.aux_hash)}
        for n in (1, 2, 3):
            out["nnh%d" % n] = _le(key.calc_new_nonce_hash(new_nonce, n), 16)
        return out
    if op == "calc_key":
        k, iv = MTProtoState._calc_key(bytes.fromhex(case["key"]), bytes.fromhex(case["msg_key"]), case["client"])
        return {"aes_key": k.hex(), "aes_iv": iv.hex()}
    if op == "encrypt_client_message":
        # Telethon's client-side encryption of `msg_id seq_no length body`, with
        # the padding the test chose (os.urandom is replaced for this call).
        state = _state(case["key"], case["session_id"], case["salt"])
        data = struct.pack("<qii", case["msg_id"], case["seq_no"], len(bytes.fromhex(case["body"]))) + bytes.fromhex(case["body"])
        padding = bytes.fromhex(case["padding"])
        real = os.urandom
        os.urandom = lambda n: padding[:n] if n == len(padding) else (_ for _ in ()).throw(ValueError("padding length %d != %d" % (n, len(padding))))
        try:
            out = state.encrypt_message_data(data)
        finally:
            os.urandom = real
        return {"message": out.hex(), "msg_key": out[8:24].hex()}
    if op == "decrypt_server_message":
        state = _state(case["key"], case["session_id"])
        try:
            msg = state.decrypt_message_data(bytes.fromhex(case["message"]))
        except Exception as e:  # Telethon's refusal is the answer
            return {"error": type(e).__name__ + ": " + str(e)}
        if msg is None:
            return {"error": "ignored"}
        return {"msg_id": msg.msg_id, "seq_no": msg.seq_no, "type": type(msg.obj).__name__, "obj": msg.obj.to_dict() if hasattr(msg.obj, "to_dict") else None}
    if op == "factorize":
        p, q = Factorization.factorize(case["pq"])
        return {"p": min(p, q), "q": max(p, q)}
    if op == "fingerprint":
        key = pyrsa.PublicKey.load_pkcs1(case["pem"].encode())
        return {"fingerprint": _le(trsa._compute_fingerprint(key))}
    if op == "legacy_rsa_encrypt":
        trsa.add_key(case["pem"], old=False)
        key = pyrsa.PublicKey.load_pkcs1(case["pem"].encode())
        return {"out": trsa.encrypt(trsa._compute_fingerprint(key), bytes.fromhex(case["data"])).hex()}
    raise ValueError("unknown op " + op)


class _StdioSender:
    """Plays MTProtoPlainSender for do_authentication over stdin/stdout."""

    async def send(self, request):
        print("REQ " + bytes(request).hex(), flush=True)
        line = sys.stdin.readline().strip()
        if not line:
            raise EOFError("no answer")
        with BinaryReader(bytes.fromhex(line)) as reader:
            return reader.tgread_object()


def run_handshake():
    pem = sys.stdin.readline().strip().replace("|", "\n")
    trsa.add_key(pem, old=False)
    for attempt in range(3):
        try:
            auth_key, time_offset = asyncio.run(authenticator.do_authentication(_StdioSender()))
            break
        except Exception as e:
            if attempt < 2 and telethon_quirks.is_short_key_failure(e):
                # See telethon_quirks: Telethon shortened its own key. The driver
                # starts a new server-side exchange when it reads RETRY.
                print("RETRY %d-byte key" % telethon_quirks.last_key_length(), flush=True)
                continue
            print("FAIL %s: %s" % (type(e).__name__, e), flush=True)
            return
    print("DONE %s %d" % (auth_key.key.hex(), time_offset), flush=True)


def main():
    if "--handshake" in sys.argv:
        run_handshake()
        return
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            print(json.dumps(handle(json.loads(line))), flush=True)
        except Exception as e:
            print(json.dumps({"error": "%s: %s" % (type(e).__name__, e)}), flush=True)


if __name__ == "__main__":
    main()
