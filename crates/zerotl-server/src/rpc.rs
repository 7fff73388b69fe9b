//! Answering one RPC request body from the world: pure, no I/O.
//!
//! | request body                                  | answer                                 |
//! |-----------------------------------------------|----------------------------------------|
//! | `messages.exportChatInvite#0df7534c peer`     | `chatInviteExported#fc2e05bc link`, or the world's `rpc_error` |
//! | `invokeWithLayer`, `initConnection`, `invokeWithoutUpdates`, `invokeAfterMsg` around a query | the query's answer (at most [`MAX_WRAPPERS`] deep) |
//! | any other constructor id                       | 400 `INPUT_METHOD_INVALID`             |
//! | a known method whose arguments do not decode   | 400 `INPUT_CONSTRUCTOR_INVALID` (an unknown constructor inside) or 400 `INPUT_FETCH_ERROR` (anything else) |
//!
//! The names are documented Telegram errors (`data/errors/errors.csv`):
//! `INPUT_METHOD_INVALID` "the invoked method does not exist", `INPUT_CONSTRUCTOR_INVALID`
//! "the provided constructor is invalid", `INPUT_FETCH_ERROR` "an error occurred while
//! deserializing TL parameters". Layer 230's `messages.exportChatInvite#a455de90` is
//! not served (it answers `INPUT_METHOD_INVALID`): the server speaks layer 122.

use zerotl::{Decode, DecodeErrorKind, Identifiable, Object, Str};
use zerotl_types::layer122::{enums, functions, types};

use zerotl::EncodeError;
use zerotl_mtproto::errors::RpcError;

use super::state::WorldState;
use super::world::Target;

/// How many `invokeWithLayer`-style wrappers may surround a query.
pub const MAX_WRAPPERS: usize = 4;

/// What happened to a request (for logs and statistics).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestOutcome {
    /// An invite was exported.
    Exported {
        /// The chat.
        target: Target,
        /// The new link.
        link: String,
    },
    /// The request was answered with an error.
    Refused(RpcError),
}

/// Answers the request `body` (a boxed function): appends the result (the answer,
/// or an `rpc_error`: one boxed TL value, what goes into `rpc_result`) to `out`.
///
/// ```
/// use zerotl_server::{rpc, WorldState};
/// use zerotl_server::world::World;
/// let state = WorldState::new(World::default());
/// let request = [0x4c, 0x53, 0xf7, 0x0d, 0x63, 0xe8, 0x9b, 0x17, 2, 0, 0, 0]; // chat 2
/// let mut out = Vec::new();
/// let outcome = rpc::answer(&state, &request, &mut out).unwrap();
/// assert!(matches!(outcome, rpc::RequestOutcome::Refused(e) if e.is("CHAT_ADMIN_REQUIRED")));
/// assert_eq!(&out[..4], [0x19, 0xca, 0x44, 0x21]); // rpc_error
/// ```
pub fn answer(
    state: &WorldState,
    body: &[u8],
    out: &mut Vec<u8>,
) -> Result<RequestOutcome, EncodeError> {
    match evaluate(state, body) {
        Ok((target, link)) => {
            let result = enums::ExportedChatInvite::ChatInviteExported(types::ChatInviteExported {
                link: Str::new(&link),
            });
            zerotl::append_encoded(&result, out)?;
            Ok(RequestOutcome::Exported { target, link })
        }
        Err(e) => {
            zerotl::append_encoded(&e.to_tl(), out)?;
            Ok(RequestOutcome::Refused(e))
        }
    }
}

const EXPORT_CHAT_INVITE: u32 = functions::messages::ExportChatInvite::CONSTRUCTOR_ID;
const INVOKE_WITH_LAYER: u32 = <functions::InvokeWithLayer<()> as Identifiable>::CONSTRUCTOR_ID;
const INIT_CONNECTION: u32 =
    <functions::InitConnection<'static, ()> as Identifiable>::CONSTRUCTOR_ID;
const INVOKE_WITHOUT_UPDATES: u32 =
    <functions::InvokeWithoutUpdates<()> as Identifiable>::CONSTRUCTOR_ID;
const INVOKE_AFTER_MSG: u32 = <functions::InvokeAfterMsg<()> as Identifiable>::CONSTRUCTOR_ID;

/// The answer to `body`, unwrapping up to [`MAX_WRAPPERS`] wrappers.
fn evaluate(state: &WorldState, mut body: &[u8]) -> Result<(Target, String), RpcError> {
    for _ in 0..=MAX_WRAPPERS {
        let Some(id) = body.first_chunk::<4>().map(|b| u32::from_le_bytes(*b)) else {
            return Err(fetch_error(None));
        };
        body = match id {
            EXPORT_CHAT_INVITE => {
                let request = functions::messages::ExportChatInvite::decode_from_slice(body)
                    .map_err(|e| fetch_error(Some(e.kind())))?;
                let target = target_of(&request.peer);
                return state.export(target).map(|link| (target, link));
            }
            INVOKE_WITH_LAYER => {
                unwrap::<functions::InvokeWithLayer<Object<'_>>>(body, |w| w.query)?
            }
            INIT_CONNECTION => {
                unwrap::<functions::InitConnection<'_, Object<'_>>>(body, |w| w.query)?
            }
            INVOKE_WITHOUT_UPDATES => {
                unwrap::<functions::InvokeWithoutUpdates<Object<'_>>>(body, |w| w.query)?
            }
            INVOKE_AFTER_MSG => unwrap::<functions::InvokeAfterMsg<Object<'_>>>(body, |w| w.query)?,
            _ => return Err(RpcError::parse(400, "INPUT_METHOD_INVALID")),
        };
    }
    Err(fetch_error(None))
}

/// The query inside a wrapper.
fn unwrap<'a, W: Decode<'a>>(
    body: &'a [u8],
    query: impl FnOnce(W) -> Object<'a>,
) -> Result<&'a [u8], RpcError> {
    W::decode_from_slice(body)
        .map(|w| query(w).as_bytes())
        .map_err(|e| fetch_error(Some(e.kind())))
}

fn fetch_error(kind: Option<DecodeErrorKind>) -> RpcError {
    match kind {
        Some(DecodeErrorKind::UnknownConstructor { .. }) => {
            RpcError::parse(400, "INPUT_CONSTRUCTOR_INVALID")
        }
        _ => RpcError::parse(400, "INPUT_FETCH_ERROR"),
    }
}

/// What the world's rules look at in a layer 122 peer.
pub fn target_of(peer: &enums::InputPeer<'_>) -> Target {
    match peer {
        enums::InputPeer::Chat(c) => Target::Chat(c.chat_id.into()),
        enums::InputPeer::Channel(c) => Target::Channel {
            id: c.channel_id.into(),
            access_hash: Some(c.access_hash),
        },
        enums::InputPeer::ChannelFromMessage(c) => Target::Channel {
            id: c.channel_id.into(),
            access_hash: None,
        },
        enums::InputPeer::Empty
        | enums::InputPeer::PeerSelf
        | enums::InputPeer::User(_)
        | enums::InputPeer::UserFromMessage(_) => Target::NotAChat,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::World;
    use zerotl_mtproto::envelope::RpcOutcome;

    fn run(state: &WorldState, body: &[u8]) -> Result<String, (i32, String)> {
        let mut out = Vec::new();
        answer(state, body, &mut out).unwrap();
        match RpcOutcome::of(Object::from_bytes(&out)).unwrap() {
            RpcOutcome::Ok(o) => match o.decode::<enums::ExportedChatInvite<'_>>().unwrap() {
                enums::ExportedChatInvite::ChatInviteExported(e) => Ok(e.link.as_str().to_owned()),
                enums::ExportedChatInvite::ChatInviteEmpty => panic!("empty"),
            },
            RpcOutcome::Error(e) => Err((e.error_code, e.error_message.as_str().to_owned())),
            RpcOutcome::Gzipped(_) => panic!("gzip"),
        }
    }

    fn encode<T: zerotl::Encode>(v: &T) -> Vec<u8> {
        zerotl::encode_to_vec(v).unwrap()
    }

    #[test]
    fn wrappers_and_bad_requests() {
        let state = WorldState::new(World::default());
        let query = functions::messages::ExportChatInvite {
            peer: enums::InputPeer::Chat(types::InputPeerChat { chat_id: 1 }),
        };
        let wrapped = encode(&functions::InvokeWithLayer {
            layer: 122,
            query: functions::InvokeWithoutUpdates { query },
        });
        assert!(run(&state, &wrapped)
            .unwrap()
            .starts_with("https://t.me/joinchat/"));

        let bad = |code: i32, name: &str| Err((code, name.to_owned()));
        assert_eq!(run(&state, &[1, 2, 3, 4]), bad(400, "INPUT_METHOD_INVALID"));
        // exportChatInvite with an unknown InputPeer constructor, then truncated.
        let unknown_peer = [0x4c, 0x53, 0xf7, 0x0d, 9, 9, 9, 9];
        assert_eq!(
            run(&state, &unknown_peer),
            bad(400, "INPUT_CONSTRUCTOR_INVALID")
        );
        let truncated = [0x4c, 0x53, 0xf7, 0x0d, 0x63, 0xe8, 0x9b, 0x17];
        assert_eq!(run(&state, &truncated), bad(400, "INPUT_FETCH_ERROR"));
        // Five nested invokeWithoutUpdates are one too many.
        let mut deep = encode(&query);
        for _ in 0..=MAX_WRAPPERS {
            let mut w = 0xbf94_59b7u32.to_le_bytes().to_vec();
            w.extend_from_slice(&deep);
            deep = w;
        }
        assert_eq!(run(&state, &deep), bad(400, "INPUT_FETCH_ERROR"));
    }
}
