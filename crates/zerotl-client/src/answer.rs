//! Answers that keep the bytes they arrived in and hand out zero-copy views.

use std::fmt;
use std::marker::PhantomData;
use std::ops::Range;
use std::sync::Arc;

use zerotl::{Decode, DecodeError, RemoteCall};

use crate::session::Incoming;

/// The buffer an answer lives in.
#[derive(Debug)]
pub(crate) enum Source {
    /// A copy of a plain message taken out of the receive buffer.
    Bytes(Vec<u8>),
    /// A decrypted message (the decryption made the copy).
    Decrypted(Incoming),
}

impl Source {
    fn bytes(&self) -> &[u8] {
        match self {
            Source::Bytes(b) => b,
            Source::Decrypted(m) => m.body(),
        }
    }
}

/// The `result` of an `rpc_result`, untyped: the bytes of one boxed TL value (an
/// answer, an `rpc_error` or a `gzip_packed`), inside the buffer of the message it
/// came in (shared with other answers of the same container, never copied).
#[derive(Clone)]
pub struct RawAnswer {
    source: Arc<Source>,
    range: Range<usize>,
}

impl RawAnswer {
    /// `range` of `source`'s bytes. `range` must lie inside them.
    pub(crate) fn new(source: Arc<Source>, range: Range<usize>) -> Self {
        debug_assert!(range.end <= source.bytes().len());
        Self { source, range }
    }

    /// An answer over owned bytes (an inflated `gzip_packed`, or a test's bytes).
    pub fn from_vec(bytes: Vec<u8>) -> Self {
        let range = 0..bytes.len();
        Self {
            source: Arc::new(Source::Bytes(bytes)),
            range,
        }
    }

    /// The value's bytes, starting with its constructor id.
    pub fn bytes(&self) -> &[u8] {
        // `new` only accepts ranges inside the source, which never changes.
        self.source.bytes().get(self.range.clone()).unwrap_or(&[])
    }

    /// The constructor id.
    pub fn constructor_id(&self) -> Option<u32> {
        self.bytes()
            .first_chunk::<4>()
            .map(|b| u32::from_le_bytes(*b))
    }
}

impl fmt::Debug for RawAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawAnswer(")?;
        for b in self.bytes() {
            write!(f, "{b:02x}")?;
        }
        write!(f, ")")
    }
}

/// The answer to a call of `R`: owns the message buffer and hands out `R`'s
/// return type as a zero-copy view of it (strings and vectors borrow the buffer).
///
/// The bytes are validated when the answer is built, so [`Answer::get`] cannot fail.
///
/// ```
/// use zerotl_mtproto::client::{Answer, RawAnswer};
/// use zerotl_types::layer122::{enums::ExportedChatInvite, functions::messages::ExportChatInvite};
/// // chatInviteExported#fc2e05bc link:"test"
/// let raw = RawAnswer::from_vec(vec![0xbc, 0x05, 0x2e, 0xfc, 4, b't', b'e', b's', b't', 0, 0, 0]);
/// let answer = Answer::<ExportChatInvite<'_>>::new(raw).unwrap();
/// let ExportedChatInvite::ChatInviteExported(e) = answer.get() else { panic!() };
/// assert_eq!(e.link.as_str(), "test");
/// // The link borrows the answer's buffer:
/// assert!(answer.bytes().as_ptr_range().contains(&e.link.as_str().as_ptr()));
/// ```
pub struct Answer<R: RemoteCall> {
    raw: RawAnswer,
    _call: PhantomData<fn() -> R>,
}

impl<R: RemoteCall> Answer<R> {
    /// Checks that `raw` decodes as `R`'s return type (the whole of it).
    pub fn new(raw: RawAnswer) -> Result<Self, DecodeError> {
        R::Return::decode_from_slice(raw.bytes())?;
        Ok(Self {
            raw,
            _call: PhantomData,
        })
    }

    /// The answer, borrowing this buffer.
    pub fn get(&self) -> R::Return<'_> {
        // Decoding is a pure function of the bytes, which `new` validated and which
        // never change: it cannot fail here.
        R::Return::decode_from_slice(self.raw.bytes())
            .expect("answer bytes were validated when the answer was built")
    }

    /// The answer's bytes (the boxed value).
    pub fn bytes(&self) -> &[u8] {
        self.raw.bytes()
    }

    /// The untyped answer.
    pub fn into_raw(self) -> RawAnswer {
        self.raw
    }
}

impl<R: RemoteCall> Clone for Answer<R> {
    fn clone(&self) -> Self {
        Self {
            raw: self.raw.clone(),
            _call: PhantomData,
        }
    }
}

impl<R: RemoteCall> fmt::Debug for Answer<R>
where
    for<'r> R::Return<'r>: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Answer").field(&self.get()).finish()
    }
}
