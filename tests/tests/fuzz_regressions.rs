//! Inputs the fuzzers found (fuzz/), replayed through the same fuzz bodies as plain tests.
//! Each test names its target and the artifact it came from.

use zerotl_types::fuzzing::{decode_any, seed_round_trip};

/// The bodies take garbage and real input without complaint.
#[test]
fn bodies_accept_garbage_and_real_input() {
    let mtproto = &zerotl_types::mtproto::schema::SCHEMA;
    for input in [
        &[][..],
        &[1, 2, 3],
        &[0xdc, 0xf8, 0xf1, 0x73, 0, 0, 0, 0],
        &[0xff; 64],
    ] {
        decode_any(mtproto, input);
    }
    let req = [
        0x4c, 0x53, 0xf7, 0x0d, 0x63, 0xe8, 0x9b, 0x17, 0x87, 0xd6, 0x12, 0x00,
    ];
    decode_any(&zerotl_types::layer122::schema::SCHEMA, &req);
    seed_round_trip(&req);
    seed_round_trip(&req[..7]);
}

/// `decode_layer122`, CI 2026-11-26: a constructor with a double whose bits
/// are a NaN.
#[test]
fn decode_layer122_crash_f1a17177() {
    let data = [
        0xb2, 0xdb, 0xd6, 0xae, 0x15, 0xcd, 0x5b, 0x07, 0x00, 0x00, 0x00, 0x00, 0xf9, 0xff, 0xff,
        0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00,
    ];
    decode_any(&zerotl_types::layer122::schema::SCHEMA, &data);
}

/// `decode_layer230`, CI 2026-11-26 (crash-0e80dcbf).
#[test]
fn decode_layer230_crash_0e80dcbf() {
    let data = [
        0x2e, 0xfd, 0xa9, 0xac, 0xe7, 0x34, 0x2d, 0x30, 0xf3, 0x43, 0x3f, 0xd3, 0x3a, 0x00, 0x00,
        0x00,
    ];
    decode_any(&zerotl_types::layer230::schema::SCHEMA, &data);
}

/// `decode_layer230` and `decode_layer122`, long run 2026-11-26 (crash-c6edd29e):
/// `invokeWithoutUpdates` twice, the inner one with an empty `query`; JSON showed
/// the inner `Object` as an empty `<undecodable>` it could not encode back.
#[test]
fn nested_object_without_an_id_crash_c6edd29e() {
    let data = [0xb7, 0x59, 0x94, 0xbf, 0xb7, 0x59, 0x94, 0xbf];
    decode_any(&zerotl_types::layer230::schema::SCHEMA, &data);
    decode_any(&zerotl_types::layer122::schema::SCHEMA, &data);
}
