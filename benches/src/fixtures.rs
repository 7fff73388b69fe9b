//! The bench inputs, built with zerotl's encoder, and the values they must decode to.
//!
//! Every byte string here is checked against an independent decoder (grammers-tl-types
//! for layer 230, tl-proto for the layer-122 seed shapes) by [`crate::checks`] before
//! anything is timed, so all peers are measured on the same, valid bytes.

use zerotl::{Bytes, Encode, Str, Vector};
use zerotl_types::layer122 as l122;
use zerotl_types::layer230 as l230;

/// Invites in `messages.exportedChatInvites` (bench 1).
pub const INVITE_COUNT: usize = 1000;

/// Size of the `bytes` field of `upload.file` (bench 4): 1 MiB.
pub const FILE_BYTES: usize = 1 << 20;

/// Longs in `messageActionChatAddUser.users` (bench 4).
pub const LONG_COUNT: usize = 100_000;

/// The channel and title of the `messages.exportChatInvite` request (bench 2).
pub const CHANNEL_ID: i64 = 1_234_567_890_123;
/// Access hash of [`CHANNEL_ID`].
pub const ACCESS_HASH: i64 = -0x1234_5678_9abc_def0;
/// Title of the requested invite.
pub const INVITE_TITLE: &str = "Team invite for the spring release";

/// Encodes `v` into a fresh, exactly sized buffer.
pub fn encode_vec(v: &impl Encode) -> Vec<u8> {
    let out = zerotl::encode_to_vec(v).expect("encodes");
    assert_eq!(out.len(), v.encoded_len(), "encoded_len is exact");
    out
}

/// A realistic invite link of 40 bytes (`https://t.me/+` and a 26-character token).
pub fn invite_link(i: usize) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut x = (i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let token: String = (0..26)
        .map(|_| {
            x ^= x >> 29;
            x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
            ALPHABET[(x >> 58) as usize] as char
        })
        .collect();
    let link = format!("https://t.me/+{token}");
    debug_assert_eq!(link.len(), 40);
    link
}

/// Titles given to every tenth invite.
pub fn invite_title(i: usize) -> String {
    format!("Invite for group {i}")
}

/// Bench 1: `messages.exportedChatInvites` (layer 230) with [`INVITE_COUNT`]
/// `chatInviteExported`, each with a 40-byte link and a few optional fields, no users.
/// Returns the bytes and the sum of all link lengths.
pub fn exported_chat_invites() -> (Vec<u8>, usize) {
    let links: Vec<String> = (0..INVITE_COUNT).map(invite_link).collect();
    let titles: Vec<String> = (0..INVITE_COUNT).map(invite_title).collect();
    let invites: Vec<l230::enums::ExportedChatInvite<'_>> = (0..INVITE_COUNT)
        .map(|i| {
            l230::enums::ExportedChatInvite::ChatInviteExported(l230::types::ChatInviteExported {
                revoked: i % 7 == 3,
                permanent: i == 0,
                request_needed: i % 5 == 1,
                link: Str::from(links[i].as_str()),
                admin_id: 777_000 + (i as i64 % 3),
                date: 1_700_000_000 + i as i32 * 60,
                start_date: None,
                expire_date: (i % 3 == 0).then_some(1_800_000_000 + i as i32),
                usage_limit: (i % 4 == 0).then_some(100),
                usage: Some((i % 50) as i32),
                requested: (i % 5 == 1).then_some(2),
                subscription_expired: None,
                title: (i % 10 == 0).then(|| Str::from(titles[i].as_str())),
                subscription_pricing: None,
            })
        })
        .collect();
    let value = l230::enums::messages::ExportedChatInvites::Invites(
        l230::types::messages::ExportedChatInvites {
            count: INVITE_COUNT as i32,
            invites: Vector::from_slice(&invites),
            users: Vector::empty(),
        },
    );
    let sum = links.iter().map(String::len).sum();
    (encode_vec(&value), sum)
}

/// Bench 2: the layer-230 request `messages.exportChatInvite` for
/// `inputPeerChannel(CHANNEL_ID, ACCESS_HASH)` with [`INVITE_TITLE`].
pub fn export_chat_invite_230() -> l230::functions::messages::ExportChatInvite<'static> {
    l230::functions::messages::ExportChatInvite {
        legacy_revoke_permanent: false,
        request_needed: false,
        peer: l230::enums::InputPeer::Channel(l230::types::InputPeerChannel {
            channel_id: CHANNEL_ID,
            access_hash: ACCESS_HASH,
        }),
        expire_date: None,
        usage_limit: None,
        title: Some(Str::new(INVITE_TITLE)),
        subscription_pricing: None,
    }
}

/// The seed link of Telegram's docs (docs/wire.md) (44 bytes).
pub const SEED_LINK: &str = "https://t.me/joinchat/AAAAAEHbEkejzxUjAUCzYg";

/// Bench 3: layer-122 `messages.exportChatInvite` with `inputPeerChat(1234567)`.
pub fn seed_export_chat() -> l122::functions::messages::ExportChatInvite<'static> {
    l122::functions::messages::ExportChatInvite {
        peer: l122::enums::InputPeer::Chat(l122::types::InputPeerChat { chat_id: 1_234_567 }),
    }
}

/// Bench 3: layer-122 `messages.exportChatInvite` with `inputPeerChannel(1, 2)`.
pub fn seed_export_channel() -> l122::functions::messages::ExportChatInvite<'static> {
    l122::functions::messages::ExportChatInvite {
        peer: l122::enums::InputPeer::Channel(l122::types::InputPeerChannel {
            channel_id: 1,
            access_hash: 2,
        }),
    }
}

/// Bench 3: layer-122 `chatInviteExported` with [`SEED_LINK`].
pub fn seed_invite_exported() -> l122::enums::ExportedChatInvite<'static> {
    l122::enums::ExportedChatInvite::ChatInviteExported(l122::types::ChatInviteExported {
        link: Str::new(SEED_LINK),
    })
}

/// Bench 3: layer-122 `chatInviteEmpty`.
pub fn seed_invite_empty() -> l122::enums::ExportedChatInvite<'static> {
    l122::enums::ExportedChatInvite::ChatInviteEmpty
}

/// The [`FILE_BYTES`] of file data (a fixed pseudo-random pattern).
pub fn file_data() -> Vec<u8> {
    (0..FILE_BYTES)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).to_le_bytes()[3])
        .collect()
}

/// Bench 4: `upload.file` (layer 230) with `storage.filePartial`, and `data` as its
/// `bytes`.
pub fn upload_file(data: &[u8]) -> Vec<u8> {
    encode_vec(&l230::enums::upload::File::File(
        l230::types::upload::File {
            type_: l230::enums::storage::FileType::Partial,
            mtime: 1_700_000_000,
            bytes: Bytes::new(data),
        },
    ))
}

/// The [`LONG_COUNT`] user ids of bench 4.
pub fn longs() -> Vec<i64> {
    (0..LONG_COUNT as i64)
        .map(|i| i.wrapping_mul(0x0123_4567_89ab_cdef) ^ 0x5555)
        .collect()
}

/// Bench 4: `messageActionChatAddUser` (layer 230) with `users` as its
/// `Vector<long>`.
pub fn chat_add_user(users: &[i64]) -> Vec<u8> {
    encode_vec(&l230::enums::MessageAction::ChatAddUser(
        l230::types::MessageActionChatAddUser {
            users: Vector::from_slice(users),
        },
    ))
}
