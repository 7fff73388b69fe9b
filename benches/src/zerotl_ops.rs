//! What each bench does on zerotl's side (the same work as in [`crate::grammers_ops`] and
//! [`crate::tlproto_ops`]). Inputs are valid; an error is a bench bug and panics.

use zerotl::{Decode, Encode};
use zerotl_types::layer122 as l122;
use zerotl_types::layer230 as l230;

use crate::fixtures;

/// Bench 1: decodes `messages.exportedChatInvites` and sums the link lengths by
/// iterating the lazy `invites` vector.
#[inline]
pub fn sum_invite_links(bytes: &[u8]) -> usize {
    let l230::enums::messages::ExportedChatInvites::Invites(v) =
        l230::enums::messages::ExportedChatInvites::decode_from_slice(bytes).expect("valid input");
    sum_links(&v)
}

/// The iteration half of [`sum_invite_links`], on an already decoded value.
#[inline]
pub fn sum_links(v: &l230::types::messages::ExportedChatInvites<'_>) -> usize {
    v.invites
        .iter()
        .map(|invite| match invite {
            l230::enums::ExportedChatInvite::ChatInviteExported(x) => x.link.len(),
            l230::enums::ExportedChatInvite::ChatInvitePublicJoinRequests => 0,
        })
        .sum()
}

/// The decode half of [`sum_invite_links`] (the lazy vector validates every element).
#[inline]
pub fn decode_invites(bytes: &[u8]) -> l230::types::messages::ExportedChatInvites<'_> {
    let l230::enums::messages::ExportedChatInvites::Invites(v) =
        l230::enums::messages::ExportedChatInvites::decode_from_slice(bytes).expect("valid input");
    v
}

/// Bench 2: builds `messages.exportChatInvite` (layer 230, `inputPeerChannel`, a title)
/// and encodes it into `out`. The channel id and the title are parameters, so the
/// benches can pass them through `black_box`: with both known, the compiler would
/// precompute most of the encoding.
#[inline]
pub fn build_and_encode_export_chat_invite(channel_id: i64, title: &str, out: &mut [u8]) -> usize {
    let request = l230::functions::messages::ExportChatInvite {
        legacy_revoke_permanent: false,
        request_needed: false,
        peer: l230::enums::InputPeer::Channel(l230::types::InputPeerChannel {
            channel_id,
            access_hash: fixtures::ACCESS_HASH,
        }),
        expire_date: None,
        usage_limit: None,
        title: Some(title.into()),
        subscription_pricing: None,
    };
    encode(&request, out)
}

/// Encodes any value into `out` (a reused buffer).
#[inline]
pub fn encode(v: &impl Encode, out: &mut [u8]) -> usize {
    v.encode_to_slice(out).expect("buffer large enough")
}

/// Bench 3: decodes a layer-122 `messages.exportChatInvite` and returns its peer's id.
#[inline]
pub fn decode_seed_request(bytes: &[u8]) -> i64 {
    let r =
        l122::functions::messages::ExportChatInvite::decode_from_slice(bytes).expect("valid input");
    match r.peer {
        l122::enums::InputPeer::Chat(c) => c.chat_id.into(),
        l122::enums::InputPeer::Channel(c) => c.channel_id.into(),
        _ => -1,
    }
}

/// Bench 3: decodes a layer-122 `ExportedChatInvite` and returns the link length
/// (`usize::MAX` for `chatInviteEmpty`).
#[inline]
pub fn decode_seed_invite(bytes: &[u8]) -> usize {
    match l122::enums::ExportedChatInvite::decode_from_slice(bytes).expect("valid input") {
        l122::enums::ExportedChatInvite::ChatInviteExported(x) => x.link.len(),
        l122::enums::ExportedChatInvite::ChatInviteEmpty => usize::MAX,
    }
}

/// Bench 4: decodes `upload.file` and returns the length of its `bytes` (zero-copy:
/// the data is borrowed, not copied) plus its last byte, so the view is touched.
#[inline]
pub fn decode_upload_file(bytes: &[u8]) -> usize {
    match l230::enums::upload::File::decode_from_slice(bytes).expect("valid input") {
        l230::enums::upload::File::File(f) => {
            f.bytes.len() + usize::from(f.bytes[f.bytes.len() - 1])
        }
        l230::enums::upload::File::CdnRedirect(_) => 0,
    }
}

/// Bench 4: encodes `upload.file` over `data` into `out`.
#[inline]
pub fn encode_upload_file(data: &[u8], out: &mut [u8]) -> usize {
    encode(
        &l230::enums::upload::File::File(l230::types::upload::File {
            type_: l230::enums::storage::FileType::Partial,
            mtime: 1_700_000_000,
            bytes: zerotl::Bytes::new(data),
        }),
        out,
    )
}

/// Bench 4: decodes `messageActionChatAddUser` and sums its `Vector<long>` (wrapping).
#[inline]
pub fn sum_longs(bytes: &[u8]) -> i64 {
    match l230::enums::MessageAction::decode_from_slice(bytes).expect("valid input") {
        l230::enums::MessageAction::ChatAddUser(a) => {
            a.users.iter().fold(0i64, |acc, x| acc.wrapping_add(x))
        }
        _ => 0,
    }
}

/// Bench 4, through the zerocopy view: the decoded vector as `&[le::I64]`.
pub fn sum_longs_le_slice(bytes: &[u8]) -> i64 {
    match l230::enums::MessageAction::decode_from_slice(bytes).expect("valid input") {
        l230::enums::MessageAction::ChatAddUser(a) => a
            .users
            .as_le_slice()
            .expect("a decoded vector")
            .iter()
            .fold(0i64, |acc, x| acc.wrapping_add(x.get())),
        _ => 0,
    }
}

/// Bench 4: encodes `messageActionChatAddUser` over `users` into `out`.
#[inline]
pub fn encode_longs(users: &[i64], out: &mut [u8]) -> usize {
    encode(
        &l230::enums::MessageAction::ChatAddUser(l230::types::MessageActionChatAddUser {
            users: zerotl::Vector::from_slice(users),
        }),
        out,
    )
}
