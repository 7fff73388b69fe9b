//! `msg_container`: several messages in one.
//!
//! ```text
//! +-----------+-----------+------------------------------------------------+
//! | 73f1f8dc  | count (4) | count x message                                 |
//! +-----------+-----------+------------------------------------------------+
//! message (bare):  | msg_id (8) | seqno (4) | bytes (4) | body (bytes) |
//! ```
//!
//! A container is validated once ([`Container::parse`]): at most
//! [`MAX_CONTAINER_MESSAGES`] messages, each `bytes` field a whole number of words
//! within the container, no container inside, nothing after the last message.
//! Walking it afterwards cannot fail.

use zerotl::Identifiable as _;
use zerotl::{BareDecode, Decode, Reader};
use zerotl_types::mtproto::types;

use super::EnvelopeError;
use crate::OutputBuffer;

/// Most messages a container may hold.
pub const MAX_CONTAINER_MESSAGES: usize = 1024;

/// A validated `msg_container`, borrowing its bytes.
///
/// ```
/// use zerotl::Object;
/// use zerotl_mtproto::envelope::{encode_container, Container};
/// use zerotl_types::mtproto::types::Message;
/// let ping = [0xec, 0x77, 0xbe, 0x7a, 1, 0, 0, 0, 0, 0, 0, 0];
/// let msgs = [
///     Message { msg_id: 4, seqno: 1, body: Object::from_bytes(&ping) },
///     Message { msg_id: 8, seqno: 3, body: Object::from_bytes(&ping) },
/// ];
/// let mut wire = Vec::new();
/// encode_container(&msgs, &mut wire).unwrap();
/// let c = Container::parse(&wire).unwrap();
/// assert_eq!(c.len(), 2);
/// assert_eq!(c.iter().map(|m| m.msg_id).collect::<Vec<_>>(), [4, 8]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Container<'a> {
    messages: &'a [u8],
    count: usize,
}

impl<'a> Container<'a> {
    /// Validates a boxed `msg_container` that spans all of `body`.
    pub fn parse(body: &'a [u8]) -> Result<Self, EnvelopeError> {
        let tl = EnvelopeError::tl("msg_container");
        let mut r = Reader::new(body);
        r.expect_id(types::MsgContainer::CONSTRUCTOR_ID, "msg_container")
            .map_err(&tl)?;
        let count = i64::from(r.peek_u32().map_err(&tl)? as i32);
        if count > MAX_CONTAINER_MESSAGES as i64 {
            return Err(EnvelopeError::TooManyMessages {
                count,
                max: MAX_CONTAINER_MESSAGES,
            });
        }
        let min = <zerotl::Bare<types::Message<'_>> as Decode<'_>>::MIN_SIZE;
        let count = r.read_count(min).map_err(&tl)? as usize;
        let start = r.position();
        for index in 0..count {
            let message = types::Message::decode_bare(&mut r).map_err(&tl)?;
            check_inner(index, &message)?;
        }
        if !r.is_empty() {
            return Err(EnvelopeError::TrailingBytes {
                what: "msg_container",
                count: r.remaining(),
            });
        }
        Ok(Self {
            messages: &body[start..],
            count,
        })
    }

    /// The number of messages.
    pub const fn len(&self) -> usize {
        self.count
    }

    /// Whether the container is empty (allowed).
    pub const fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The messages, in order: `msg_id`, `seqno`, and the body as raw bytes.
    pub fn iter(&self) -> ContainerIter<'a> {
        ContainerIter {
            reader: Reader::new(self.messages),
            left: self.count,
        }
    }
}

impl<'a> IntoIterator for &Container<'a> {
    type Item = types::Message<'a>;
    type IntoIter = ContainerIter<'a>;
    fn into_iter(self) -> ContainerIter<'a> {
        self.iter()
    }
}

/// The iterator of [`Container::iter`].
#[derive(Debug, Clone)]
pub struct ContainerIter<'a> {
    reader: Reader<'a>,
    left: usize,
}

impl<'a> Iterator for ContainerIter<'a> {
    type Item = types::Message<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        // Validated by `parse`; should it ever fail, the walk just ends.
        match types::Message::decode_bare(&mut self.reader) {
            Ok(m) => Some(m),
            Err(_) => {
                self.left = 0;
                None
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for ContainerIter<'_> {}

fn check_inner(index: usize, message: &types::Message<'_>) -> Result<(), EnvelopeError> {
    let body = message.body.as_bytes();
    if body.len() % 4 != 0 {
        return Err(EnvelopeError::BadBodyLength {
            what: "message body in msg_container",
            length: body.len(),
        });
    }
    if message.body.constructor_id() == Some(types::MsgContainer::CONSTRUCTOR_ID) {
        return Err(EnvelopeError::NestedContainer { index });
    }
    Ok(())
}

/// Appends a `msg_container` holding `messages` (each body a boxed TL value) to
/// `out`; refuses more than [`MAX_CONTAINER_MESSAGES`], containers inside, and
/// bodies that are not whole words.
pub fn encode_container<O: OutputBuffer + ?Sized>(
    messages: &[types::Message<'_>],
    out: &mut O,
) -> Result<(), EnvelopeError> {
    if messages.len() > MAX_CONTAINER_MESSAGES {
        return Err(EnvelopeError::TooManyMessages {
            count: messages.len() as i64,
            max: MAX_CONTAINER_MESSAGES,
        });
    }
    let mut len = 8;
    for (index, m) in messages.iter().enumerate() {
        if m.body.as_bytes().len() < 4 {
            return Err(EnvelopeError::BadBodyLength {
                what: "message body in msg_container",
                length: m.body.as_bytes().len(),
            });
        }
        check_inner(index, m)?;
        len += 16 + m.body.as_bytes().len();
    }
    let wire = out.grow(len)?;
    wire[..4].copy_from_slice(&types::MsgContainer::CONSTRUCTOR_ID.to_le_bytes());
    wire[4..8].copy_from_slice(&(messages.len() as u32).to_le_bytes());
    let mut at = 8;
    for m in messages {
        let body = m.body.as_bytes();
        wire[at..at + 8].copy_from_slice(&m.msg_id.to_le_bytes());
        wire[at + 8..at + 12].copy_from_slice(&m.seqno.to_le_bytes());
        wire[at + 12..at + 16].copy_from_slice(&(body.len() as u32).to_le_bytes());
        wire[at + 16..at + 16 + body.len()].copy_from_slice(body);
        at += 16 + body.len();
    }
    Ok(())
}
