//! A parser for the `.tl` schema language as Telegram publishes it.
//!
//! Covers `//` and `/* */` comments, `---types---`/`---functions---` sections,
//! namespaces, `name#id`, `{X:Type}`, `flags:#`, `flags2:#`, `flags.N?T`,
//! `Vector<T>`, `vector<T>`, `%T`, `!X`, and the primitive pseudo-declarations
//! (`int ? = Int;`, `int128 4*[ int ] = Int128;`, `vector {t:Type} # [ t ] = Vector t;`),
//! which are kept apart as [`Builtin`]s. A `// LAYER N` comment sets [`Schema::layer`].

use std::fmt;

use crate::ast::{
    Builtin, Definition, Generic, Param, ParamKind, Pos, QualName, Schema, Section, TypeExpr,
};

/// A syntax error with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// The file name given to [`parse`].
    pub file: String,
    /// Where the error is.
    pub pos: Pos,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.pos, self.message)
    }
}

impl std::error::Error for ParseError {}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    Number(u64),
    Id(u32),
    Hash,
    Colon,
    Question,
    Dot,
    Lt,
    Gt,
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Bang,
    Percent,
    Equals,
    Semi,
    Star,
    Comma,
    Section(Section),
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Ident(s) => write!(f, "`{s}`"),
            Tok::Number(n) => write!(f, "`{n}`"),
            Tok::Id(n) => write!(f, "`#{n:x}`"),
            Tok::Hash => f.write_str("`#`"),
            Tok::Colon => f.write_str("`:`"),
            Tok::Question => f.write_str("`?`"),
            Tok::Dot => f.write_str("`.`"),
            Tok::Lt => f.write_str("`<`"),
            Tok::Gt => f.write_str("`>`"),
            Tok::LBrace => f.write_str("`{`"),
            Tok::RBrace => f.write_str("`}`"),
            Tok::LBracket => f.write_str("`[`"),
            Tok::RBracket => f.write_str("`]`"),
            Tok::Bang => f.write_str("`!`"),
            Tok::Percent => f.write_str("`%`"),
            Tok::Equals => f.write_str("`=`"),
            Tok::Semi => f.write_str("`;`"),
            Tok::Star => f.write_str("`*`"),
            Tok::Comma => f.write_str("`,`"),
            Tok::Section(Section::Types) => f.write_str("`---types---`"),
            Tok::Section(Section::Functions) => f.write_str("`---functions---`"),
        }
    }
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    pos: Pos,
    /// Byte range in the source.
    start: usize,
    end: usize,
}

struct Lexer<'s> {
    src: &'s str,
    file: &'s str,
    i: usize,
    line: usize,
    line_start: usize,
    layer: Option<u32>,
}

impl<'s> Lexer<'s> {
    fn pos_at(&self, i: usize) -> Pos {
        Pos {
            line: self.line,
            col: self.src[self.line_start..i].chars().count() + 1,
        }
    }

    fn err(&self, i: usize, message: String) -> ParseError {
        ParseError {
            file: self.file.to_owned(),
            pos: self.pos_at(i),
            message,
        }
    }

    fn peek(&self) -> Option<char> {
        self.src[self.i..].chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.i += c.len_utf8();
        if c == '\n' {
            self.line += 1;
            self.line_start = self.i;
        }
        Some(c)
    }

    fn tokens(mut self) -> Result<(Vec<Token>, Option<u32>), ParseError> {
        let mut out = Vec::new();
        while let Some(c) = self.peek() {
            let start = self.i;
            let pos = self.pos_at(start);
            let rest = &self.src[self.i..];
            if c.is_whitespace() {
                self.bump();
                continue;
            }
            if rest.starts_with("//") {
                let end = rest.find('\n').map_or(self.src.len(), |n| self.i + n);
                let comment = &self.src[self.i + 2..end];
                if let Some(n) = comment.trim().strip_prefix("LAYER") {
                    if let Ok(n) = n.trim().parse() {
                        self.layer = Some(n);
                    }
                }
                self.i = end;
                continue;
            }
            if rest.starts_with("/*") {
                match rest.find("*/") {
                    Some(n) => {
                        let end = self.i + n + 2;
                        while self.i < end {
                            self.bump();
                        }
                        continue;
                    }
                    None => return Err(self.err(start, "unterminated `/*` comment".into())),
                }
            }
            if rest.starts_with("---") {
                let end = rest.find('\n').unwrap_or(rest.len());
                let marker = rest[..end].trim();
                let section = match marker {
                    "---types---" => Section::Types,
                    "---functions---" => Section::Functions,
                    _ => {
                        return Err(self.err(
                            start,
                            format!("unknown section marker `{marker}` (expected `---types---` or `---functions---`)"),
                        ))
                    }
                };
                self.i += end;
                out.push(Token {
                    tok: Tok::Section(section),
                    pos,
                    start,
                    end: self.i,
                });
                continue;
            }
            let tok = if c.is_ascii_alphabetic() || c == '_' {
                let n = rest
                    .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
                    .unwrap_or(rest.len());
                self.i += n;
                Tok::Ident(rest[..n].to_owned())
            } else if c.is_ascii_digit() {
                let n = rest
                    .find(|ch: char| !ch.is_ascii_digit())
                    .unwrap_or(rest.len());
                self.i += n;
                let v = rest[..n].parse().map_err(|_| {
                    self.err(start, format!("number `{}` is too large", &rest[..n]))
                })?;
                Tok::Number(v)
            } else if c == '#' {
                let hex = rest[1..]
                    .find(|ch: char| !ch.is_ascii_hexdigit())
                    .unwrap_or(rest.len() - 1);
                let attached = rest[1..]
                    .chars()
                    .next()
                    .is_some_and(|ch| ch.is_ascii_alphanumeric());
                if attached {
                    let digits = &rest[1..1 + hex];
                    let after = rest[1 + hex..].chars().next();
                    if hex == 0
                        || hex > 8
                        || after.is_some_and(|ch| ch.is_ascii_alphanumeric() || ch == '_')
                    {
                        let word_end = rest[1..]
                            .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
                            .map_or(rest.len(), |n| n + 1);
                        return Err(self.err(
                            start,
                            format!(
                                "invalid constructor id `{}`: expected 1 to 8 hex digits",
                                &rest[..word_end]
                            ),
                        ));
                    }
                    self.i += 1 + hex;
                    Tok::Id(u32::from_str_radix(digits, 16).map_err(|_| {
                        self.err(start, format!("invalid constructor id `#{digits}`"))
                    })?)
                } else {
                    self.i += 1;
                    Tok::Hash
                }
            } else {
                let t = match c {
                    ':' => Tok::Colon,
                    '?' => Tok::Question,
                    '.' => Tok::Dot,
                    '<' => Tok::Lt,
                    '>' => Tok::Gt,
                    '{' => Tok::LBrace,
                    '}' => Tok::RBrace,
                    '[' => Tok::LBracket,
                    ']' => Tok::RBracket,
                    '!' => Tok::Bang,
                    '%' => Tok::Percent,
                    '=' => Tok::Equals,
                    ';' => Tok::Semi,
                    '*' => Tok::Star,
                    ',' => Tok::Comma,
                    other => return Err(self.err(start, format!("unexpected character `{other}`"))),
                };
                self.i += c.len_utf8();
                t
            };
            out.push(Token {
                tok,
                pos,
                start,
                end: self.i,
            });
        }
        Ok((out, self.layer))
    }
}

struct Parser<'s> {
    src: &'s str,
    file: &'s str,
    toks: Vec<Token>,
    i: usize,
    eof: Pos,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.i).map(|t| &t.tok)
    }

    fn peek_at(&self, n: usize) -> Option<&Tok> {
        self.toks.get(self.i + n).map(|t| &t.tok)
    }

    fn pos(&self) -> Pos {
        self.toks.get(self.i).map_or(self.eof, |t| t.pos)
    }

    fn err(&self, message: String) -> ParseError {
        ParseError {
            file: self.file.to_owned(),
            pos: self.pos(),
            message,
        }
    }

    fn found(&self) -> String {
        match self.peek() {
            Some(t) => t.to_string(),
            None => "end of file".to_owned(),
        }
    }

    fn expect(&mut self, want: &Tok, what: &str) -> Result<(), ParseError> {
        if self.peek() == Some(want) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.err(format!("expected {want} {what}, found {}", self.found())))
        }
    }

    fn ident(&mut self, what: &str) -> Result<String, ParseError> {
        match self.peek() {
            Some(Tok::Ident(s)) => {
                let s = s.clone();
                self.i += 1;
                Ok(s)
            }
            _ => Err(self.err(format!("expected {what}, found {}", self.found()))),
        }
    }

    /// `a` or `ns.a`.
    fn qual_name(&mut self, what: &str) -> Result<QualName, ParseError> {
        let first = self.ident(what)?;
        if self.peek() == Some(&Tok::Dot) && matches!(self.peek_at(1), Some(Tok::Ident(_))) {
            self.i += 1;
            let second = self.ident(what)?;
            Ok(QualName {
                ns: Some(first),
                name: second,
            })
        } else {
            Ok(QualName {
                ns: None,
                name: first,
            })
        }
    }

    /// `T`, `%T`, `!X`, `ns.T`, `Vector<T>`.
    fn type_expr(&mut self) -> Result<TypeExpr, ParseError> {
        let bang = self.peek() == Some(&Tok::Bang);
        if bang {
            self.i += 1;
        }
        let percent = self.peek() == Some(&Tok::Percent);
        if percent {
            self.i += 1;
        }
        if !bang && !percent && self.peek() == Some(&Tok::Hash) {
            self.i += 1;
            return Ok(TypeExpr {
                name: QualName::parse("#"),
                percent,
                bang,
                args: Vec::new(),
            });
        }
        let name = self.qual_name("a type name")?;
        let mut args = Vec::new();
        if self.peek() == Some(&Tok::Lt) {
            self.i += 1;
            loop {
                args.push(self.type_expr()?);
                match self.peek() {
                    Some(Tok::Comma) => self.i += 1,
                    Some(Tok::Gt) => {
                        self.i += 1;
                        break;
                    }
                    _ => {
                        return Err(self.err(format!(
                            "expected `,` or `>` in type arguments, found {}",
                            self.found()
                        )))
                    }
                }
            }
        }
        Ok(TypeExpr {
            name,
            percent,
            bang,
            args,
        })
    }

    fn skip_to_semi(&mut self) -> Result<(), ParseError> {
        while let Some(t) = self.peek() {
            let semi = *t == Tok::Semi;
            self.i += 1;
            if semi {
                return Ok(());
            }
        }
        Err(self.err("expected `;` at the end of the declaration".into()))
    }

    fn text(&self, from: usize, to: usize) -> String {
        let start = self.toks[from].start;
        let end = self.toks[to.saturating_sub(1).max(from)].end;
        self.src[start..end]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn declaration(&mut self, section: Section, schema: &mut Schema) -> Result<(), ParseError> {
        let first = self.i;
        let pos = self.pos();
        let name = self.qual_name("a combinator name")?;
        let explicit_id = match self.peek() {
            Some(Tok::Id(id)) => {
                let id = *id;
                self.i += 1;
                Some(id)
            }
            _ => None,
        };

        // Pseudo-declarations of the built-in types use syntax no real combinator
        // uses (`?`, `[ ]`, `N*`, an anonymous `#`): keep them aside.
        let mut j = self.i;
        let mut pseudo = false;
        while let Some(t) = self.toks.get(j).map(|t| &t.tok) {
            match t {
                Tok::Semi => break,
                Tok::Question
                    if matches!(self.toks.get(j + 1).map(|t| &t.tok), Some(Tok::Equals)) =>
                {
                    pseudo = true
                }
                Tok::LBracket | Tok::Star => pseudo = true,
                // `flags:#` is a field; a `#` anywhere else is the nat of `vector`.
                Tok::Hash
                    if !matches!(
                        self.toks.get(j.wrapping_sub(1)).map(|t| &t.tok),
                        Some(Tok::Colon)
                    ) =>
                {
                    pseudo = true
                }
                Tok::Section(_) => break,
                _ => {}
            }
            j += 1;
        }
        if pseudo {
            self.skip_to_semi()?;
            let text = self.text(first, self.i);
            schema.builtins.push(Builtin {
                name,
                explicit_id,
                pos,
                text,
            });
            return Ok(());
        }

        let mut generics = Vec::new();
        let mut params: Vec<Param> = Vec::new();
        loop {
            match self.peek() {
                Some(Tok::Equals) => {
                    self.i += 1;
                    break;
                }
                Some(Tok::LBrace) => {
                    self.i += 1;
                    let gname = self.ident("a type parameter name")?;
                    self.expect(&Tok::Colon, "after the type parameter name")?;
                    let kind = self.ident("a type parameter kind")?;
                    self.expect(&Tok::RBrace, "to close the type parameter")?;
                    generics.push(Generic { name: gname, kind });
                }
                Some(Tok::Ident(_)) => {
                    let ppos = self.pos();
                    let pname = self.ident("a parameter name")?;
                    self.expect(&Tok::Colon, &format!("after parameter name `{pname}`"))?;
                    let kind = if self.peek() == Some(&Tok::Hash) {
                        self.i += 1;
                        ParamKind::Flags
                    } else if matches!(self.peek(), Some(Tok::Ident(_)))
                        && self.peek_at(1) == Some(&Tok::Dot)
                        && matches!(self.peek_at(2), Some(Tok::Number(_)))
                    {
                        let flags = self.ident("a flags field name")?;
                        self.i += 1;
                        let bit = match self.peek() {
                            Some(Tok::Number(n)) if *n < 32 => *n as u8,
                            _ => {
                                return Err(self.err(format!(
                                    "flag bit must be 0 to 31, found {}",
                                    self.found()
                                )))
                            }
                        };
                        self.i += 1;
                        self.expect(&Tok::Question, "after the flag bit")?;
                        let ty = self.type_expr()?;
                        if !params
                            .iter()
                            .any(|p| p.name == flags && p.kind == ParamKind::Flags)
                        {
                            return Err(ParseError {
                                file: self.file.to_owned(),
                                pos: ppos,
                                message: format!(
                                    "parameter `{pname}` uses `{flags}.{bit}` but no `{flags}:#` comes before it"
                                ),
                            });
                        }
                        ParamKind::Conditional { flags, bit, ty }
                    } else {
                        ParamKind::Plain(self.type_expr()?)
                    };
                    params.push(Param {
                        name: pname,
                        kind,
                        pos: ppos,
                    });
                }
                _ => {
                    return Err(self.err(format!(
                        "expected a parameter or `=` in `{name}`, found {}",
                        self.found()
                    )))
                }
            }
        }
        let result = self.type_expr()?;
        // `= Vector t` style arguments only occur in pseudo-declarations.
        if self.peek() != Some(&Tok::Semi) {
            return Err(self.err(format!(
                "expected `;` after the result type of `{name}`, found {}",
                self.found()
            )));
        }
        self.i += 1;
        let text = self.text(first, self.i);
        schema.definitions.push(Definition {
            name,
            explicit_id,
            generics,
            params,
            result,
            section,
            pos,
            text,
        });
        Ok(())
    }
}

/// Parses schema text. `file` names the source in errors and generated docs.
///
/// ```
/// let s = zerotl_codegen::parse(
///     "inputPeerChat#179be863 chat_id:int = InputPeer;\n---functions---\n\
///      messages.exportChatInvite#df7534c peer:InputPeer = ExportedChatInvite;",
///     "seed.tl",
/// )
/// .unwrap();
/// assert_eq!(s.definitions.len(), 2);
/// assert_eq!(s.definitions[1].explicit_id, Some(0x0df7534c));
/// ```
pub fn parse(src: &str, file: &str) -> Result<Schema, ParseError> {
    let lexer = Lexer {
        src,
        file,
        i: 0,
        line: 1,
        line_start: 0,
        layer: None,
    };
    let eof = {
        let line = src.lines().count().max(1);
        let col = src.lines().last().map_or(0, |l| l.chars().count()) + 1;
        Pos { line, col }
    };
    let (toks, layer) = lexer.tokens()?;
    let mut p = Parser {
        src,
        file,
        toks,
        i: 0,
        eof,
    };
    let mut schema = Schema {
        file: file.to_owned(),
        layer,
        ..Schema::default()
    };
    let mut section = Section::Types;
    while let Some(t) = p.peek() {
        if let Tok::Section(s) = t {
            section = *s;
            p.i += 1;
        } else {
            p.declaration(section, &mut schema)?;
        }
    }
    Ok(schema)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(src: &str) -> Definition {
        let s = parse(src, "t.tl").unwrap();
        assert_eq!(s.definitions.len(), 1, "{s:?}");
        s.definitions.into_iter().next().unwrap()
    }

    #[test]
    fn flags_and_namespaces() {
        let d =
            one("messages.chatInviteImporters#81b6b00a count:int = messages.ChatInviteImporters;");
        assert_eq!(d.name, QualName::parse("messages.chatInviteImporters"));
        assert_eq!(d.explicit_id, Some(0x81b6b00a));
        let s = parse(
            "x#1 flags:# flags2:# a:flags.3?true b:flags2.0?Vector<long> = ns.T;",
            "t",
        )
        .unwrap();
        let d = &s.definitions[0];
        assert_eq!(d.name, QualName::parse("x"));
        assert_eq!(d.params.len(), 4);
        assert_eq!(
            d.params[3].kind,
            ParamKind::Conditional {
                flags: "flags2".into(),
                bit: 0,
                ty: TypeExpr {
                    name: QualName::parse("Vector"),
                    percent: false,
                    bang: false,
                    args: vec![TypeExpr {
                        name: QualName::parse("long"),
                        percent: false,
                        bang: false,
                        args: vec![]
                    }]
                }
            }
        );
        assert_eq!(d.result.name, QualName::parse("ns.T"));
    }

    #[test]
    fn generics_and_sections() {
        let s = parse(
            "// LAYER 122\nboolTrue#997275b5 = Bool;\n---functions---\ninvokeWithLayer#da9b0d0d {X:Type} layer:int query:!X = X;\n",
            "t",
        )
        .unwrap();
        assert_eq!(s.layer, Some(122));
        let d = &s.definitions[1];
        assert_eq!(d.section, Section::Functions);
        assert_eq!(
            d.generics,
            vec![Generic {
                name: "X".into(),
                kind: "Type".into()
            }]
        );
        assert!(matches!(&d.params[1].kind, ParamKind::Plain(t) if t.bang));
    }

    #[test]
    fn pseudo_declarations_are_builtins() {
        let s = parse(
            "int ? = Int;\nint128 4*[ int ] = Int128;\nvector#1cb5c415 {t:Type} # [ t ] = Vector t;\nvector {t:Type} # [ t ] = Vector t;\n",
            "t",
        )
        .unwrap();
        assert!(s.definitions.is_empty());
        assert_eq!(s.builtins.len(), 4);
        assert_eq!(s.builtins[2].explicit_id, Some(0x1cb5c415));
    }

    #[test]
    fn errors_have_line_and_column() {
        let e = parse("a#1 = A;\nb#2 x int = B;\n", "bad.tl").unwrap_err();
        assert_eq!(e.pos, Pos { line: 2, col: 7 });
        assert_eq!(
            e.to_string(),
            "bad.tl:2:7: expected `:` after parameter name `x`, found `int`"
        );
        let e = parse("a#zz = A;", "bad.tl").unwrap_err();
        assert_eq!(e.pos, Pos { line: 1, col: 2 });
        let e = parse("a#1 x:flags.0?int = A;", "bad.tl").unwrap_err();
        assert!(e.message.contains("no `flags:#`"), "{e}");
        let e = parse("a#1 x:int = A", "bad.tl").unwrap_err();
        assert!(e.message.contains("expected `;`"), "{e}");
        let e = parse("a#1 x:int = A;\n---nope---\n", "bad.tl").unwrap_err();
        assert_eq!(e.pos.line, 2);
        let e = parse("a#1 x:Vector<int = A;", "bad.tl").unwrap_err();
        assert!(e.message.contains("`>`"), "{e}");
    }
}
