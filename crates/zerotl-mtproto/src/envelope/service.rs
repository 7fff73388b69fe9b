//! Service messages: telling an incoming body apart, and building answers.
//!
//! ```text
//! rpc_result#f35c6d01    | 016d5cf3 | req_msg_id (8) | result: Object ............ |
//! rpc_error#2144ca19     | 19ca4421 | error_code (4) | error_message: string       |
//! gzip_packed#3072cfa1   | a1cf7230 | packed_data: bytes                           |
//! msg_container#73f1f8dc | dcf8f173 | count | message...  (see Container)          |
//! msgs_ack#62d6b459      | 59b4d662 | Vector<long> msg_ids                         |
//! ```

use zerotl::Identifiable as _;
use zerotl::{Decode, Encode, Object, Str};
use zerotl_types::mtproto::types;

use super::{Container, EnvelopeError};
use crate::buf::append_tl;
use crate::OutputBuffer;

/// Most ids a `msgs_ack` may carry.
pub const MAX_ACK_IDS: usize = 8192;

/// What an incoming message body is. Anything that is not one of the service
/// messages below is [`ServiceMessage::Other`] (the raw object: an update, or a
/// request on the server side).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ServiceMessage<'a> {
    /// `rpc_result`: the answer to the request `req_msg_id` (see [`RpcOutcome`]).
    RpcResult(types::RpcResult<'a>),
    /// A bare `rpc_error` outside an `rpc_result`.
    RpcError(types::RpcError<'a>),
    /// `gzip_packed`: inflate it ([`gzip::unpack_value_into`](super::gzip::unpack_value_into))
    /// and classify the result.
    GzipPacked(types::GzipPacked<'a>),
    /// A validated `msg_container`.
    Container(Container<'a>),
    /// `msgs_ack` (at most [`MAX_ACK_IDS`] ids).
    MsgsAck(types::MsgsAck<'a>),
    /// `bad_msg_notification`.
    BadMsgNotification(types::BadMsgNotification),
    /// `bad_server_salt`.
    BadServerSalt(types::BadServerSalt),
    /// `new_session_created`.
    NewSessionCreated(types::NewSessionCreated),
    /// `pong`.
    Pong(types::Pong),
    /// Any other boxed value.
    Other(Object<'a>),
}

/// Classifies a message body (one boxed TL value spanning all of `body`).
///
/// The service messages are decoded and checked (strictly: trailing bytes are an
/// error); other values are returned as raw objects.
///
/// ```
/// use zerotl_mtproto::envelope::{classify, ServiceMessage};
/// let pong = [
///     0xc5, 0x73, 0x77, 0x34, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0,
/// ];
/// let ServiceMessage::Pong(p) = classify(&pong).unwrap() else { panic!() };
/// assert_eq!((p.msg_id, p.ping_id), (1, 2));
/// let other = [0x69, 0x37, 0xdf, 0x69];
/// assert!(matches!(classify(&other), Ok(ServiceMessage::Other(_))));
/// ```
pub fn classify(body: &[u8]) -> Result<ServiceMessage<'_>, EnvelopeError> {
    let Some(id) = body.first_chunk::<4>().map(|b| u32::from_le_bytes(*b)) else {
        return Err(EnvelopeError::Truncated {
            what: "message body",
            needed: 4,
            available: body.len(),
        });
    };
    if body.len() % 4 != 0 {
        return Err(EnvelopeError::BadBodyLength {
            what: "message body",
            length: body.len(),
        });
    }
    fn tl<'a, T: Decode<'a>>(what: &'static str, body: &'a [u8]) -> Result<T, EnvelopeError> {
        T::decode_from_slice(body).map_err(EnvelopeError::tl(what))
    }
    Ok(match id {
        types::RpcResult::CONSTRUCTOR_ID => ServiceMessage::RpcResult(tl("rpc_result", body)?),
        types::RpcError::CONSTRUCTOR_ID => ServiceMessage::RpcError(tl("rpc_error", body)?),
        types::GzipPacked::CONSTRUCTOR_ID => ServiceMessage::GzipPacked(tl("gzip_packed", body)?),
        types::MsgContainer::CONSTRUCTOR_ID => ServiceMessage::Container(Container::parse(body)?),
        types::MsgsAck::CONSTRUCTOR_ID => ServiceMessage::MsgsAck(decode_ack(body)?),
        types::BadMsgNotification::CONSTRUCTOR_ID => {
            ServiceMessage::BadMsgNotification(tl("bad_msg_notification", body)?)
        }
        types::BadServerSalt::CONSTRUCTOR_ID => {
            ServiceMessage::BadServerSalt(tl("bad_server_salt", body)?)
        }
        types::NewSessionCreated::CONSTRUCTOR_ID => {
            ServiceMessage::NewSessionCreated(tl("new_session_created", body)?)
        }
        types::Pong::CONSTRUCTOR_ID => ServiceMessage::Pong(tl("pong", body)?),
        _ => ServiceMessage::Other(Object::from_bytes(body)),
    })
}

/// `msgs_ack`, with the id count checked against [`MAX_ACK_IDS`] before the ids
/// are walked.
fn decode_ack(body: &[u8]) -> Result<types::MsgsAck<'_>, EnvelopeError> {
    // msgs_ack id (4), Vector id (4), count (4).
    if let Some(count) = body.get(8..12) {
        let count = u32::from_le_bytes([count[0], count[1], count[2], count[3]]) as usize;
        if count > MAX_ACK_IDS && (count as i32) > 0 {
            return Err(EnvelopeError::TooManyIds {
                count,
                max: MAX_ACK_IDS,
            });
        }
    }
    types::MsgsAck::decode_from_slice(body).map_err(EnvelopeError::tl("msgs_ack"))
}

/// What an `rpc_result`'s `result` holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RpcOutcome<'a> {
    /// The answer (decode it as the request's `RemoteCall::Return`).
    Ok(Object<'a>),
    /// The request failed.
    Error(types::RpcError<'a>),
    /// The answer or error, compressed: inflate with
    /// [`gzip::unpack_value_into`](super::gzip::unpack_value_into) and call
    /// [`RpcOutcome::of_unpacked`] on the result.
    Gzipped(types::GzipPacked<'a>),
}

impl<'a> RpcOutcome<'a> {
    /// Splits `rpc_result.result`.
    pub fn of(result: Object<'a>) -> Result<Self, EnvelopeError> {
        match result.constructor_id() {
            Some(types::RpcError::CONSTRUCTOR_ID) => result
                .decode()
                .map(RpcOutcome::Error)
                .map_err(EnvelopeError::tl("rpc_error")),
            Some(types::GzipPacked::CONSTRUCTOR_ID) => result
                .decode()
                .map(RpcOutcome::Gzipped)
                .map_err(EnvelopeError::tl("gzip_packed")),
            Some(_) if result.as_bytes().len() % 4 == 0 => Ok(RpcOutcome::Ok(result)),
            _ => Err(EnvelopeError::BadBodyLength {
                what: "rpc_result.result",
                length: result.as_bytes().len(),
            }),
        }
    }

    /// Splits an inflated result: like [`RpcOutcome::of`], but another layer of
    /// `gzip_packed` is refused.
    ///
    /// ```
    /// use zerotl::Object;
    /// use zerotl_mtproto::envelope::{gzip, RpcOutcome};
    /// let mut packed = Vec::new();
    /// gzip::encode_gzip_packed(&[0x69, 0x37, 0xdf, 0x69], &mut packed).unwrap();
    /// let RpcOutcome::Gzipped(g) = RpcOutcome::of(Object::from_bytes(&packed)).unwrap() else { panic!() };
    /// let mut inner = [0u8; 64];
    /// let n = gzip::unpack_value_into(&g, &mut inner).unwrap();
    /// let RpcOutcome::Ok(answer) = RpcOutcome::of_unpacked(Object::from_bytes(&inner[..n])).unwrap() else { panic!() };
    /// assert_eq!(answer.constructor_id(), Some(0x69df3769));
    /// ```
    pub fn of_unpacked(result: Object<'a>) -> Result<Self, EnvelopeError> {
        match Self::of(result)? {
            RpcOutcome::Gzipped(_) => Err(EnvelopeError::NestedGzip),
            other => Ok(other),
        }
    }
}

/// Appends `rpc_result req_msg_id result` to `out`, with `result` any boxed TL
/// value (an answer, an `rpc_error`, a `gzip_packed`, or raw bytes as an
/// [`Object`]).
///
/// ```
/// use zerotl_mtproto::envelope::encode_rpc_result;
/// use zerotl_types::mtproto::types::RpcError;
/// let mut out = Vec::new();
/// let error = RpcError { error_code: 400, error_message: "CHANNEL_PRIVATE".into() };
/// encode_rpc_result(7, &error, &mut out).unwrap();
/// assert_eq!(out[..4], [0x01, 0x6d, 0x5c, 0xf3]);
/// assert_eq!(out.len(), 4 + 8 + 4 + 4 + 16);
/// ```
pub fn encode_rpc_result<T: Encode + ?Sized, O: OutputBuffer + ?Sized>(
    req_msg_id: i64,
    result: &T,
    out: &mut O,
) -> Result<(), EnvelopeError> {
    let start = out.len();
    let header = out.grow(12)?;
    header[..4].copy_from_slice(&types::RpcResult::CONSTRUCTOR_ID.to_le_bytes());
    header[4..].copy_from_slice(&req_msg_id.to_le_bytes());
    append_tl(result, out).map_err(|e| {
        out.truncate(start);
        EnvelopeError::from(e)
    })
}

/// Appends `rpc_result req_msg_id (rpc_error code message)` to `out`.
pub fn encode_rpc_error<O: OutputBuffer + ?Sized>(
    req_msg_id: i64,
    error_code: i32,
    error_message: &str,
    out: &mut O,
) -> Result<(), EnvelopeError> {
    let error = types::RpcError {
        error_code,
        error_message: Str::new(error_message),
    };
    encode_rpc_result(req_msg_id, &error, out)
}
