#!/usr/bin/env python3
"""Pyrogram 2.0.106's own Client (layer 158) against zerotl's server.

Unmodified client: only the DC address (the table pyrogram's connections look it up in,
pyrogram.connection.connection.DataCenter) and the server's RSA key (added to
pyrogram.crypto.rsa.server_public_keys) are changed. Pyrogram speaks TCPAbridged, creates
its auth key with the legacy RSA padding and a dc-less p_q_inner_data, and its start()
sends, after the key exchange: ping, invokeWithLayer(158, initConnection(help.getConfig)),
auth.importBotAuthorization, updates.getState and users.getFullUser(inputUserSelf)
(get_me); a ping_delay_disconnect every 5 s. Against the default world it checks:

* connect() of a new client is not authorized; get_me() before a login raises
  AuthKeyUnregistered; a wrong bot token raises AccessTokenInvalid;
* start() with bot_token= logs in as the world's bot: app.me is that bot;
* users.getFullUser: the bot's users.userFull, an unknown user's UserIdInvalid;
* messages.exportChatInvite (layer 158's #a02ce5d5: expire_date, usage_limit, title,
  request_needed, legacy_revoke_permanent) for chat 1 and channel 10: a
  chatInviteExported with every field as requested;
* the seed's five errors and the two validation errors, each raised as the class pyrogram
  raises for that code and name;
* help.getConfig and updates.getState; stop().

Prints one JSON line last: {"checked": N, "failures": [...], "layer": 158}.

usage: pyrogram_client.py HOST PORT --server-key PEM --bot-token TOKEN
"""

import argparse
import asyncio
import hashlib
import json
import logging
import os
import sys
import tempfile
import time

import rsa as pyrsa

import pyrogram
from pyrogram import Client, errors, raw
from pyrogram.crypto import rsa as pyrogram_rsa
from pyrogram.errors.exceptions.all import exceptions as error_table
from pyrogram.raw.all import layer as LAYER

API_ID, API_HASH = 4, '014b35b6184100b085b0d0572f9b5103'


class Checks:
    def __init__(self):
        self.checked, self.failures = 0, []

    def that(self, ok, what):
        self.checked += 1
        if not ok:
            self.failures.append(what)
        print(('ok   ' if ok else 'FAIL ') + what, file=sys.stderr)

    async def raises(self, code, name, coro, what):
        """The call raises the class pyrogram raises for `code name`, carrying the name."""
        cls = getattr(errors, error_table.get(code, {}).get(name, '?'), None)
        try:
            await coro
        except errors.RPCError as e:
            self.that(cls is not None and type(e) is cls and e.ID == name,
                      '%s raises %s (%d %s), got %s %r' % (
                          what, getattr(cls, '__name__', '?'), code, name, type(e).__name__, e))
        except Exception as e:  # noqa: BLE001 - reported as a failure
            self.that(False, '%s raises %d %s, got %r' % (what, code, name, e))
        else:
            self.that(False, '%s raises %d %s, got no error' % (what, code, name))


def tl_bytes(b):
    head = bytes([len(b)]) if len(b) < 254 else b'\xfe' + len(b).to_bytes(3, 'little')
    body = head + b
    return body + b'\0' * (-len(body) % 4)


def add_server_key(pem):
    """Registers the server's public key as pyrogram registers Telegram's."""
    if b'PRIVATE' in pem:
        private = pyrsa.PrivateKey.load_pkcs1(pem)
        public = pyrsa.PublicKey(private.n, private.e)
    else:
        public = pyrsa.PublicKey.load_pkcs1(pem)
    n = public.n.to_bytes((public.n.bit_length() + 7) // 8, 'big')
    e = public.e.to_bytes((public.e.bit_length() + 7) // 8, 'big')
    digest = hashlib.sha1(tl_bytes(n) + tl_bytes(e)).digest()
    fingerprint = int.from_bytes(digest[-8:], 'little', signed=True)
    pyrogram_rsa.server_public_keys[fingerprint] = pyrogram_rsa.PublicKey(public.n, public.e)


def point_dcs_at(host, port):
    """Every DC at the server (pyrogram dials DataCenter(dc_id, test_mode, ipv6, media))."""
    connection = sys.modules['pyrogram.connection.connection']
    connection.DataCenter = lambda dc_id, test_mode, ipv6, media: (host, port)


def client(name, **kwargs):
    return Client(name, api_id=API_ID, api_hash=API_HASH, in_memory=True, **kwargs)


async def main(args, pem):
    add_server_key(pem)
    point_dcs_at(args.host, args.port)
    check = Checks()

    # A client that never logs in.
    other = client('other')
    authorized = await other.connect()
    check.that(other.is_connected and authorized is False, 'connect(): connected, not authorized')
    await check.raises(401, 'AUTH_KEY_UNREGISTERED', other.get_me(), 'get_me() before a login')
    await check.raises(400, 'ACCESS_TOKEN_INVALID', other.sign_in_bot('123456:not-the-token'),
                       'a wrong bot token')
    await other.disconnect()

    app = client('app', bot_token=args.bot_token)
    started = await app.start()
    me = app.me
    bot_id = int(args.bot_token.split(':')[0])
    check.that(started is app and app.is_connected and app.is_initialized, 'start()')
    check.that(me is not None and me.is_bot and me.is_self, 'app.me is a bot: %r' % (me,))
    check.that(me is not None and me.id == bot_id, 'app.me.id is the token\'s')
    check.that(me is not None and me.username == 'zerotl_test_bot', 'bot username')
    check.that(await app.storage.user_id() == bot_id and await app.storage.is_bot(),
               'the storage holds the login')

    full = await app.invoke(raw.functions.users.GetFullUser(id=raw.types.InputUserSelf()))
    check.that(isinstance(full, raw.types.users.UserFull)
               and isinstance(full.full_user, raw.types.UserFull)
               and full.full_user.id == bot_id and full.chats == [],
               'users.getFullUser(self): users.userFull of the bot')
    check.that(len(full.users) == 1 and isinstance(full.users[0], raw.types.User)
               and full.users[0].bot and full.users[0].is_self,
               'users.getFullUser(self): the bot in users')
    check.that(isinstance(full.full_user.settings, raw.types.PeerSettings)
               and isinstance(full.full_user.notify_settings, raw.types.PeerNotifySettings)
               and full.full_user.common_chats_count == 0,
               'users.getFullUser(self): settings, notify_settings, common_chats_count')
    await check.raises(400, 'USER_ID_INVALID', app.invoke(raw.functions.users.GetFullUser(
        id=raw.types.InputUser(user_id=1000, access_hash=0))), 'users.getFullUser(user 1000)')

    expire = int(time.time()) + 86400
    peers = {
        'chat 1': raw.types.InputPeerChat(chat_id=1),
        'channel 10': raw.types.InputPeerChannel(channel_id=10, access_hash=1010),
    }
    for name, peer in peers.items():
        r = await app.invoke(raw.functions.messages.ExportChatInvite(
            peer=peer, expire_date=expire, usage_limit=10, title='pyrogram ' + name,
            request_needed=True))
        check.that(isinstance(r, raw.types.ChatInviteExported), '%s: %r' % (name, type(r)))
        check.that(r.link.startswith('https://t.me/'), '%s: link %s' % (name, r.link))
        check.that(r.admin_id == bot_id, '%s: admin_id %s' % (name, r.admin_id))
        check.that(r.expire_date == expire and r.usage_limit == 10,
                   '%s: expire_date, usage_limit' % name)
        check.that(r.title == 'pyrogram ' + name and r.request_needed is True,
                   '%s: title, request_needed' % name)
        check.that(not r.revoked and not r.permanent, '%s: not revoked, not primary' % name)
        check.that(abs(r.date - time.time()) < 60, '%s: date %s' % (name, r.date))
        primary = await app.invoke(raw.functions.messages.ExportChatInvite(
            peer=peer, legacy_revoke_permanent=True))
        again = await app.invoke(raw.functions.messages.ExportChatInvite(
            peer=peer, legacy_revoke_permanent=True))
        check.that(primary.permanent and again.permanent and primary.link != again.link,
                   '%s: legacy_revoke_permanent gives a new primary link' % name)

    cases = [
        (400, 'CHAT_ADMIN_REQUIRED', raw.types.InputPeerChat(chat_id=2), 'chat 2 (bot is a member)'),
        (400, 'CHANNEL_PRIVATE', raw.types.InputPeerChannel(channel_id=11, access_hash=1111),
         'channel 11'),
        (400, 'CHAT_ID_INVALID', raw.types.InputPeerChat(chat_id=4), 'chat 4 (no such chat)'),
        (403, 'CHAT_WRITE_FORBIDDEN', raw.types.InputPeerChat(chat_id=3), 'chat 3 (bot not in it)'),
        (400, 'PEER_ID_INVALID', raw.types.InputPeerChannel(channel_id=10, access_hash=1),
         'channel 10, wrong hash'),
    ]
    for code, error, peer, what in cases:
        await check.raises(code, error, app.invoke(
            raw.functions.messages.ExportChatInvite(peer=peer)), what)
    await check.raises(400, 'USAGE_LIMIT_INVALID', app.invoke(raw.functions.messages.ExportChatInvite(
        peer=peers['chat 1'], usage_limit=100000)), 'usage_limit 100000')
    await check.raises(400, 'EXPIRE_DATE_INVALID', app.invoke(raw.functions.messages.ExportChatInvite(
        peer=peers['chat 1'], expire_date=1577836800)), 'expire_date in the past')

    config = await app.invoke(raw.functions.help.GetConfig())
    check.that(config.this_dc == 2 and all(
        o.ip_address == args.host and o.port == args.port for o in config.dc_options),
        'help.getConfig: every DC at the server')
    state = await app.invoke(raw.functions.updates.GetState())
    check.that(isinstance(state, raw.types.updates.State), 'updates.getState')
    stopped = await app.stop()
    check.that(stopped is app and not app.is_connected and not app.is_initialized, 'stop()')
    print(json.dumps({'checked': check.checked, 'failures': check.failures, 'layer': LAYER}))


if __name__ == '__main__':
    logging.basicConfig(level=logging.WARNING)
    parser = argparse.ArgumentParser()
    parser.add_argument('host')
    parser.add_argument('port', type=int)
    parser.add_argument('--server-key', required=True)
    parser.add_argument('--bot-token', required=True)
    args = parser.parse_args()
    pem = open(args.server_key, 'rb').read()
    # pyrogram writes the errors it does not know to ./unknown_errors.txt: not here.
    with tempfile.TemporaryDirectory(prefix='zerotl-pyrogram-') as workdir:
        os.chdir(workdir)
        # A client stuck on something never answered must not hang the test.
        asyncio.run(asyncio.wait_for(main(args, pem), 120))
