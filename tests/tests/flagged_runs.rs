//! Generated decoders read a run of fixed-size fields, optional ones included, with one
//! bounds check whose length comes from the flags (see `zerotl-codegen`'s
//! `emit::decode_run`). These tests pin what that means on the wire: each optional
//! field is found at the right offset whatever the other bits are, a bit that guards
//! two fields counts both, and a truncated run fails once, at its start.

use zerotl::{Decode, DecodeErrorKind, Str};
use zerotl_types::layer230::{enums, types};

/// `chatInviteExported` with the six optional ints on or off by the bits of `mask`,
/// each holding a value that names it.
fn invite(mask: u32) -> types::ChatInviteExported<'static> {
    let on = |i: u32, v: i32| (mask >> i & 1 == 1).then_some(v);
    types::ChatInviteExported {
        revoked: false,
        permanent: false,
        request_needed: false,
        link: Str::from("https://t.me/+abc"),
        admin_id: 0x0102_0304_0506_0708,
        date: 11,
        start_date: on(0, 101),
        expire_date: on(1, 102),
        usage_limit: on(2, 103),
        usage: on(3, 104),
        requested: on(4, 105),
        subscription_expired: on(5, 106),
        title: Some(Str::from("after the run")),
        subscription_pricing: None,
    }
}

#[test]
fn every_subset_of_optional_ints_decodes_to_itself() {
    for mask in 0..64 {
        let value = invite(mask);
        let bytes = zerotl::encode_to_vec(&value).unwrap();
        // The wire order is the schema order: the present ints follow `date` directly.
        let link_end = 4 + 4 + 20;
        let present: Vec<i32> = [
            value.start_date,
            value.expire_date,
            value.usage_limit,
            value.usage,
            value.requested,
            value.subscription_expired,
        ]
        .into_iter()
        .flatten()
        .collect();
        let ints_at = link_end + 12;
        for (k, v) in present.iter().enumerate() {
            let at = ints_at + 4 * k;
            assert_eq!(&bytes[at..at + 4], &v.to_le_bytes(), "mask {mask:#x}");
        }
        let decoded = types::ChatInviteExported::decode_from_slice(&bytes).expect("valid");
        assert_eq!(decoded, value, "mask {mask:#x}");
    }
}

#[test]
fn a_truncated_run_fails_at_its_start_with_its_size() {
    // usage_limit and requested present: the run is admin_id + date + 2 ints = 20 bytes.
    let value = invite(0b10100);
    let bytes = zerotl::encode_to_vec(&value).unwrap();
    let run_start = 4 + 4 + 20;
    for cut in run_start..run_start + 20 {
        let err = types::ChatInviteExported::decode_from_slice(&bytes[..cut]).unwrap_err();
        assert_eq!(err.offset(), run_start, "cut at {cut}");
        assert_eq!(
            err.kind(),
            DecodeErrorKind::UnexpectedEnd {
                needed: 20,
                remaining: cut - run_start
            },
            "cut at {cut}"
        );
    }
    // Cut after the run: the error moves on to the title.
    let err = types::ChatInviteExported::decode_from_slice(&bytes[..run_start + 20]).unwrap_err();
    assert_eq!(err.offset(), run_start + 20);
}

#[test]
fn one_bit_guarding_two_ints_counts_both() {
    // `message` has `views:flags.10?int forwards:flags.10?int`: one bit, eight bytes.
    let json = serde_json::json!({
        "_": "message", "out": true, "id": 7,
        "peer_id": {"_": "peerUser", "user_id": 42},
        "date": 1_700_000_000, "message": "hi", "views": 5, "forwards": 6, "edit_date": 9
    });
    let bytes = zerotl_types::json::json_to_bytes(&zerotl_types::layer230::schema::SCHEMA, &json)
        .expect("valid JSON");
    let enums::Message::Message(m) = enums::Message::decode_from_slice(&bytes).expect("valid")
    else {
        panic!("not a message")
    };
    assert_eq!(
        (m.views, m.forwards, m.edit_date),
        (Some(5), Some(6), Some(9))
    );
    assert_eq!(m.message.as_str(), "hi");
    assert_eq!(
        zerotl::encode_to_vec(&enums::Message::Message(m)).unwrap(),
        bytes
    );
}
