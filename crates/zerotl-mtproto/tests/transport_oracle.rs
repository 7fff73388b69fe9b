//! Telethon 1.45 as an oracle for the transports (plain and obfuscated2, with and
//! without an MTProxy secret): its codecs frame random payloads from a shared init,
//! and we must produce the same bytes and decode its bytes; then it must decode
//! what our server sends back.
//!
//! Runs only with `ZEROTL_ORACLES=1` (needs `python3` with `telethon==1.45.0`):
//! `ZEROTL_ORACLES=1 cargo test -p zerotl-mtproto --test transport_oracle`.

use std::io::Write;
use std::process::{Command, Stdio};

use rand::{Rng, RngCore, SeedableRng};
use serde_json::{json, Value};
use zerotl_mtproto::transport::obfuscated::reserved_reason;
use zerotl_mtproto::transport::{
    Codec, Encoder, Obfuscation, ObfuscationOptions, ProxySecret, Received, Transport,
    TransportConfig, TransportDetector,
};
use zerotl_mtproto::Side;

/// Frames `payloads` with Telethon (phase "client"), or decodes `server_stream`
/// (phase "server"). `os.urandom(64)` is made to return our init, so Telethon's
/// obfuscation header is reproducible.
const SCRIPT: &str = r#"
import asyncio, json, os, sys
from telethon.network.connection.tcpabridged import AbridgedPacketCodec
from telethon.network.connection.tcpintermediate import (
    IntermediatePacketCodec, RandomizedIntermediatePacketCodec)
from telethon.network.connection.tcpfull import FullPacketCodec
from telethon.network.connection import tcpobfuscated, tcpmtproxy

CODECS = {'abridged': AbridgedPacketCodec, 'intermediate': IntermediatePacketCodec,
          'padded': RandomizedIntermediatePacketCodec, 'full': FullPacketCodec}
real_urandom = os.urandom

def keys(case, cls):
    if not case['init']:
        return (cls.tag or b''), None, None
    init = bytes.fromhex(case['init'])
    os.urandom = lambda n: init if n == 64 else real_urandom(n)
    try:
        if case['secret']:
            return tcpmtproxy.MTProxyIO.init_header(
                bytes.fromhex(case['secret']), case['dc_id'], cls)
        return tcpobfuscated.ObfuscatedIO.init_header(cls)
    finally:
        os.urandom = real_urandom

async def read_all(cls, data):
    reader = asyncio.StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    codec = cls(None)
    out = []
    while reader._buffer:
        out.append((await codec.read_packet(reader)).hex())
    return out

results = []
for case in json.load(sys.stdin):
    cls = CODECS[case['codec']]
    header, enc, dec = keys(case, cls)
    if case['phase'] == 'client':
        codec = cls(None)
        stream = b''.join(codec.encode_packet(bytes.fromhex(p)) for p in case['payloads'])
        if enc:
            stream = enc.encrypt(stream)
        results.append({'header': bytes(header).hex(), 'stream': stream.hex()})
    else:
        data = bytes.fromhex(case['server_stream'])
        if dec:
            data = dec.encrypt(data)
        results.append({'payloads': asyncio.run(read_all(cls, data))})
json.dump(results, sys.stdout)
"#;

fn python(cases: &Value) -> Vec<Value> {
    let mut child = Command::new("python3")
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(cases.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "python failed");
    serde_json::from_slice::<Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn name(t: Transport) -> &'static str {
    match t {
        Transport::Abridged => "abridged",
        Transport::Intermediate => "intermediate",
        Transport::Padded => "padded",
        Transport::Full => "full",
    }
}

struct Case {
    transport: Transport,
    init: Option<[u8; 64]>,
    secret: Option<[u8; 16]>,
    dc_id: i16,
    payloads: Vec<Vec<u8>>,
}

impl Case {
    fn json(&self, phase: &str, server_stream: &[u8]) -> Value {
        json!({
            "phase": phase,
            "codec": name(self.transport),
            "init": self.init.map(hex::encode),
            "secret": self.secret.map(hex::encode),
            "dc_id": self.dc_id,
            "payloads": self.payloads.iter().map(hex::encode).collect::<Vec<_>>(),
            "server_stream": hex::encode(server_stream),
        })
    }
}

#[test]
fn telethon_transports_agree() {
    if std::env::var("ZEROTL_ORACLES").as_deref() != Ok("1") {
        eprintln!("skipped: set ZEROTL_ORACLES=1 to run the Telethon oracle");
        return;
    }
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x2e1e_7401);
    let mut cases = Vec::new();
    for round in 0..12 {
        for transport in Transport::ALL {
            for mode in 0..3 {
                // 0: plain, 1: obfuscated2, 2: obfuscated2 through an MTProxy secret.
                if mode > 0 && transport == Transport::Full {
                    continue;
                }
                let init = (mode > 0).then(|| loop {
                    let mut init = [0u8; 64];
                    rng.fill_bytes(&mut init);
                    if reserved_reason(&init).is_none() {
                        break init;
                    }
                });
                let payloads = (0..1 + round % 4)
                    .map(|_| {
                        let words = [1, 2, 30, 126, 127, 200][rng.gen_range(0..6)];
                        let mut p = vec![0u8; words * 4];
                        rng.fill_bytes(&mut p);
                        p[3] &= 0x7f; // not a transport-error look-alike
                        p
                    })
                    .collect();
                cases.push(Case {
                    transport,
                    init,
                    secret: (mode == 2).then(|| rng.gen()),
                    dc_id: rng.gen_range(-5..=5),
                    payloads,
                });
            }
        }
    }

    // Phase 1: Telethon frames the client's payloads.
    let client_out = python(&Value::Array(
        cases.iter().map(|c| c.json("client", &[])).collect(),
    ));
    let mut server_streams = Vec::new();
    for (case, out) in cases.iter().zip(&client_out) {
        let header = hex::decode(out["header"].as_str().unwrap()).unwrap();
        let stream = hex::decode(out["stream"].as_str().unwrap()).unwrap();
        let what = format!(
            "{:?} obfuscated={} secret={}",
            case.transport,
            case.init.is_some(),
            case.secret.is_some()
        );

        // Our client makes the same bytes (padded padding is random: skip those).
        let options = ObfuscationOptions {
            secret: case.secret.map(ProxySecret::new),
            dc_id: case.secret.map(|_| case.dc_id),
        };
        let mut ours = Vec::new();
        let mut enc = Encoder::new(case.transport, Side::Client);
        for p in &case.payloads {
            enc.encode(p, &mut ours).unwrap();
        }
        if let Some(init) = case.init {
            let (mut obf, our_header) =
                Obfuscation::client_with_init(init, case.transport, &options).unwrap();
            assert_eq!(our_header.to_vec(), header, "{what}: header");
            obf.encrypt(&mut ours);
        } else if case.transport != Transport::Padded {
            assert_eq!(header, case.transport.tag(), "{what}: tag");
        }
        if case.transport != Transport::Padded {
            assert_eq!(hex::encode(&ours), hex::encode(&stream), "{what}: frames");
        }

        // Our server decodes Telethon's bytes (plain padded gets its tag added:
        // Telethon only sends padded under obfuscation).
        let mut wire = if case.init.is_none() {
            case.transport.tag().to_vec()
        } else {
            header.clone()
        };
        wire.extend_from_slice(&stream);
        let config = TransportConfig {
            max_padding: 3, // Telethon strips only len % 4
            ..TransportConfig::default()
        };
        let mut hs = TransportDetector::new(config, options.secret);
        let mut codec: Codec = hs.receive(&wire, &mut rng).unwrap().expect(&what);
        assert_eq!(codec.transport(), case.transport, "{what}");
        let mut got = Vec::new();
        while let Some(ev) = codec.next_event().unwrap() {
            let Received::Frame { payload, .. } = ev else {
                panic!("{what}: {ev:?}")
            };
            got.push(payload.to_vec());
        }
        assert_eq!(got, case.payloads, "{what}: decoded");

        // Phase 2 input: our server answers with the same payloads reversed.
        let mut back = Vec::new();
        for p in case.payloads.iter().rev() {
            codec.send(p, &mut back).unwrap();
        }
        server_streams.push(back);
    }

    // Phase 2: Telethon decodes what our server sent.
    let server_out = python(&Value::Array(
        cases
            .iter()
            .zip(&server_streams)
            .map(|(c, s)| c.json("server", s))
            .collect(),
    ));
    for (case, out) in cases.iter().zip(&server_out) {
        let got: Vec<Vec<u8>> = out["payloads"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| hex::decode(p.as_str().unwrap()).unwrap())
            .collect();
        let want: Vec<Vec<u8>> = case.payloads.iter().rev().cloned().collect();
        assert_eq!(
            got,
            want,
            "{:?} obfuscated={}: Telethon decoding our server",
            case.transport,
            case.init.is_some()
        );
    }
    eprintln!("{} Telethon cases agree", cases.len());
}
