//! The envelope against golden bytes (docs/wire.md) and hostile input:
//! truncated prefixes, container and ack limits, nested containers, gzip bombs.

use std::io::Write;
use zerotl::Identifiable as _;

use zerotl::{Decode, Object, RemoteCall};
use zerotl_mtproto::envelope::gzip::{self, DEFAULT_MAX_INFLATED};
use zerotl_mtproto::envelope::{
    classify, encode_container, encode_rpc_error, encode_rpc_result, is_content_related, Container,
    EnvelopeError, PlainMessage, RpcOutcome, SeqNoGenerator, ServiceMessage, MAX_ACK_IDS,
    MAX_CONTAINER_MESSAGES,
};
use zerotl_types::layer122::{enums, functions};
use zerotl_types::mtproto::types;

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).expect("hex")
}

const REQ_MSG_ID: i64 = 0x51e5_7ac4_2770_964a;

/// docs/wire.md's rpc_error bodies.
const RPC_ERRORS: [(i32, &str, &str); 8] = [
    (
        400,
        "CHANNEL_PRIVATE",
        "19ca4421 90010000 0f 4348414e4e454c5f50524956415445",
    ),
    (
        400,
        "CHAT_ADMIN_REQUIRED",
        "19ca4421 90010000 13 434841545f41444d494e5f5245515549524544",
    ),
    (
        400,
        "CHAT_ID_INVALID",
        "19ca4421 90010000 0f 434841545f49445f494e56414c4944",
    ),
    (
        403,
        "CHAT_WRITE_FORBIDDEN",
        "19ca4421 93010000 14 434841545f57524954455f464f5242494444454e 000000",
    ),
    (
        400,
        "PEER_ID_INVALID",
        "19ca4421 90010000 0f 504545525f49445f494e56414c4944",
    ),
    (
        420,
        "FLOOD_WAIT_42",
        "19ca4421 a4010000 0d 464c4f4f445f574149545f3432 0000",
    ),
    (
        303,
        "PHONE_MIGRATE_2",
        "19ca4421 2f010000 0f 50484f4e455f4d4947524154455f32",
    ),
    (-503, "Timeout", "19ca4421 09feffff 07 54696d656f7574"),
];

#[test]
fn rpc_result_with_rpc_error_golden() {
    let mut body = Vec::new();
    encode_rpc_error(REQ_MSG_ID, 400, "CHAT_ADMIN_REQUIRED", &mut body).unwrap();
    assert_eq!(
        body,
        unhex(
            "016d5cf3 4a967027c47ae551 19ca4421 90010000 13 434841545f41444d494e5f5245515549524544"
        )
    );
    for (code, message, wire) in RPC_ERRORS {
        let mut body = Vec::new();
        encode_rpc_error(REQ_MSG_ID, code, message, &mut body).unwrap();
        let mut want = unhex("016d5cf3 4a967027c47ae551");
        want.extend_from_slice(&unhex(wire));
        assert_eq!(body, want, "{message}");
        let ServiceMessage::RpcResult(r) = classify(&body).unwrap() else {
            panic!("{message}")
        };
        assert_eq!(r.req_msg_id, REQ_MSG_ID);
        let RpcOutcome::Error(e) = RpcOutcome::of(r.result).unwrap() else {
            panic!("{message}")
        };
        assert_eq!((e.error_code, e.error_message.as_str()), (code, message));
        // A bare rpc_error (outside rpc_result) is classified too.
        let bare = unhex(wire);
        assert!(matches!(classify(&bare), Ok(ServiceMessage::RpcError(e)) if e.error_code == code));
    }
}

/// The answer to exportChatInvite inside rpc_result, decoded as the method's
/// `RemoteCall::Return`.
fn decode_answer(body: &[u8]) -> Result<enums::ExportedChatInvite<'_>, String> {
    let ServiceMessage::RpcResult(r) = classify(body).map_err(|e| e.to_string())? else {
        return Err("not rpc_result".into());
    };
    match RpcOutcome::of(r.result).map_err(|e| e.to_string())? {
        RpcOutcome::Ok(answer) => {
            <functions::messages::ExportChatInvite as RemoteCall>::Return::decode_from_slice(
                answer.as_bytes(),
            )
            .map_err(|e| e.to_string())
        }
        other => Err(format!("{other:?}")),
    }
}

#[test]
fn rpc_result_with_answers_golden() {
    // chatInviteExported("https://t.me/joinchat/AAAAAEHbEkejzxUjAUCzYg"): 1 + 44 -> 48 bytes.
    let link = "https://t.me/joinchat/AAAAAEHbEkejzxUjAUCzYg";
    let mut exported = unhex("bc052efc 2c");
    exported.extend_from_slice(link.as_bytes());
    exported.extend_from_slice(&[0, 0, 0]);
    let mut body = Vec::new();
    encode_rpc_result(REQ_MSG_ID, &Object::from_bytes(&exported), &mut body).unwrap();
    assert_eq!(body.len(), 4 + 8 + 4 + 48);
    let answer = decode_answer(&body).unwrap();
    let enums::ExportedChatInvite::ChatInviteExported(e) = answer else {
        panic!("{answer:?}")
    };
    assert_eq!(e.link.as_str(), link);

    let mut empty = Vec::new();
    encode_rpc_result(
        REQ_MSG_ID,
        &enums::ExportedChatInvite::ChatInviteEmpty,
        &mut empty,
    )
    .unwrap();
    assert_eq!(empty, unhex("016d5cf3 4a967027c47ae551 6937df69"));
    assert_eq!(
        decode_answer(&empty).unwrap(),
        enums::ExportedChatInvite::ChatInviteEmpty
    );

    // Every truncated prefix of both fails, with a typed error at some layer.
    for full in [&body, &empty] {
        for cut in 0..full.len() {
            assert!(decode_answer(&full[..cut]).is_err(), "cut at {cut}");
        }
    }
}

#[test]
fn plain_message_of_the_seed_request() {
    // messages.exportChatInvite(inputPeerChat 1234567) in test mode.
    let request = unhex("4c53f70d 63e89b17 87d61200");
    let msg = PlainMessage {
        msg_id: 0x51e5_7ac4_2770_9640,
        body: &request,
    };
    let mut wire = Vec::new();
    msg.encode(&mut wire).unwrap();
    assert_eq!(
        wire,
        unhex("0000000000000000 4096702 7c47ae551 0c000000 4c53f70d63e89b1787d61200")
    );
    let back = PlainMessage::decode(&wire).unwrap();
    assert_eq!(back, msg);
    // Zero-copy: the body is a slice of the input.
    assert!(std::ptr::eq(back.body.as_ptr(), wire[20..].as_ptr()));
    for cut in 0..wire.len() {
        let e = PlainMessage::decode(&wire[..cut]).unwrap_err();
        assert!(e.is_truncation(), "{cut}: {e}");
    }
}

fn message(msg_id: i64, seqno: i32, body: &[u8]) -> types::Message<'_> {
    types::Message {
        msg_id,
        seqno,
        body: Object::from_bytes(body),
    }
}

fn pong(msg_id: i64, ping_id: i64) -> Vec<u8> {
    let mut b = unhex("c5737734");
    b.extend_from_slice(&msg_id.to_le_bytes());
    b.extend_from_slice(&ping_id.to_le_bytes());
    b
}

fn ack(ids: &[i64]) -> Vec<u8> {
    let mut b = unhex("59b4d662 15c4b51c");
    b.extend_from_slice(&(ids.len() as i32).to_le_bytes());
    for id in ids {
        b.extend_from_slice(&id.to_le_bytes());
    }
    b
}

#[test]
fn container_golden_walk_and_truncation() {
    let mut rpc = Vec::new();
    encode_rpc_error(REQ_MSG_ID, 400, "PEER_ID_INVALID", &mut rpc).unwrap();
    let acks = ack(&[REQ_MSG_ID]);
    let p = pong(5, 6);
    let msgs = [
        message(0x51e5_7ac4_2770_a001, 1, &rpc),
        message(0x51e5_7ac4_2770_a003, 2, &acks),
        message(0x51e5_7ac4_2770_a007, 3, &p),
    ];
    let mut wire = Vec::new();
    encode_container(&msgs, &mut wire).unwrap();
    // Header, then the first message: msg_id, seqno, bytes, body.
    let mut want = unhex("dcf8f173 03000000");
    want.extend_from_slice(&0x51e5_7ac4_2770_a001i64.to_le_bytes());
    want.extend_from_slice(&1i32.to_le_bytes());
    want.extend_from_slice(&(rpc.len() as i32).to_le_bytes());
    want.extend_from_slice(&rpc);
    assert_eq!(wire[..want.len()], want[..]);

    let ServiceMessage::Container(c) = classify(&wire).unwrap() else {
        panic!()
    };
    assert_eq!(c.len(), 3);
    let walked: Vec<types::Message<'_>> = c.iter().collect();
    assert_eq!(walked, msgs);
    assert!(matches!(
        classify(walked[0].body.as_bytes()),
        Ok(ServiceMessage::RpcResult(_))
    ));
    let Ok(ServiceMessage::MsgsAck(a)) = classify(walked[1].body.as_bytes()) else {
        panic!()
    };
    assert_eq!(a.msg_ids.iter().collect::<Vec<_>>(), [REQ_MSG_ID]);
    assert!(matches!(
        classify(walked[2].body.as_bytes()),
        Ok(ServiceMessage::Pong(types::Pong {
            msg_id: 5,
            ping_id: 6
        }))
    ));

    for cut in 0..wire.len() {
        let e = classify(&wire[..cut]).unwrap_err();
        assert!(
            e.is_truncation() || matches!(e, EnvelopeError::BadBodyLength { .. }),
            "{cut}: {e}"
        );
        assert!(Container::parse(&wire[..cut]).is_err());
    }
    // Extra bytes after the last message.
    let mut long = wire.clone();
    long.extend_from_slice(&[0; 4]);
    assert_eq!(
        Container::parse(&long),
        Err(EnvelopeError::TrailingBytes {
            what: "msg_container",
            count: 4
        })
    );
}

#[test]
fn container_limits() {
    let p = pong(1, 2);
    let many: Vec<types::Message<'_>> = (0..MAX_CONTAINER_MESSAGES + 1)
        .map(|i| message(i as i64 * 4, 0, &p))
        .collect();
    let mut wire = Vec::new();
    assert_eq!(
        encode_container(&many, &mut wire),
        Err(EnvelopeError::TooManyMessages {
            count: 1025,
            max: 1024
        })
    );
    assert!(wire.is_empty());
    encode_container(&many[..MAX_CONTAINER_MESSAGES], &mut wire).unwrap();
    assert_eq!(Container::parse(&wire).unwrap().len(), 1024);
    // Hand-made 1025-message container: refused from the count alone.
    let mut over = unhex("dcf8f173");
    over.extend_from_slice(&1025i32.to_le_bytes());
    assert_eq!(
        Container::parse(&over),
        Err(EnvelopeError::TooManyMessages {
            count: 1025,
            max: 1024
        })
    );
    // A count claiming more messages than bytes: refused before walking.
    let mut lying = unhex("dcf8f173");
    lying.extend_from_slice(&1000i32.to_le_bytes());
    lying.extend_from_slice(&[0; 40]);
    let e = Container::parse(&lying).unwrap_err();
    assert!(e.is_truncation(), "{e}");
    // Negative count.
    let neg = unhex("dcf8f173 ffffffff");
    assert!(matches!(
        Container::parse(&neg),
        Err(EnvelopeError::Tl { .. })
    ));
    // Empty containers are legal.
    let mut empty = Vec::new();
    encode_container(&[], &mut empty).unwrap();
    assert_eq!(empty, unhex("dcf8f173 00000000"));
    assert!(Container::parse(&empty).unwrap().is_empty());
}

#[test]
fn nested_containers_and_inconsistent_inner_lengths() {
    let inner = unhex("dcf8f173 00000000");
    let mut wire = Vec::new();
    assert_eq!(
        encode_container(&[message(4, 0, &inner)], &mut wire),
        Err(EnvelopeError::NestedContainer { index: 0 })
    );
    // Hand-made nested container.
    let p = pong(1, 2);
    let mut nested = unhex("dcf8f173 02000000");
    for (id, body) in [(4i64, &p), (8, &inner)] {
        nested.extend_from_slice(&id.to_le_bytes());
        nested.extend_from_slice(&0i32.to_le_bytes());
        nested.extend_from_slice(&(body.len() as i32).to_le_bytes());
        nested.extend_from_slice(body);
    }
    assert_eq!(
        classify(&nested),
        Err(EnvelopeError::NestedContainer { index: 1 })
    );
    // `bytes` fields that do not match the body.
    let make = |bytes: i32, body: &[u8]| {
        let mut w = unhex("dcf8f173 01000000");
        w.extend_from_slice(&4i64.to_le_bytes());
        w.extend_from_slice(&0i32.to_le_bytes());
        w.extend_from_slice(&bytes.to_le_bytes());
        w.extend_from_slice(body);
        w
    };
    assert!(Container::parse(&make(20, &p)).is_ok());
    assert!(matches!(
        Container::parse(&make(-4, &p)),
        Err(EnvelopeError::Tl { .. })
    ));
    assert!(Container::parse(&make(24, &p)).unwrap_err().is_truncation());
    assert!(matches!(
        Container::parse(&make(18, &p[..18])),
        Err(EnvelopeError::BadBodyLength { length: 18, .. })
    ));
    // 16 bytes of body where 20 are: the rest are trailing bytes.
    assert!(matches!(
        Container::parse(&make(16, &p)),
        Err(EnvelopeError::TrailingBytes { count: 4, .. })
    ));
}

#[test]
fn msgs_ack_limit() {
    let ids: Vec<i64> = (0..MAX_ACK_IDS as i64 + 1).collect();
    let ok = ack(&ids[..MAX_ACK_IDS]);
    let Ok(ServiceMessage::MsgsAck(a)) = classify(&ok) else {
        panic!()
    };
    assert_eq!(a.msg_ids.len(), MAX_ACK_IDS);
    assert_eq!(
        classify(&ack(&ids)),
        Err(EnvelopeError::TooManyIds {
            count: 8193,
            max: 8192
        })
    );
    // The limit is checked from the count, before the ids are there.
    let mut header_only = unhex("59b4d662 15c4b51c");
    header_only.extend_from_slice(&100_000i32.to_le_bytes());
    assert!(matches!(
        classify(&header_only),
        Err(EnvelopeError::TooManyIds { count: 100_000, .. })
    ));
}

#[test]
fn other_service_messages() {
    let mut bad_msg = unhex("11f8efa7");
    bad_msg.extend_from_slice(&REQ_MSG_ID.to_le_bytes());
    bad_msg.extend_from_slice(&3i32.to_le_bytes());
    bad_msg.extend_from_slice(&16i32.to_le_bytes());
    assert_eq!(
        classify(&bad_msg),
        Ok(ServiceMessage::BadMsgNotification(
            types::BadMsgNotification {
                bad_msg_id: REQ_MSG_ID,
                bad_msg_seqno: 3,
                error_code: 16
            }
        ))
    );
    let mut salt = unhex("7b44abed");
    salt.extend_from_slice(&REQ_MSG_ID.to_le_bytes());
    salt.extend_from_slice(&3i32.to_le_bytes());
    salt.extend_from_slice(&48i32.to_le_bytes());
    salt.extend_from_slice(&0x1122_3344_5566_7788i64.to_le_bytes());
    assert!(matches!(
        classify(&salt),
        Ok(ServiceMessage::BadServerSalt(s)) if s.new_server_salt == 0x1122_3344_5566_7788
    ));
    let mut session = unhex("0809c29e");
    for v in [1i64, 2, 3] {
        session.extend_from_slice(&v.to_le_bytes());
    }
    assert!(matches!(
        classify(&session),
        Ok(ServiceMessage::NewSessionCreated(
            types::NewSessionCreated {
                first_msg_id: 1,
                unique_id: 2,
                server_salt: 3
            }
        ))
    ));
    // Each of them, truncated at every point, fails with a typed error.
    for body in [&bad_msg, &salt, &session, &pong(1, 2), &ack(&[1, 2])] {
        for cut in 0..body.len() {
            assert!(classify(&body[..cut]).is_err(), "{cut}");
        }
        // And with trailing bytes.
        let mut long = body.clone();
        long.extend_from_slice(&[0; 4]);
        assert!(classify(&long).is_err());
    }
    // Anything else is an Other object.
    let request = unhex("4c53f70d 63e89b17 87d61200");
    assert_eq!(
        classify(&request),
        Ok(ServiceMessage::Other(Object::from_bytes(&request)))
    );
}

/// A gzip stream of `n` zero bytes, built without holding them.
fn gzip_zeros(n: usize) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = vec![0u8; 1 << 20];
    let mut left = n;
    while left > 0 {
        let k = left.min(chunk.len());
        enc.write_all(&chunk[..k]).unwrap();
        left -= k;
    }
    enc.finish().unwrap()
}

#[test]
fn gzip_round_trip_and_rpc_result() {
    let mut error = Vec::new();
    encode_rpc_error(REQ_MSG_ID, 420, "FLOOD_WAIT_42", &mut error).unwrap();
    let inner = &error[12..]; // the rpc_error itself
    let mut packed = Vec::new();
    gzip::encode_gzip_packed(inner, &mut packed).unwrap();
    assert_eq!(packed[..4], unhex("a1cf7230")[..]);
    assert!(!is_content_related(u32::from_le_bytes(
        packed[..4].try_into().unwrap()
    )));
    let mut body = Vec::new();
    encode_rpc_result(REQ_MSG_ID, &Object::from_bytes(&packed), &mut body).unwrap();
    let ServiceMessage::RpcResult(r) = classify(&body).unwrap() else {
        panic!()
    };
    let RpcOutcome::Gzipped(g) = RpcOutcome::of(r.result).unwrap() else {
        panic!()
    };
    let unpacked = gzip::unpack_value(&g, DEFAULT_MAX_INFLATED).unwrap();
    assert_eq!(unpacked, inner);
    let RpcOutcome::Error(e) = RpcOutcome::of_unpacked(Object::from_bytes(&unpacked)).unwrap()
    else {
        panic!()
    };
    assert_eq!(e.error_message.as_str(), "FLOOD_WAIT_42");
    // Standalone gzip_packed (for example inside a container).
    assert!(matches!(
        classify(&packed),
        Ok(ServiceMessage::GzipPacked(_))
    ));
}

#[test]
fn gzip_bomb_stops_at_the_cap() {
    // 64 MiB of zeros in about 64 KiB.
    let bomb = gzip_zeros(64 << 20);
    assert!(bomb.len() < 256 << 10);
    let mut body = unhex("a1cf7230");
    zerotl_mtproto_append_bytes(&bomb, &mut body);
    assert_eq!(
        gzip::unpack(&body, DEFAULT_MAX_INFLATED),
        Err(EnvelopeError::GzipTooLarge {
            max: DEFAULT_MAX_INFLATED
        })
    );
    // A smaller cap, exactly at and just under the size.
    let small = gzip_zeros(4096);
    assert_eq!(gzip::inflate_to_vec(&small, 4096).unwrap().len(), 4096);
    assert_eq!(
        gzip::inflate_to_vec(&small, 4095),
        Err(EnvelopeError::GzipTooLarge { max: 4095 })
    );
}

/// Appends a TL `bytes` value (header, data, padding).
fn zerotl_mtproto_append_bytes(data: &[u8], out: &mut Vec<u8>) {
    let value = zerotl::Bytes::new(data);
    let start = out.len();
    out.resize(start + zerotl::Encode::encoded_len(&value), 0);
    zerotl::Encode::encode_to_slice(&value, &mut out[start..]).unwrap();
}

#[test]
fn nested_and_corrupt_gzip() {
    let mut once = Vec::new();
    gzip::encode_gzip_packed(&unhex("6937df69"), &mut once).unwrap();
    let mut twice = Vec::new();
    gzip::encode_gzip_packed(&once, &mut twice).unwrap();
    assert_eq!(
        gzip::unpack(&twice, DEFAULT_MAX_INFLATED),
        Err(EnvelopeError::NestedGzip)
    );
    assert_eq!(
        gzip::unpack(&once, DEFAULT_MAX_INFLATED).unwrap(),
        unhex("6937df69")
    );
    let RpcOutcome::Gzipped(_) = RpcOutcome::of(Object::from_bytes(&once)).unwrap() else {
        panic!()
    };
    assert_eq!(
        RpcOutcome::of_unpacked(Object::from_bytes(&once)),
        Err(EnvelopeError::NestedGzip)
    );
    // Not gzip at all.
    let mut junk = unhex("a1cf7230");
    zerotl_mtproto_append_bytes(b"definitely not gzip!", &mut junk);
    assert_eq!(
        gzip::unpack(&junk, DEFAULT_MAX_INFLATED),
        Err(EnvelopeError::GzipCorrupt)
    );
    // A truncated gzip stream.
    let whole = gzip_zeros(100);
    assert_eq!(
        gzip::inflate_to_vec(&whole[..whole.len() - 5], 1000),
        Err(EnvelopeError::GzipCorrupt)
    );
    // Inflated data that is not whole words.
    let mut odd = Vec::new();
    gzip::encode_gzip_packed(&[1, 2, 3], &mut odd).unwrap();
    assert!(matches!(
        gzip::unpack(&odd, DEFAULT_MAX_INFLATED),
        Err(EnvelopeError::BadBodyLength { length: 3, .. })
    ));
}

#[test]
fn seq_no_rules() {
    let mut seq = SeqNoGenerator::new();
    let rpc = unhex("4c53f70d 63e89b17 87d61200");
    let acks = ack(&[4]);
    let container = unhex("dcf8f173 00000000");
    let copy = unhex("b24660e0");
    let mut gz = Vec::new();
    gzip::encode_gzip_packed(&rpc, &mut gz).unwrap();
    assert_eq!(seq.next_for_body(&rpc), 1);
    assert_eq!(seq.next_for_body(&acks), 2);
    assert_eq!(seq.next_for_body(&container), 2);
    assert_eq!(seq.next_for_body(&copy), 2);
    assert_eq!(seq.next_for_body(&gz), 2);
    assert_eq!(seq.next_for_body(&rpc), 3);
    assert_eq!(seq.next_for_body(&pong(1, 1)), 5);
    assert_eq!(seq.next_for_body(&acks), 6);
    assert_eq!(seq.content_related_sent(), 3);
    for id in [0x62d6b459u32, 0x73f1f8dc, 0xe06046b2, 0x3072cfa1] {
        assert!(!is_content_related(id));
    }
    assert!(is_content_related(types::RpcResult::CONSTRUCTOR_ID));
}

#[test]
fn classify_rejects_short_and_unaligned_bodies() {
    assert!(matches!(
        classify(&[]),
        Err(EnvelopeError::Truncated { .. })
    ));
    assert!(matches!(
        classify(&[1, 2, 3]),
        Err(EnvelopeError::Truncated { .. })
    ));
    assert!(matches!(
        classify(&[1, 2, 3, 4, 5]),
        Err(EnvelopeError::BadBodyLength { length: 5, .. })
    ));
}
