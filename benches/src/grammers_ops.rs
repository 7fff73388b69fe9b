//! What each bench does on grammers-tl-types 0.11's side: the same work as
//! [`crate::zerotl_ops`], through grammers' public API (owned values, `Vec` buffers).

use grammers_tl_types::{enums, functions, types, Deserializable, Serializable};

use crate::fixtures;

/// Bench 1: decodes `messages.exportedChatInvites` and sums the link lengths.
#[inline]
pub fn sum_invite_links(bytes: &[u8]) -> usize {
    let enums::messages::ExportedChatInvites::Invites(v) =
        enums::messages::ExportedChatInvites::from_bytes(bytes).expect("valid input");
    v.invites
        .iter()
        .map(|invite| match invite {
            enums::ExportedChatInvite::ChatInviteExported(x) => x.link.len(),
            enums::ExportedChatInvite::ChatInvitePublicJoinRequests => 0,
        })
        .sum()
}

/// Bench 2: builds `messages.exportChatInvite` (`inputPeerChannel`, a title) and
/// serializes it into `out`, which is cleared first (its capacity is reused).
#[inline]
pub fn build_and_encode_export_chat_invite(
    channel_id: i64,
    title: &str,
    out: &mut Vec<u8>,
) -> usize {
    let request = functions::messages::ExportChatInvite {
        legacy_revoke_permanent: false,
        request_needed: false,
        peer: enums::InputPeer::Channel(types::InputPeerChannel {
            channel_id,
            access_hash: fixtures::ACCESS_HASH,
        }),
        expire_date: None,
        usage_limit: None,
        title: Some(title.to_owned()),
        subscription_pricing: None,
    };
    encode(&request, out)
}

/// The request of [`build_and_encode_export_chat_invite`], built once.
pub fn export_chat_invite() -> functions::messages::ExportChatInvite {
    functions::messages::ExportChatInvite {
        legacy_revoke_permanent: false,
        request_needed: false,
        peer: enums::InputPeer::Channel(types::InputPeerChannel {
            channel_id: fixtures::CHANNEL_ID,
            access_hash: fixtures::ACCESS_HASH,
        }),
        expire_date: None,
        usage_limit: None,
        title: Some(fixtures::INVITE_TITLE.to_owned()),
        subscription_pricing: None,
    }
}

/// Serializes any value into `out` after clearing it.
#[inline]
pub fn encode(v: &impl Serializable, out: &mut Vec<u8>) -> usize {
    out.clear();
    v.serialize(out);
    out.len()
}

/// Bench 4: decodes `upload.file` and returns the length of its `bytes` (copied into a
/// `Vec`) plus its last byte.
#[inline]
pub fn decode_upload_file(bytes: &[u8]) -> usize {
    match enums::upload::File::from_bytes(bytes).expect("valid input") {
        enums::upload::File::File(f) => f.bytes.len() + usize::from(f.bytes[f.bytes.len() - 1]),
        enums::upload::File::CdnRedirect(_) => 0,
    }
}

/// Bench 4: `upload.file` as grammers holds it (owned data).
pub fn upload_file(data: &[u8]) -> enums::upload::File {
    enums::upload::File::File(types::upload::File {
        r#type: enums::storage::FileType::FilePartial,
        mtime: 1_700_000_000,
        bytes: data.to_vec(),
    })
}

/// Bench 4: decodes `messageActionChatAddUser` and sums its `Vector<long>` (wrapping).
#[inline]
pub fn sum_longs(bytes: &[u8]) -> i64 {
    match enums::MessageAction::from_bytes(bytes).expect("valid input") {
        enums::MessageAction::ChatAddUser(a) => {
            a.users.iter().fold(0i64, |acc, x| acc.wrapping_add(*x))
        }
        _ => 0,
    }
}

/// Bench 4: `messageActionChatAddUser` as grammers holds it (owned `Vec<i64>`).
pub fn chat_add_user(users: &[i64]) -> enums::MessageAction {
    enums::MessageAction::ChatAddUser(types::MessageActionChatAddUser {
        users: users.to_vec(),
    })
}
