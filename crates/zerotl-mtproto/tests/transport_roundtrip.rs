//! Encode -> decode round trips for every transport in both directions, quick
//! acks, partial frames, hostile length headers, obfuscation and detection.

use proptest::prelude::*;
use rand::SeedableRng;
use zerotl_mtproto::transport::{
    detect, Codec, Decoder, DetectError, Detected, Encoder, FrameError, FrameEvent,
    ObfuscationOptions, ProxySecret, Received, Transport, TransportConfig, TransportDetector,
    TransportError, DEFAULT_MAX_FRAME_LEN,
};
use zerotl_mtproto::Side;

fn transport() -> impl Strategy<Value = Transport> {
    prop::sample::select(Transport::ALL.to_vec())
}

/// Payloads of whole words, sometimes past abridged's 508-byte short form.
fn payload() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        (1usize..=40).prop_flat_map(|w| prop::collection::vec(any::<u8>(), w * 4)),
        (120usize..=300).prop_flat_map(|w| prop::collection::vec(any::<u8>(), w * 4)),
    ]
}

/// A server payload that is not a control frame (a short one starting with a
/// negative int32 would be a transport error or quick ack by definition).
fn server_payload() -> impl Strategy<Value = Vec<u8>> {
    payload().prop_map(|mut p| {
        p[3] &= 0x7f;
        p
    })
}

/// Padding bytes a decoded payload may keep (padded: whole words of 4..15 bytes).
fn max_left_padding(t: Transport) -> usize {
    if t == Transport::Padded {
        12
    } else {
        0
    }
}

/// Decodes every item of `buf`; frames come with their payload bytes.
fn decode_all(dec: &mut Decoder, mut buf: &[u8]) -> Vec<(FrameEvent, Vec<u8>)> {
    let mut out = Vec::new();
    while let Some(d) = dec.decode(buf).expect("decode") {
        let bytes = match &d.event {
            FrameEvent::Frame { payload, .. } => buf[payload.clone()].to_vec(),
            _ => Vec::new(),
        };
        out.push((d.event, bytes));
        buf = &buf[d.consumed..];
    }
    assert!(buf.is_empty(), "{} bytes left over", buf.len());
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn client_to_server_round_trip(
        t in transport(),
        frames in prop::collection::vec((payload(), any::<bool>()), 1..6),
        seed in any::<u64>(),
    ) {
        let mut enc = Encoder::new(t, Side::Client)
            .with_random_padding(&mut rand::rngs::StdRng::seed_from_u64(seed));
        let mut wire = Vec::new();
        for (p, ack) in &frames {
            if *ack && t.supports_quick_ack() {
                enc.encode_requesting_quick_ack(p, &mut wire).unwrap();
            } else {
                enc.encode(p, &mut wire).unwrap();
            }
        }
        let mut dec = Decoder::new(t, Side::Server);
        let events = decode_all(&mut dec, &wire);
        prop_assert_eq!(events.len(), frames.len());
        for ((p, ack), (ev, bytes)) in frames.iter().zip(events) {
            let FrameEvent::Frame { quick_ack, .. } = ev else { panic!("{ev:?}") };
            prop_assert_eq!(quick_ack, *ack && t.supports_quick_ack());
            // Padded frames may keep whole words of padding (at most 12 bytes).
            prop_assert_eq!(&bytes[..p.len()], &p[..]);
            prop_assert!(bytes.len() - p.len() <= max_left_padding(t));
        }
    }

    #[test]
    fn server_to_client_round_trip(
        t in transport(),
        items in prop::collection::vec((server_payload(), 0u8..4, any::<u32>()), 1..6),
        seed in any::<u64>(),
    ) {
        let mut enc = Encoder::new(t, Side::Server)
            .with_random_padding(&mut rand::rngs::StdRng::seed_from_u64(seed));
        let mut wire = Vec::new();
        let mut want = Vec::new();
        for (p, kind, token) in &items {
            match kind {
                1 if t.supports_quick_ack() => {
                    let token = token | 0x8000_0000;
                    enc.encode_quick_ack(token, &mut wire).unwrap();
                    want.push(FrameEvent::QuickAck(token));
                }
                2 => {
                    let code = -((*token % 1000) as i32) - 1;
                    enc.encode_transport_error(TransportError::from_code(code), &mut wire).unwrap();
                    want.push(FrameEvent::TransportError(TransportError::from_code(code)));
                }
                _ => {
                    enc.encode(p, &mut wire).unwrap();
                    want.push(FrameEvent::Frame { payload: 0..p.len(), quick_ack: false });
                }
            }
        }
        let mut dec = Decoder::new(t, Side::Client);
        let events = decode_all(&mut dec, &wire);
        prop_assert_eq!(events.len(), want.len());
        for (((ev, bytes), want), (p, _, _)) in events.iter().zip(&want).zip(&items) {
            match (ev, want) {
                (FrameEvent::Frame { quick_ack: false, .. }, FrameEvent::Frame { .. }) => {
                    prop_assert_eq!(&bytes[..p.len()], &p[..]);
                    prop_assert!(bytes.len() - p.len() <= max_left_padding(t));
                }
                (a, b) => prop_assert_eq!(a, b),
            }
        }
    }

    /// Every prefix of a frame is "need more", never an error.
    #[test]
    fn partial_frames_need_more(t in transport(), p in payload(), role_client in any::<bool>()) {
        let (enc_role, dec_role) = if role_client {
            (Side::Client, Side::Server)
        } else {
            (Side::Server, Side::Client)
        };
        let mut p = p;
        p[3] &= 0x7f;
        let mut wire = Vec::new();
        Encoder::new(t, enc_role).encode(&p, &mut wire).unwrap();
        let mut dec = Decoder::new(t, dec_role);
        for cut in 0..wire.len() {
            prop_assert_eq!(dec.decode(&wire[..cut]), Ok(None));
        }
        prop_assert!(dec.decode(&wire).unwrap().is_some());
    }

    /// Client and server codecs over an in-memory pipe, plain or obfuscated, with
    /// the byte stream cut at random points.
    #[test]
    fn codecs_over_a_pipe(
        t in prop::sample::select(vec![Transport::Abridged, Transport::Intermediate, Transport::Padded, Transport::Full]),
        obfuscate in any::<bool>(),
        secret in prop::option::of(any::<[u8; 16]>()),
        payloads in prop::collection::vec(server_payload(), 1..5),
        cuts in prop::collection::vec(1usize..97, 1..20),
        seed in any::<u64>(),
    ) {
        let obfuscate = obfuscate && t != Transport::Full;
        let secret = secret.filter(|_| obfuscate).map(ProxySecret::new);
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let obfuscation = obfuscate.then_some(ObfuscationOptions { secret, dc_id: Some(2) });
        let mut to_server = Vec::new();
        let mut client =
            Codec::client(t, &TransportConfig::default(), obfuscation.as_ref(), &mut rng).unwrap();
        client.send_opening(&mut to_server).unwrap();
        for p in &payloads {
            if t.supports_quick_ack() {
                client.send_requesting_quick_ack(p, &mut to_server).unwrap();
            } else {
                client.send(p, &mut to_server).unwrap();
            }
        }
        // Server side: detect, then decode, with the stream cut at `cuts`.
        let mut hs = TransportDetector::new(TransportConfig::default(), secret);
        let mut server: Option<Codec> = None;
        let mut received = Vec::new();
        for chunk in chunked(&to_server, &cuts) {
            match &mut server {
                None => server = hs.receive(chunk, &mut rand::rngs::StdRng::seed_from_u64(5)).unwrap(),
                Some(s) => s.receive(chunk),
            }
            if let Some(s) = &mut server {
                while let Some(ev) = s.next_event().unwrap() {
                    let Received::Frame { payload, quick_ack } = ev else { panic!("{ev:?}") };
                    prop_assert_eq!(quick_ack, t.supports_quick_ack());
                    received.push(payload.to_vec());
                }
            }
        }
        let mut server = server.expect("detected");
        prop_assert_eq!(server.transport(), t);
        prop_assert_eq!(server.is_obfuscated(), obfuscate);
        prop_assert_eq!(received.len(), payloads.len());
        for (got, want) in received.iter().zip(&payloads) {
            prop_assert_eq!(&got[..want.len()], &want[..]);
        }
        // And back.
        let mut to_client = Vec::new();
        for p in &payloads {
            server.send(p, &mut to_client).unwrap();
            if t.supports_quick_ack() {
                server.send_quick_ack(0x8000_0001, &mut to_client).unwrap();
            }
        }
        server.send_transport_error(TransportError::TRANSPORT_FLOOD, &mut to_client).unwrap();
        let mut frames = Vec::new();
        let mut acks = 0;
        let mut errors = Vec::new();
        for chunk in chunked(&to_client, &cuts) {
            client.receive(chunk);
            while let Some(ev) = client.next_event().unwrap() {
                match ev {
                    Received::Frame { payload, .. } => frames.push(payload.to_vec()),
                    Received::QuickAck(token) => {
                        prop_assert_eq!(token, 0x8000_0001);
                        acks += 1;
                    }
                    Received::TransportError(e) => errors.push(e),
                }
            }
        }
        prop_assert_eq!(frames.len(), payloads.len());
        for (got, want) in frames.iter().zip(&payloads) {
            prop_assert_eq!(&got[..want.len()], &want[..]);
        }
        prop_assert_eq!(acks, if t.supports_quick_ack() { payloads.len() } else { 0 });
        prop_assert_eq!(errors, vec![TransportError::TRANSPORT_FLOOD]);
        prop_assert_eq!(client.buffered_len(), 0);
    }
}

fn chunked<'a>(data: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut rest = data;
    let mut i = 0;
    while !rest.is_empty() {
        let n = cuts[i % cuts.len()].min(rest.len());
        let (a, b) = rest.split_at(n);
        out.push(a);
        rest = b;
        i += 1;
    }
    out
}

#[test]
fn absurd_length_prefixes_fail_from_the_header() {
    let cases: [(Transport, Side, &[u8]); 8] = [
        (Transport::Abridged, Side::Server, &[0x7f, 0xff, 0xff, 0xff]),
        (Transport::Abridged, Side::Client, &[0x7f, 0x00, 0x00, 0x80]),
        (
            Transport::Intermediate,
            Side::Server,
            &[0xfc, 0xff, 0xff, 0x7f],
        ),
        (
            Transport::Intermediate,
            Side::Client,
            &[0x00, 0x00, 0x00, 0x7f],
        ),
        (Transport::Padded, Side::Server, &[0xff, 0xff, 0xff, 0xff]),
        (Transport::Padded, Side::Client, &[0x10, 0x00, 0x00, 0x7f]),
        (Transport::Full, Side::Server, &[0x0c, 0x00, 0x00, 0x7f]),
        (Transport::Full, Side::Client, &[0x0c, 0x00, 0x00, 0x10]),
    ];
    for (t, role, header) in cases {
        let e = Decoder::new(t, role).decode(header).unwrap_err();
        assert!(
            matches!(
                e,
                FrameError::TooLarge {
                    max: DEFAULT_MAX_FRAME_LEN,
                    ..
                }
            ),
            "{t:?} {role:?}: {e:?}"
        );
        // A codec given only the header fails too and holds just those bytes.
        let mut hs = TransportDetector::new(TransportConfig::default(), None);
        if role == Side::Server {
            let mut stream = t.tag().to_vec();
            if t == Transport::Full {
                // Full needs a zero sequence number to be detected.
                stream.extend_from_slice(&header[..4]);
                stream.extend_from_slice(&[0; 4]);
            } else {
                stream.extend_from_slice(header);
            }
            let mut codec = hs
                .receive(&stream, &mut rand::rngs::StdRng::seed_from_u64(5))
                .unwrap()
                .unwrap();
            assert!(matches!(
                codec.next_event(),
                Err(FrameError::TooLarge { .. })
            ));
            assert!(codec.buffered_len() <= 8);
        }
    }
    // A smaller configured maximum.
    let mut dec = Decoder::new(Transport::Intermediate, Side::Server).with_max_frame_len(1024);
    assert_eq!(
        dec.decode(&[0x04, 0x04, 0, 0]),
        Err(FrameError::TooLarge {
            transport: Transport::Intermediate,
            length: 1028,
            max: 1024
        })
    );
    assert!(dec.decode(&[0x00, 0x04, 0, 0]).unwrap().is_none());
}

#[test]
fn lengths_that_are_not_words_or_empty() {
    let mut dec = Decoder::new(Transport::Intermediate, Side::Server);
    assert_eq!(
        dec.decode(&[6, 0, 0, 0]),
        Err(FrameError::NotMultipleOf4 {
            transport: Transport::Intermediate,
            length: 6
        })
    );
    assert_eq!(
        dec.decode(&[0, 0, 0, 0]),
        Err(FrameError::Empty {
            transport: Transport::Intermediate
        })
    );
    assert!(matches!(
        Decoder::new(Transport::Abridged, Side::Server).decode(&[0]),
        Err(FrameError::Empty { .. })
    ));
    assert!(matches!(
        Decoder::new(Transport::Full, Side::Server).decode(&[14, 0, 0, 0]),
        Err(FrameError::NotMultipleOf4 { length: 2, .. })
    ));
    assert!(matches!(
        Decoder::new(Transport::Full, Side::Server).decode(&[8, 0, 0, 0]),
        Err(FrameError::InvalidLength { value: 8, .. })
    ));
    assert!(matches!(
        Decoder::new(Transport::Padded, Side::Server).decode(&[3, 0, 0, 0]),
        Err(FrameError::Empty { .. })
    ));
    for t in Transport::ALL {
        let mut out = Vec::new();
        let mut enc = Encoder::new(t, Side::Client);
        assert!(matches!(
            enc.encode(&[1, 2, 3], &mut out),
            Err(FrameError::NotMultipleOf4 { .. })
        ));
        assert!(matches!(
            enc.encode(&[], &mut out),
            Err(FrameError::Empty { .. })
        ));
        assert!(out.is_empty());
    }
    let mut enc = Encoder::new(Transport::Abridged, Side::Client).with_max_frame_len(8);
    assert!(matches!(
        enc.encode(&[0; 12], &mut Vec::new()),
        Err(FrameError::TooLarge {
            length: 12,
            max: 8,
            ..
        })
    ));
}

#[test]
fn full_transport_checks_seq_and_crc_in_both_directions() {
    for (enc_role, dec_role) in [(Side::Client, Side::Server), (Side::Server, Side::Client)] {
        let mut enc = Encoder::new(Transport::Full, enc_role);
        let mut a = Vec::new();
        let mut b = Vec::new();
        enc.encode(&[1, 0, 0, 0], &mut a).unwrap();
        enc.encode(&[2, 0, 0, 0], &mut b).unwrap();
        assert_eq!(enc.next_seq(), 2);
        // Skipping frame 0: frame 1 arrives when 0 is due.
        let mut dec = Decoder::new(Transport::Full, dec_role);
        assert_eq!(
            dec.decode(&b),
            Err(FrameError::BadSeq {
                expected: 0,
                found: 1
            })
        );
        // In order: fine; replayed: refused.
        let mut dec = Decoder::new(Transport::Full, dec_role);
        dec.decode(&a).unwrap().unwrap();
        dec.decode(&b).unwrap().unwrap();
        assert_eq!(dec.next_seq(), 2);
        assert!(matches!(
            dec.decode(&b),
            Err(FrameError::BadSeq {
                expected: 2,
                found: 1
            })
        ));
        // A flipped payload bit: CRC mismatch.
        let mut bad = a.clone();
        bad[9] ^= 0x40;
        let mut dec = Decoder::new(Transport::Full, dec_role);
        assert!(matches!(
            dec.decode(&bad),
            Err(FrameError::BadCrc { seq: 0, .. })
        ));
    }
}

#[test]
fn roles_and_unsupported_features() {
    let mut out = Vec::new();
    assert!(matches!(
        Encoder::new(Transport::Abridged, Side::Server)
            .encode_requesting_quick_ack(&[0; 4], &mut out),
        Err(FrameError::WrongRole { .. })
    ));
    assert!(matches!(
        Encoder::new(Transport::Abridged, Side::Client).encode_quick_ack(0x8000_0000, &mut out),
        Err(FrameError::WrongRole { .. })
    ));
    assert!(matches!(
        Encoder::new(Transport::Full, Side::Client).encode_requesting_quick_ack(&[0; 4], &mut out),
        Err(FrameError::Unsupported { .. })
    ));
    assert!(matches!(
        Encoder::new(Transport::Full, Side::Server).encode_quick_ack(0x8000_0000, &mut out),
        Err(FrameError::Unsupported { .. })
    ));
    assert_eq!(
        Encoder::new(Transport::Intermediate, Side::Server).encode_quick_ack(5, &mut out),
        Err(FrameError::InvalidQuickAckToken { token: 5 })
    );
    assert!(out.is_empty());
}

#[test]
fn detection_needs_more_until_decidable() {
    // Plain tags.
    for t in [
        Transport::Abridged,
        Transport::Intermediate,
        Transport::Padded,
    ] {
        let tag = t.tag();
        for cut in 0..tag.len() {
            assert!(detect(&tag[..cut], None).unwrap().is_none(), "{t:?} {cut}");
        }
        let d = detect(tag, None).unwrap().unwrap();
        assert_eq!((d.transport(), d.header_len()), (t, tag.len()));
    }
    // Full: needs the zero sequence number.
    let mut full = Vec::new();
    Encoder::new(Transport::Full, Side::Client)
        .encode(&[9; 8], &mut full)
        .unwrap();
    for cut in 0..8 {
        assert!(detect(&full[..cut], None).unwrap().is_none());
    }
    assert!(matches!(
        detect(&full[..8], None).unwrap(),
        Some(Detected::Plain {
            transport: Transport::Full,
            tag_len: 0
        })
    ));
    // Obfuscated: needs all 64 bytes.
    for t in [
        Transport::Abridged,
        Transport::Intermediate,
        Transport::Padded,
    ] {
        let mut out = Vec::new();
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        Codec::client(
            t,
            &TransportConfig::default(),
            Some(&ObfuscationOptions::default()),
            &mut rng,
        )
        .unwrap()
        .send_opening(&mut out)
        .unwrap();
        assert_eq!(out.len(), 64);
        for cut in 0..64 {
            assert!(detect(&out[..cut], None).unwrap().is_none(), "{t:?} {cut}");
        }
        let d = detect(&out, None).unwrap().unwrap();
        assert!(matches!(&d, Detected::Obfuscated(o) if o.transport == t));
        assert_eq!(d.header_len(), 64);
    }
    // Neither.
    assert!(matches!(
        detect(b"POST /api HTTP/1.1", None),
        Err(DetectError::Http(_))
    ));
    assert!(matches!(
        detect(&[0x16, 0x03, 0x01, 0x02, 0, 1], None),
        Err(DetectError::Tls)
    ));
    let noise = [0x42u8; 64];
    assert!(matches!(
        detect(&noise, None),
        Err(DetectError::Unrecognised(_))
    ));
}

/// Many random inits: all valid, client and server agree, server finds the tag.
#[test]
fn obfuscation_inits_are_never_reserved() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    for i in 0..2000 {
        let t = [
            Transport::Abridged,
            Transport::Intermediate,
            Transport::Padded,
        ][i % 3];
        let mut out = Vec::new();
        Codec::client(
            t,
            &TransportConfig::default(),
            Some(&ObfuscationOptions::default()),
            &mut rng,
        )
        .unwrap()
        .send_opening(&mut out)
        .unwrap();
        let init: &[u8; 64] = out[..].try_into().unwrap();
        assert_eq!(
            zerotl_mtproto::transport::obfuscated::reserved_reason(init),
            None
        );
        let d = detect(init, None).unwrap().unwrap();
        assert_eq!(d.transport(), t);
    }
}
