#!/usr/bin/env python3
"""Telethon 1.45 as the client of zerotl's embedded test server.

Telethon's own connection classes and packet codecs frame every message
(abridged, intermediate, padded intermediate, full, and obfuscated2 over the
first three); the requests are layer-122 `messages.exportChatInvite#0df7534c`
bytes built here with `struct` (Telethon's schema is a newer layer). Two modes:

* plain: unencrypted messages (auth_key_id = 0) in the server's plain test mode;
  the answer must be an unencrypted message with msg_id = 1 mod 4 whose body is
  `rpc_result#f35c6d01 req_msg_id result`, decoded by Telethon's `RpcResult`.
* encrypted: Telethon's `authenticator.do_authentication` creates the auth key
  with the server (our server's RSA key registered as a Telethon server key),
  then `MTProtoState` encrypts each request and decrypts each answer (handling
  `bad_server_salt` and `new_session_created` as Telethon's sender does).

Every case of the default world (docs/world.md) is checked (links, the five errors with
their codes, link revocation). The last line of stdout is a JSON summary:
{"checked": N, "failures": [...]}; the exit status is 0 only without failures.

usage: telethon_interop.py HOST PORT --server-key PEM [--modes plain,encrypted]
                           [--transports abridged,intermediate,...]
"""
import argparse
import asyncio
import io
import json
import os
import logging
import struct
import sys

import rsa as pyrsa
from telethon.crypto import rsa as telethon_rsa
from telethon.extensions import BinaryReader
from telethon.network import authenticator
from telethon.network.connection.connection import Connection, ObfuscatedConnection
from telethon.network.connection.tcpabridged import AbridgedPacketCodec
from telethon.network.connection.tcpfull import FullPacketCodec
from telethon.network.connection.tcpintermediate import (
    IntermediatePacketCodec, RandomizedIntermediatePacketCodec)
from telethon.network.connection.tcpobfuscated import ObfuscatedIO
from telethon.network.mtprotoplainsender import MTProtoPlainSender
from telethon.network.mtprotostate import MTProtoState
from telethon.tl.core.rpcresult import RpcResult
from telethon.tl.types import BadMsgNotification, BadServerSalt, NewSessionCreated

# The Telethon quirks shared with the protocol core's crypto oracle.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', '..', '..', 'zerotl-mtproto', 'tests', 'oracles'))
import telethon_quirks  # noqa: E402


class Loggers(dict):
    def __missing__(self, key):
        return logging.getLogger(key)


LOGGERS = Loggers()


class PaddedCodec(RandomizedIntermediatePacketCodec):
    # Telethon uses padded intermediate only under MTProxy obfuscation, so its
    # codec has no plain tag; a plain connection announces it with dddddddd.
    tag = b'\xdd' * 4


def connection_class(codec, obfuscated):
    if obfuscated:
        return type('Obfuscated', (ObfuscatedConnection,),
                    {'packet_codec': codec, 'obfuscated_io': ObfuscatedIO})
    return type('Plain', (Connection,), {'packet_codec': codec})


TRANSPORTS = {
    'abridged': (AbridgedPacketCodec, False),
    'intermediate': (IntermediatePacketCodec, False),
    'padded': (PaddedCodec, False),
    'full': (FullPacketCodec, False),
    'obfuscated-abridged': (AbridgedPacketCodec, True),
    'obfuscated-intermediate': (IntermediatePacketCodec, True),
    'obfuscated-padded': (PaddedCodec, True),
}

# --- layer-122 request bytes ---------------------------------------------------

def peer_chat(chat_id):
    return struct.pack('<Ii', 0x179be863, chat_id)


def peer_channel(channel_id, access_hash):
    return struct.pack('<Iiq', 0x20adaef8, channel_id, access_hash)


def peer_user(user_id, access_hash):
    return struct.pack('<Iiq', 0x7b8e7de6, user_id, access_hash)


PEER_SELF = struct.pack('<I', 0x7da07ec9)
PEER_EMPTY = struct.pack('<I', 0x7f3b18ea)


def peer_channel_from_message(channel_id, msg_id=1, peer=PEER_SELF):
    return struct.pack('<I', 0x9c95f7bb) + peer + struct.pack('<ii', msg_id, channel_id)


def export_chat_invite(peer):
    return struct.pack('<I', 0x0df7534c) + peer


# The sample of docs/wire.md: exportChatInvite(inputPeerChat 1234567).
assert export_chat_invite(peer_chat(1234567)).hex() == '4c53f70d63e89b1787d61200'

LINK = ('link',)
CASES = [
    ('chat:1', peer_chat(1), LINK),
    ('chat:2', peer_chat(2), (400, 'CHAT_ADMIN_REQUIRED')),
    ('chat:3', peer_chat(3), (403, 'CHAT_WRITE_FORBIDDEN')),
    ('chat:99', peer_chat(99), (400, 'CHAT_ID_INVALID')),
    ('channel:10:1010', peer_channel(10, 1010), LINK),
    ('channel:11:1111', peer_channel(11, 1111), (400, 'CHANNEL_PRIVATE')),
    ('channel:12:1212', peer_channel(12, 1212), (400, 'CHAT_ADMIN_REQUIRED')),
    ('channel:13:1313', peer_channel(13, 1313), (403, 'CHAT_WRITE_FORBIDDEN')),
    ('channel:10:1', peer_channel(10, 1), (400, 'PEER_ID_INVALID')),
    ('channel-from-message:10', peer_channel_from_message(10), LINK),
    ('channel-from-message:11', peer_channel_from_message(11), (400, 'CHANNEL_PRIVATE')),
    ('self', PEER_SELF, (400, 'PEER_ID_INVALID')),
    ('empty', PEER_EMPTY, (400, 'PEER_ID_INVALID')),
    ('user:1000:0', peer_user(1000, 0), (400, 'PEER_ID_INVALID')),
]

CHAT_INVITE_EXPORTED = 0xfc2e05bc
LINK_PREFIX = 'https://t.me/joinchat/'


def check_result(result, expected, exact):
    """`result` is Telethon's RpcResult; returns the link, or raises. With `exact`,
    nothing may follow the answer (Telethon's RpcResult keeps everything after the
    result, which for an encrypted message includes the 12..1024 padding bytes)."""
    if expected == LINK:
        if result.error is not None:
            raise AssertionError('expected a link, got error %d %s'
                                 % (result.error.error_code, result.error.error_message))
        reader = BinaryReader(result.body)
        cid = reader.read_int(signed=False)
        if cid != CHAT_INVITE_EXPORTED:
            raise AssertionError('expected chatInviteExported, got %08x' % cid)
        link = reader.tgread_string()
        if exact and reader.tell_position() != len(result.body):
            raise AssertionError('%d bytes after chatInviteExported'
                                 % (len(result.body) - reader.tell_position()))
        if not link.startswith(LINK_PREFIX) or len(link) != len(LINK_PREFIX) + 22:
            raise AssertionError('bad link %r' % link)
        return link
    code, message = expected
    if result.error is None:
        raise AssertionError('expected error %d %s, got an answer' % expected)
    got = (result.error.error_code, result.error.error_message)
    if got != (code, message):
        raise AssertionError('expected error %d %s, got %d %s' % (code, message, *got))
    return None


class PlainSession:
    """Unencrypted messages (the server's plain test mode)."""

    def __init__(self, conn):
        self.conn = conn
        self.state = MTProtoState(None, loggers=LOGGERS)

    async def call(self, body):
        msg_id = self.state._get_new_msg_id()
        await self.conn.send(struct.pack('<qqi', 0, msg_id, len(body)) + body)
        data = await self.conn.recv()
        reader = BinaryReader(data)
        if reader.read_long() != 0:
            raise AssertionError('answer is not an unencrypted message')
        server_msg_id = reader.read_long()
        if server_msg_id % 4 != 1:
            raise AssertionError('server msg_id %x is not 1 mod 4' % server_msg_id)
        length = reader.read_int()
        if 20 + length != len(data):
            raise AssertionError('length %d does not span the frame of %d bytes'
                                 % (length, len(data)))
        result = reader.tgread_object()
        if not isinstance(result, RpcResult):
            raise AssertionError('expected rpc_result, got %r' % result)
        if result.req_msg_id != msg_id:
            raise AssertionError('rpc_result answers %x, not %x' % (result.req_msg_id, msg_id))
        return result


class EncryptedSession:
    """Telethon's key exchange, then MTProto 2.0 messages through MTProtoState."""

    def __init__(self, conn):
        self.conn = conn
        self.state = None

    async def start(self):
        auth_key, time_offset = await authenticator.do_authentication(
            MTProtoPlainSender(self.conn, loggers=LOGGERS))
        self.state = MTProtoState(auth_key, loggers=LOGGERS)
        self.state.time_offset = time_offset

    async def call(self, body):
        for _attempt in range(3):
            buffer = io.BytesIO()
            msg_id = self.state.write_data_as_message(buffer, body, True)
            await self.conn.send(self.state.encrypt_message_data(buffer.getvalue()))
            while True:
                message = self.state.decrypt_message_data(await self.conn.recv())
                if message is None:
                    continue
                obj = message.obj
                if message.msg_id % 4 != 1 and isinstance(obj, RpcResult):
                    raise AssertionError('rpc_result msg_id %x is not 1 mod 4' % message.msg_id)
                if isinstance(obj, NewSessionCreated):
                    self.state.salt = obj.server_salt
                elif isinstance(obj, BadServerSalt):
                    if obj.bad_msg_id != msg_id:
                        raise AssertionError('bad_server_salt for another message')
                    self.state.salt = obj.new_server_salt
                    break  # send again with the new salt
                elif isinstance(obj, BadMsgNotification):
                    raise AssertionError('bad_msg_notification code %d' % obj.error_code)
                elif isinstance(obj, RpcResult):
                    if obj.req_msg_id != msg_id:
                        raise AssertionError('rpc_result answers %x, not %x'
                                             % (obj.req_msg_id, msg_id))
                    return obj
                else:
                    raise AssertionError('unexpected %r' % obj)
        raise AssertionError('no answer after 3 salt corrections')


async def run_transport(host, port, name, mode):
    codec, obfuscated = TRANSPORTS[name]
    conn = connection_class(codec, obfuscated)(host, port, 2, loggers=LOGGERS)
    await conn.connect(timeout=10)
    checked, failures = 0, []
    try:
        session = PlainSession(conn) if mode == 'plain' else EncryptedSession(conn)
        for attempt in range(3 if mode == 'encrypted' else 0):
            try:
                await session.start()
                break
            except Exception as e:
                if attempt == 2 or not telethon_quirks.is_short_key_failure(e):
                    raise
                # See telethon_quirks: Telethon shortened its own key; like its
                # client, start over on a new connection.
                print('note %s %s: Telethon built a %d-byte auth key, new exchange'
                      % (name, mode, telethon_quirks.last_key_length()))
                await conn.disconnect()
                conn = connection_class(codec, obfuscated)(host, port, 2, loggers=LOGGERS)
                await conn.connect(timeout=10)
                session = EncryptedSession(conn)
        links = {}
        for label, peer, expected in CASES + [('chat:1 again', peer_chat(1), LINK)]:
            what = '%s %s %s' % (name, mode, label)
            try:
                result = await asyncio.wait_for(session.call(export_chat_invite(peer)), 10)
                link = check_result(result, expected, exact=mode == 'plain')
                if label == 'chat:1 again' and link == links.get('chat:1'):
                    raise AssertionError('second export of chat 1 returned the same link')
                links[label] = link
                checked += 1
                print('ok   %s' % what)
            except Exception as e:  # a failed check or a broken connection
                failures.append('%s: %s' % (what, e))
                print('FAIL %s: %s' % (what, e))
    finally:
        await conn.disconnect()
    return checked, failures


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('host')
    parser.add_argument('port', type=int)
    parser.add_argument('--server-key', required=True,
                        help='the server RSA key, PKCS#1 PEM (private or public)')
    parser.add_argument('--modes', default='plain,encrypted')
    parser.add_argument('--transports', default=','.join(TRANSPORTS))
    args = parser.parse_args()

    pem = open(args.server_key, 'rb').read()
    if b'PRIVATE' in pem:
        private = pyrsa.PrivateKey.load_pkcs1(pem)
        pem = pyrsa.PublicKey(private.n, private.e).save_pkcs1()
    telethon_rsa.add_key(pem.decode(), old=False)

    checked, failures = 0, []
    for mode in args.modes.split(','):
        for name in args.transports.split(','):
            try:
                c, f = await run_transport(args.host, args.port, name, mode)
            except Exception as e:
                c, f = 0, ['%s %s: %r' % (name, mode, e)]
                print('FAIL %s %s: %r' % (name, mode, e))
            checked += c
            failures += f
    print(json.dumps({'checked': checked, 'failures': failures}))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(asyncio.run(main()))
