//! Fuzz bodies (feature `fuzzing`): the targets in `fuzz/` are one-line calls into
//! these functions, so the harness logic is reviewed, versioned and unit-tested with
//! the library (rustls' habit). Each body panics only when an invariant breaks.

use std::vec::Vec;

use zerotl::{Decode, Encode, Reader};

use crate::schema::Schema;

/// Encodes `v` into a fresh vector, checking that `encoded_len` was exact.
fn encode_vec(v: &dyn Encode) -> Vec<u8> {
    let out = zerotl::encode_to_vec(v).expect("a decoded value re-encodes");
    assert_eq!(out.len(), v.encoded_len(), "encoded_len is exact");
    out
}

/// Decodes `data` as any boxed value of `schema` (by id, with the generated types).
/// What decodes must re-encode to exactly the bytes it was read from (canonical
/// encoding), and the JSON mapping must agree: with raw objects it decodes the same
/// bytes and encodes its JSON back to them; strict, it gives the same JSON, or fails
/// on an `Object` field exactly when the raw JSON holds one.
pub fn decode_any(schema: &'static Schema, data: &[u8]) {
    let mut r = Reader::new(data);
    let mut again = None;
    let known = match schema.decode_typed(&mut r, &mut |v| again = Some(encode_vec(v))) {
        Ok(known) => known,
        Err(_) => return,
    };
    if !known {
        return;
    }
    let used = data.len() - r.remaining();
    let again = again.expect("the callback ran");
    assert_eq!(again, &data[..used], "decode -> encode is canonical");
    #[cfg(feature = "serde")]
    if used == data.len() {
        json_agrees(schema, data);
    }
}

/// The JSON half of [`decode_any`], on bytes the typed decoder accepts whole.
#[cfg(feature = "serde")]
fn json_agrees(schema: &'static Schema, data: &[u8]) {
    use crate::json;
    let raw = json::DecodeOptions::default().raw_objects(true);
    let v = raw
        .bytes_to_json(schema, data)
        .expect("JSON with raw objects decodes what the typed decoder accepts");
    let has_raw = holds_raw_object(&v);
    match json::bytes_to_json(schema, data) {
        Ok(strict) => {
            assert!(
                !has_raw,
                "strict JSON decoded an Object that raw JSON kept raw"
            );
            assert_eq!(strict, v, "strict and raw JSON agree");
        }
        Err(json::JsonDecodeError::Object { .. }) => {
            assert!(has_raw, "strict JSON failed on an Object that decodes");
        }
        Err(e) => panic!("strict JSON failed on typed-valid bytes, not on an Object: {e}"),
    }
    let back = json::json_to_bytes(schema, &v).expect("JSON encodes what it decoded");
    if back != data {
        // JSON keeps no NaN payloads (see `json`): then the bytes may differ, but
        // only in those doubles, so the JSON of the new bytes must be the same.
        let lossy_nan = v.to_string().contains("\"NaN\"");
        assert!(lossy_nan, "JSON round trip changed the bytes");
        assert_eq!(back.len(), data.len(), "JSON round trip changed the length");
        let again = raw
            .bytes_to_json(schema, &back)
            .expect("JSON of re-encoded bytes");
        assert_eq!(again, v, "JSON -> bytes -> JSON is a fixed point");
    }
}

/// Whether `v` holds a `{"_": "<raw>", ...}` object at any depth.
#[cfg(feature = "serde")]
fn holds_raw_object(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Object(m) => {
            m.get("_").and_then(|n| n.as_str()) == Some(crate::json::RAW_OBJECT)
                || m.values().any(holds_raw_object)
        }
        serde_json::Value::Array(items) => items.iter().any(holds_raw_object),
        _ => false,
    }
}

/// Decodes `data` as each seed type of layer 122 (`InputPeer`,
/// `ExportedChatInvite`, `messages.exportChatInvite`); what decodes must re-encode to
/// the same bytes, and decoding those again must give the same value.
#[cfg(feature = "layer122")]
pub fn seed_round_trip(data: &[u8]) {
    use crate::layer122::{enums, functions};
    fn check<'a, T: Decode<'a> + Encode + PartialEq + core::fmt::Debug>(data: &'a [u8]) {
        if let Ok(v) = T::decode_from_slice(data) {
            let bytes = encode_vec(&v);
            assert_eq!(bytes, data, "canonical re-encoding");
            let again = T::decode_from_slice(data).expect("decodes twice");
            assert_eq!(again, v);
            // Every lazily held part reads back.
            let _ = std::format!("{v:?}");
        }
    }
    check::<enums::InputPeer>(data);
    check::<enums::ExportedChatInvite>(data);
    check::<functions::messages::ExportChatInvite>(data);
}
