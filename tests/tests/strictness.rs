//! Bad input fails with the right typed error: every truncated prefix and every
//! trailing-garbage variant of every seed vector, runaway nesting, and lengths that
//! claim more than the input holds.

use zerotl::Identifiable as _;
use zerotl::{Decode, DecodeErrorKind, Reader};
use zerotl_tests::vectors;
use zerotl_types::layer122::{enums, functions, schema::SCHEMA};

/// Decodes `bytes` as the seed vector's type.
fn decode_as(ty: &str, bytes: &[u8]) -> Result<(), zerotl::DecodeError> {
    match ty {
        "InputPeer" => enums::InputPeer::decode_from_slice(bytes).map(drop),
        "ExportedChatInvite" => enums::ExportedChatInvite::decode_from_slice(bytes).map(drop),
        "messages.exportChatInvite" => {
            functions::messages::ExportChatInvite::decode_from_slice(bytes).map(drop)
        }
        other => panic!("not a seed type: {other}"),
    }
}

#[test]
fn every_truncated_prefix_fails_as_truncation() {
    let mut checked = 0;
    for v in vectors("seed.jsonl") {
        assert!(
            decode_as(&v.ty, &v.bytes).is_ok(),
            "{} decodes whole",
            v.name
        );
        for cut in 0..v.bytes.len() {
            let e = decode_as(&v.ty, &v.bytes[..cut]).expect_err("a prefix must not decode");
            assert!(
                e.kind().is_truncation(),
                "{} cut at {cut}: {e} is not a truncation error",
                v.name
            );
            assert!(
                e.offset() <= cut,
                "{} cut at {cut}: offset {} beyond the input",
                v.name,
                e.offset()
            );
            // The JSON path agrees.
            assert!(zerotl_types::json::bytes_to_json(&SCHEMA, &v.bytes[..cut]).is_err());
            checked += 1;
        }
    }
    assert!(checked > 1000, "{checked}");
}

#[test]
fn every_trailing_garbage_variant_fails_as_trailing_bytes() {
    for v in vectors("seed.jsonl") {
        for extra in 1..=9usize {
            for fill in [0x00u8, 0xff, 0x15] {
                let mut b = v.bytes.clone();
                b.extend(std::iter::repeat_n(fill, extra));
                let e = decode_as(&v.ty, &b).expect_err("trailing bytes must fail");
                assert_eq!(
                    e.kind(),
                    DecodeErrorKind::TrailingBytes { count: extra },
                    "{}",
                    v.name
                );
                assert_eq!(e.offset(), v.bytes.len(), "{}", v.name);
            }
        }
    }
}

/// 100 000 nested `inputPeerUserFromMessage` (each is id + peer + msg_id + user_id, the
/// inner `peer` first) must stop at the depth limit, not overflow the stack.
#[test]
fn deep_nesting_is_depth_exceeded() {
    const LEVELS: usize = 100_000;
    let mut b = Vec::with_capacity(LEVELS * 12 + 16);
    for _ in 0..LEVELS {
        b.extend_from_slice(&0x17bae2e6u32.to_le_bytes());
    }
    b.extend_from_slice(&0x7da07ec9u32.to_le_bytes()); // inputPeerSelf
    for _ in 0..LEVELS {
        b.extend_from_slice(&[0; 8]); // msg_id, user_id
    }
    let e = enums::InputPeer::decode_from_slice(&b).unwrap_err();
    assert_eq!(
        e.kind(),
        DecodeErrorKind::DepthExceeded {
            limit: zerotl::DEFAULT_MAX_DEPTH
        }
    );
    // Inside the request too, and through the JSON path.
    let mut req = 0x0df7534cu32.to_le_bytes().to_vec();
    req.extend_from_slice(&b);
    let e = functions::messages::ExportChatInvite::decode_from_slice(&req).unwrap_err();
    assert!(
        matches!(e.kind(), DecodeErrorKind::DepthExceeded { .. }),
        "{e}"
    );
    let e = zerotl_types::json::bytes_to_json(&SCHEMA, &req).unwrap_err();
    assert!(
        matches!(
            e,
            zerotl_types::json::JsonDecodeError::Decode(d)
                if matches!(d.kind(), DecodeErrorKind::DepthExceeded { .. })
        ),
        "{e}"
    );
    // A depth the limit allows decodes, and a custom limit is honoured.
    let ok = nested(60);
    assert!(enums::InputPeer::decode_from_slice(&ok).is_ok());
    let mut r = Reader::with_max_depth(&ok, 10);
    let e = enums::InputPeer::decode(&mut r).unwrap_err();
    assert_eq!(e.kind(), DecodeErrorKind::DepthExceeded { limit: 10 });
}

fn nested(levels: usize) -> Vec<u8> {
    let mut b = Vec::new();
    for _ in 0..levels {
        b.extend_from_slice(&0x17bae2e6u32.to_le_bytes());
    }
    b.extend_from_slice(&0x7da07ec9u32.to_le_bytes());
    for _ in 0..levels {
        b.extend_from_slice(&[0; 8]);
    }
    b
}

/// A nested value decodes lazily and `get()` walks it level by level.
#[test]
fn lazy_recursion_reads_back() {
    let b = nested(30);
    let mut p = enums::InputPeer::decode_from_slice(&b).unwrap();
    let mut depth = 0;
    while let enums::InputPeer::UserFromMessage(x) = p {
        p = x.peer.get().unwrap();
        depth += 1;
    }
    assert_eq!((depth, p), (30, enums::InputPeer::PeerSelf));
}

/// A `string` claiming 16 MiB in a 12-byte input fails on the length, before any read
/// and without allocating (the no-alloc test counts that).
#[test]
fn huge_length_claims_fail_early() {
    // chatInviteExported with link length 0xffffff.
    let b = [
        0xbc, 0x05, 0x2e, 0xfc, 0xfe, 0xff, 0xff, 0xff, 0x61, 0x62, 0x63, 0x64,
    ];
    let e = enums::ExportedChatInvite::decode_from_slice(&b).unwrap_err();
    assert_eq!(
        e.kind(),
        DecodeErrorKind::LengthBeyondInput {
            length: 0x00ff_ffff,
            remaining: 4
        }
    );
    assert_eq!(e.offset(), 4);
    // A vector count of 2^31-1 longs in 12 bytes.
    let b = [0x15, 0xc4, 0xb5, 0x1c, 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0];
    let e = zerotl::Vector::<i64>::decode_from_slice(&b).unwrap_err();
    assert!(matches!(
        e.kind(),
        DecodeErrorKind::CountBeyondInput {
            count: 0x7fff_ffff,
            ..
        }
    ));
}

#[test]
fn strict_strings_and_flags() {
    // chatInviteExported("a") written with the 4-byte length form.
    let b = [
        0xbc, 0x05, 0x2e, 0xfc, 0xfe, 0x01, 0x00, 0x00, 0x61, 0, 0, 0,
    ];
    let e = enums::ExportedChatInvite::decode_from_slice(&b).unwrap_err();
    assert_eq!(e.kind(), DecodeErrorKind::NonCanonicalLength { length: 1 });
    // Non-zero padding.
    let b = [0xbc, 0x05, 0x2e, 0xfc, 0x01, 0x61, 0x00, 0x01];
    let e = enums::ExportedChatInvite::decode_from_slice(&b).unwrap_err();
    assert_eq!((e.kind(), e.offset()), (DecodeErrorKind::NonZeroPadding, 6));
    // Invalid UTF-8.
    let b = [0xbc, 0x05, 0x2e, 0xfc, 0x01, 0xc3, 0x00, 0x00];
    let e = enums::ExportedChatInvite::decode_from_slice(&b).unwrap_err();
    assert_eq!((e.kind(), e.offset()), (DecodeErrorKind::InvalidUtf8, 4));
    // 0xff length prefix.
    let b = [0xbc, 0x05, 0x2e, 0xfc, 0xff, 0, 0, 0];
    let e = enums::ExportedChatInvite::decode_from_slice(&b).unwrap_err();
    assert_eq!(e.kind(), DecodeErrorKind::InvalidLengthPrefix);
    // An id that is not an InputPeer constructor names the id and the type.
    let b = [0x4c, 0x53, 0xf7, 0x0d, 0x69, 0x37, 0xdf, 0x69];
    let e = functions::messages::ExportChatInvite::decode_from_slice(&b).unwrap_err();
    assert_eq!(
        (e.kind(), e.offset()),
        (
            DecodeErrorKind::UnknownConstructor {
                id: 0x69df3769,
                expected: "InputPeer"
            },
            4
        )
    );
    assert_eq!(
        e.to_string(),
        "unknown constructor 0x69df3769 for type InputPeer at byte 4"
    );
    // Unknown flag bits (layer 230 chatInviteExported has flags).
    use zerotl_types::layer230::enums as e230;
    let mut b = 0xa22cbd96u32.to_le_bytes().to_vec();
    b.extend_from_slice(&(1u32 << 31).to_le_bytes());
    b.extend_from_slice(&[0; 16]);
    let e = e230::ExportedChatInvite::decode_from_slice(&b).unwrap_err();
    assert!(
        matches!(
            e.kind(),
            DecodeErrorKind::UnknownFlags {
                bits: 0x8000_0000,
                ..
            }
        ),
        "{e}"
    );
    // An invalid Bool.
    let mut b = zerotl_types::layer122::functions::messages::EditChatAdmin::CONSTRUCTOR_ID
        .to_le_bytes()
        .to_vec();
    b.extend_from_slice(&[1, 0, 0, 0]); // chat_id
    b.extend_from_slice(&0xf7c1b13fu32.to_le_bytes()); // inputUserSelf
    b.extend_from_slice(&0xdeadbeefu32.to_le_bytes());
    let e = zerotl_types::layer122::functions::messages::EditChatAdmin::decode_from_slice(&b)
        .unwrap_err();
    assert_eq!(e.kind(), DecodeErrorKind::InvalidBool { id: 0xdeadbeef });
}
