#!/usr/bin/env node
// GramJS 2.26.22's own TelegramClient (layer 198) against zerotl's server.
//
// Unmodified client: only the DC address (session.setDC) and the server's RSA key
// (added to GramJS's table of server keys) are changed, and, since GramJS on Node
// always dials port 80 for its main connection, its `connection` option is
// GramJS's own ConnectionTCPFull with the server's port. Against the default world:
// connect(), start({botAuthToken}), getMe(), messages.ExportChatInvite with 230's
// flags (answered as the layer-198 client knows them), the seed's five errors.
//
// --connection NAME picks another of GramJS's connection classes (ConnectionTCPAbridged,
// ConnectionTCPObfuscated), again with the server's port; --proxy-secret HEX instead
// dials the server as an MTProxy with GramJS's `proxy: {MTProxy: true, ...}` option,
// which makes the client use its ConnectionTCPMTProxyAbridged. --websocket passes
// GramJS's own PromisedWebSockets as `networkSocket` (its browser default), which
// dials ws://HOST:PORT/apiws with subprotocol "binary" (wss only for port 443); used
// with --connection ConnectionTCPObfuscated, GramJS's browser default connection.
// --short makes only the
// checks that show the transport carries a session: connect(), start({botAuthToken}),
// getMe(), one exportChatInvite with its fields, one error, help.getConfig.
//
// Prints one JSON line last: {"checked": N, "failures": [...], "connection": C}.
//
// usage: gramjs_client.js HOST PORT --server-key PEM --bot-token TOKEN --modules DIR
//            [--connection NAME | --proxy-secret HEX] [--websocket] [--short]
//   (DIR: a node_modules with telegram@2.26.22, e.g. tests/conformance/node_modules)

'use strict';

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

function option(name) {
    const i = process.argv.indexOf(name);
    return i < 0 ? undefined : process.argv[i + 1];
}

function arg(name) {
    const i = process.argv.indexOf(name);
    if (i < 0 || i + 1 >= process.argv.length) {
        throw new Error('missing ' + name);
    }
    return process.argv[i + 1];
}

const [host, port] = [process.argv[2], Number(process.argv[3])];
const modules = path.resolve(arg('--modules'));
const need = (name) => require(path.join(modules, name));
const { TelegramClient, Api } = need('telegram');
const { MemorySession } = need('telegram/sessions');
const connections = need('telegram/network');
const RSA = need('telegram/crypto/RSA');
const bigInt = need('big-integer');

/// A TL `bytes` value.
function tlBytes(buf) {
    const head = buf.length < 254
        ? Buffer.from([buf.length])
        : Buffer.from([254, buf.length & 0xff, (buf.length >> 8) & 0xff, (buf.length >> 16) & 0xff]);
    const body = Buffer.concat([head, buf]);
    return Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
}

/// Registers the server's public key as GramJS registers Telegram's.
function addServerKey(pemFile) {
    const key = crypto.createPublicKey(fs.readFileSync(pemFile));
    const jwk = key.export({ format: 'jwk' });
    const n = Buffer.from(jwk.n, 'base64url');
    const e = Buffer.from(jwk.e, 'base64url');
    const digest = crypto.createHash('sha1').update(Buffer.concat([tlBytes(n), tlBytes(e)])).digest();
    const fingerprint = digest.subarray(12, 20).readBigInt64LE(0);
    RSA._serverKeys.set(fingerprint.toString(), {
        n: bigInt(n.toString('hex'), 16),
        e: Number(bigInt(e.toString('hex'), 16)),
    });
}

/// GramJS's connection class `name`, dialling the server's port (GramJS on Node dials
/// port 80 for its main connection), under the same name.
function connectionClass(name) {
    const Base = connections[name];
    if (!Base) {
        throw new Error('no connection class ' + name);
    }
    return { [name]: class extends Base {
        constructor(options) {
            super({ ...options, port });
        }
    } }[name];
}

let checked = 0;
let connectionName;
const failures = [];
function that(ok, what) {
    checked += 1;
    if (!ok) {
        failures.push(what);
    }
    process.stderr.write((ok ? 'ok   ' : 'FAIL ') + what + '\n');
}

async function rpcError(promise, code, name, what) {
    try {
        await promise;
        that(false, `${what}: ${name} expected, got an answer`);
    } catch (e) {
        that(e.code === code && e.errorMessage === name,
            `${what}: ${code} ${name} (got ${e.code} ${e.errorMessage || e})`);
    }
}

/// The checks that show the transport carries a whole session.
async function short(client, token) {
    await client.start({ botAuthToken: token });
    const me = await client.getMe();
    that(me instanceof Api.User && me.bot && me.id.toString() === token.split(':')[0],
        'getMe() is the bot');
    const r = await client.invoke(new Api.messages.ExportChatInvite({
        peer: new Api.InputPeerChat({ chatId: bigInt(1) }), usageLimit: 7,
    }));
    that(r instanceof Api.ChatInviteExported && r.link.startsWith('https://t.me/')
        && r.adminId.toString() === me.id.toString() && r.usageLimit === 7 && !r.permanent,
    'chat 1: ChatInviteExported with its fields');
    await rpcError(client.invoke(new Api.messages.ExportChatInvite({
        peer: new Api.InputPeerChat({ chatId: bigInt(2) }),
    })), 400, 'CHAT_ADMIN_REQUIRED', 'chat 2');
    // The largest answer of the flow (several kilobytes: the long frame forms).
    const config = await client.invoke(new Api.help.GetConfig());
    that(config.thisDc === 2 && config.dcOptions.length > 0, 'help.getConfig');
}

async function main() {
    addServerKey(arg('--server-key'));
    const token = arg('--bot-token');
    // Not a StringSession: its save() cannot store ports above 32767.
    const session = new MemorySession();
    const secret = option('--proxy-secret');
    const client = new TelegramClient(session, 4, '014b35b6184100b085b0d0572f9b5103', {
        connectionRetries: 1,
        autoReconnect: false,
        connection: connectionClass(option('--connection') || 'ConnectionTCPFull'),
        proxy: secret ? { ip: host, port, MTProxy: true, secret } : undefined,
        networkSocket: process.argv.includes('--websocket')
            ? need('telegram/extensions').PromisedWebSockets : undefined,
    });
    client.setLogLevel(process.env.ZEROTL_GRAMJS_LOG || 'error');
    client.session.setDC(2, host, port);
    await client.connect();
    that(client.connected, 'connect()');
    connectionName = client._sender._connection.constructor.name;
    if (process.argv.includes('--short')) {
        await short(client, token);
        await client.disconnect();
        await client.destroy();
        return;
    }
    that(!(await client.checkAuthorization()), 'not authorized before a login');

    await client.start({ botAuthToken: token });
    const me = await client.getMe();
    that(me instanceof Api.User && me.bot && me.self, 'getMe() is the bot (user#4b46c37e at 198)');
    that(me.id.toString() === token.split(':')[0], 'getMe().id is the token\'s');
    that(me.username === 'zerotl_test_bot', 'bot username');

    const expire = Math.floor(Date.now() / 1000) + 86400;
    const peers = {
        'chat 1': new Api.InputPeerChat({ chatId: bigInt(1) }),
        'channel 10': new Api.InputPeerChannel({ channelId: bigInt(10), accessHash: bigInt(1010) }),
    };
    for (const [name, peer] of Object.entries(peers)) {
        const r = await client.invoke(new Api.messages.ExportChatInvite({
            peer, expireDate: expire, usageLimit: 7, title: 'gramjs ' + name, requestNeeded: true,
        }));
        that(r instanceof Api.ChatInviteExported, `${name}: ChatInviteExported`);
        that(r.link.startsWith('https://t.me/'), `${name}: link ${r.link}`);
        that(r.adminId.toString() === me.id.toString(), `${name}: adminId`);
        that(r.expireDate === expire && r.usageLimit === 7, `${name}: expireDate, usageLimit`);
        that(r.title === 'gramjs ' + name && r.requestNeeded === true, `${name}: title, requestNeeded`);
        that(!r.revoked && !r.permanent, `${name}: not revoked, not primary`);
    }
    const cases = [
        [new Api.InputPeerChat({ chatId: bigInt(2) }), 400, 'CHAT_ADMIN_REQUIRED'],
        [new Api.InputPeerChannel({ channelId: bigInt(11), accessHash: bigInt(1111) }), 400, 'CHANNEL_PRIVATE'],
        [new Api.InputPeerChat({ chatId: bigInt(4) }), 400, 'CHAT_ID_INVALID'],
        [new Api.InputPeerChat({ chatId: bigInt(3) }), 403, 'CHAT_WRITE_FORBIDDEN'],
        [new Api.InputPeerChannel({ channelId: bigInt(10), accessHash: bigInt(1) }), 400, 'PEER_ID_INVALID'],
    ];
    for (const [peer, code, name] of cases) {
        await rpcError(client.invoke(new Api.messages.ExportChatInvite({ peer })), code, name, name);
    }
    const config = await client.invoke(new Api.help.GetConfig());
    that(config.thisDc === 2 && config.dcOptions.every((o) => o.ipAddress === host && o.port === port),
        'help.getConfig: every DC at the server');
    await client.disconnect();
    await client.destroy();
}

function finish() {
    process.stdout.write(JSON.stringify({ checked, failures, connection: connectionName }) + '\n');
    process.exit(0);
}

// A client stuck on something never answered must not hang the test.
setTimeout(() => {
    failures.push('timed out after 60 s');
    finish();
}, 60000).unref();

main()
    .catch((e) => failures.push('aborted: ' + (e && e.stack ? e.stack : e)))
    .finally(finish);
