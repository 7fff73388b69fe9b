//! zerotl next to grammers-tl-types 0.11 and tl-proto 0.5.4, on the same bytes.
//!
//! Group names are `<what>/<library>[_variant]`; the README's table quotes them. Before
//! anything is timed, every input is cross-checked between the libraries and zerotl's
//! side of every bench must allocate nothing (see `zerotl_benches::checks`).

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use zerotl_benches::checks::{self, Inputs};
use zerotl_benches::{fixtures, grammers_ops, hand, tlproto_ops, zerotl_ops, CountingAlloc};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

fn setup() -> Inputs {
    let inputs = Inputs::new();
    checks::cross_check(&inputs);
    let rows = checks::allocation_counts(&inputs);
    eprintln!("{}", checks::format_counts(&rows));
    checks::assert_zerotl_allocates_nothing(&rows);
    hand::cross_check(&inputs);
    inputs
}

/// Bench 1: `messages.exportedChatInvites` with 1000 invites, decoded and every link
/// length summed.
fn decode_invites(c: &mut Criterion, inp: &Inputs) {
    let mut g = c.benchmark_group("decode_exported_chat_invites_1000");
    g.throughput(Throughput::Bytes(inp.invites.len() as u64));
    g.bench_function("zerotl", |b| {
        b.iter(|| zerotl_ops::sum_invite_links(black_box(&inp.invites)))
    });
    g.bench_function("grammers", |b| {
        b.iter(|| grammers_ops::sum_invite_links(black_box(&inp.invites)))
    });
    // Where zerotl's time goes: the validating decode, and the iteration alone.
    g.bench_function("zerotl_decode_only", |b| {
        b.iter(|| {
            zerotl_ops::decode_invites(black_box(&inp.invites))
                .invites
                .len()
        })
    });
    let decoded = zerotl_ops::decode_invites(&inp.invites);
    g.bench_function("zerotl_iterate_only", |b| {
        b.iter(|| zerotl_ops::sum_links(black_box(&decoded)))
    });
    // Hand-optimized copies of the generated code (proposals, see hand.rs).
    g.bench_function("hand_validate_only", |b| {
        b.iter(|| hand::validate_only(black_box(&inp.invites)))
    });
    g.finish();
}

/// Bench 2: layer-230 `messages.exportChatInvite(inputPeerChannel, title)`, built and
/// encoded into a reused buffer, and encoded alone from a prebuilt value.
fn encode_request(c: &mut Criterion, inp: &Inputs) {
    let mut out = inp.out_buffer();
    let mut vec = Vec::with_capacity(256);
    let zerotl_request = fixtures::export_chat_invite_230();
    let grammers_request = grammers_ops::export_chat_invite();
    let mut g = c.benchmark_group("encode_export_chat_invite_230");
    g.bench_function("zerotl_build_and_encode", |b| {
        b.iter(|| {
            zerotl_ops::build_and_encode_export_chat_invite(
                black_box(fixtures::CHANNEL_ID),
                black_box(fixtures::INVITE_TITLE),
                black_box(&mut out[..]),
            )
        })
    });
    g.bench_function("grammers_build_and_encode", |b| {
        b.iter(|| {
            grammers_ops::build_and_encode_export_chat_invite(
                black_box(fixtures::CHANNEL_ID),
                black_box(fixtures::INVITE_TITLE),
                black_box(&mut vec),
            )
        })
    });
    g.bench_function("zerotl_encode_prebuilt", |b| {
        b.iter(|| zerotl_ops::encode(black_box(&zerotl_request), black_box(&mut out[..])))
    });
    g.bench_function("grammers_encode_prebuilt", |b| {
        b.iter(|| grammers_ops::encode(black_box(&grammers_request), black_box(&mut vec)))
    });
    g.bench_function("hand_encode_prebuilt", |b| {
        b.iter(|| {
            hand::encode_export_chat_invite(black_box(&zerotl_request), black_box(&mut out[..]))
        })
    });
    g.finish();
}

/// Bench 3: the layer-122 seed shapes against tl-proto's derived structs.
fn seed_shapes(c: &mut Criterion, inp: &Inputs) {
    for (name, bytes) in [
        ("seed_decode_export_chat_invite_chat", &inp.seed_chat),
        ("seed_decode_export_chat_invite_channel", &inp.seed_channel),
    ] {
        let mut g = c.benchmark_group(name);
        g.bench_function("zerotl", |b| {
            b.iter(|| zerotl_ops::decode_seed_request(black_box(bytes)))
        });
        g.bench_function("tl_proto", |b| {
            b.iter(|| tlproto_ops::decode_seed_request(black_box(bytes)))
        });
        g.finish();
    }
    for (name, bytes) in [
        ("seed_decode_chat_invite_exported", &inp.seed_exported),
        ("seed_decode_chat_invite_empty", &inp.seed_empty),
    ] {
        let mut g = c.benchmark_group(name);
        g.bench_function("zerotl", |b| {
            b.iter(|| zerotl_ops::decode_seed_invite(black_box(bytes)))
        });
        g.bench_function("tl_proto", |b| {
            b.iter(|| tlproto_ops::decode_seed_invite(black_box(bytes)))
        });
        g.finish();
    }

    let mut out = [0u8; 64];
    let mut vec = Vec::with_capacity(64);
    macro_rules! encode_group {
        ($name:literal, $zerotl:expr, $tl:expr) => {{
            let z = $zerotl;
            let t = $tl;
            let mut g = c.benchmark_group($name);
            g.bench_function("zerotl", |b| {
                b.iter(|| zerotl_ops::encode(black_box(&z), black_box(&mut out[..])))
            });
            g.bench_function("tl_proto", |b| {
                b.iter(|| tlproto_ops::encode(black_box(&t), black_box(&mut vec)))
            });
            g.finish();
        }};
    }
    encode_group!(
        "seed_encode_export_chat_invite_chat",
        fixtures::seed_export_chat(),
        tlproto_ops::seed_export_chat()
    );
    encode_group!(
        "seed_encode_export_chat_invite_channel",
        fixtures::seed_export_channel(),
        tlproto_ops::seed_export_channel()
    );
    encode_group!(
        "seed_encode_chat_invite_exported",
        fixtures::seed_invite_exported(),
        tlproto_ops::seed_invite_exported()
    );
    encode_group!(
        "seed_encode_chat_invite_empty",
        fixtures::seed_invite_empty(),
        tlproto_ops::ExportedChatInvite::Empty
    );
}

/// Bench 4: a 1 MiB `bytes` field and a `Vector<long>` of 100 000, both ways (bytes/s).
fn throughput(c: &mut Criterion, inp: &Inputs) {
    let mut out = inp.out_buffer();
    let mut vec = Vec::with_capacity(out.len());
    let grammers_file = grammers_ops::upload_file(&inp.file_data);
    let grammers_longs = grammers_ops::chat_add_user(&inp.longs);

    let mut g = c.benchmark_group("throughput_upload_file_1mib_decode");
    g.throughput(Throughput::Bytes(inp.upload_file.len() as u64));
    g.bench_function("zerotl", |b| {
        b.iter(|| zerotl_ops::decode_upload_file(black_box(&inp.upload_file)))
    });
    g.bench_function("grammers", |b| {
        b.iter(|| grammers_ops::decode_upload_file(black_box(&inp.upload_file)))
    });
    g.finish();

    let mut g = c.benchmark_group("throughput_upload_file_1mib_encode");
    g.throughput(Throughput::Bytes(inp.upload_file.len() as u64));
    g.bench_function("zerotl", |b| {
        b.iter(|| {
            zerotl_ops::encode_upload_file(black_box(&inp.file_data), black_box(&mut out[..]))
        })
    });
    g.bench_function("grammers", |b| {
        b.iter(|| grammers_ops::encode(black_box(&grammers_file), black_box(&mut vec)))
    });
    g.bench_function("memcpy", |b| {
        b.iter(|| {
            let dst = &mut out[..inp.upload_file.len()];
            dst.copy_from_slice(black_box(&inp.upload_file));
            black_box(dst.len())
        })
    });
    g.finish();

    let mut g = c.benchmark_group("throughput_vector_long_100k_decode");
    g.throughput(Throughput::Bytes(inp.chat_add_user.len() as u64));
    g.bench_function("zerotl", |b| {
        b.iter(|| zerotl_ops::sum_longs(black_box(&inp.chat_add_user)))
    });
    g.bench_function("zerotl_le_slice", |b| {
        b.iter(|| zerotl_ops::sum_longs_le_slice(black_box(&inp.chat_add_user)))
    });
    g.bench_function("grammers", |b| {
        b.iter(|| grammers_ops::sum_longs(black_box(&inp.chat_add_user)))
    });
    g.bench_function("hand_chunks", |b| {
        b.iter(|| hand::sum_longs(black_box(&inp.chat_add_user)))
    });
    g.finish();

    let mut g = c.benchmark_group("throughput_vector_long_100k_encode");
    g.throughput(Throughput::Bytes(inp.chat_add_user.len() as u64));
    g.bench_function("zerotl", |b| {
        b.iter(|| zerotl_ops::encode_longs(black_box(&inp.longs), black_box(&mut out[..])))
    });
    g.bench_function("grammers", |b| {
        b.iter(|| grammers_ops::encode(black_box(&grammers_longs), black_box(&mut vec)))
    });
    g.bench_function("hand_bulk", |b| {
        b.iter(|| hand::encode_longs(black_box(&inp.longs), black_box(&mut out[..])))
    });
    g.finish();
}

fn all(c: &mut Criterion) {
    let inputs = setup();
    decode_invites(c, &inputs);
    encode_request(c, &inputs);
    seed_shapes(c, &inputs);
    throughput(c, &inputs);
}

criterion_group! {
    name = peers;
    // Short defaults for a 2-core shared machine; `--warm-up-time`/`--measurement-time`
    // on the command line override them.
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = all
}
criterion_main!(peers);
