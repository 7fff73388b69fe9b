#!/usr/bin/env python3
"""Telethon's own TelegramClient against zerotl's server: 1.45 (layer 229), or an older
release found on PYTHONPATH (1.34 is layer 173, 1.24 layer 133), each at its own layer.

Unmodified client: only the DC address (session.set_dc) and the server's RSA key
(telethon.crypto.rsa.add_key) are changed. Against the default world it checks:

* connect() (key exchange, then invokeWithLayer(229, initConnection(help.getConfig)));
* get_me() before a login is None (users.getUsers answers AUTH_KEY_UNREGISTERED);
* start(bot_token=...) logs in as the world's bot; get_me() is that bot;
* messages.ExportChatInviteRequest for chat 1 and channel 10 with expire_date,
  usage_limit, title and request_needed (the last two where the release's layer has
  them, 134 on): a ChatInviteExported with every field as requested;
  legacy_revoke_permanent gives a permanent link;
* the seed's five errors and the new validation errors, each raised as Telethon's
  own class; a wrong bot token as AccessTokenInvalidError.

With --connection NAME the client speaks that class of telethon.network.connection instead
of its default ConnectionTcpFull (an MTProxy class needs --proxy-secret HEX: the server is
then dialled as the MTProxy, (HOST, PORT, HEX)); with --short it makes only the checks that
show the transport carries a session: connect(), start(bot_token=...), get_me(), one
exportChatInvite with its fields, one error as Telethon's class, help.getConfig.

Prints one JSON line last: {"checked": N, "failures": [...], "layer": L, "connection": C}.

usage: telethon_client.py HOST PORT --server-key PEM --bot-token TOKEN
           [--connection NAME [--proxy-secret HEX]] [--short]
"""

import argparse
import asyncio
import datetime
import inspect
import json
import logging
import sys

import rsa as pyrsa
from telethon import TelegramClient, errors, functions, types
from telethon.network import connection as connections
from telethon.crypto import rsa as telethon_rsa
from telethon.sessions import MemorySession
from telethon.tl.alltlobjects import LAYER

API_ID, API_HASH = 4, '014b35b6184100b085b0d0572f9b5103'


class Checks:
    def __init__(self):
        self.checked, self.failures = 0, []

    def that(self, ok, what):
        self.checked += 1
        if not ok:
            self.failures.append(what)
        print(('ok   ' if ok else 'FAIL ') + what, file=sys.stderr)

    async def raises(self, cls, coro, what, message=None):
        try:
            await coro
        except cls as e:
            # The code's own class (a release older than the error) carries its name.
            generic = cls is errors.BadRequestError
            ok = message is None or not generic or getattr(e, 'message', None) == message
            self.that(ok, '%s raises %s %s' % (what, cls.__name__, getattr(e, 'message', '')))
        except Exception as e:  # noqa: BLE001 - reported as a failure
            self.that(False, '%s raises %s, got %r' % (what, cls.__name__, e))
        else:
            self.that(False, '%s raises %s, got no error' % (what, cls.__name__))


def client_for(args):
    session = MemorySession()
    session.set_dc(2, args.host, args.port)
    options = {}
    if args.connection:
        options['connection'] = getattr(connections, args.connection)
    if args.proxy_secret:
        options['proxy'] = (args.host, args.port, args.proxy_secret)
    # One try: a transport the server breaks must fail, not be retried into passing.
    return TelegramClient(session, API_ID, API_HASH, connection_retries=0, request_retries=0,
                          auto_reconnect=False, **options)


async def short(args, check, client):
    """The checks that show the transport carries a whole session."""
    await client.start(bot_token=args.bot_token)
    me = await client.get_me()
    bot_id = int(args.bot_token.split(':')[0])
    check.that(me is not None and me.bot and me.id == bot_id, 'get_me() is the bot: %r' % (me,))
    r = await client(functions.messages.ExportChatInviteRequest(
        peer=types.InputPeerChat(1), usage_limit=10))
    check.that(isinstance(r, types.ChatInviteExported) and r.link.startswith('https://t.me/')
               and r.admin_id == bot_id and r.usage_limit == 10 and not r.permanent,
               'chat 1: %r' % (r,))
    await check.raises(errors.ChatAdminRequiredError, client(
        functions.messages.ExportChatInviteRequest(peer=types.InputPeerChat(2))), 'chat 2')
    # The largest answer of the flow (several kilobytes: the long frame forms).
    config = await client(functions.help.GetConfigRequest())
    check.that(config.this_dc == 2 and len(config.dc_options) > 0, 'help.getConfig')


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('host')
    parser.add_argument('port', type=int)
    parser.add_argument('--server-key', required=True)
    parser.add_argument('--bot-token', required=True)
    parser.add_argument('--connection')
    parser.add_argument('--proxy-secret')
    parser.add_argument('--short', action='store_true')
    args = parser.parse_args()
    pem = open(args.server_key, 'rb').read()
    if b'PRIVATE' in pem:
        private = pyrsa.PrivateKey.load_pkcs1(pem)
        pem = pyrsa.PublicKey(private.n, private.e).save_pkcs1()
    telethon_rsa.add_key(pem.decode(), old=False)

    check = Checks()
    client = client_for(args)
    await client.connect()
    check.that(client.is_connected(), 'connect()')
    connection = type(client._sender._connection).__name__
    if args.short:
        await short(args, check, client)
        await client.disconnect()
        print(json.dumps({'checked': check.checked, 'failures': check.failures, 'layer': LAYER,
                          'connection': connection}))
        return
    check.that(await client.get_me() is None, 'get_me() before a login is None')
    check.that(not await client.is_user_authorized(), 'not authorized before a login')

    other = client_for(args)
    await other.connect()
    await check.raises(errors.AccessTokenInvalidError,
                       other.sign_in(bot_token='123456:not-the-token'), 'a wrong bot token')
    await other.disconnect()

    await client.start(bot_token=args.bot_token)
    me = await client.get_me()
    check.that(me is not None and me.bot and me.is_self, 'get_me() is a bot: %r' % (me,))
    check.that(me is not None and me.id == int(args.bot_token.split(':')[0]),
               'get_me().id is the token\'s')
    check.that(me is not None and me.username == 'zerotl_test_bot', 'bot username')
    check.that(await client.is_user_authorized(), 'authorized after start()')

    expire = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) \
        + datetime.timedelta(days=1)
    peers = {
        'chat 1': types.InputPeerChat(1),
        'channel 10': types.InputPeerChannel(10, 1010),
    }
    # title and request_needed came with layer 134's form of the request.
    newer = 'title' in inspect.signature(functions.messages.ExportChatInviteRequest).parameters
    for name, peer in peers.items():
        extra = {'title': 'friends of ' + name, 'request_needed': True} if newer else {}
        r = await client(functions.messages.ExportChatInviteRequest(
            peer=peer, expire_date=expire, usage_limit=10, **extra))
        check.that(isinstance(r, types.ChatInviteExported), '%s: %r' % (name, type(r)))
        check.that(r.link.startswith('https://t.me/'), '%s: link %s' % (name, r.link))
        check.that(r.admin_id == me.id, '%s: admin_id %s' % (name, r.admin_id))
        check.that(r.expire_date == expire, '%s: expire_date %s' % (name, r.expire_date))
        check.that(r.usage_limit == 10, '%s: usage_limit' % name)
        if newer:
            check.that(r.title == 'friends of ' + name, '%s: title' % name)
            check.that(r.request_needed is True, '%s: request_needed' % name)
        check.that(not r.revoked and not r.permanent, '%s: not revoked, not primary' % name)
        check.that(abs((r.date - datetime.datetime.now(datetime.timezone.utc)).total_seconds()) < 60,
                   '%s: date %s' % (name, r.date))
        primary = await client(functions.messages.ExportChatInviteRequest(
            peer=peer, legacy_revoke_permanent=True))
        again = await client(functions.messages.ExportChatInviteRequest(
            peer=peer, legacy_revoke_permanent=True))
        check.that(primary.permanent and again.permanent and primary.link != again.link,
                   '%s: legacy_revoke_permanent gives a new primary link' % name)

    cases = [
        (errors.ChatAdminRequiredError, types.InputPeerChat(2), 'chat 2 (bot is a member)'),
        (errors.ChannelPrivateError, types.InputPeerChannel(11, 1111), 'channel 11'),
        (errors.ChatIdInvalidError, types.InputPeerChat(4), 'chat 4 (no such chat)'),
        (errors.ChatWriteForbiddenError, types.InputPeerChat(3), 'chat 3 (bot not in it)'),
        (errors.PeerIdInvalidError, types.InputPeerChannel(10, 1), 'channel 10, wrong hash'),
    ]
    for cls, peer, what in cases:
        await check.raises(cls, client(functions.messages.ExportChatInviteRequest(peer=peer)),
                           what)
    # A release older than an error raises it as its code's class, with the same message.
    def error_class(name):
        return getattr(errors, name, errors.BadRequestError)
    await check.raises(error_class('UsageLimitInvalidError'), client(
        functions.messages.ExportChatInviteRequest(peer=peers['chat 1'], usage_limit=100000)),
        'usage_limit 100000', 'USAGE_LIMIT_INVALID')
    past = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
    await check.raises(error_class('ExpireDateInvalidError'), client(
        functions.messages.ExportChatInviteRequest(peer=peers['chat 1'], expire_date=past)),
        'expire_date in the past', 'EXPIRE_DATE_INVALID')

    config = await client(functions.help.GetConfigRequest())
    check.that(config.this_dc == 2 and all(
        o.ip_address == args.host and o.port == args.port for o in config.dc_options),
        'help.getConfig: every DC at the server')
    state = await client(functions.updates.GetStateRequest())
    check.that(isinstance(state, types.updates.State), 'updates.getState')
    await client.disconnect()
    print(json.dumps({'checked': check.checked, 'failures': check.failures, 'layer': LAYER,
                      'connection': connection}))


if __name__ == '__main__':
    logging.basicConfig(level=logging.WARNING)
    # A client stuck on something never answered must not hang the test.
    asyncio.run(asyncio.wait_for(main(), 120))
