//! Property tests on the seed types with the strategies zerotl-codegen emits
//! (`zerotl_types::layer122::strategies`): value -> bytes -> value gives the same
//! value, `encoded_len` equals the bytes written, the encoding is canonical
//! (re-encoding the decoded value gives the same bytes), and the JSON mapping
//! round-trips the bytes.

use proptest::prelude::*;
use zerotl::{Decode, Encode};
use zerotl_types::json;
use zerotl_types::layer122::schema::SCHEMA;
use zerotl_types::layer122::strategies::{enums_, functions_};

fn round_trip<'a, T>(value: &T, buf: &'a mut Vec<u8>) -> T
where
    T: Encode + Decode<'a> + PartialEq + std::fmt::Debug,
{
    let len = value.encoded_len();
    buf.resize(len + 8, 0xaa);
    let n = value.encode_to_slice(buf).expect("encodes");
    assert_eq!(n, len, "encoded_len must equal the bytes written");
    assert_eq!(n % 4, 0, "TL values are whole words");
    buf.truncate(n);
    T::decode_from_slice(buf).expect("decodes what it encoded")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn input_peer_round_trips(v in enums_::input_peer()) {
        let mut buf = Vec::new();
        let back = round_trip(&v, &mut buf);
        prop_assert_eq!(&back, &v);
        let mut again = vec![0; back.encoded_len()];
        back.encode_to_slice(&mut again).unwrap();
        prop_assert_eq!(&again, &buf);
        let j = json::bytes_to_json(&SCHEMA, &buf).unwrap();
        prop_assert_eq!(json::json_to_bytes(&SCHEMA, &j).unwrap(), buf.clone());
        let typed = json::bytes_to_json_as(&SCHEMA, "InputPeer", &buf).unwrap();
        prop_assert_eq!(typed, j);
    }

    #[test]
    fn exported_chat_invite_round_trips(v in enums_::exported_chat_invite()) {
        let mut buf = Vec::new();
        let back = round_trip(&v, &mut buf);
        prop_assert_eq!(&back, &v);
        let j = json::bytes_to_json(&SCHEMA, &buf).unwrap();
        prop_assert_eq!(json::json_to_bytes(&SCHEMA, &j).unwrap(), buf);
    }

    #[test]
    fn export_chat_invite_request_round_trips(v in functions_::messages_export_chat_invite()) {
        let mut buf = Vec::new();
        let back = round_trip(&v, &mut buf);
        prop_assert_eq!(&back, &v);
        let j = json::bytes_to_json(&SCHEMA, &buf).unwrap();
        prop_assert_eq!(json::json_to_bytes(&SCHEMA, &j).unwrap(), buf.clone());
        // A short buffer is an error naming the size needed, never a panic.
        let mut small = vec![0u8; buf.len() - 1];
        prop_assert_eq!(
            v.encode_to_slice(&mut small),
            Err(zerotl::EncodeError::BufferTooSmall { needed: buf.len(), available: buf.len() - 1 })
        );
    }
}
