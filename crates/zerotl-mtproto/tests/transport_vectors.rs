//! Transport frames from outside our code: Telethon 1.45's client-to-server frames
//! (`data/vectors/transports.jsonl`) and the golden frames of docs/wire.md.
//!
//! Every stream is decoded whole, split in two at every position, and byte by byte;
//! each must yield exactly the payloads that went in.

use rand::SeedableRng;
use serde_json::Value;
use zerotl_mtproto::transport::{
    Decoder, Encoder, FrameError, FrameEvent, Received, Transport, TransportConfig,
    TransportDetector, TransportError,
};
use zerotl_mtproto::Side;

struct Vector {
    transport: Transport,
    tag: Vec<u8>,
    payload: Vec<u8>,
    frames: Vec<Vec<u8>>,
}

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).expect("hex")
}

fn vectors() -> Vec<Vector> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/vectors/transports.jsonl"
    );
    let text = std::fs::read_to_string(path).expect("transports.jsonl");
    let list: Vec<Vector> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let v: Value = serde_json::from_str(line).expect("json");
            let transport = match v["transport"].as_str().unwrap() {
                "abridged" => Transport::Abridged,
                "intermediate" => Transport::Intermediate,
                "padded" => Transport::Padded,
                "full" => Transport::Full,
                other => panic!("unknown transport {other}"),
            };
            Vector {
                transport,
                tag: unhex(v["tag"].as_str().unwrap()),
                payload: unhex(v["payload"].as_str().unwrap()),
                frames: v["frames"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| unhex(f.as_str().unwrap()))
                    .collect(),
            }
        })
        .collect();
    assert_eq!(list.len(), 32, "the vector file changed");
    list
}

/// The bytes a client sends: its tag (Telethon's padded codec has none because it
/// only runs under obfuscation, so the plain `dddddddd` tag is added), then frames.
fn client_stream(v: &Vector) -> Vec<u8> {
    let mut s = match v.transport {
        Transport::Padded => {
            assert!(v.tag.is_empty());
            Transport::Padded.tag().to_vec()
        }
        _ => v.tag.clone(),
    };
    assert_eq!(s, v.transport.tag());
    for f in &v.frames {
        s.extend_from_slice(f);
    }
    s
}

/// Feeds `chunks` to a server handshake and codec; returns the payloads.
fn serve(chunks: &[&[u8]], transport: Transport) -> Vec<Vec<u8>> {
    let mut hs = TransportDetector::new(TransportConfig::default(), None);
    let mut codec = None;
    let mut got = Vec::new();
    for chunk in chunks {
        match &mut codec {
            None => {
                codec = hs
                    .receive(chunk, &mut rand::rngs::StdRng::seed_from_u64(5))
                    .expect("detect")
            }
            Some(c) => c.receive(chunk),
        }
        if let Some(c) = &mut codec {
            assert_eq!(c.transport(), transport);
            while let Some(ev) = c.next_event().expect("decode") {
                match ev {
                    Received::Frame { payload, quick_ack } => {
                        assert!(!quick_ack);
                        got.push(payload.to_vec());
                    }
                    other => panic!("unexpected {other:?}"),
                }
            }
        }
    }
    got
}

#[test]
fn telethon_frames_decode_at_every_split_point() {
    for v in vectors() {
        let stream = client_stream(&v);
        let want = vec![v.payload.clone(); v.frames.len()];
        assert_eq!(
            serve(&[&stream], v.transport),
            want,
            "{:?} whole",
            v.transport
        );
        for cut in 0..=stream.len() {
            let (a, b) = stream.split_at(cut);
            assert_eq!(
                serve(&[a, b], v.transport),
                want,
                "{:?} split at {cut}",
                v.transport
            );
        }
        let bytes: Vec<&[u8]> = stream.chunks(1).collect();
        assert_eq!(
            serve(&bytes, v.transport),
            want,
            "{:?} byte by byte",
            v.transport
        );
    }
}

#[test]
fn telethon_frames_with_the_low_level_decoder() {
    for v in vectors() {
        let mut dec = Decoder::new(v.transport, Side::Server);
        for frame in &v.frames {
            for cut in 0..frame.len() {
                assert_eq!(
                    dec.decode(&frame[..cut]),
                    Ok(None),
                    "{:?} {cut}",
                    v.transport
                );
            }
            let d = dec.decode(frame).unwrap().unwrap();
            assert_eq!(d.consumed, frame.len());
            let FrameEvent::Frame { payload, quick_ack } = d.event else {
                panic!("{:?}", d.event)
            };
            assert!(!quick_ack);
            assert_eq!(frame[payload], v.payload[..]);
        }
    }
}

/// Our client encoder reproduces Telethon's frames byte for byte (for padded, with
/// Telethon's padding bytes fed in).
#[test]
fn our_encoder_matches_telethon() {
    for v in vectors() {
        let mut enc = Encoder::new(v.transport, Side::Client);
        for frame in &v.frames {
            if v.transport == Transport::Padded {
                let pad = frame[4 + v.payload.len()..].to_vec();
                enc = Encoder::new(v.transport, Side::Client).with_fixed_padding(&pad);
            }
            let mut out = Vec::new();
            enc.encode(&v.payload, &mut out).unwrap();
            assert_eq!(&out, frame, "{:?}", v.transport);
        }
    }
}

/// All frames of one transport (but full, whose sequence numbers restart per line)
/// in one stream, split at every point.
#[test]
fn concatenated_streams_at_every_split_point() {
    for transport in [
        Transport::Abridged,
        Transport::Intermediate,
        Transport::Padded,
    ] {
        let vs: Vec<Vector> = vectors()
            .into_iter()
            .filter(|v| v.transport == transport)
            .collect();
        let mut stream = transport.tag().to_vec();
        let mut want = Vec::new();
        for v in &vs {
            for f in &v.frames {
                stream.extend_from_slice(f);
                want.push(v.payload.clone());
            }
        }
        for cut in 0..=stream.len() {
            let (a, b) = stream.split_at(cut);
            assert_eq!(serve(&[a, b], transport), want, "{transport:?} {cut}");
        }
    }
}

const REQUEST: [u8; 12] = [
    0x4c, 0x53, 0xf7, 0x0d, 0x63, 0xe8, 0x9b, 0x17, 0x87, 0xd6, 0x12, 0x00,
];

fn encode(transport: Transport, role: Side, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    Encoder::new(transport, role)
        .with_fixed_padding(&[0xaa, 0xbb, 0xcc])
        .encode(payload, &mut out)
        .unwrap();
    out
}

#[test]
fn wire_md_request_frames() {
    assert_eq!(
        encode(Transport::Abridged, Side::Client, &REQUEST),
        unhex("034c53f70d63e89b1787d61200")
    );
    let mut out = Vec::new();
    Encoder::new(Transport::Abridged, Side::Client)
        .encode_requesting_quick_ack(&REQUEST, &mut out)
        .unwrap();
    assert_eq!(out[0], 0x83);
    assert_eq!(
        encode(Transport::Intermediate, Side::Client, &REQUEST),
        unhex("0c0000004c53f70d63e89b1787d61200")
    );
    assert_eq!(
        encode(Transport::Padded, Side::Client, &REQUEST),
        unhex("0f0000004c53f70d63e89b1787d61200aabbcc")
    );
    assert_eq!(
        encode(Transport::Full, Side::Client, &REQUEST),
        unhex("18000000000000004c53f70d63e89b1787d61200108216ef")
    );
    assert_eq!(
        encode(Transport::Abridged, Side::Client, &[0; 508])[..4],
        [0x7f, 0x7f, 0x00, 0x00]
    );
}

#[test]
fn wire_md_transport_errors() {
    let mut client = Decoder::new(Transport::Intermediate, Side::Client);
    let d = client.decode(&unhex("040000006cfeffff")).unwrap().unwrap();
    assert_eq!(
        d.event,
        FrameEvent::TransportError(TransportError::AUTH_KEY_NOT_FOUND)
    );
    let mut client = Decoder::new(Transport::Abridged, Side::Client);
    let d = client.decode(&unhex("016cfeffff")).unwrap().unwrap();
    assert_eq!(
        d.event,
        FrameEvent::TransportError(TransportError::from_code(-404))
    );
    assert_eq!(d.consumed, 5);

    for (code, hex) in [(-429, "53feffff"), (-444, "44feffff"), (-404, "6cfeffff")] {
        for transport in Transport::ALL {
            let mut out = Vec::new();
            Encoder::new(transport, Side::Server)
                .with_fixed_padding(&[1, 2])
                .encode_transport_error(TransportError::from_code(code), &mut out)
                .unwrap();
            assert!(hex::encode(&out).contains(hex), "{transport:?} {code}");
            let mut dec = Decoder::new(transport, Side::Client);
            for cut in 0..out.len() {
                assert_eq!(dec.decode(&out[..cut]), Ok(None));
            }
            let d = dec.decode(&out).unwrap().unwrap();
            assert_eq!(
                d.event,
                FrameEvent::TransportError(TransportError::from_code(code))
            );
            assert_eq!(d.consumed, out.len());
        }
    }
    // Code -1 is `ffffffff`, the quick-ack marker: on the padded transport it must not
    // carry the 4+ padding bytes that would read as a quick-ack token.
    for transport in Transport::ALL {
        let mut out = Vec::new();
        Encoder::new(transport, Side::Server)
            .with_fixed_padding(&[0x9a; 15])
            .encode_transport_error(TransportError::from_code(-1), &mut out)
            .unwrap();
        let d = Decoder::new(transport, Side::Client)
            .decode(&out)
            .unwrap()
            .unwrap();
        assert_eq!(
            d.event,
            FrameEvent::TransportError(TransportError::from_code(-1)),
            "{transport:?}"
        );
        assert_eq!(d.consumed, out.len());
    }
    // The full transport's observed -429 quirk, then a normal frame with seq 0.
    let mut stream = unhex("53feffff53feffff53feffff");
    let mut frame = Vec::new();
    Encoder::new(Transport::Full, Side::Server)
        .encode(&[8, 0, 0, 0], &mut frame)
        .unwrap();
    stream.extend_from_slice(&frame);
    let mut dec = Decoder::new(Transport::Full, Side::Client);
    let d = dec.decode(&stream).unwrap().unwrap();
    assert_eq!(
        d.event,
        FrameEvent::TransportError(TransportError::TRANSPORT_FLOOD)
    );
    let d = dec.decode(&stream[d.consumed..]).unwrap().unwrap();
    assert!(matches!(d.event, FrameEvent::Frame { .. }));
}

#[test]
fn transport_error_names() {
    assert_eq!(TransportError::FORBIDDEN.code(), -403);
    assert_eq!(TransportError::INVALID_DC.name(), Some("INVALID_DC"));
    assert_eq!(
        TransportError::from_code(-503).to_string(),
        "transport error -503"
    );
    // Servers refuse to send a non-negative code.
    let mut out = Vec::new();
    assert_eq!(
        Encoder::new(Transport::Abridged, Side::Server)
            .encode_transport_error(TransportError::from_code(404), &mut out),
        Err(FrameError::InvalidErrorCode { code: 404 })
    );
}
