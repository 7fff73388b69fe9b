//! A user's application on top of zerotl, written against the public API only:
//! invite requests for layers 122 and 230, their answers, their JSON, and a call
//! through the blocking client.

use zerotl::{DecodeError, EncodeError, RemoteCall, Str};
use zerotl_client::{BlockingClient, InvocationError};
use zerotl_errors::layer122::messages::ExportChatInviteError;
use zerotl_types::json::{self, JsonDecodeError, JsonError, Value};
use zerotl_types::schema::Schema;
use zerotl_types::{layer122, layer230};

/// What a layer-230 invite may ask for, as the application holds it (owned).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InviteOptions {
    /// The invite's title.
    pub title: Option<String>,
    /// How many users may join with it.
    pub usage_limit: Option<i32>,
    /// When it expires (unix time).
    pub expire_date: Option<i32>,
    /// Whether an admin must approve each join.
    pub request_needed: bool,
}

/// `messages.exportChatInvite` of layer 122 for chat `chat_id`, encoded.
pub fn invite_request_122(chat_id: i32) -> Result<Vec<u8>, EncodeError> {
    use layer122::{enums::InputPeer, functions::messages::ExportChatInvite, types};
    zerotl::encode_to_vec(&ExportChatInvite {
        peer: InputPeer::Chat(types::InputPeerChat { chat_id }),
    })
}

/// `messages.exportChatInvite` of layer 230 for chat `chat_id`, encoded; the
/// strings borrow from `options`.
pub fn invite_request_230(chat_id: i64, options: &InviteOptions) -> Result<Vec<u8>, EncodeError> {
    use layer230::{enums::InputPeer, functions::messages::ExportChatInvite, types};
    // Every other field (`legacy_revoke_permanent`, `subscription_pricing`) keeps
    // its default: the request derives `Default`, its `peer` defaulting to
    // `InputPeer::Empty`.
    zerotl::encode_to_vec(&ExportChatInvite {
        request_needed: options.request_needed,
        peer: InputPeer::Chat(types::InputPeerChat { chat_id }),
        expire_date: options.expire_date,
        usage_limit: options.usage_limit,
        title: options.title.as_ref().map(Str::from),
        ..Default::default()
    })
}

/// The link of a layer-122 answer (`None` for `chatInviteEmpty`).
pub fn link_of_122(answer: &[u8]) -> Result<Option<String>, DecodeError> {
    use layer122::{enums::ExportedChatInvite, functions::messages::ExportChatInvite};
    Ok(match ExportChatInvite::decode_answer(answer)? {
        ExportedChatInvite::ChatInviteExported(e) => Some(e.link.as_str().to_owned()),
        ExportedChatInvite::ChatInviteEmpty => None,
    })
}

/// The link and title of a layer-230 answer (`None` for anything but an exported
/// invite).
pub fn link_of_230(answer: &[u8]) -> Result<Option<(String, Option<String>)>, DecodeError> {
    use layer230::{enums::ExportedChatInvite, functions::messages::ExportChatInvite};
    Ok(match ExportChatInvite::decode_answer(answer)? {
        ExportedChatInvite::ChatInviteExported(e) => Some((
            e.link.as_str().to_owned(),
            e.title.map(|t| t.as_str().to_owned()),
        )),
        _ => None,
    })
}

/// The schema of a layer this application speaks.
pub fn schema(layer: u32) -> Option<&'static Schema> {
    match layer {
        122 => Some(&layer122::schema::SCHEMA),
        230 => Some(&layer230::schema::SCHEMA),
        _ => None,
    }
}

/// Any value of `schema` as JSON (strict).
pub fn to_json(schema: &'static Schema, bytes: &[u8]) -> Result<Value, JsonDecodeError> {
    json::bytes_to_json(schema, bytes)
}

/// JSON back to bytes (strict: an unknown or misspelled field is an error).
pub fn from_json(schema: &'static Schema, value: &Value) -> Result<Vec<u8>, JsonError> {
    json::json_to_bytes(schema, value)
}

/// Exports chat `chat_id`'s invite link through a blocking client (layer 122).
// The typed error keeps the server's texts inline (the protocol core allocates
// nothing), so it is large; clippy says so to every caller returning it.
#[allow(clippy::result_large_err)]
pub fn export_link(
    client: &BlockingClient,
    chat_id: i32,
) -> Result<String, InvocationError<ExportChatInviteError>> {
    use layer122::{enums, functions::messages::ExportChatInvite, types};
    let request = ExportChatInvite {
        peer: enums::InputPeer::Chat(types::InputPeerChat { chat_id }),
    };
    let answer = client.invoke(&request)?;
    match answer.get() {
        enums::ExportedChatInvite::ChatInviteExported(e) => Ok(e.link.as_str().to_owned()),
        enums::ExportedChatInvite::ChatInviteEmpty => Ok(String::new()),
    }
}
