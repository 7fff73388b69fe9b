"""Telethon 1.45 against the embedded server's service messages (encrypted).

Telethon's key exchange and MTProtoState build every message; the script checks
what Telethon's own sender relies on: `future_salts` comes bare with the
request's id in req_msg_id and the current salt first, `pong` names the ping's
msg_id (for ping and ping_delay_disconnect), `destroy_session` of an unknown
session gets `destroy_session_none`, `msgs_ack` gets no answer, and a recorded
request sent again byte for byte is not answered a second time.

Usage: telethon_service.py HOST PORT --server-key PEM. Prints one JSON summary line.
"""
import argparse
import asyncio
import io
import json
import logging
import os
import struct
import sys

import rsa as pyrsa
from telethon.crypto import rsa as telethon_rsa
from telethon.network import authenticator
from telethon.network.connection.tcpintermediate import ConnectionTcpIntermediate
from telethon.network.mtprotoplainsender import MTProtoPlainSender
from telethon.network.mtprotostate import MTProtoState
from telethon.tl.core.rpcresult import RpcResult
from telethon.tl.functions import (DestroySessionRequest, GetFutureSaltsRequest,
                                   PingDelayDisconnectRequest, PingRequest)
from telethon.tl.types import (BadServerSalt, DestroySessionNone, FutureSalts, MsgsAck,
                               NewSessionCreated, Pong)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', '..', '..', 'zerotl-mtproto', 'tests', 'oracles'))
import telethon_quirks  # noqa: E402


class Loggers(dict):
    def __missing__(self, key):
        return logging.getLogger(key)


LOGGERS = Loggers()
# messages.exportChatInvite(inputPeerChat 1), layer 122.
EXPORT = bytes.fromhex('4c53f70d63e89b1701000000')


async def connect(host, port):
    for attempt in range(3):
        conn = ConnectionTcpIntermediate(host, port, 2, loggers=LOGGERS)
        await conn.connect(timeout=10)
        try:
            auth_key, offset = await authenticator.do_authentication(
                MTProtoPlainSender(conn, loggers=LOGGERS))
        except Exception as e:
            await conn.disconnect()
            if attempt == 2 or not telethon_quirks.is_short_key_failure(e):
                raise
            continue
        state = MTProtoState(auth_key, loggers=LOGGERS)
        state.time_offset = offset
        return conn, state
    raise AssertionError('no key exchange')


async def send(conn, state, request, content_related=True):
    buffer = io.BytesIO()
    data = bytes(request) if not isinstance(request, bytes) else request
    msg_id = state.write_data_as_message(buffer, data, content_related)
    wire = state.encrypt_message_data(buffer.getvalue())
    await conn.send(wire)
    return msg_id, wire


async def next_answer(conn, state):
    """The next message that is not new_session_created."""
    while True:
        message = state.decrypt_message_data(await asyncio.wait_for(conn.recv(), 10))
        if message is None:
            continue
        if isinstance(message.obj, NewSessionCreated):
            state.salt = message.obj.server_salt
            continue
        return message.obj


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('host')
    parser.add_argument('port', type=int)
    parser.add_argument('--server-key', required=True)
    args = parser.parse_args()
    pem = open(args.server_key, 'rb').read()
    if b'PRIVATE' in pem:
        private = pyrsa.PrivateKey.load_pkcs1(pem)
        pem = pyrsa.PublicKey(private.n, private.e).save_pkcs1()
    telethon_rsa.add_key(pem.decode(), old=False)

    checks, failures = 0, []

    def check(what, ok, detail=''):
        nonlocal checks
        checks += 1
        print(('ok   ' if ok else 'FAIL ') + what + ((': ' + detail) if not ok else ''))
        if not ok:
            failures.append('%s: %s' % (what, detail))

    conn, state = await connect(args.host, args.port)
    try:
        # Telethon starts with salt 0: learn the server's from bad_server_salt,
        # as its sender does.
        for _ in range(3):
            await send(conn, state, PingRequest(ping_id=1))
            obj = await next_answer(conn, state)
            if isinstance(obj, BadServerSalt):
                state.salt = obj.new_server_salt
                continue
            break
        check('salt learnt, then pong', isinstance(obj, Pong), repr(obj))

        msg_id, _ = await send(conn, state, GetFutureSaltsRequest(num=3))
        obj = await next_answer(conn, state)
        check('future_salts comes bare', isinstance(obj, FutureSalts), repr(obj))
        if isinstance(obj, FutureSalts):
            check('future_salts.req_msg_id', obj.req_msg_id == msg_id,
                  '%x != %x' % (obj.req_msg_id, msg_id))
            check('three salts, the current one first',
                  len(obj.salts) == 3 and obj.salts[0].salt == state.salt, repr(obj.salts))

        msg_id, _ = await send(conn, state, PingRequest(ping_id=77))
        obj = await next_answer(conn, state)
        check('pong for ping', isinstance(obj, Pong) and obj.msg_id == msg_id
              and obj.ping_id == 77, repr(obj))

        msg_id, _ = await send(conn, state,
                               PingDelayDisconnectRequest(ping_id=78, disconnect_delay=75))
        obj = await next_answer(conn, state)
        check('pong for ping_delay_disconnect', isinstance(obj, Pong)
              and obj.msg_id == msg_id and obj.ping_id == 78, repr(obj))

        await send(conn, state, DestroySessionRequest(session_id=0x1234))
        obj = await next_answer(conn, state)
        check('destroy_session of an unknown session', isinstance(obj, DestroySessionNone)
              and obj.session_id == 0x1234, repr(obj))

        # msgs_ack gets no answer: the next thing back is the pong of a ping after it.
        await send(conn, state, MsgsAck(msg_ids=[msg_id]), content_related=False)
        msg_id, _ = await send(conn, state, PingRequest(ping_id=79))
        obj = await next_answer(conn, state)
        check('msgs_ack unanswered', isinstance(obj, Pong) and obj.ping_id == 79, repr(obj))

        # A recorded request sent again byte for byte: one answer only.
        msg_id, wire = await send(conn, state, EXPORT)
        obj = await next_answer(conn, state)
        check('request answered', isinstance(obj, RpcResult) and obj.req_msg_id == msg_id,
              repr(obj))
        await conn.send(wire)
        await send(conn, state, PingRequest(ping_id=80))
        obj = await next_answer(conn, state)
        check('replay not answered', isinstance(obj, Pong) and obj.ping_id == 80, repr(obj))
    except Exception as e:
        failures.append('session: %r' % e)
    finally:
        await conn.disconnect()
    print(json.dumps({'checked': checks, 'failures': failures}))


if __name__ == '__main__':
    asyncio.run(main())
