//! Message sequence numbers.
//!
//! `seq_no = 2 * (content-related messages sent before) + 1` for a content-related
//! message and `+ 0` otherwise, so `seq_no & 1` says whether a message is
//! content-related (needs an acknowledgement). `msgs_ack`, `msg_container`,
//! `msg_copy` and `gzip_packed` are never content-related (the server answers
//! `bad_msg_notification` code 34 otherwise); RPC queries always are (code 35).

use zerotl::Identifiable as _;
use zerotl_types::mtproto::types;

/// Whether a message whose body starts with `constructor_id` is content-related.
///
/// ```
/// use zerotl_mtproto::envelope::is_content_related;
/// assert!(!is_content_related(0x62d6b459)); // msgs_ack
/// assert!(!is_content_related(0x73f1f8dc)); // msg_container
/// assert!(is_content_related(0x0df7534c)); // messages.exportChatInvite
/// ```
pub const fn is_content_related(constructor_id: u32) -> bool {
    !matches!(
        constructor_id,
        types::MsgsAck::CONSTRUCTOR_ID
            | types::MsgContainer::CONSTRUCTOR_ID
            | types::MsgCopy::CONSTRUCTOR_ID
            | types::GzipPacked::CONSTRUCTOR_ID
    )
}

/// Counts content-related messages of one session and gives their `seq_no`s.
///
/// ```
/// use zerotl_mtproto::envelope::SeqNoGenerator;
/// let mut seq = SeqNoGenerator::new();
/// assert_eq!(seq.next(true), 1);
/// assert_eq!(seq.next(false), 2);
/// assert_eq!(seq.next(true), 3);
/// assert_eq!(seq.next(true), 5);
/// assert_eq!(seq.next(false), 6);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeqNoGenerator {
    content_related_sent: u32,
}

impl SeqNoGenerator {
    /// A new session's counter.
    pub const fn new() -> Self {
        Self {
            content_related_sent: 0,
        }
    }

    /// The `seq_no` of the next message, counting it if it is content-related.
    pub fn next(&mut self, content_related: bool) -> i32 {
        let base = self.content_related_sent.wrapping_mul(2);
        if content_related {
            self.content_related_sent = self.content_related_sent.wrapping_add(1);
            base.wrapping_add(1) as i32
        } else {
            base as i32
        }
    }

    /// The `seq_no` for a message with `body`, judged by its constructor id
    /// ([`is_content_related`]); a body shorter than an id counts as content-related.
    pub fn next_for_body(&mut self, body: &[u8]) -> i32 {
        let id = body.first_chunk::<4>().map(|b| u32::from_le_bytes(*b));
        self.next(id.is_none_or(is_content_related))
    }

    /// Content-related messages counted so far.
    pub const fn content_related_sent(&self) -> u32 {
        self.content_related_sent
    }

    /// Counts `n` more content-related messages than were sent (after
    /// `bad_msg_notification` 32: our seq_no was too low).
    pub fn skip_ahead(&mut self, n: u32) {
        self.content_related_sent = self.content_related_sent.saturating_add(n);
    }

    /// Counts `n` fewer content-related messages (after `bad_msg_notification`
    /// 33: our seq_no was too high), stopping at zero.
    pub fn step_back(&mut self, n: u32) {
        self.content_related_sent = self.content_related_sent.saturating_sub(n);
    }
}
