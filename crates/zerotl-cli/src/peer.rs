//! `--peer` specs: a short text form of layer 122's `InputPeer`.
//!
//! ```text
//! empty                                   inputPeerEmpty
//! self                                    inputPeerSelf
//! chat:ID                                 inputPeerChat
//! channel:ID:ACCESS_HASH                  inputPeerChannel
//! user:ID:ACCESS_HASH                     inputPeerUser
//! channel-from-message:CHANNEL_ID[:MSG_ID[:PEER]]   inputPeerChannelFromMessage
//! user-from-message:USER_ID[:MSG_ID[:PEER]]         inputPeerUserFromMessage
//! ```
//! `MSG_ID` defaults to 1 and the message's `PEER` (itself a spec, the rest of the
//! text) to `self`. Ids are `int`s, hashes `long`s.

use std::fmt;
use std::str::FromStr;

use zerotl::{Decode, Encode, Lazy};
use zerotl_types::layer122::{enums::InputPeer, types};

/// Most `*-from-message` levels in one spec.
const MAX_DEPTH: usize = 8;

/// A parsed `--peer`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeerSpec {
    /// `empty`
    Empty,
    /// `self`
    SelfPeer,
    /// `chat:ID`
    Chat(i32),
    /// `channel:ID:HASH`
    Channel(i32, i64),
    /// `user:ID:HASH`
    User(i32, i64),
    /// `channel-from-message:CHANNEL_ID:MSG_ID:PEER`
    ChannelFromMessage(i32, i32, Box<PeerSpec>),
    /// `user-from-message:USER_ID:MSG_ID:PEER`
    UserFromMessage(i32, i32, Box<PeerSpec>),
}

impl FromStr for PeerSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        parse(s, 0)
    }
}

fn number<T: FromStr>(text: Option<&str>, what: &str, spec: &str) -> Result<T, String> {
    let text = text.ok_or_else(|| format!("peer {spec:?}: missing {what}"))?;
    text.parse()
        .map_err(|_| format!("peer {spec:?}: {what} {text:?} is not a valid number"))
}

fn parse(spec: &str, depth: usize) -> Result<PeerSpec, String> {
    if depth > MAX_DEPTH {
        return Err(format!("peer spec nests more than {MAX_DEPTH} messages"));
    }
    let (kind, rest) = spec.split_once(':').unwrap_or((spec, ""));
    let no_args = |p: PeerSpec| {
        if rest.is_empty() && !spec.ends_with(':') {
            Ok(p)
        } else {
            Err(format!("peer {spec:?}: `{kind}` takes no arguments"))
        }
    };
    let mut parts = rest.splitn(3, ':');
    let done = |parts: &mut std::str::SplitN<'_, char>, p: PeerSpec| match parts.next() {
        None => Ok(p),
        Some(extra) => Err(format!("peer {spec:?}: unexpected {extra:?}")),
    };
    match kind {
        "empty" => no_args(PeerSpec::Empty),
        "self" => no_args(PeerSpec::SelfPeer),
        "chat" => {
            let mut parts = rest.splitn(2, ':');
            let id = number(parts.next().filter(|s| !s.is_empty()), "chat id", spec)?;
            done(&mut parts, PeerSpec::Chat(id))
        }
        "channel" | "user" => {
            let id = number(parts.next().filter(|s| !s.is_empty()), "id", spec)?;
            let hash = number(parts.next(), "access hash", spec)?;
            let p = if kind == "channel" {
                PeerSpec::Channel(id, hash)
            } else {
                PeerSpec::User(id, hash)
            };
            done(&mut parts, p)
        }
        "channel-from-message" | "user-from-message" => {
            let id = number(parts.next().filter(|s| !s.is_empty()), "id", spec)?;
            let msg_id = match parts.next() {
                None => 1,
                some => number(some, "message id", spec)?,
            };
            let inner = match parts.next() {
                None => PeerSpec::SelfPeer,
                Some(inner) => parse(inner, depth + 1)?,
            };
            Ok(if kind == "channel-from-message" {
                PeerSpec::ChannelFromMessage(id, msg_id, Box::new(inner))
            } else {
                PeerSpec::UserFromMessage(id, msg_id, Box::new(inner))
            })
        }
        _ => Err(format!(
            "unknown peer kind {kind:?} (expected chat:ID, channel:ID:HASH, \
             channel-from-message:ID, user:ID:HASH, user-from-message:ID, self or empty)"
        )),
    }
}

impl fmt::Display for PeerSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PeerSpec::Empty => f.write_str("empty"),
            PeerSpec::SelfPeer => f.write_str("self"),
            PeerSpec::Chat(id) => write!(f, "chat:{id}"),
            PeerSpec::Channel(id, hash) => write!(f, "channel:{id}:{hash}"),
            PeerSpec::User(id, hash) => write!(f, "user:{id}:{hash}"),
            PeerSpec::ChannelFromMessage(id, msg, inner) => {
                write!(f, "channel-from-message:{id}:{msg}:{inner}")
            }
            PeerSpec::UserFromMessage(id, msg, inner) => {
                write!(f, "user-from-message:{id}:{msg}:{inner}")
            }
        }
    }
}

fn encode_tl<T: Encode>(value: &T) -> Vec<u8> {
    // Only a text over TL's 16 MiB limit fails; peers are far smaller.
    zerotl::encode_to_vec(value).unwrap_or_default()
}

impl PeerSpec {
    /// The boxed `InputPeer` bytes (nested peers are built inside out).
    pub fn to_tl(&self) -> Vec<u8> {
        let with_inner = |inner: &PeerSpec, build: &dyn Fn(Lazy<'_, InputPeer<'_>>) -> Vec<u8>| {
            let bytes = inner.to_tl();
            // Bytes this function just encoded always decode.
            match InputPeer::decode_from_slice(&bytes) {
                Ok(peer) => build(Lazy::new(&peer)),
                Err(_) => Vec::new(),
            }
        };
        match self {
            PeerSpec::Empty => encode_tl(&InputPeer::Empty),
            PeerSpec::SelfPeer => encode_tl(&InputPeer::PeerSelf),
            PeerSpec::Chat(chat_id) => {
                encode_tl(&InputPeer::Chat(types::InputPeerChat { chat_id: *chat_id }))
            }
            PeerSpec::Channel(channel_id, access_hash) => {
                encode_tl(&InputPeer::Channel(types::InputPeerChannel {
                    channel_id: *channel_id,
                    access_hash: *access_hash,
                }))
            }
            PeerSpec::User(user_id, access_hash) => {
                encode_tl(&InputPeer::User(types::InputPeerUser {
                    user_id: *user_id,
                    access_hash: *access_hash,
                }))
            }
            PeerSpec::ChannelFromMessage(channel_id, msg_id, inner) => with_inner(inner, &|peer| {
                encode_tl(&InputPeer::ChannelFromMessage(
                    types::InputPeerChannelFromMessage {
                        peer,
                        msg_id: *msg_id,
                        channel_id: *channel_id,
                    },
                ))
            }),
            PeerSpec::UserFromMessage(user_id, msg_id, inner) => with_inner(inner, &|peer| {
                encode_tl(&InputPeer::UserFromMessage(
                    types::InputPeerUserFromMessage {
                        peer,
                        msg_id: *msg_id,
                        user_id: *user_id,
                    },
                ))
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs() {
        let p = |s: &str| s.parse::<PeerSpec>();
        assert_eq!(p("chat:1"), Ok(PeerSpec::Chat(1)));
        assert_eq!(p("channel:10:1010"), Ok(PeerSpec::Channel(10, 1010)));
        assert_eq!(p("user:1000:-5"), Ok(PeerSpec::User(1000, -5)));
        assert_eq!(p("self"), Ok(PeerSpec::SelfPeer));
        assert_eq!(p("empty"), Ok(PeerSpec::Empty));
        assert_eq!(
            p("channel-from-message:10"),
            Ok(PeerSpec::ChannelFromMessage(
                10,
                1,
                Box::new(PeerSpec::SelfPeer)
            ))
        );
        let nested = p("channel-from-message:10:5:user-from-message:7:3:chat:1").unwrap();
        assert_eq!(
            nested.to_string(),
            "channel-from-message:10:5:user-from-message:7:3:chat:1"
        );
        for bad in [
            "",
            "chat",
            "chat:",
            "chat:x",
            "chat:1:2",
            "channel:10",
            "channel:10:x",
            "self:1",
            "group:1",
            "chat:99999999999",
            "channel-from-message:1:1:channel-from-message:1:1:channel-from-message:1:1:\
             channel-from-message:1:1:channel-from-message:1:1:channel-from-message:1:1:\
             channel-from-message:1:1:channel-from-message:1:1:channel-from-message:1:1:\
             channel-from-message:1:1:self",
        ] {
            assert!(p(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn bytes() {
        // docs/wire.md: inputPeerChannel(1, 2) and inputPeerSelf.
        assert_eq!(
            PeerSpec::Channel(1, 2).to_tl(),
            [0xf8, 0xae, 0xad, 0x20, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(PeerSpec::SelfPeer.to_tl(), [0xc9, 0x7e, 0xa0, 0x7d]);
        let nested = "channel-from-message:10:5:chat:1"
            .parse::<PeerSpec>()
            .unwrap()
            .to_tl();
        let expected = [
            &[0xbb, 0xf7, 0x95, 0x9c][..],
            &[0x63, 0xe8, 0x9b, 0x17, 1, 0, 0, 0],
            &[5, 0, 0, 0],
            &[10, 0, 0, 0],
        ]
        .concat();
        assert_eq!(nested, expected);
    }
}
