//! From parsed definitions to a resolved model: every type reference bound to a
//! built-in, a boxed type or a bare constructor; which types borrow (need `'a`);
//! which fields close a cycle (and so are held as `zerotl::Lazy`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use crate::ast::{Definition, ParamKind, Pos, QualName, Schema, Section, TypeExpr};
use crate::crc::effective_id;
use crate::names;

/// A semantic error in a schema (an unknown type, a misuse of `true`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    /// The schema file.
    pub file: String,
    /// Where the offending item starts.
    pub pos: Pos,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.pos, self.message)
    }
}

impl std::error::Error for SchemaError {}

/// A resolved field type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
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
    /// The `Object` pseudotype.
    Object,
    /// `!X`, a type parameter.
    Generic(String),
    /// `Vector<T>` (boxed) or `vector<T>` (bare).
    Vector {
        /// Whether the vector carries its id.
        boxed: bool,
        /// The element type.
        elem: Box<Ty>,
    },
    /// A boxed type (index into [`Model::types`]).
    Enum(usize),
    /// A bare constructor (index into [`Model::ctors`]).
    Bare(usize),
}

impl Ty {
    /// Fixed-size scalars: any bytes of the right length are a valid value.
    pub fn fixed_size(&self) -> Option<usize> {
        match self {
            Ty::Int => Some(4),
            Ty::Long | Ty::Double => Some(8),
            Ty::Int128 => Some(16),
            Ty::Int256 => Some(32),
            _ => None,
        }
    }
}

/// A resolved field.
#[derive(Debug, Clone)]
pub struct Field {
    /// The schema name.
    pub name: String,
    /// The Rust name.
    pub ident: String,
    /// What the field is.
    pub kind: FieldKind,
    /// Where it is declared.
    pub pos: Pos,
    /// The schema spelling of its type.
    pub tl_type: String,
}

/// The kinds of [`Field`].
#[derive(Debug, Clone)]
pub enum FieldKind {
    /// A `#` flags word, computed on encode.
    Flags {
        /// Mask of the bits its conditional fields use.
        known: u32,
    },
    /// An always-present field.
    Plain {
        /// Its type.
        ty: Ty,
        /// Held as `zerotl::Lazy` because it closes a type cycle.
        lazy: bool,
    },
    /// A field present when bit `bit` of flags field `flags` (an index into the
    /// combinator's fields) is set.
    Conditional {
        /// Index of the flags field.
        flags: usize,
        /// The bit.
        bit: u8,
        /// Its type (`Ty::True` for `flags.N?true`).
        ty: Ty,
        /// Held as `zerotl::Lazy`.
        lazy: bool,
    },
    /// `bytes:int` in front of a `body:Object`: the object's size, computed on encode.
    ObjectSize,
}

/// A constructor or function.
#[derive(Debug, Clone)]
pub struct Combinator {
    /// The schema name.
    pub name: QualName,
    /// The Rust struct name (PascalCase, no namespace).
    pub rust_name: String,
    /// The id used on the wire.
    pub id: u32,
    /// Fields in wire order.
    pub fields: Vec<Field>,
    /// Type parameters (`X`).
    pub generics: Vec<String>,
    /// For constructors: index of the boxed type. For functions: unused.
    pub type_index: usize,
    /// For functions: the return type.
    pub returns: Option<Ty>,
    /// The source definition.
    pub def: Definition,
    /// The schema file the definition is in.
    pub file: String,
    /// Whether the Rust struct needs a `'a` lifetime.
    pub borrows: bool,
    /// The enum variant name (constructors only).
    pub variant: String,
    /// Whether the constructor can contain itself (directly, through other types or
    /// through vector elements): only such constructors count toward the decoder's
    /// depth limit, since every unbounded nesting passes through one of them.
    pub recursive: bool,
}

/// A boxed type (an enum of its constructors).
#[derive(Debug, Clone)]
pub struct BoxedType {
    /// The schema name (`InputPeer`, `messages.ExportedChatInvites`).
    pub name: QualName,
    /// The Rust enum name.
    pub rust_name: String,
    /// Indices into [`Model::ctors`], in schema order.
    pub ctors: Vec<usize>,
    /// Whether the enum needs a `'a` lifetime.
    pub borrows: bool,
}

/// The resolved schema a generator emits from.
#[derive(Debug, Clone)]
pub struct Model {
    /// The schema file name (for docs).
    pub file: String,
    /// `// LAYER N`, if present.
    pub layer: Option<u32>,
    /// Constructors.
    pub ctors: Vec<Combinator>,
    /// Functions.
    pub functions: Vec<Combinator>,
    /// Boxed types.
    pub types: Vec<BoxedType>,
}

/// Names the generator maps to built-ins rather than to generated code.
const BUILTIN_CTORS: &[&str] = &["boolFalse", "boolTrue", "true", "vector"];

impl Model {
    /// Resolves `schemas` (read together, as one namespace) into a model.
    pub fn build(schemas: &[&Schema]) -> Result<Model, SchemaError> {
        let file = schemas
            .iter()
            .map(|s| s.file.as_str())
            .collect::<Vec<_>>()
            .join(" + ");
        let layer = schemas.iter().find_map(|s| s.layer);
        let mut b = Builder::default();
        for s in schemas {
            for d in &s.definitions {
                b.declare(d, &s.file)?;
            }
        }
        for s in schemas {
            for d in &s.definitions {
                b.resolve(d, &s.file)?;
            }
        }
        let mut m = Model {
            file,
            layer,
            ctors: b.ctors,
            functions: b.functions,
            types: b.types,
        };
        m.name_variants();
        m.mark_lazy();
        m.mark_recursive();
        m.mark_borrows();
        m.check_unique_names()?;
        Ok(m)
    }

    fn name_variants(&mut self) {
        for t in &self.types {
            let mut names: Vec<String> = t
                .ctors
                .iter()
                .map(|&c| names::variant_name(&self.ctors[c].name.name, &t.name.name))
                .collect();
            // Collisions fall back to the full constructor name.
            let dup: BTreeSet<String> = names
                .iter()
                .filter(|n| names.iter().filter(|m| m == n).count() > 1)
                .cloned()
                .collect();
            for (i, &c) in t.ctors.iter().enumerate() {
                if dup.contains(&names[i]) {
                    names[i] = self.ctors[c].rust_name.clone();
                }
            }
            for (i, &c) in t.ctors.iter().enumerate() {
                self.ctors[c].variant = names[i].clone();
            }
        }
    }

    /// Node ids: types are `0..T`, constructors `T..T+C`. With `through_vectors`,
    /// a vector field also links to its element type.
    fn edges(&self, through_vectors: bool) -> Vec<Vec<usize>> {
        let nt = self.types.len();
        let mut g = vec![Vec::new(); nt + self.ctors.len()];
        for (i, t) in self.types.iter().enumerate() {
            g[i] = t.ctors.iter().map(|&c| nt + c).collect();
        }
        for (c, ctor) in self.ctors.iter().enumerate() {
            for f in &ctor.fields {
                let ty = match &f.kind {
                    FieldKind::Plain { ty, .. } | FieldKind::Conditional { ty, .. } => ty,
                    _ => continue,
                };
                let mut ty = ty;
                while let (Ty::Vector { elem, .. }, true) = (ty, through_vectors) {
                    ty = elem;
                }
                match ty {
                    Ty::Enum(t) => g[nt + c].push(*t),
                    Ty::Bare(d) => g[nt + c].push(nt + d),
                    _ => {}
                }
            }
        }
        g
    }

    fn mark_lazy(&mut self) {
        let nt = self.types.len();
        let comp = tarjan(&self.edges(false));
        for c in 0..self.ctors.len() {
            let mine = comp[nt + c];
            for f in &mut self.ctors[c].fields {
                if let FieldKind::Plain { ty, lazy } | FieldKind::Conditional { ty, lazy, .. } =
                    &mut f.kind
                {
                    let target = match ty {
                        Ty::Enum(t) => Some(*t),
                        Ty::Bare(d) => Some(nt + *d),
                        _ => None,
                    };
                    *lazy = target.is_some_and(|t| comp[t] == mine);
                }
            }
        }
        // Functions are never referenced by fields, so they close no cycle.
    }

    fn mark_recursive(&mut self) {
        let nt = self.types.len();
        let g = self.edges(true);
        let comp = tarjan(&g);
        let mut size = vec![0usize; g.len()];
        for &c in &comp {
            size[c] += 1;
        }
        for c in 0..self.ctors.len() {
            let node = nt + c;
            let self_loop = g[node].contains(&node);
            self.ctors[c].recursive = size[comp[node]] > 1 || self_loop;
        }
    }

    fn field_borrows(&self, ty: &Ty, lazy: bool, ctor_b: &[bool], type_b: &[bool]) -> bool {
        lazy || match ty {
            Ty::String | Ty::Bytes | Ty::Object | Ty::Vector { .. } => true,
            Ty::Enum(t) => type_b[*t],
            Ty::Bare(c) => ctor_b[*c],
            _ => false,
        }
    }

    fn mark_borrows(&mut self) {
        let mut ctor_b = vec![false; self.ctors.len()];
        let mut type_b = vec![false; self.types.len()];
        loop {
            let mut changed = false;
            for c in 0..self.ctors.len() {
                let b = self.ctors[c].fields.iter().any(|f| match &f.kind {
                    FieldKind::Plain { ty, lazy } | FieldKind::Conditional { ty, lazy, .. } => {
                        self.field_borrows(ty, *lazy, &ctor_b, &type_b)
                    }
                    _ => false,
                });
                if b && !ctor_b[c] {
                    ctor_b[c] = true;
                    changed = true;
                }
            }
            for (t, ty) in self.types.iter().enumerate() {
                let b = ty.ctors.iter().any(|&c| ctor_b[c]);
                if b && !type_b[t] {
                    type_b[t] = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        for f in 0..self.functions.len() {
            let b = self.functions[f].fields.iter().any(|fl| match &fl.kind {
                FieldKind::Plain { ty, lazy } | FieldKind::Conditional { ty, lazy, .. } => {
                    self.field_borrows(ty, *lazy, &ctor_b, &type_b)
                }
                _ => false,
            });
            self.functions[f].borrows = b;
        }
        for (c, b) in ctor_b.into_iter().enumerate() {
            self.ctors[c].borrows = b;
        }
        for (t, b) in type_b.into_iter().enumerate() {
            self.types[t].borrows = b;
        }
    }

    fn check_unique_names(&self) -> Result<(), SchemaError> {
        let mut seen: HashMap<(Option<String>, String, &str), &Combinator> = HashMap::new();
        for (kind, list) in [("types", &self.ctors), ("functions", &self.functions)] {
            for c in list.iter() {
                let key = (c.name.ns.clone(), c.rust_name.clone(), kind);
                if let Some(prev) = seen.insert(key, c) {
                    return Err(SchemaError {
                        file: self.file.clone(),
                        pos: c.def.pos,
                        message: format!(
                            "`{}` and `{}` (line {}) both become Rust item `{}`",
                            c.name, prev.name, prev.def.pos.line, c.rust_name
                        ),
                    });
                }
            }
        }
        Ok(())
    }

    /// The fewest bytes the bare body of constructor `c` can take.
    pub fn min_bare_size(&self, c: &Combinator) -> usize {
        self.min_fields(c, &mut BTreeSet::new())
    }

    fn min_fields(&self, c: &Combinator, seen: &mut BTreeSet<u32>) -> usize {
        if !seen.insert(c.id) {
            return 0;
        }
        let n = c
            .fields
            .iter()
            .map(|f| match &f.kind {
                FieldKind::Flags { .. } | FieldKind::ObjectSize => 4,
                FieldKind::Plain { ty, .. } => self.min_ty(ty, seen),
                FieldKind::Conditional { .. } => 0,
            })
            .sum();
        seen.remove(&c.id);
        n
    }

    fn min_ty(&self, ty: &Ty, seen: &mut BTreeSet<u32>) -> usize {
        match ty {
            Ty::Int | Ty::String | Ty::Bytes | Ty::Bool | Ty::Object | Ty::Enum(_) => 4,
            Ty::Long | Ty::Double => 8,
            Ty::Int128 => 16,
            Ty::Int256 => 32,
            Ty::True | Ty::Generic(_) => 0,
            Ty::Vector { boxed, .. } => {
                if *boxed {
                    8
                } else {
                    4
                }
            }
            Ty::Bare(c) => self.min_fields(&self.ctors[*c], seen),
        }
    }

    /// `Some(n)` when the bare body of `c` is `n` bytes of fixed-size scalars.
    pub fn fixed_bare_size(&self, c: &Combinator) -> Option<usize> {
        c.fields
            .iter()
            .map(|f| match &f.kind {
                FieldKind::Plain { ty, .. } => ty.fixed_size(),
                _ => None,
            })
            .sum()
    }

    /// The boxed types whose definitions `roots` (type or constructor/function names)
    /// reach, including themselves.
    pub fn closure(&self, roots: &[String]) -> (BTreeSet<usize>, BTreeSet<usize>) {
        let mut types = BTreeSet::new();
        let mut funcs = BTreeSet::new();
        let mut stack: Vec<usize> = Vec::new();
        for r in roots {
            if let Some(t) = self.types.iter().position(|t| t.name.to_string() == *r) {
                stack.push(t);
            }
            if let Some(f) = self.functions.iter().position(|f| f.name.to_string() == *r) {
                funcs.insert(f);
                for fl in &self.functions[f].fields {
                    if let FieldKind::Plain { ty, .. } | FieldKind::Conditional { ty, .. } =
                        &fl.kind
                    {
                        collect_types(ty, self, &mut stack);
                    }
                }
                if let Some(ty) = &self.functions[f].returns {
                    collect_types(ty, self, &mut stack);
                }
            }
        }
        while let Some(t) = stack.pop() {
            if !types.insert(t) {
                continue;
            }
            for &c in &self.types[t].ctors {
                for fl in &self.ctors[c].fields {
                    if let FieldKind::Plain { ty, .. } | FieldKind::Conditional { ty, .. } =
                        &fl.kind
                    {
                        collect_types(ty, self, &mut stack);
                    }
                }
            }
        }
        (types, funcs)
    }
}

fn collect_types(ty: &Ty, m: &Model, out: &mut Vec<usize>) {
    match ty {
        Ty::Enum(t) => out.push(*t),
        Ty::Bare(c) => out.push(m.ctors[*c].type_index),
        Ty::Vector { elem, .. } => collect_types(elem, m, out),
        _ => {}
    }
}

/// Strongly connected components; returns each node's component number.
fn tarjan(g: &[Vec<usize>]) -> Vec<usize> {
    let n = g.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on = vec![false; n];
    let mut comp = vec![usize::MAX; n];
    let mut stack = Vec::new();
    let mut next = 0;
    let mut ncomp = 0;
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        // Iterative DFS: (node, next edge).
        let mut work = vec![(root, 0usize)];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on[root] = true;
        while let Some(&mut (v, ref mut ei)) = work.last_mut() {
            if let Some(&w) = g[v].get(*ei) {
                *ei += 1;
                if index[w] == usize::MAX {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on[w] = true;
                    work.push((w, 0));
                } else if on[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                work.pop();
                if let Some(&(p, _)) = work.last() {
                    low[p] = low[p].min(low[v]);
                }
                if low[v] == index[v] {
                    while let Some(w) = stack.pop() {
                        on[w] = false;
                        comp[w] = ncomp;
                        if w == v {
                            break;
                        }
                    }
                    ncomp += 1;
                }
            }
        }
    }
    comp
}

#[derive(Default)]
struct Builder {
    ctors: Vec<Combinator>,
    functions: Vec<Combinator>,
    types: Vec<BoxedType>,
    type_index: BTreeMap<QualName, usize>,
    ctor_index: BTreeMap<QualName, usize>,
}

impl Builder {
    fn err(file: &str, pos: Pos, message: String) -> SchemaError {
        SchemaError {
            file: file.to_owned(),
            pos,
            message,
        }
    }

    fn skip(d: &Definition) -> bool {
        d.section == Section::Types
            && d.name.ns.is_none()
            && BUILTIN_CTORS.contains(&d.name.name.as_str())
    }

    fn blank(d: &Definition, file: &str) -> Combinator {
        Combinator {
            name: d.name.clone(),
            rust_name: names::pascal(&d.name.name),
            id: effective_id(d),
            fields: Vec::new(),
            generics: d.generics.iter().map(|g| g.name.clone()).collect(),
            type_index: usize::MAX,
            returns: None,
            def: d.clone(),
            file: file.to_owned(),
            borrows: false,
            variant: String::new(),
            recursive: false,
        }
    }

    fn declare(&mut self, d: &Definition, file: &str) -> Result<(), SchemaError> {
        if Self::skip(d) {
            return Ok(());
        }
        match d.section {
            Section::Types => {
                if !d.generics.is_empty() {
                    return Err(Self::err(
                        file,
                        d.pos,
                        format!(
                            "constructor `{}` has type parameters, which only functions may have",
                            d.name
                        ),
                    ));
                }
                if !d.result.args.is_empty() || d.result.percent || d.result.bang {
                    return Err(Self::err(
                        file,
                        d.pos,
                        format!(
                            "constructor `{}` has an unsupported result type `{}`",
                            d.name, d.result
                        ),
                    ));
                }
                if self.ctor_index.contains_key(&d.name) {
                    return Err(Self::err(
                        file,
                        d.pos,
                        format!("constructor `{}` is defined twice", d.name),
                    ));
                }
                let t = match self.type_index.get(&d.result.name) {
                    Some(&t) => t,
                    None => {
                        let t = self.types.len();
                        self.types.push(BoxedType {
                            name: d.result.name.clone(),
                            rust_name: names::pascal(&d.result.name.name),
                            ctors: Vec::new(),
                            borrows: false,
                        });
                        self.type_index.insert(d.result.name.clone(), t);
                        t
                    }
                };
                let c = self.ctors.len();
                let mut comb = Self::blank(d, file);
                comb.type_index = t;
                self.ctors.push(comb);
                self.types[t].ctors.push(c);
                self.ctor_index.insert(d.name.clone(), c);
            }
            Section::Functions => {
                if self.functions.iter().any(|f| f.name == d.name) {
                    return Err(Self::err(
                        file,
                        d.pos,
                        format!("function `{}` is defined twice", d.name),
                    ));
                }
                self.functions.push(Self::blank(d, file));
            }
        }
        Ok(())
    }

    fn resolve_type(
        &self,
        t: &TypeExpr,
        generics: &[String],
        file: &str,
        pos: Pos,
    ) -> Result<Ty, SchemaError> {
        let err = |m: String| Self::err(file, pos, m);
        let plain = t.name.ns.is_none();
        let n = t.name.name.as_str();
        if t.bang {
            return if plain && generics.iter().any(|g| g == n) {
                Ok(Ty::Generic(n.to_owned()))
            } else {
                Err(err(format!(
                    "`!{}` is not a type parameter of this function",
                    t.name
                )))
            };
        }
        if plain && (n == "Vector" || n == "vector") {
            let [elem] = t.args.as_slice() else {
                return Err(err(format!("`{t}` needs exactly one type argument")));
            };
            let elem = self.resolve_type(elem, generics, file, pos)?;
            if matches!(elem, Ty::True | Ty::Generic(_)) {
                return Err(err(format!("`{t}` is not a supported element type")));
            }
            return Ok(Ty::Vector {
                boxed: n == "Vector" && !t.percent,
                elem: Box::new(elem),
            });
        }
        if !t.args.is_empty() {
            return Err(err(format!("type `{t}` takes no type arguments")));
        }
        if plain {
            let prim = match n {
                "int" => Some(Ty::Int),
                "long" => Some(Ty::Long),
                "double" => Some(Ty::Double),
                "int128" => Some(Ty::Int128),
                "int256" => Some(Ty::Int256),
                "string" => Some(Ty::String),
                "bytes" => Some(Ty::Bytes),
                "Bool" => Some(Ty::Bool),
                "true" => Some(Ty::True),
                "Object" => Some(Ty::Object),
                _ => None,
            };
            if let Some(p) = prim {
                return Ok(p);
            }
            if generics.iter().any(|g| g == n) {
                return Err(err(format!("type parameter `{n}` must be used as `!{n}`")));
            }
        }
        if t.percent {
            let Some(&ti) = self.type_index.get(&t.name) else {
                return Err(err(format!("unknown type `{}`", t.name)));
            };
            return match self.types[ti].ctors.as_slice() {
                [c] => Ok(Ty::Bare(*c)),
                _ => Err(err(format!(
                    "`%{}` is bare but the type has {} constructors",
                    t.name,
                    self.types[ti].ctors.len()
                ))),
            };
        }
        if n.starts_with(|c: char| c.is_ascii_lowercase()) {
            return match self.ctor_index.get(&t.name) {
                Some(&c) => Ok(Ty::Bare(c)),
                None => Err(err(format!(
                    "unknown bare type `{}` (no constructor has this name)",
                    t.name
                ))),
            };
        }
        match self.type_index.get(&t.name) {
            Some(&ti) => Ok(Ty::Enum(ti)),
            None => Err(err(format!("unknown type `{}`", t.name))),
        }
    }

    fn resolve(&mut self, d: &Definition, file: &str) -> Result<(), SchemaError> {
        if Self::skip(d) {
            return Ok(());
        }
        let generics: Vec<String> = d.generics.iter().map(|g| g.name.clone()).collect();
        let mut fields: Vec<Field> = Vec::new();
        for (i, p) in d.params.iter().enumerate() {
            if fields
                .iter()
                .any(|f| f.name == p.name || f.ident == names::field_ident(&p.name))
            {
                return Err(Self::err(
                    file,
                    p.pos,
                    format!("field `{}` appears twice in `{}`", p.name, d.name),
                ));
            }
            let kind = match &p.kind {
                ParamKind::Flags => FieldKind::Flags { known: 0 },
                ParamKind::Plain(t) => {
                    let ty = self.resolve_type(t, &generics, file, p.pos)?;
                    if ty == Ty::True {
                        return Err(Self::err(
                            file,
                            p.pos,
                            format!(
                                "field `{}` has type `true`, which is only valid under a flag",
                                p.name
                            ),
                        ));
                    }
                    let sized_object = p.name == "bytes"
                        && ty == Ty::Int
                        && matches!(d.params.get(i + 1).map(|n| &n.kind), Some(ParamKind::Plain(t)) if t.name.ns.is_none() && t.name.name == "Object" && !t.bang);
                    if sized_object {
                        FieldKind::ObjectSize
                    } else {
                        if ty == Ty::Object
                            && i + 1 != d.params.len()
                            && !matches!(
                                fields.last().map(|f| &f.kind),
                                Some(FieldKind::ObjectSize)
                            )
                        {
                            return Err(Self::err(
                                file,
                                p.pos,
                                format!(
                                    "`{}:Object` must be the last field or follow `bytes:int`",
                                    p.name
                                ),
                            ));
                        }
                        if matches!(ty, Ty::Generic(_)) && i + 1 != d.params.len() {
                            return Err(Self::err(
                                file,
                                p.pos,
                                format!("`{}:{}` must be the last field", p.name, t),
                            ));
                        }
                        FieldKind::Plain { ty, lazy: false }
                    }
                }
                ParamKind::Conditional { flags, bit, ty } => {
                    let fi = fields
                        .iter()
                        .position(|f| f.name == *flags && matches!(f.kind, FieldKind::Flags { .. }))
                        .ok_or_else(|| {
                            Self::err(
                                file,
                                p.pos,
                                format!("`{flags}` is not a flags field before `{}`", p.name),
                            )
                        })?;
                    if let FieldKind::Flags { known } = &mut fields[fi].kind {
                        *known |= 1 << bit;
                    }
                    let ty = self.resolve_type(ty, &generics, file, p.pos)?;
                    if matches!(ty, Ty::Object | Ty::Generic(_)) {
                        return Err(Self::err(
                            file,
                            p.pos,
                            format!("conditional field `{}` cannot be `{ty:?}`", p.name),
                        ));
                    }
                    FieldKind::Conditional {
                        flags: fi,
                        bit: *bit,
                        ty,
                        lazy: false,
                    }
                }
            };
            let tl_type = match &p.kind {
                ParamKind::Flags => "#".to_owned(),
                ParamKind::Plain(t) => t.to_string(),
                ParamKind::Conditional { flags, bit, ty } => format!("{flags}.{bit}?{ty}"),
            };
            fields.push(Field {
                name: p.name.clone(),
                ident: names::field_ident(&p.name),
                kind,
                pos: p.pos,
                tl_type,
            });
        }
        match d.section {
            Section::Types => {
                let c = self.ctor_index[&d.name];
                self.ctors[c].fields = fields;
            }
            Section::Functions => {
                let r = &d.result;
                let returns = if r.name.ns.is_none()
                    && r.args.is_empty()
                    && generics.contains(&r.name.name)
                {
                    Ty::Generic(r.name.name.clone())
                } else {
                    self.resolve_type(r, &generics, file, d.pos)?
                };
                if returns == Ty::True || returns == Ty::Object {
                    return Err(Self::err(
                        file,
                        d.pos,
                        format!(
                            "function `{}` returns `{}`, which cannot be decoded",
                            d.name, d.result
                        ),
                    ));
                }
                let f = self
                    .functions
                    .iter()
                    .position(|f| f.name == d.name)
                    .unwrap_or_default();
                self.functions[f].fields = fields;
                self.functions[f].returns = Some(returns);
            }
        }
        Ok(())
    }
}
