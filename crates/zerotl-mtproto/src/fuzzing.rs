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
    }
}
