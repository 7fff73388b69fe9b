//! `rpc_error` parsed into [`RpcError`], and the runtime of the typed errors.
//!
//! * [`RpcError`]: an `rpc_error` with its name split from its number
//!   (`FLOOD_WAIT_30` -> `FLOOD_WAIT` and 30), its [`ErrorClass`], and a `Display`
//!   that adds the known description (`FLOOD_WAIT_30 (420): A wait of 30 seconds is
//!   required`). No allocation: the texts are bounded inline strings
//!   ([`ErrorText`], [`MAX_ERROR_TEXT`] bytes; longer messages are cut at a
//!   character boundary).
//! * [`known_errors`]: the generated table of `data/errors/errors.csv`.
//! * [`MethodError`], [`Usability`] and [`ErrorSpec`]: what the generated
//!   per-function error enums of the `zerotl-errors` crate implement and call
//!   (`zerotl_errors::layer122::messages::ExportChatInviteError`). The `MethodInfo`
//!   trait that links each function type to its enum is defined there, next to its
//!   impls (Rust's orphan rule: a trait implemented for `zerotl-types`' functions
//!   outside `zerotl-types` must be local to the implementing crate).
//!
//! ```
//! use zerotl_mtproto::errors::{ErrorClass, RpcError};
//!
//! let e = RpcError::parse(403, "CHAT_WRITE_FORBIDDEN");
//! assert_eq!((e.name.as_str(), e.value, e.class()), ("CHAT_WRITE_FORBIDDEN", None, ErrorClass::Forbidden));
//! ```
//!
//! ## How an error message is split
//!
//! The message matches `/[A-Z_0-9]+/` and may carry a number. In order:
//!
//! 1. a known plain name (`EMAIL_UNCONFIRMED`, `AUTH_TOKEN_INVALID2`) is itself, with no
//!    value;
//! 2. a message shaped like a known template, with decimal digits where the template has
//!    `X` (anywhere: `FLOOD_WAIT_X`, `2FA_CONFIRM_WAIT_X`, `FILE_PART_X_MISSING`,
//!    `PREVIOUS_CHAT_IMPORT_ACTIVE_WAIT_XMIN`), takes the template's name and the number:
//!    the name is the documented one without the number's segment (`FILE_PART_3_MISSING`
//!    -> `FILE_PART_MISSING`, 3; `INTERDC_2_CALL_ERROR` -> `INTERDC_CALL_ERROR`, 2); a
//!    unit glued to the `X` stays as a segment (`PREVIOUS_CHAT_IMPORT_ACTIVE_WAIT_5MIN` ->
//!    `PREVIOUS_CHAT_IMPORT_ACTIVE_WAIT_MIN`, 5). The longest template wins if two fit;
//! 3. otherwise, an unknown message ending in `_` and digits is split there
//!    (`NEW_THING_12` -> `NEW_THING`, 12), as long as something precedes the `_`;
//! 4. anything else is its own name with no value (`Timeout`, `FOO_`, `123`).
//!
//! A number must fit a `u32`; a longer digit run does not count as a number, so the
//! next rule applies (`FLOOD_WAIT_99999999999` stays whole).
//!
//! ## Where each method's errors come from
//!
//! * `messages.exportChatInvite` in layer 122: the seed page
//!   (`data/seed/messages.exportChatInvite.md`), with the page's codes.
//! * `messages.exportChatInvite` in layer 230: the seed page's five (page codes) plus
//!   what `data/errors/methods.csv` adds (`EXPIRE_DATE_INVALID`): the page documents the
//!   method, and the server answers with those errors in every layer.
//! * Every other function: `data/errors/methods.csv`, with the codes of
//!   `data/errors/errors.csv` (all of them where an error has several).
//! * A function `methods.csv` does not list gets an enum with `Other` only and
//!   [`Usability::Unknown`], which counts as usable by bots.
//!
//! A typed enum takes an [`RpcError`] whose name (and templated-ness) and code are
//! listed; a listed name with another code stays `Other`. Back to an [`RpcError`]
//! (`as_rpc`), a named variant uses its first listed code. Wrapper functions
//! (`invokeWithLayer`, `initConnection`, ...) answer with the wrapped query's answer,
//! so their `MethodInfo::Error` is the query's.
//!
//! The generated code (`known.rs` here, the enums in `zerotl-errors`) is
//! regenerated with `cargo run -p zerotl-codegen -- errors` (also part of
//! `regenerate`); a test of `zerotl-errors` checks it is up to date.

#[rustfmt::skip]
mod known;
mod rpc;

use core::fmt;

pub use rpc::{ErrorClass, ErrorText, RpcError, MAX_ERROR_TEXT};

/// A documented error: one row of `data/errors/errors.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownError {
    name: &'static str,
    documented: &'static str,
    codes: &'static [i32],
    description: &'static str,
    template: Option<(&'static str, &'static str)>,
}

impl KnownError {
    /// The name a parsed [`RpcError`] has (`FLOOD_WAIT`, `CHAT_ID_INVALID`).
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The documented name, with `X` where the number goes (`FLOOD_WAIT_X`).
    pub const fn documented_name(&self) -> &'static str {
        self.documented
    }

    /// The codes it is documented with (several for some, such as 400 and 406).
    pub const fn codes(&self) -> &'static [i32] {
        self.codes
    }

    /// The description, with a `{placeholder}` where the number goes.
    pub const fn description(&self) -> &'static str {
        self.description
    }

    /// Whether the message carries a number.
    pub const fn is_template(&self) -> bool {
        self.template.is_some()
    }

    /// The description with `value` written in place of its `{placeholder}`, as a
    /// value to display (no allocation).
    ///
    /// ```
    /// let k = zerotl_mtproto::errors::known_error("FLOOD_WAIT", true).unwrap();
    /// assert_eq!(k.describe(Some(30)).to_string(), "A wait of 30 seconds is required");
    /// ```
    pub fn describe(&self, value: Option<u32>) -> Description {
        Description {
            known: *self,
            value,
        }
    }

    /// The message for `value` (`FILE_PART_3_MISSING`); the name alone for a plain
    /// error (cut at [`MAX_ERROR_TEXT`] bytes).
    pub fn message(&self, value: u32) -> ErrorText {
        let mut text = ErrorText::new();
        match self.template {
            Some((prefix, suffix)) => {
                rpc::push_text(&mut text, format_args!("{prefix}{value}{suffix}"))
            }
            None => rpc::push_text(&mut text, format_args!("{}", self.name)),
        }
        text
    }

    /// The number in `message` if it has this template's shape.
    fn value_in(&self, message: &str) -> Option<u32> {
        let (prefix, suffix) = self.template?;
        if message.len() <= prefix.len() + suffix.len()
            || !message.starts_with(prefix)
            || !message.ends_with(suffix)
        {
            return None;
        }
        number(&message[prefix.len()..message.len() - suffix.len()])
    }
}

/// A known error's description with its number filled in (see
/// [`KnownError::describe`]).
#[derive(Debug, Clone, Copy)]
pub struct Description {
    known: KnownError,
    value: Option<u32>,
}

impl fmt::Display for Description {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.known.description;
        match (self.known.template, self.value, placeholder(d)) {
            (Some(_), Some(v), Some((start, end))) => {
                write!(f, "{}{v}{}", &d[..start], &d[end..])
            }
            _ => f.write_str(d),
        }
    }
}

/// A run of ASCII digits that fits a `u32`.
fn number(digits: &str) -> Option<u32> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The byte range of the first `{identifier}` in `s`.
fn placeholder(s: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(i) = s[from..].find('{') {
        let start = from + i;
        let rest = &s[start + 1..];
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if len > 0 && rest[len..].starts_with('}') {
            return Some((start, start + len + 2));
        }
        from = start + 1;
    }
    None
}

/// Every error of `data/errors/errors.csv`, sorted by name and then templated-ness.
pub fn known_errors() -> &'static [KnownError] {
    &known::KNOWN
}

/// The documented error called `name` (as a parsed [`RpcError`] names it), plain or
/// templated (`EMAIL_UNCONFIRMED` is both). A binary search.
///
/// ```
/// use zerotl_mtproto::errors::known_error;
/// assert_eq!(known_error("FILE_PART_MISSING", true).unwrap().documented_name(), "FILE_PART_X_MISSING");
/// assert_eq!(known_error("CHAT_WRITE_FORBIDDEN", false).unwrap().codes(), [403]);
/// assert!(known_error("FLOOD_WAIT", false).is_none());
/// ```
pub fn known_error(name: &str, templated: bool) -> Option<&'static KnownError> {
    known::KNOWN
        .binary_search_by(|k| (k.name, k.template.is_some()).cmp(&(name, templated)))
        .ok()
        .map(|i| &known::KNOWN[i])
}

/// The known templates, most specific first.
fn templates() -> impl Iterator<Item = &'static KnownError> {
    known::TEMPLATES
        .iter()
        .map(|&i| &known::KNOWN[usize::from(i)])
}

/// Who may call a method, as `data/errors/methods.csv` (or the seed page) says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Usability {
    /// Users only.
    User,
    /// Bots only.
    Bot,
    /// Users and bots.
    Both,
    /// The method is not listed. Counted as usable by bots: nothing says otherwise,
    /// and the server answers `BOT_METHOD_INVALID` when it disagrees.
    Unknown,
}

impl Usability {
    /// Whether a bot may call the method (`User` -> false, anything else -> true).
    pub const fn bots_can_use(self) -> bool {
        !matches!(self, Usability::User)
    }
}

/// A typed error of one method: converts from an [`RpcError`] and back.
pub trait MethodError:
    From<RpcError> + core::error::Error + Clone + PartialEq + Send + Sync + 'static
{
    /// The `rpc_error` this value stands for.
    fn as_rpc(&self) -> RpcError;
}

impl MethodError for RpcError {
    fn as_rpc(&self) -> RpcError {
        self.clone()
    }
}

/// One named error of a generated error enum: how an [`RpcError`] is recognized.
/// The generated code of `zerotl-errors` calls it; applications need not.
///
/// ```
/// use zerotl_mtproto::errors::{ErrorSpec, RpcError};
/// const SPECS: &[ErrorSpec] = &[ErrorSpec::plain("CHAT_ID_INVALID", &[400]), ErrorSpec::templated("FLOOD_WAIT", &[420])];
/// assert_eq!(ErrorSpec::find(SPECS, &RpcError::parse(420, "FLOOD_WAIT_3")), Some(1));
/// assert_eq!(ErrorSpec::find(SPECS, &RpcError::parse(403, "CHAT_ID_INVALID")), None);
/// assert_eq!(SPECS[1].to_rpc(Some(5)).message, "FLOOD_WAIT_5");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ErrorSpec {
    name: &'static str,
    templated: bool,
    codes: &'static [i32],
}

impl ErrorSpec {
    /// An error without a number.
    pub const fn plain(name: &'static str, codes: &'static [i32]) -> Self {
        Self {
            name,
            templated: false,
            codes,
        }
    }

    /// A templated error (its message carries a number).
    pub const fn templated(name: &'static str, codes: &'static [i32]) -> Self {
        Self {
            name,
            templated: true,
            codes,
        }
    }

    /// The index of the spec `e` matches: same name, same templated-ness, and a listed
    /// code. `specs` is sorted by `(name, templated)`.
    pub fn find(specs: &[ErrorSpec], e: &RpcError) -> Option<usize> {
        let key = (e.name.as_str(), e.value.is_some());
        let i = specs
            .binary_search_by(|s| (s.name, s.templated).cmp(&key))
            .ok()?;
        let codes = specs[i].codes;
        (codes.is_empty() || codes.contains(&e.code)).then_some(i)
    }

    /// An [`RpcError`] for this spec, with its first code.
    pub fn to_rpc(self, value: Option<u32>) -> RpcError {
        let code = self.codes.first().copied().unwrap_or(400);
        RpcError::new(code, self.name, if self.templated { value } else { None })
    }
}
