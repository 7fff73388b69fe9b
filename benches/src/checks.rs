//! Cross-checks run before anything is timed: every peer decodes the same bytes to the
//! same result and encodes the same value to the same bytes, and zerotl's side of each
//! bench allocates nothing.

use crate::{count_allocations, fixtures, grammers_ops, tlproto_ops, zerotl_ops};

/// All bench inputs, built once.
pub struct Inputs {
    /// Bench 1: `messages.exportedChatInvites` with 1000 invites.
    pub invites: Vec<u8>,
    /// Sum of the 1000 link lengths.
    pub invites_link_sum: usize,
    /// Bench 2: the encoded layer-230 `messages.exportChatInvite` request.
    pub export_request: Vec<u8>,
    /// Bench 3: layer-122 `messages.exportChatInvite(inputPeerChat)`.
    pub seed_chat: Vec<u8>,
    /// Bench 3: layer-122 `messages.exportChatInvite(inputPeerChannel)`.
    pub seed_channel: Vec<u8>,
    /// Bench 3: layer-122 `chatInviteExported` with the seed link.
    pub seed_exported: Vec<u8>,
    /// Bench 3: layer-122 `chatInviteEmpty`.
    pub seed_empty: Vec<u8>,
    /// Bench 4: the 1 MiB of file data.
    pub file_data: Vec<u8>,
    /// Bench 4: `upload.file` carrying [`Inputs::file_data`].
    pub upload_file: Vec<u8>,
    /// Bench 4: the 100 000 longs.
    pub longs: Vec<i64>,
    /// Bench 4: `messageActionChatAddUser` carrying [`Inputs::longs`].
    pub chat_add_user: Vec<u8>,
}

impl Inputs {
    /// Builds every input with zerotl's encoder.
    pub fn new() -> Self {
        let (invites, invites_link_sum) = fixtures::exported_chat_invites();
        let file_data = fixtures::file_data();
        let longs = fixtures::longs();
        Self {
            invites,
            invites_link_sum,
            export_request: fixtures::encode_vec(&fixtures::export_chat_invite_230()),
            seed_chat: fixtures::encode_vec(&fixtures::seed_export_chat()),
            seed_channel: fixtures::encode_vec(&fixtures::seed_export_channel()),
            seed_exported: fixtures::encode_vec(&fixtures::seed_invite_exported()),
            seed_empty: fixtures::encode_vec(&fixtures::seed_invite_empty()),
            upload_file: fixtures::upload_file(&file_data),
            chat_add_user: fixtures::chat_add_user(&longs),
            file_data,
            longs,
        }
    }

    /// A buffer large enough for any encode of these inputs.
    pub fn out_buffer(&self) -> Vec<u8> {
        vec![0u8; self.upload_file.len().max(self.chat_add_user.len()) + 64]
    }
}

impl Default for Inputs {
    fn default() -> Self {
        Self::new()
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Asserts that the peers agree with zerotl on every input, and that the seed shapes
/// match the sample bytes of Telegram's docs (quoted in `docs/wire.md`, not from zerotl).
pub fn cross_check(inp: &Inputs) {
    let mut out = inp.out_buffer();
    let mut vec = Vec::new();

    // Bench 1: same bytes, same sum, for both decoders.
    assert_eq!(
        zerotl_ops::sum_invite_links(&inp.invites),
        inp.invites_link_sum
    );
    assert_eq!(
        grammers_ops::sum_invite_links(&inp.invites),
        inp.invites_link_sum
    );
    assert_eq!(inp.invites_link_sum, fixtures::INVITE_COUNT * 40);

    // Bench 2: identical request bytes.
    let n = zerotl_ops::build_and_encode_export_chat_invite(
        fixtures::CHANNEL_ID,
        fixtures::INVITE_TITLE,
        &mut out,
    );
    assert_eq!(&out[..n], &inp.export_request[..]);
    grammers_ops::build_and_encode_export_chat_invite(
        fixtures::CHANNEL_ID,
        fixtures::INVITE_TITLE,
        &mut vec,
    );
    assert_eq!(
        hex(&vec),
        hex(&inp.export_request),
        "grammers encodes differently"
    );
    assert_eq!(
        hex(&inp.export_request[..8]),
        "90de55a410000000",
        "messages.exportChatInvite#a455de90 with flags = title (bit 4)"
    );

    // Bench 3: the seed shapes, against Telegram's docs (docs/wire.md) and tl-proto.
    assert_eq!(hex(&inp.seed_chat), "4c53f70d63e89b1787d61200");
    assert_eq!(
        hex(&inp.seed_channel),
        "4c53f70df8aead20010000000200000000000000"
    );
    assert_eq!(hex(&inp.seed_empty), "6937df69");
    assert_eq!(inp.seed_exported.len(), 4 + 48);
    assert_eq!(hex(&inp.seed_exported[..5]), "bc052efc2c");
    tlproto_ops::encode(&tlproto_ops::seed_export_chat(), &mut vec);
    assert_eq!(vec, inp.seed_chat);
    tlproto_ops::encode(&tlproto_ops::seed_export_channel(), &mut vec);
    assert_eq!(vec, inp.seed_channel);
    tlproto_ops::encode(&tlproto_ops::seed_invite_exported(), &mut vec);
    assert_eq!(vec, inp.seed_exported);
    tlproto_ops::encode(&tlproto_ops::ExportedChatInvite::Empty, &mut vec);
    assert_eq!(vec, inp.seed_empty);
    for (bytes, id) in [(&inp.seed_chat, 1_234_567), (&inp.seed_channel, 1)] {
        assert_eq!(zerotl_ops::decode_seed_request(bytes), id);
        assert_eq!(tlproto_ops::decode_seed_request(bytes), id);
    }
    for (bytes, len) in [
        (&inp.seed_exported, fixtures::SEED_LINK.len()),
        (&inp.seed_empty, usize::MAX),
    ] {
        assert_eq!(zerotl_ops::decode_seed_invite(bytes), len);
        assert_eq!(tlproto_ops::decode_seed_invite(bytes), len);
    }

    // Bench 4: bytes and longs, both ways.
    let last = usize::from(*inp.file_data.last().expect("non-empty"));
    assert_eq!(
        zerotl_ops::decode_upload_file(&inp.upload_file),
        fixtures::FILE_BYTES + last
    );
    assert_eq!(
        grammers_ops::decode_upload_file(&inp.upload_file),
        fixtures::FILE_BYTES + last
    );
    let n = zerotl_ops::encode_upload_file(&inp.file_data, &mut out);
    assert_eq!(&out[..n], &inp.upload_file[..]);
    grammers_ops::encode(&grammers_ops::upload_file(&inp.file_data), &mut vec);
    assert!(
        vec == inp.upload_file,
        "grammers encodes upload.file differently"
    );
    let sum = inp.longs.iter().fold(0i64, |a, x| a.wrapping_add(*x));
    assert_eq!(zerotl_ops::sum_longs(&inp.chat_add_user), sum);
    assert_eq!(zerotl_ops::sum_longs_le_slice(&inp.chat_add_user), sum);
    assert_eq!(grammers_ops::sum_longs(&inp.chat_add_user), sum);
    let n = zerotl_ops::encode_longs(&inp.longs, &mut out);
    assert_eq!(&out[..n], &inp.chat_add_user[..]);
    grammers_ops::encode(&grammers_ops::chat_add_user(&inp.longs), &mut vec);
    assert!(
        vec == inp.chat_add_user,
        "grammers encodes the longs differently"
    );
    assert_eq!(inp.chat_add_user.len(), 4 + 8 + 8 * fixtures::LONG_COUNT);
}

/// Allocations made by one operation of one library.
#[derive(Debug, Clone, Copy)]
pub struct AllocCount {
    /// The bench (`group/function` as criterion names it).
    pub bench: &'static str,
    /// Allocations counted for one call.
    pub allocations: usize,
}

/// Counts the allocations of one call of every bench operation (buffers are reused as
/// in the timed loops, and warmed up once first so a reused `Vec` has its capacity).
///
/// Needs [`crate::CountingAlloc`] as the binary's global allocator.
pub fn allocation_counts(inp: &Inputs) -> Vec<AllocCount> {
    let mut out = inp.out_buffer();
    let mut vec = Vec::with_capacity(out.len());
    let grammers_request = grammers_ops::export_chat_invite();
    let grammers_file = grammers_ops::upload_file(&inp.file_data);
    let grammers_longs = grammers_ops::chat_add_user(&inp.longs);
    let zerotl_request = fixtures::export_chat_invite_230();
    let tl_chat = tlproto_ops::seed_export_chat();
    let tl_channel = tlproto_ops::seed_export_channel();
    let tl_exported = tlproto_ops::seed_invite_exported();
    let z_chat = fixtures::seed_export_chat();
    let z_channel = fixtures::seed_export_channel();
    let z_exported = fixtures::seed_invite_exported();

    let mut rows = Vec::new();
    let mut row = |bench: &'static str, f: &mut dyn FnMut() -> usize| {
        f(); // warm-up: reused buffers reach their capacity.
        let (_, allocations) = count_allocations(f);
        rows.push(AllocCount { bench, allocations });
    };

    row("decode_exported_chat_invites_1000/zerotl", &mut || {
        zerotl_ops::sum_invite_links(&inp.invites)
    });
    row("decode_exported_chat_invites_1000/grammers", &mut || {
        grammers_ops::sum_invite_links(&inp.invites)
    });
    row(
        "encode_export_chat_invite_230/zerotl_build_and_encode",
        &mut || {
            zerotl_ops::build_and_encode_export_chat_invite(
                fixtures::CHANNEL_ID,
                fixtures::INVITE_TITLE,
                &mut out,
            )
        },
    );
    row(
        "encode_export_chat_invite_230/grammers_build_and_encode",
        &mut || {
            grammers_ops::build_and_encode_export_chat_invite(
                fixtures::CHANNEL_ID,
                fixtures::INVITE_TITLE,
                &mut vec,
            )
        },
    );
    row(
        "encode_export_chat_invite_230/zerotl_encode_prebuilt",
        &mut || zerotl_ops::encode(&zerotl_request, &mut out),
    );
    row(
        "encode_export_chat_invite_230/grammers_encode_prebuilt",
        &mut || grammers_ops::encode(&grammers_request, &mut vec),
    );
    for (name_z, name_t, bytes) in [
        (
            "seed_decode_export_chat_invite_chat/zerotl",
            "seed_decode_export_chat_invite_chat/tl_proto",
            &inp.seed_chat,
        ),
        (
            "seed_decode_export_chat_invite_channel/zerotl",
            "seed_decode_export_chat_invite_channel/tl_proto",
            &inp.seed_channel,
        ),
    ] {
        row(name_z, &mut || {
            zerotl_ops::decode_seed_request(bytes) as usize
        });
        row(name_t, &mut || {
            tlproto_ops::decode_seed_request(bytes) as usize
        });
    }
    for (name_z, name_t, bytes) in [
        (
            "seed_decode_chat_invite_exported/zerotl",
            "seed_decode_chat_invite_exported/tl_proto",
            &inp.seed_exported,
        ),
        (
            "seed_decode_chat_invite_empty/zerotl",
            "seed_decode_chat_invite_empty/tl_proto",
            &inp.seed_empty,
        ),
    ] {
        row(name_z, &mut || zerotl_ops::decode_seed_invite(bytes));
        row(name_t, &mut || tlproto_ops::decode_seed_invite(bytes));
    }
    row("seed_encode_export_chat_invite_chat/zerotl", &mut || {
        zerotl_ops::encode(&z_chat, &mut out)
    });
    row("seed_encode_export_chat_invite_chat/tl_proto", &mut || {
        tlproto_ops::encode(&tl_chat, &mut vec)
    });
    row("seed_encode_export_chat_invite_channel/zerotl", &mut || {
        zerotl_ops::encode(&z_channel, &mut out)
    });
    row(
        "seed_encode_export_chat_invite_channel/tl_proto",
        &mut || tlproto_ops::encode(&tl_channel, &mut vec),
    );
    row("seed_encode_chat_invite_exported/zerotl", &mut || {
        zerotl_ops::encode(&z_exported, &mut out)
    });
    row("seed_encode_chat_invite_exported/tl_proto", &mut || {
        tlproto_ops::encode(&tl_exported, &mut vec)
    });
    row("throughput_upload_file_1mib_decode/zerotl", &mut || {
        zerotl_ops::decode_upload_file(&inp.upload_file)
    });
    row("throughput_upload_file_1mib_decode/grammers", &mut || {
        grammers_ops::decode_upload_file(&inp.upload_file)
    });
    row("throughput_upload_file_1mib_encode/zerotl", &mut || {
        zerotl_ops::encode_upload_file(&inp.file_data, &mut out)
    });
    row("throughput_upload_file_1mib_encode/grammers", &mut || {
        grammers_ops::encode(&grammers_file, &mut vec)
    });
    row("throughput_vector_long_100k_decode/zerotl", &mut || {
        zerotl_ops::sum_longs(&inp.chat_add_user) as usize
    });
    row(
        "throughput_vector_long_100k_decode/zerotl_le_slice",
        &mut || zerotl_ops::sum_longs_le_slice(&inp.chat_add_user) as usize,
    );
    row("throughput_vector_long_100k_decode/grammers", &mut || {
        grammers_ops::sum_longs(&inp.chat_add_user) as usize
    });
    row("throughput_vector_long_100k_encode/zerotl", &mut || {
        zerotl_ops::encode_longs(&inp.longs, &mut out)
    });
    row("throughput_vector_long_100k_encode/grammers", &mut || {
        grammers_ops::encode(&grammers_longs, &mut vec)
    });
    rows
}

/// Panics unless every zerotl row of `rows` counted zero allocations.
pub fn assert_zerotl_allocates_nothing(rows: &[AllocCount]) {
    let offenders: Vec<_> = rows
        .iter()
        .filter(|r| r.bench.contains("/zerotl") && r.allocations != 0)
        .collect();
    assert!(offenders.is_empty(), "zerotl allocated: {offenders:?}");
    assert!(rows.iter().any(|r| r.bench.contains("/zerotl")));
}

/// Panics unless zerotl allocates nothing in any bench operation and grammers
/// allocates where it owns its data (one allocation per link at least), and the
/// counter counts.
///
/// Needs [`crate::CountingAlloc`] as the binary's global allocator.
pub fn check_allocations(inp: &Inputs) {
    let rows = allocation_counts(inp);
    assert_zerotl_allocates_nothing(&rows);
    let count = |name: &str| {
        rows.iter()
            .find(|r| r.bench == name)
            .unwrap_or_else(|| panic!("no row {name}"))
            .allocations
    };
    // grammers owns its strings: at least one allocation per link.
    assert!(count("decode_exported_chat_invites_1000/grammers") >= 1000);
    assert!(count("throughput_upload_file_1mib_decode/grammers") >= 1);
    // The counter really counts.
    let ((), n) = count_allocations(|| drop(std::hint::black_box(vec![1u8; 10])));
    assert_eq!(n, 1);
}

/// The rows as a small table for the bench log.
pub fn format_counts(rows: &[AllocCount]) -> String {
    let mut s = String::from("allocations per call (one call, after one warm-up call):\n");
    for r in rows {
        s.push_str(&format!("  {:<62} {:>6}\n", r.bench, r.allocations));
    }
    s
}
