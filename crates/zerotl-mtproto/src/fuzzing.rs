//! Fuzz bodies (feature `fuzzing`) for the targets in `fuzz/`: each target is a
//! one-line call into a function here. A body panics only when an invariant breaks.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::envelope::{self, classify, Container, PlainMessage, RpcOutcome, ServiceMessage};
use crate::errors::RpcError;
use crate::transport::{
    Decoder, FrameEvent, Received, Transport, TransportConfig, TransportDetector,
};
use crate::Side;

/// Cap for inflating `gzip_packed` while fuzzing (small, so bombs stop early).
const FUZZ_INFLATE_CAP: usize = 1 << 20;

/// What a decoder saw on a stream: events and the error that stopped it, if any.
#[derive(Debug, PartialEq, Eq)]
struct Trace {
    events: Vec<(FrameEvent, Vec<u8>)>,
    error: Option<String>,
}

/// Feeds `stream` to a decoder in chunks of the sizes `chunks` cycles through
/// (`[usize::MAX]` = all at once) and records what comes out.
fn run_decoder(transport: Transport, role: Side, stream: &[u8], chunks: &[usize]) -> Trace {
    let mut d = Decoder::new(transport, role).with_max_frame_len(1 << 16);
    let mut buf: Vec<u8> = Vec::new();
    let mut fed = 0;
    let mut events = Vec::new();
    let mut sizes = chunks.iter().cycle();
    loop {
        match d.decode(&buf) {
            Ok(Some(dec)) => {
                assert!(
                    dec.consumed > 0 && dec.consumed <= buf.len(),
                    "consumed within the buffer"
                );
                let payload = match &dec.event {
                    FrameEvent::Frame { payload, .. } => buf[payload.clone()].to_vec(),
                    _ => Vec::new(),
                };
                events.push((dec.event, payload));
                buf.drain(..dec.consumed);
            }
            Ok(None) => {
                if fed == stream.len() {
                    return Trace {
                        events,
                        error: None,
                    };
                }
                let n = (*sizes.next().unwrap_or(&1)).clamp(1, stream.len() - fed);
                buf.extend_from_slice(&stream[fed..fed + n]);
                fed += n;
            }
            Err(e) => {
                return Trace {
                    events,
                    error: Some(e.to_string()),
                }
            }
        }
    }
}

/// A transport decoder fed arbitrary bytes in arbitrary chunks. The first byte picks
/// the transport and side, the next three the chunk sizes. Invariants: no panic,
/// "need more" for partial input, and the same events and final error whether the
/// stream arrives at once, byte by byte, or in the fuzzer's chunks.
pub fn transport_decoder(data: &[u8]) {
    let [sel, c1, c2, c3, stream @ ..] = data else {
        return;
    };
    let transport = Transport::ALL[(*sel as usize) % 4];
    let role = if sel & 4 == 0 {
        Side::Client
    } else {
        Side::Server
    };
    let whole = run_decoder(transport, role, stream, &[usize::MAX]);
    let chunked = run_decoder(
        transport,
        role,
        stream,
        &[*c1 as usize, *c2 as usize, *c3 as usize],
    );
    assert_eq!(whole, chunked, "chunking must not change what is decoded");
    if stream.len() <= 512 {
        let bytewise = run_decoder(transport, role, stream, &[1]);
        assert_eq!(whole, bytewise, "byte-by-byte decoding must agree");
    }
}

/// A server's first bytes: transport detection (plain or obfuscated), then the codec,
/// fed in chunks; every frame is classified as an envelope.
pub fn server_stream(data: &[u8]) {
    let [c1, c2, stream @ ..] = data else {
        return;
    };
    let sizes = [(*c1 as usize).max(1), (*c2 as usize).max(1)];
    let mut hs = TransportDetector::new(TransportConfig::default(), None);
    // Padding draws only (never checked): a fixed seed keeps runs repeatable.
    let mut rng = <rand_chacha::ChaCha8Rng as rand_core::SeedableRng>::seed_from_u64(0);
    let mut rest = stream;
    let mut i = 0;
    let mut codec = loop {
        if rest.is_empty() {
            return;
        }
        let n = sizes[i % 2].min(rest.len());
        i += 1;
        let (chunk, tail) = rest.split_at(n);
        rest = tail;
        match hs.receive(chunk, &mut rng) {
            Ok(Some(codec)) => break codec,
            Ok(None) => {}
            Err(_) => return,
        }
    };
    loop {
        loop {
            match codec.next_event() {
                Ok(Some(Received::Frame { payload, .. })) => {
                    if let Ok(m) =
                        PlainMessage::decode_padded(payload, crate::transport::padded::MAX_PADDING)
                    {
                        envelope_body(m.body);
                    }
                }
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(_) => return,
            }
        }
        if rest.is_empty() {
            return;
        }
        let n = sizes[i % 2].min(rest.len());
        i += 1;
        let (chunk, tail) = rest.split_at(n);
        rest = tail;
        codec.receive(chunk);
    }
}

/// A message body through the envelope layer: classification, containers (walked in
/// full), `rpc_result` outcomes and bounded gzip inflation.
pub fn envelope_body(body: &[u8]) {
    let Ok(msg) = classify(body) else {
        return;
    };
    match msg {
        ServiceMessage::Container(c) => walk_container(c),
        ServiceMessage::RpcResult(r) => {
            let _ = RpcOutcome::of(r.result);
            if let Ok(o) = RpcOutcome::of_unpacked(r.result) {
                let _ = format!("{o:?}");
            }
        }
        ServiceMessage::GzipPacked(g) => {
            if let Ok(inner) = envelope::gzip::unpack_value(&g, FUZZ_INFLATE_CAP) {
                assert!(inner.len() <= FUZZ_INFLATE_CAP, "the inflate cap holds");
                if let Ok(ServiceMessage::Container(c)) = classify(&inner) {
                    walk_container(c);
                }
            }
        }
        other => {
            let _ = format!("{other:?}");
        }
    }
}

fn walk_container(c: Container<'_>) {
    let mut n = 0;
    for m in c.iter() {
        n += 1;
        // Nested containers are refused by `Container::parse`.
        assert!(!matches!(
            classify(m.body.as_bytes()),
            Ok(ServiceMessage::Container(_))
        ));
    }
    assert_eq!(n, c.len(), "a validated container walks all its messages");
    assert!(n <= envelope::MAX_CONTAINER_MESSAGES);
}

/// A plain (unencrypted) message, then its body through [`envelope_body`].
pub fn envelope(data: &[u8]) {
    if let Ok(m) = PlainMessage::decode(data) {
        let mut out = Vec::new();
        m.encode(&mut out).expect("a Vec grows");
        assert_eq!(out, data, "plain messages re-encode exactly");
        envelope_body(m.body);
    }
    envelope_body(data);
}

/// The RPC error-name parser on any text and code: no panic, and what it produces
/// survives a round trip through [`RpcError::new`].
pub fn rpc_error_name(data: &[u8]) {
    let [a, b, c, d, text @ ..] = data else {
        return;
    };
    let code = i32::from_le_bytes([*a, *b, *c, *d]);
    let message = String::from_utf8_lossy(text);
    let e = RpcError::parse(code, &message);
    // Kept up to MAX_ERROR_TEXT bytes, cut at a character boundary.
    assert!(
        message.starts_with(e.message.as_str()),
        "the raw message is kept"
    );
    assert!(e.message.len() >= message.len().min(crate::errors::MAX_ERROR_TEXT - 3));
    if e.value.is_none() {
        assert_eq!(e.name, e.message, "without a value the name is the message");
    }
    let again = RpcError::new(e.code, &e.name, e.value);
    assert_eq!((again.code, again.value), (e.code, e.value));
    let _ = e.to_string();
    let _ = e.wait();
}

/// The client connection core (plain test mode) fed arbitrary server bytes in
/// arbitrary chunks after sending a few requests: containers, gzip, rpc_result
/// and service messages in any nesting. Invariants: no panic, every event names
/// a request that was sent, answers lie inside the caller's buffers, and the
/// connection's input never needs more than one frame.
pub fn client_stream(data: &[u8]) {
    use crate::client::{ClientConnection, ClientConnectionConfig, ClientEvent, SessionSetup};
    let [sel, c1, c2, stream @ ..] = data else {
        return;
    };
    let transport = Transport::ALL[(*sel as usize) % 4];
    let config = ClientConnectionConfig::new(transport);
    let mut rng = <rand_chacha::ChaCha8Rng as rand_core::SeedableRng>::seed_from_u64(0);
    let Ok(mut conn) =
        ClientConnection::<4, 8, 64>::new(&config, SessionSetup::InsecurePlain, &mut rng)
    else {
        return;
    };
    let now = crate::UnixTime::from_secs(1_700_000_000);
    let mut out = Vec::new();
    let mut sent = Vec::new();
    for _ in 0..=(sel >> 5) & 3 {
        // chatInviteEmpty as a stand-in request body.
        if let Ok(id) = conn.send_request(&[0x69, 0x37, 0xdf, 0x69], now, &mut rng, &mut out) {
            sent.push(id);
        }
    }
    let sizes = [(*c1 as usize).max(1), (*c2 as usize).max(1)];
    let mut scratch = alloc::vec![0u8; FUZZ_INFLATE_CAP];
    let mut input: Vec<u8> = Vec::new();
    let mut rest = stream;
    let mut turn = 0;
    loop {
        let consumed = match conn.receive(&mut input, &mut scratch, now, &mut rng) {
            Ok(n) => n,
            Err(crate::client::ClientError::EventsPending) => 0,
            Err(e) => {
                let _ = e.to_string();
                return;
            }
        };
        while let Some(event) = conn.poll_event() {
            let request = match &event {
                ClientEvent::Answer { request, answer } => {
                    let buf: &[u8] = match answer.location {
                        crate::client::AnswerLocation::Input => &input,
                        crate::client::AnswerLocation::Scratch => &scratch,
                    };
                    assert!(
                        answer.range.end <= buf.len(),
                        "an answer lies in its buffer"
                    );
                    *request
                }
                ClientEvent::Error { request, .. }
                | ClientEvent::Resend { request }
                | ClientEvent::Failed { request, .. } => *request,
            };
            assert!(sent.contains(&request), "events name sent requests only");
            if matches!(event, ClientEvent::Resend { .. }) {
                conn.forget(request);
            }
        }
        if consumed > 0 {
            input.drain(..consumed);
            continue;
        }
        if rest.is_empty() {
            return;
        }
        let n = sizes[turn % 2].min(rest.len());
        turn += 1;
        input.extend_from_slice(&rest[..n]);
        rest = &rest[n..];
        assert!(
            input.len() <= config.transport_config.max_frame_len + 2 * 256 + 64,
            "no more than a frame waits"
        );
    }
}

/// A key store holding one key, for [`server_session`].
struct OneKey(core::cell::RefCell<Option<crate::server::KeyState>>);

impl crate::server::AuthKeyStore for OneKey {
    fn with_key(&self, id: i64, f: &mut dyn FnMut(&mut crate::server::KeyState)) -> bool {
        match self.0.borrow_mut().as_mut() {
            Some(state) if state.auth_key.id() == id => {
                f(state);
                true
            }
            _ => false,
        }
    }
    fn contains(&self, id: i64) -> bool {
        self.0
            .borrow()
            .as_ref()
            .is_some_and(|s| s.auth_key.id() == id)
    }
    fn insert(&self, state: crate::server::KeyState) {
        *self.0.borrow_mut() = Some(state);
    }
}

/// The server connection core behind a valid encryption: the fuzzer's bytes are
/// the *plaintext* bodies of two messages from a client holding the key (sent,
/// then the first one again as a replay), so containers, gzip, seq_no and
/// msg_id rules and service queries are reached. Invariants: no panic, every
/// server message decrypts for the client, the requests handed out fit the
/// bodies (at most one per container slot), and a replayed message adds none.
pub fn server_session(data: &[u8]) {
    use crate::server::{
        KeyState, ServerConnection, ServerConnectionConfig, ServerConnectionEvent, ServerContext,
    };
    use crate::session::Session;
    let [flags, split, body @ ..] = data else {
        return;
    };
    let at = (*split as usize * body.len() / 256) & !3;
    let (first, second) = body.split_at(at.min(body.len()));
    let second = &second[..second.len() & !3];
    let now = crate::UnixTime::from_secs(1_700_000_000);
    let mut rng = <rand_chacha::ChaCha8Rng as rand_core::SeedableRng>::seed_from_u64(1);
    let key = crate::crypto::AuthKey::from_bytes([7; 256]);
    let keys = OneKey(core::cell::RefCell::new(None));
    crate::server::AuthKeyStore::insert(&keys, KeyState::new(key.clone(), 1, now, &mut rng));
    let mut client = Session::client(key, 1, 5, 0);
    let cx = ServerContext {
        key_exchange: None,
        keys: &keys,
        insecure_plain: false,
        now,
    };
    let config = ServerConnectionConfig {
        max_in_flight: 8,
        ..ServerConnectionConfig::default()
    };
    let mut conn = ServerConnection::new(config, now);
    let mut wire = alloc::vec![0xee; 4];
    let mut frames = Vec::new();
    for (i, part) in [first, second].into_iter().enumerate() {
        let mut message = Vec::new();
        let content = flags >> i & 1 == 1;
        if client
            .pack(part, content, now, &mut rng, &mut message)
            .is_err()
        {
            return;
        }
        let mut frame = (message.len() as u32).to_le_bytes().to_vec();
        frame.extend_from_slice(&message);
        frames.push(frame);
    }
    let handed_out = core::cell::Cell::new(0usize);
    let mut drive = |conn: &mut ServerConnection, data: &[u8]| -> bool {
        if conn.receive(data, &cx, &mut rng).is_err() {
            return false;
        }
        loop {
            let mut any = false;
            while let Some(event) = conn.poll_event() {
                if let ServerConnectionEvent::Request(r) = event {
                    any = true;
                    handed_out.set(handed_out.get() + 1);
                    // boolTrue
                    let _ = conn.reply(&r, &[0xb5, 0x75, 0x72, 0x99], &cx, &mut rng);
                }
            }
            let out = conn.output().to_vec();
            conn.consume_output(out.len(), now);
            let mut rest = &out[..];
            while let Some((len, tail)) = rest.split_first_chunk::<4>() {
                let len = u32::from_le_bytes(*len) as usize;
                if len == 4 {
                    // A transport error: the connection is closing.
                    return false;
                }
                let mut message = tail[..len].to_vec();
                client
                    .unpack(&mut message, now)
                    .expect("the server's messages decrypt");
                rest = &tail[len..];
            }
            if conn.process(&cx, &mut rng).is_err() || conn.closing().is_some() {
                return false;
            }
            if !any {
                return true;
            }
        }
    };
    wire.extend_from_slice(&frames[0]);
    if !drive(&mut conn, &wire) {
        return;
    }
    let after_first = handed_out.get();
    assert!(after_first <= 1 + envelope::MAX_CONTAINER_MESSAGES);
    if !drive(&mut conn, &frames[0]) {
        return;
    }
    assert_eq!(
        handed_out.get(),
        after_first,
        "a replayed message hands out nothing"
    );
    let _ = drive(&mut conn, &frames[1]);
}

/// A key store with no key, for [`websocket`].
struct NoKeys;

impl crate::server::AuthKeyStore for NoKeys {
    fn with_key(&self, _: i64, _: &mut dyn FnMut(&mut crate::server::KeyState)) -> bool {
        false
    }
    fn contains(&self, _: i64) -> bool {
        false
    }
    fn insert(&self, _: crate::server::KeyState) {}
}

/// WebSocket: the fuzzer's bytes (after a chunk-size byte) as an upgrade request,
/// as client frames read in chunks, and as a server connection's input after a
/// valid upgrade. Invariants: no panic; every read on non-empty input takes a byte
/// or reports an event, data ranges lie in the input, the reader holds at most a
/// header and a control payload; the connection's output starts with the `101`.
pub fn websocket(data: &[u8]) {
    use crate::server::{ServerConnection, ServerConnectionConfig, ServerContext};
    use crate::transport::websocket::{parse_handshake, WebSocketEvent, WebSocketReader};
    let [c1, stream @ ..] = data else {
        return;
    };
    let step = usize::from(*c1).max(1);
    let _ = parse_handshake(stream);
    let mut reader = WebSocketReader::new(1 << 16);
    let mut buf = stream.to_vec();
    'chunks: for chunk in buf.chunks_mut(step) {
        let mut at = 0;
        while at < chunk.len() {
            let Ok((n, event)) = reader.read(&mut chunk[at..]) else {
                break 'chunks;
            };
            assert!(n > 0 || event.is_some(), "a read makes progress");
            assert!(at + n <= chunk.len(), "consumed within the input");
            if let Some(WebSocketEvent::Data(r)) = event {
                assert!(r.end <= n && !r.is_empty(), "data within what was read");
            }
            assert!(reader.buffered() <= 14 + 125, "bounded buffering");
            at += n;
        }
    }
    let keys = NoKeys;
    let cx = ServerContext {
        key_exchange: None,
        keys: &keys,
        insecure_plain: true,
        now: crate::UnixTime::from_secs(1_700_000_000),
    };
    let mut rng = <rand_chacha::ChaCha8Rng as rand_core::SeedableRng>::seed_from_u64(0);
    let mut conn = ServerConnection::new(ServerConnectionConfig::default(), cx.now);
    let upgrade = b"GET /apiws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
        Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    if conn.receive(upgrade, &cx, &mut rng).is_err() {
        panic!("the valid upgrade is refused");
    }
    assert!(conn.output().starts_with(b"HTTP/1.1 101 "));
    for chunk in stream.chunks(step) {
        if conn.receive(chunk, &cx, &mut rng).is_err() || conn.closing().is_some() {
            return;
        }
        while let Some(event) = conn.poll_event() {
            if let crate::server::ServerConnectionEvent::Request(r) = event {
                let _ = conn.reply(&r, &[0x69, 0x37, 0xdf, 0x69], &cx, &mut rng);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_run_on_simple_inputs() {
        let intermediate_frame = [1, 7, 7, 7, 4, 0, 0, 0, 1, 2, 3, 4, 8, 0, 0];
        transport_decoder(&intermediate_frame);
        transport_decoder(&[3, 1, 2, 3, 0x18, 0, 0, 0, 0, 0, 0, 0]);
        server_stream(&[
            3, 5, 0xee, 0xee, 0xee, 0xee, 4, 0, 0, 0, 0x69, 0x37, 0xdf, 0x69,
        ]);
        envelope(&[0; 24]);
        envelope(&[0xdc, 0xf8, 0xf1, 0x73, 0, 0, 0, 0]);
        rpc_error_name(b"\x90\x01\x00\x00FLOOD_WAIT_42");
        rpc_error_name(b"\x90\x01\x00\x002FA_CONFIRM_WAIT_86400");
        client_stream(&[1, 3, 5, 4, 0, 0, 0, 1, 2, 3, 4]);
        server_session(&[]);
        server_session(&[
            3, 128, 0x69, 0x37, 0xdf, 0x69, 0xdc, 0xf8, 0xf1, 0x73, 0, 0, 0, 0,
        ]);
    }

    /// The committed seeds of the connection-core targets, and their mutations,
    /// run through the bodies (cargo-fuzz does the same at length in CI).
    #[test]
    fn connection_core_seeds_and_mutations_run() {
        extern crate std;
        use rand_core::{RngCore, SeedableRng};
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for (target, body) in [
            ("client_stream", client_stream as fn(&[u8])),
            ("server_session", server_session),
        ] {
            let mut seeds = 0;
            for entry in std::fs::read_dir(root.join(target)).unwrap() {
                let seed = std::fs::read(entry.unwrap().path()).unwrap();
                seeds += 1;
                body(&seed);
                for _ in 0..200 {
                    let mut input = seed.clone();
                    for _ in 0..1 + rng.next_u32() % 4 {
                        let at = rng.next_u32() as usize % input.len().max(1);
                        if let Some(b) = input.get_mut(at) {
                            *b ^= 1 << (rng.next_u32() % 8);
                        }
                    }
                    body(&input);
                }
            }
            assert!(seeds >= 2, "{target} has seeds");
        }
    }
}
