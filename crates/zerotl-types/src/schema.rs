//! Static descriptions of the generated schemas, as data.
//!
//! Each generated module has a `SCHEMA` table listing its constructors and
//! functions (id, name, result type, fields) and a typed dispatcher that decodes
//! any boxed value of the schema by its id. The tables cost no code per type, work
//! in `no_std`, and drive the JSON mapping (`json`, feature `serde`), the CLI's
//! `--type`, and name lookups in error messages.
//!
//! ```
//! # #[cfg(feature = "layer122")] {
//! let s = &zerotl_types::layer122::schema::SCHEMA;
//! let c = s.by_id(0x0df7534c).unwrap();
//! assert_eq!((c.name, c.ty, c.function), ("messages.exportChatInvite", "ExportedChatInvite", true));
//! assert_eq!(s.by_name("inputPeerChat").unwrap().id, 0x179be863);
//! # }
//! ```

use zerotl::{DecodeError, Encode, Reader};

/// A field type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// `int`.
    Int,
    /// `long`.
    Long,
    /// `double`.
    Double,
    /// `int128`.
    Int128,
    /// `int256`.
    Int256,
    /// `string`.
    String,
    /// `bytes`.
    Bytes,
    /// `Bool`.
    Bool,
    /// `true` (only under a flag).
    True,
    /// The `Object` pseudotype: any boxed value.
    Object,
    /// `!X`: any boxed function (the last field of `invokeWithLayer` and friends).
    Generic,
    /// `Vector<T>`.
    Vector(&'static Ty),
    /// `vector<T>` (no id).
    BareVector(&'static Ty),
    /// A boxed type, by name.
    Boxed(&'static str),
    /// A bare constructor, by name.
    Bare(&'static str),
}

/// How a field is present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// A `#` flags word, computed from the conditional fields.
    Flags,
    /// Always present.
    Plain(Ty),
    /// Present when bit `bit` of the flags field at index `flags` is set.
    Conditional {
        /// Index of the flags field in [`Combinator::fields`].
        flags: u8,
        /// The bit.
        bit: u8,
        /// The type (`Ty::True` means the bit itself is the value).
        ty: Ty,
    },
    /// `bytes:int` in front of `body:Object`: the object's size.
    ObjectSize,
}

/// A field of a combinator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The schema name.
    pub name: &'static str,
    /// How it is present and its type.
    pub kind: FieldKind,
}

/// A constructor or function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Combinator {
    /// The id on the wire.
    pub id: u32,
    /// The schema name (`messages.exportChatInvite`).
    pub name: &'static str,
    /// The result type's name (`ExportedChatInvite`, `Vector<long>`, `X`).
    pub ty: &'static str,
    /// Whether this is a function.
    pub function: bool,
    /// Fields in wire order.
    pub fields: &'static [Field],
}

/// A boxed type and its constructors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoxedType {
    /// The schema name.
    pub name: &'static str,
    /// Its constructors' ids, in schema order.
    pub ctors: &'static [u32],
}

/// The typed decoder of a schema: decodes the boxed value at the reader (if its id
/// is in the schema) and shows it to the callback. `Ok(false)` means "unknown id".
pub type DecodeBoxed =
    fn(&mut Reader<'_>, &mut dyn FnMut(&dyn Encode)) -> Result<bool, DecodeError>;

/// The typed decoder of one named type: a boxed type (`InputPeer`) or a bare
/// constructor (`inputPeerChat`). `None` means "no such name".
pub type DecodeNamed =
    fn(&str, &mut Reader<'_>, &mut dyn FnMut(&dyn Encode)) -> Option<Result<(), DecodeError>>;

/// A generated schema as data.
#[derive(Debug)]
pub struct Schema {
    /// A short name (`layer122`, `mtproto`).
    pub name: &'static str,
    /// The layer number, if the schema declares one.
    pub layer: Option<i32>,
    /// Every constructor and function, sorted by id.
    pub combinators: &'static [Combinator],
    /// Names and indices into `combinators`, sorted by name.
    pub names: &'static [(&'static str, u16)],
    /// Boxed types, sorted by name.
    pub types: &'static [BoxedType],
    /// Another schema consulted for ids and names this one lacks (the MTProto
    /// service schema, for the API layers).
    pub fallback: Option<&'static Schema>,
    /// The generated typed decoder by id.
    pub decode_boxed: DecodeBoxed,
    /// The generated typed decoder by type name.
    pub decode_named: DecodeNamed,
}

impl Schema {
    /// The constructor or function with this id (here or in the fallback).
    pub fn by_id(&self, id: u32) -> Option<&'static Combinator> {
        match self.combinators.binary_search_by_key(&id, |c| c.id) {
            Ok(i) => self.combinators.get(i),
            Err(_) => self.fallback.and_then(|f| f.by_id(id)),
        }
    }

    /// The constructor or function with this schema name (here or in the fallback).
    pub fn by_name(&self, name: &str) -> Option<&'static Combinator> {
        match self.names.binary_search_by_key(&name, |e| e.0) {
            Ok(i) => self.combinators.get(self.names[i].1 as usize),
            Err(_) => self.fallback.and_then(|f| f.by_name(name)),
        }
    }

    /// The boxed type with this name (here or in the fallback).
    pub fn boxed_type(&self, name: &str) -> Option<&'static BoxedType> {
        match self.types.binary_search_by_key(&name, |t| t.name) {
            Ok(i) => self.types.get(i),
            Err(_) => self.fallback.and_then(|f| f.boxed_type(name)),
        }
    }

    /// Like [`Schema::by_id`], also telling which schema (this one or a fallback)
    /// defines the combinator: its field types are named in that schema.
    pub fn find_id(&'static self, id: u32) -> Option<(&'static Schema, &'static Combinator)> {
        match self.combinators.binary_search_by_key(&id, |c| c.id) {
            Ok(i) => self.combinators.get(i).map(|c| (self, c)),
            Err(_) => self.fallback.and_then(|f| f.find_id(id)),
        }
    }

    /// Like [`Schema::by_name`], also telling which schema defines the combinator.
    pub fn find_name(&'static self, name: &str) -> Option<(&'static Schema, &'static Combinator)> {
        match self.names.binary_search_by_key(&name, |e| e.0) {
            Ok(i) => self
                .combinators
                .get(self.names[i].1 as usize)
                .map(|c| (self, c)),
            Err(_) => self.fallback.and_then(|f| f.find_name(name)),
        }
    }

    /// Like [`Schema::boxed_type`], also telling which schema defines the type.
    pub fn find_type(&'static self, name: &str) -> Option<(&'static Schema, &'static BoxedType)> {
        match self.types.binary_search_by_key(&name, |t| t.name) {
            Ok(i) => self.types.get(i).map(|t| (self, t)),
            Err(_) => self.fallback.and_then(|f| f.find_type(name)),
        }
    }

    /// The constructor with this id among this schema's own (no fallback).
    fn own_id(&self, id: u32) -> Option<&'static Combinator> {
        self.combinators
            .binary_search_by_key(&id, |c| c.id)
            .ok()
            .and_then(|i| self.combinators.get(i))
    }

    /// The constructor `id` of boxed type `ty`, resolving `ty` from this schema (and
    /// its fallback) the way a field of one of this schema's combinators names it.
    pub fn ctor_of_type(
        &'static self,
        ty: &str,
        id: u32,
    ) -> Option<(&'static Schema, &'static Combinator)> {
        let (schema, t) = self.find_type(ty)?;
        if !t.ctors.contains(&id) {
            return None;
        }
        schema.own_id(id).map(|c| (schema, c))
    }

    /// Decodes the boxed value at `r` with the generated types (trying the fallback
    /// schema for ids this one lacks) and shows it to `f`; `Ok(false)` when no
    /// schema knows the id.
    pub fn decode_typed(
        &self,
        r: &mut Reader<'_>,
        f: &mut dyn FnMut(&dyn Encode),
    ) -> Result<bool, DecodeError> {
        if (self.decode_boxed)(r, f)? {
            return Ok(true);
        }
        match self.fallback {
            Some(fb) => fb.decode_typed(r, f),
            None => Ok(false),
        }
    }

    /// Decodes a value of the boxed type or bare constructor `name` with the
    /// generated types; `None` when no schema has the name.
    pub fn decode_named_typed(
        &self,
        name: &str,
        r: &mut Reader<'_>,
        f: &mut dyn FnMut(&dyn Encode),
    ) -> Option<Result<(), DecodeError>> {
        (self.decode_named)(name, r, f).or_else(|| {
            self.fallback
                .and_then(|fb| fb.decode_named_typed(name, r, f))
        })
    }
}
