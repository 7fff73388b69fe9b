//! The layer-122 seed shapes hand-derived with tl-proto 0.5.4's macros (same ids as
//! `data/schema/layer122/api.tl`), and what bench 3 does with them.
//!
//! tl-proto has no `string` type with UTF-8 checks: a TL `string` is `&[u8]` there.

use tl_proto::{TlRead, TlWrite};

/// `InputPeer` of layer 122 (all seven constructors; the recursive ones need a `Box`).
#[derive(Debug, Clone, PartialEq, TlRead, TlWrite)]
#[tl(boxed)]
pub enum InputPeer {
    /// `inputPeerEmpty#7f3b18ea`
    #[tl(id = 0x7f3b18ea)]
    Empty,
    /// `inputPeerSelf#7da07ec9`
    #[tl(id = 0x7da07ec9)]
    PeerSelf,
    /// `inputPeerChat#179be863 chat_id:int`
    #[tl(id = 0x179be863)]
    Chat {
        /// `chat_id:int`
        chat_id: i32,
    },
    /// `inputPeerUser#7b8e7de6 user_id:int access_hash:long`
    #[tl(id = 0x7b8e7de6)]
    User {
        /// `user_id:int`
        user_id: i32,
        /// `access_hash:long`
        access_hash: i64,
    },
    /// `inputPeerChannel#20adaef8 channel_id:int access_hash:long`
    #[tl(id = 0x20adaef8)]
    Channel {
        /// `channel_id:int`
        channel_id: i32,
        /// `access_hash:long`
        access_hash: i64,
    },
    /// `inputPeerUserFromMessage#17bae2e6 peer:InputPeer msg_id:int user_id:int`
    #[tl(id = 0x17bae2e6)]
    UserFromMessage {
        /// `peer:InputPeer`
        peer: Box<InputPeer>,
        /// `msg_id:int`
        msg_id: i32,
        /// `user_id:int`
        user_id: i32,
    },
    /// `inputPeerChannelFromMessage#9c95f7bb peer:InputPeer msg_id:int channel_id:int`
    #[tl(id = 0x9c95f7bb)]
    ChannelFromMessage {
        /// `peer:InputPeer`
        peer: Box<InputPeer>,
        /// `msg_id:int`
        msg_id: i32,
        /// `channel_id:int`
        channel_id: i32,
    },
}

/// `messages.exportChatInvite#df7534c peer:InputPeer = ExportedChatInvite`.
#[derive(Debug, Clone, PartialEq, TlRead, TlWrite)]
#[tl(boxed, id = 0x0df7534c)]
pub struct ExportChatInvite {
    /// `peer:InputPeer`
    pub peer: InputPeer,
}

/// `ExportedChatInvite` of layer 122.
#[derive(Debug, Clone, PartialEq, TlRead, TlWrite)]
#[tl(boxed)]
pub enum ExportedChatInvite<'tl> {
    /// `chatInviteEmpty#69df3769`
    #[tl(id = 0x69df3769)]
    Empty,
    /// `chatInviteExported#fc2e05bc link:string`
    #[tl(id = 0xfc2e05bc)]
    Exported {
        /// `link:string`
        link: &'tl [u8],
    },
}

/// Bench 3: `messages.exportChatInvite` with `inputPeerChat(1234567)`.
pub fn seed_export_chat() -> ExportChatInvite {
    ExportChatInvite {
        peer: InputPeer::Chat { chat_id: 1_234_567 },
    }
}

/// Bench 3: `messages.exportChatInvite` with `inputPeerChannel(1, 2)`.
pub fn seed_export_channel() -> ExportChatInvite {
    ExportChatInvite {
        peer: InputPeer::Channel {
            channel_id: 1,
            access_hash: 2,
        },
    }
}

/// Bench 3: `chatInviteExported` with the seed link.
pub fn seed_invite_exported() -> ExportedChatInvite<'static> {
    ExportedChatInvite::Exported {
        link: crate::fixtures::SEED_LINK.as_bytes(),
    }
}

/// Writes `v` into `out` after clearing it (its capacity is reused).
#[inline]
pub fn encode<T: TlWrite>(v: &T, out: &mut Vec<u8>) -> usize {
    out.clear();
    v.write_to(out);
    out.len()
}

/// Bench 3: decodes `messages.exportChatInvite` and returns its peer's id.
#[inline]
pub fn decode_seed_request(bytes: &[u8]) -> i64 {
    match tl_proto::deserialize::<ExportChatInvite>(bytes)
        .expect("valid input")
        .peer
    {
        InputPeer::Chat { chat_id } => chat_id.into(),
        InputPeer::Channel { channel_id, .. } => channel_id.into(),
        _ => -1,
    }
}

/// Bench 3: decodes `ExportedChatInvite` and returns the link length (`usize::MAX` for
/// `chatInviteEmpty`).
#[inline]
pub fn decode_seed_invite(bytes: &[u8]) -> usize {
    match tl_proto::deserialize::<ExportedChatInvite<'_>>(bytes).expect("valid input") {
        ExportedChatInvite::Exported { link } => link.len(),
        ExportedChatInvite::Empty => usize::MAX,
    }
}
