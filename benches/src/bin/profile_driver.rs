//! A small driver for profilers (callgrind, perf): runs one bench operation N times.
//!
//! A binary of the benches package built with the bench profile, so it shares the
//! bench build of zerotl-types, without criterion (binaries do not build the
//! dev-dependencies):
//!
//! ```text
//! cargo build --profile bench --bin profile_driver
//! valgrind --tool=callgrind target/release/profile_driver invites 20
//! ```
//!
//! Without arguments it prints its usage and succeeds.

use std::hint::black_box;
use std::process::ExitCode;

use zerotl_benches::checks::Inputs;
use zerotl_benches::{fixtures, grammers_ops, hand, tlproto_ops, zerotl_ops};

const CASES: &[&str] = &[
    "invites",
    "invites_decode_only",
    "invites_iterate_only",
    "invites_grammers",
    "invites_hand_validate",
    "encode_request",
    "encode_request_prebuilt",
    "encode_request_grammers",
    "encode_request_hand",
    "seed_encode_chat",
    "seed_encode_chat_tl_proto",
    "seed_encode_channel",
    "seed_encode_channel_tl_proto",
    "seed_decode_channel",
    "seed_decode_channel_tl_proto",
    "longs_decode",
    "longs_decode_hand",
    "longs_encode",
    "longs_encode_hand",
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 1 {
        eprintln!(
            "profile_driver: give CASE ITERATIONS; cases: {}",
            CASES.join(" ")
        );
        return ExitCode::SUCCESS;
    }
    let (Some(case), Some(n)) = (args.get(1), args.get(2).and_then(|n| n.parse::<u64>().ok()))
    else {
        eprintln!(
            "usage: profile_driver CASE ITERATIONS\ncases: {}",
            CASES.join(" ")
        );
        return ExitCode::from(2);
    };
    let inp = Inputs::new();
    let mut out = inp.out_buffer();
    let mut vec = Vec::with_capacity(out.len());
    let decoded = zerotl_ops::decode_invites(&inp.invites);
    let prebuilt = fixtures::export_chat_invite_230();
    let z_chat = fixtures::seed_export_chat();
    let t_chat = tlproto_ops::seed_export_chat();
    let z_channel = fixtures::seed_export_channel();
    let t_channel = tlproto_ops::seed_export_channel();
    // Pick the operation once, so the loop costs the same (one indirect call) for
    // every case.
    let mut op: Box<dyn FnMut() -> usize + '_> = match case.as_str() {
        "invites" => Box::new(|| zerotl_ops::sum_invite_links(black_box(&inp.invites))),
        "invites_decode_only" => Box::new(|| {
            zerotl_ops::decode_invites(black_box(&inp.invites))
                .invites
                .len()
        }),
        "invites_iterate_only" => Box::new(|| zerotl_ops::sum_links(black_box(&decoded))),
        "invites_grammers" => Box::new(|| grammers_ops::sum_invite_links(black_box(&inp.invites))),
        "invites_hand_validate" => Box::new(|| hand::validate_only(black_box(&inp.invites))),
        "encode_request" => Box::new(|| {
            zerotl_ops::build_and_encode_export_chat_invite(
                black_box(fixtures::CHANNEL_ID),
                black_box(fixtures::INVITE_TITLE),
                black_box(&mut out[..]),
            )
        }),
        "encode_request_prebuilt" => {
            Box::new(|| zerotl_ops::encode(black_box(&prebuilt), &mut out[..]))
        }
        "encode_request_grammers" => Box::new(|| {
            grammers_ops::build_and_encode_export_chat_invite(
                black_box(fixtures::CHANNEL_ID),
                black_box(fixtures::INVITE_TITLE),
                black_box(&mut vec),
            )
        }),
        "encode_request_hand" => {
            Box::new(|| hand::encode_export_chat_invite(black_box(&prebuilt), &mut out[..]))
        }
        "seed_encode_chat" => Box::new(|| zerotl_ops::encode(black_box(&z_chat), &mut out[..])),
        "seed_encode_chat_tl_proto" => {
            Box::new(|| tlproto_ops::encode(black_box(&t_chat), &mut vec))
        }
        "seed_encode_channel" => {
            Box::new(|| zerotl_ops::encode(black_box(&z_channel), &mut out[..]))
        }
        "seed_encode_channel_tl_proto" => {
            Box::new(|| tlproto_ops::encode(black_box(&t_channel), &mut vec))
        }
        "seed_decode_channel" => {
            Box::new(|| zerotl_ops::decode_seed_request(black_box(&inp.seed_channel)) as usize)
        }
        "seed_decode_channel_tl_proto" => {
            Box::new(|| tlproto_ops::decode_seed_request(black_box(&inp.seed_channel)) as usize)
        }
        "longs_decode" => {
            Box::new(|| zerotl_ops::sum_longs(black_box(&inp.chat_add_user)) as usize)
        }
        "longs_decode_hand" => Box::new(|| hand::sum_longs(black_box(&inp.chat_add_user)) as usize),
        "longs_encode" => {
            Box::new(|| zerotl_ops::encode_longs(black_box(&inp.longs), &mut out[..]))
        }
        "longs_encode_hand" => Box::new(|| hand::encode_longs(black_box(&inp.longs), &mut out[..])),
        other => {
            eprintln!("unknown case {other:?}; cases: {}", CASES.join(" "));
            return ExitCode::from(2);
        }
    };
    let mut acc = 0usize;
    for _ in 0..n {
        acc = acc.wrapping_add(op());
    }
    println!("{case} x{n}: {acc}");
    ExitCode::SUCCESS
}
