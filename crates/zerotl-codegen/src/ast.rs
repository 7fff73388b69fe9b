//! The syntax tree of a `.tl` schema.

use std::fmt;

/// Which section of the schema a definition is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Section {
    /// `---types---` (the default at the top of a file): constructors.
    Types,
    /// `---functions---`: RPC functions.
    Functions,
}

/// A position in a schema file (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pos {
    /// Line number.
    pub line: usize,
    /// Column number, in characters.
    pub col: usize,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// A possibly namespaced name (`messages.exportChatInvite`, `InputPeer`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QualName {
    /// The namespace (`messages`), if any.
    pub ns: Option<String>,
    /// The name without namespace.
    pub name: String,
}

impl QualName {
    /// Splits `a.b` into namespace and name.
    pub fn parse(s: &str) -> Self {
        match s.rsplit_once('.') {
            Some((ns, name)) => Self {
                ns: Some(ns.to_owned()),
                name: name.to_owned(),
            },
            None => Self {
                ns: None,
                name: s.to_owned(),
            },
        }
    }
}

impl fmt::Display for QualName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.ns {
            Some(ns) => write!(f, "{ns}.{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// A type expression: `int`, `InputPeer`, `%Message`, `Vector<long>`, `!X`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TypeExpr {
    /// The type's name.
    pub name: QualName,
    /// Written with `%` (bare).
    pub percent: bool,
    /// Written with `!` (a generic function argument).
    pub bang: bool,
    /// Type arguments (`Vector<long>` has one).
    pub args: Vec<TypeExpr>,
}

impl fmt::Display for TypeExpr {
    /// The schema spelling (`Vector<long>`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.bang {
            f.write_str("!")?;
        }
        if self.percent {
            f.write_str("%")?;
        }
        write!(f, "{}", self.name)?;
        if !self.args.is_empty() {
            f.write_str("<")?;
            for (i, a) in self.args.iter().enumerate() {
                if i > 0 {
                    f.write_str(",")?;
                }
                write!(f, "{a}")?;
            }
            f.write_str(">")?;
        }
        Ok(())
    }
}

/// What a parameter holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamKind {
    /// `name:#`, a 32-bit flags word.
    Flags,
    /// `name:T`.
    Plain(TypeExpr),
    /// `name:flags.N?T`, present when bit `bit` of the flags field `flags` is set.
    Conditional {
        /// The flags field's name.
        flags: String,
        /// The bit number (0-31).
        bit: u8,
        /// The field's type; `true` means "the bit is the value".
        ty: TypeExpr,
    },
}

/// A parameter of a combinator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// The field name.
    pub name: String,
    /// The field's kind and type.
    pub kind: ParamKind,
    /// Where the parameter starts.
    pub pos: Pos,
}

/// A `{X:Type}` type parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generic {
    /// Its name (`X`).
    pub name: String,
    /// Its kind (always `Type` in Telegram's schemas).
    pub kind: String,
}

/// A constructor or function definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    /// The combinator's name.
    pub name: QualName,
    /// The id written after `#`, if any.
    pub explicit_id: Option<u32>,
    /// Type parameters.
    pub generics: Vec<Generic>,
    /// Fields, in wire order.
    pub params: Vec<Param>,
    /// The result type.
    pub result: TypeExpr,
    /// Types or functions.
    pub section: Section,
    /// Where the definition starts.
    pub pos: Pos,
    /// The definition's source text, whitespace-normalised.
    pub text: String,
}

/// A schema declaration the generator does not emit code for: the built-in
/// pseudo-declarations (`int ? = Int;`, `int128 4*[ int ] = Int128;`,
/// `vector {t:Type} # [ t ] = Vector t;`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Builtin {
    /// The declared name.
    pub name: QualName,
    /// The id written after `#`, if any.
    pub explicit_id: Option<u32>,
    /// Where the declaration starts.
    pub pos: Pos,
    /// The declaration's source text.
    pub text: String,
}

/// A parsed schema file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Schema {
    /// The file name used in messages and docs.
    pub file: String,
    /// The number in a `// LAYER N` comment, if present.
    pub layer: Option<u32>,
    /// Definitions, in file order.
    pub definitions: Vec<Definition>,
    /// Built-in pseudo-declarations, in file order.
    pub builtins: Vec<Builtin>,
}
