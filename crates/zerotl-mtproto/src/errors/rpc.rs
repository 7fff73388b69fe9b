//! [`RpcError`]: an `rpc_error` with its name and number split apart.

use core::fmt::{self, Write as _};
use core::time::Duration;

use zerotl::Decode as _;
use zerotl_types::mtproto::types;

use super::{known_error, number, templates, KnownError};

/// The class of an error, by its code (`api/errors`). Codes without a class of their
/// own, negative ones included (−503 `Timeout`), are [`ErrorClass::Internal`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// 303: the request must be repeated on another DC (`*_MIGRATE_X`, X the DC).
    SeeOther,
    /// 400: the query has bad or missing data.
    BadRequest,
    /// 401: the authorization is missing or invalid.
    Unauthorized,
    /// 403: a privacy or permission violation.
    Forbidden,
    /// 404: the method or object does not exist.
    NotFound,
    /// 406: like 400, but an `updateServiceNotification` tells the user; show nothing.
    NotAcceptable,
    /// 420: too many requests (`FLOOD_WAIT_X`, X the seconds to wait).
    Flood,
    /// 500 and everything else: the server failed; the request may be repeated.
    Internal,
}

impl ErrorClass {
    /// The class of `code`.
    ///
    /// ```
    /// use zerotl_mtproto::errors::ErrorClass;
    /// assert_eq!(ErrorClass::from_code(420), ErrorClass::Flood);
    /// assert_eq!(ErrorClass::from_code(-503), ErrorClass::Internal);
    /// assert_eq!(ErrorClass::from_code(402), ErrorClass::Internal);
    /// ```
    pub const fn from_code(code: i32) -> Self {
        match code {
            303 => ErrorClass::SeeOther,
            400 => ErrorClass::BadRequest,
            401 => ErrorClass::Unauthorized,
            403 => ErrorClass::Forbidden,
            404 => ErrorClass::NotFound,
            406 => ErrorClass::NotAcceptable,
            420 => ErrorClass::Flood,
            _ => ErrorClass::Internal,
        }
    }

    /// The class's code (500 for [`ErrorClass::Internal`]).
    pub const fn code(self) -> i32 {
        match self {
            ErrorClass::SeeOther => 303,
            ErrorClass::BadRequest => 400,
            ErrorClass::Unauthorized => 401,
            ErrorClass::Forbidden => 403,
            ErrorClass::NotFound => 404,
            ErrorClass::NotAcceptable => 406,
            ErrorClass::Flood => 420,
            ErrorClass::Internal => 500,
        }
    }
}

/// The longest error message (and name) an [`RpcError`] keeps, in bytes. Telegram's
/// are under 64; a longer message is cut at a character boundary before parsing.
pub const MAX_ERROR_TEXT: usize = 128;

/// An error name or message: an inline string of at most [`MAX_ERROR_TEXT`] bytes.
pub type ErrorText = heapless::String<MAX_ERROR_TEXT>;

/// Appends `args` to `text`, cutting at a character boundary when it is full.
pub(crate) fn push_text(text: &mut ErrorText, args: fmt::Arguments<'_>) {
    struct Cut<'a>(&'a mut ErrorText);
    impl fmt::Write for Cut<'_> {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            let room = MAX_ERROR_TEXT - self.0.len();
            let mut end = s.len().min(room);
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            // Cannot fail: `end` bytes fit.
            let _ = self.0.push_str(&s[..end]);
            Ok(())
        }
    }
    let _ = Cut(text).write_fmt(args);
}

/// `s` as an [`ErrorText`] (cut if longer).
fn text(s: &str) -> ErrorText {
    let mut t = ErrorText::new();
    push_text(&mut t, format_args!("{s}"));
    t
}

/// An error the server answered a call with (`rpc_error#2144ca19 error_code:int
/// error_message:string`), its message split into a name and an optional number by
/// the rules of the [module docs](super#how-an-error-message-is-split).
///
/// `message` is what goes on the wire (at most [`MAX_ERROR_TEXT`] bytes kept);
/// [`RpcError::parse`] and [`RpcError::new`] keep `name` and `value` consistent
/// with it. No allocation: both texts are inline.
///
/// ```
/// use zerotl_mtproto::errors::RpcError;
/// let e = RpcError::parse(420, "FLOOD_WAIT_30");
/// assert_eq!((e.name.as_str(), e.value), ("FLOOD_WAIT", Some(30)));
/// assert_eq!(
///     e.to_string(),
///     "FLOOD_WAIT_30 (420): A wait of 30 seconds is required"
/// );
/// let e = RpcError::parse(420, "2FA_CONFIRM_WAIT_86400");
/// assert_eq!((e.name.as_str(), e.value), ("2FA_CONFIRM_WAIT", Some(86400)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RpcError {
    /// The code (`error_code`): 303, 400, ..., or negative.
    pub code: i32,
    /// The name: the message without its number (`FLOOD_WAIT`, `FILE_PART_MISSING`).
    pub name: ErrorText,
    /// The number carried in the message, if any.
    pub value: Option<u32>,
    /// The message as sent (`error_message`: `FLOOD_WAIT_30`).
    pub message: ErrorText,
}

/// Splits `message` into name and value.
fn split(message: &str) -> (&str, Option<u32>) {
    if known_error(message, false).is_some() {
        return (message, None);
    }
    for t in templates() {
        if let Some(v) = t.value_in(message) {
            return (t.name(), Some(v));
        }
    }
    if let Some((head, tail)) = message.rsplit_once('_') {
        if let (false, Some(v)) = (head.is_empty(), number(tail)) {
            return (head, Some(v));
        }
    }
    (message, None)
}

impl RpcError {
    /// Parses `message` (any text; servers send `/[A-Z_0-9]+/` or, with negative codes,
    /// words such as `Timeout`).
    ///
    /// ```
    /// use zerotl_mtproto::errors::RpcError;
    /// let e = RpcError::parse(400, "FILE_PART_3_MISSING");
    /// assert_eq!((e.name.as_str(), e.value), ("FILE_PART_MISSING", Some(3)));
    /// let e = RpcError::parse(400, "EMAIL_UNCONFIRMED");
    /// assert_eq!((e.name.as_str(), e.value), ("EMAIL_UNCONFIRMED", None));
    /// ```
    pub fn parse(code: i32, message: &str) -> Self {
        let message = text(message);
        let (name, value) = split(&message);
        Self {
            code,
            name: text(name),
            value,
            message,
        }
    }

    /// Builds an error from a name and value: the message follows the known template
    /// for `name` (`FILE_PART_MISSING`, 3 -> `FILE_PART_3_MISSING`), or is `NAME_value`
    /// for an unknown name, or `name` alone without a value. The fields are then what
    /// parsing that message gives.
    ///
    /// ```
    /// use zerotl_mtproto::errors::RpcError;
    /// let e = RpcError::new(406, "PREVIOUS_CHAT_IMPORT_ACTIVE_WAIT_MIN", Some(5));
    /// assert_eq!(e.message, "PREVIOUS_CHAT_IMPORT_ACTIVE_WAIT_5MIN");
    /// assert_eq!(RpcError::new(400, "NEW_THING", Some(7)).message, "NEW_THING_7");
    /// // Messages longer than MAX_ERROR_TEXT bytes are cut:
    /// assert_eq!(RpcError::parse(400, &"A".repeat(300)).message.len(), 128);
    /// ```
    pub fn new(code: i32, name: &str, value: Option<u32>) -> Self {
        let message = match value {
            None => text(name),
            Some(v) => match known_error(name, true) {
                Some(k) => k.message(v),
                None => {
                    let mut t = ErrorText::new();
                    push_text(&mut t, format_args!("{name}_{v}"));
                    t
                }
            },
        };
        Self::parse(code, &message)
    }

    /// Decodes a boxed `rpc_error` from `bytes` (the whole slice).
    ///
    /// ```
    /// use zerotl_mtproto::errors::RpcError;
    /// let bytes = [0x19, 0xca, 0x44, 0x21, 0x2f, 0x01, 0, 0, 0x0f, b'P', b'H', b'O', b'N',
    ///              b'E', b'_', b'M', b'I', b'G', b'R', b'A', b'T', b'E', b'_', b'2'];
    /// let e = RpcError::decode(&bytes).unwrap();
    /// assert_eq!((e.code, e.name.as_str(), e.value), (303, "PHONE_MIGRATE", Some(2)));
    /// ```
    pub fn decode(bytes: &[u8]) -> Result<Self, zerotl::DecodeError> {
        types::RpcError::decode_from_slice(bytes).map(Self::from)
    }

    /// The wire form, borrowing the message.
    pub fn to_tl(&self) -> types::RpcError<'_> {
        types::RpcError {
            error_code: self.code,
            error_message: zerotl::Str::new(&self.message),
        }
    }

    /// The class of the code.
    pub const fn class(&self) -> ErrorClass {
        ErrorClass::from_code(self.code)
    }

    /// The documented error this is, if any (matched by name and by whether it carries
    /// a number; the code is not compared).
    pub fn known(&self) -> Option<&'static KnownError> {
        known_error(&self.name, self.value.is_some())
    }

    /// Whether the name is `name` (`e.is("FLOOD_WAIT")`).
    pub fn is(&self, name: &str) -> bool {
        self.name == name
    }

    /// For a 303 `*_MIGRATE_X` error, the DC to repeat the request on.
    ///
    /// ```
    /// use zerotl_mtproto::errors::RpcError;
    /// assert_eq!(RpcError::parse(303, "PHONE_MIGRATE_2").migrate_to(), Some(2));
    /// assert_eq!(RpcError::parse(420, "FLOOD_WAIT_2").migrate_to(), None);
    /// ```
    pub fn migrate_to(&self) -> Option<u32> {
        match (self.class(), self.value) {
            (ErrorClass::SeeOther, Some(dc)) if self.name.ends_with("_MIGRATE") => Some(dc),
            _ => None,
        }
    }

    /// How long to wait, for a known templated error whose number is a wait in
    /// seconds or minutes (`FLOOD_WAIT_X`, `SLOWMODE_WAIT_X`,
    /// `PREVIOUS_CHAT_IMPORT_ACTIVE_WAIT_XMIN`, ...).
    ///
    /// ```
    /// use core::time::Duration;
    /// use zerotl_mtproto::errors::RpcError;
    /// let e = RpcError::parse(420, "FLOOD_WAIT_42");
    /// assert_eq!(e.wait(), Some(Duration::from_secs(42)));
    /// let e = RpcError::parse(406, "PREVIOUS_CHAT_IMPORT_ACTIVE_WAIT_5MIN");
    /// assert_eq!(e.wait(), Some(Duration::from_secs(300)));
    /// assert_eq!(RpcError::parse(303, "PHONE_MIGRATE_2").wait(), None);
    /// ```
    pub fn wait(&self) -> Option<Duration> {
        let v = u64::from(self.value?);
        let d = self.known()?.description();
        if d.contains("{seconds}") {
            Some(Duration::from_secs(v))
        } else if d.contains("{minutes}") {
            Some(Duration::from_secs(v * 60))
        } else {
            None
        }
    }
}

impl From<types::RpcError<'_>> for RpcError {
    fn from(e: types::RpcError<'_>) -> Self {
        Self::parse(e.error_code, e.error_message.as_str())
    }
}

impl From<&types::RpcError<'_>> for RpcError {
    fn from(e: &types::RpcError<'_>) -> Self {
        Self::from(*e)
    }
}

impl fmt::Display for RpcError {
    /// `MESSAGE (code)`, then `: description` for a documented error.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.code)?;
        if let Some(k) = self.known() {
            write!(f, ": {}", k.describe(self.value))?;
        }
        Ok(())
    }
}

impl core::error::Error for RpcError {}
