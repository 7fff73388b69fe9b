//! Answers that own their bytes and hand out zero-copy views of them.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use zerotl::{Decode, DecodeError, RemoteCall};

/// The `result` of an `rpc_result`, untyped: the bytes of one boxed TL value (an
/// answer; `rpc_error`s are errors and `gzip_packed` answers arrive inflated), in a
/// buffer of its own shared by its clones.
#[derive(Clone)]
pub struct RawAnswer {
    bytes: Arc<[u8]>,
}

impl RawAnswer {
    /// An answer over owned bytes.
    pub fn from_vec(bytes: Vec<u8>) -> Self {
        Self {
            bytes: bytes.into(),
        }
    }

    /// The value's bytes, starting with its constructor id.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
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

/// The answer to a call of `R`: owns the answer's bytes and hands out `R`'s
/// return type as a zero-copy view of them (strings and vectors borrow the buffer).
///
/// The bytes are validated when the answer is built, so [`Answer::get`] cannot fail.
///
/// ```
/// use zerotl_client::{Answer, RawAnswer};
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
