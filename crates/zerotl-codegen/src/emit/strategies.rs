//! Emission of proptest strategies for chosen roots and what they reach.
//!
//! Values are `'static`: strings, bytes, vectors and recursive fields are leaked
//! (these strategies are for tests). A type that contains itself gets a
//! `prop_recursive` strategy whose leaves are its non-recursive constructors.

use super::{Ctx, Out, HEADER};
use crate::analysis::{Combinator, FieldKind, Ty};
use crate::names;

fn snake_of(name: &crate::ast::QualName) -> String {
    match &name.ns {
        Some(ns) => format!("{}_{}", names::snake(ns), names::snake(&name.name)),
        None => names::snake(&name.name),
    }
}

pub(super) fn file(cx: &Ctx<'_>) -> String {
    let m = cx.m;
    let (_, roots) = cx.cfg.strategies.as_ref().expect("strategies configured");
    let (types, funcs) = m.closure(roots);
    let mut o = Out::new();
    o.raw(HEADER);
    o.line(&format!(
        "// proptest strategies for {} (feature `proptest`), for",
        cx.cfg.title
    ));
    o.line(&format!(
        "// {} and every type they reach.",
        roots
            .iter()
            .map(|r| format!("`{r}`"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    o.line("");
    o.line("use proptest::prelude::*;");
    o.line("#[allow(unused_imports)]");
    o.line(&format!("use {}::{{enums, functions, types}};", cx.root()));
    o.line("#[allow(unused_imports)]");
    o.line("use crate::testing::{leak, leak_bytes, leak_slice, leak_str};");
    o.line("");
    o.line("/// Strategies for boxed types.");
    o.line("pub mod enums_ {");
    o.line("use super::*;");
    for &t in &types {
        let ty = &m.types[t];
        let lt = if ty.borrows { "<'static>" } else { "" };
        let rec: Vec<usize> = ty
            .ctors
            .iter()
            .copied()
            .filter(|&c| self_recursive(cx, c))
            .collect();
        o.line("");
        o.line(&format!("/// Any `{}`.", ty.name));
        o.line(&format!(
            "pub fn {}() -> BoxedStrategy<{}{lt}> {{",
            snake_of(&ty.name),
            cx.type_path(t)
        ));
        let leaves: Vec<String> = ty
            .ctors
            .iter()
            .filter(|c| !rec.contains(c))
            .map(|&c| variant_strategy(cx, c, None))
            .collect();
        if rec.is_empty() {
            o.line(&one_of(&leaves));
        } else {
            let branches: Vec<String> = rec
                .iter()
                .map(|&c| variant_strategy(cx, c, Some("inner.clone()")))
                .collect();
            o.line(&format!("let leaf = {};", one_of(&leaves)));
            o.line(&format!(
                "leaf.prop_recursive(4, 16, 2, |inner| {}).boxed()",
                one_of(&branches)
            ));
        }
        o.line("}");
    }
    o.line("}");
    o.line("");
    o.line("/// Strategies for constructors.");
    o.line("pub mod types_ {");
    o.line("use super::*;");
    for &t in &types {
        for &c in &m.types[t].ctors {
            let ctor = &m.ctors[c];
            let lt = if ctor.borrows { "<'static>" } else { "" };
            let tl = if m.types[t].borrows { "<'static>" } else { "" };
            let rec = self_recursive(cx, c);
            o.line("");
            o.line(&format!("/// Any `{}`.", ctor.name));
            let param = if rec {
                format!("rec: BoxedStrategy<{}{tl}>", cx.type_path(t))
            } else {
                String::new()
            };
            o.line(&format!(
                "pub fn {}({param}) -> BoxedStrategy<{}{lt}> {{",
                snake_of(&ctor.name),
                cx.ctor_path(ctor)
            ));
            o.line(&build(cx, ctor, &cx.ctor_path(ctor)));
            o.line("}");
        }
    }
    o.line("}");
    o.line("");
    o.line("/// Strategies for functions.");
    o.line("pub mod functions_ {");
    o.line("use super::*;");
    for &f in &funcs {
        let c = &m.functions[f];
        let lt = if c.borrows { "<'static>" } else { "" };
        o.line("");
        o.line(&format!("/// Any `{}`.", c.name));
        o.line(&format!(
            "pub fn {}() -> BoxedStrategy<{}{lt}> {{",
            snake_of(&c.name),
            cx.fn_path(c)
        ));
        o.line(&build(cx, c, &cx.fn_path(c)));
        o.line("}");
    }
    o.line("}");
    o.finish()
}

/// Whether constructor `c` has a lazy field of its own boxed type.
fn self_recursive(cx: &Ctx<'_>, c: usize) -> bool {
    let ctor = &cx.m.ctors[c];
    ctor.fields.iter().any(|f| match &f.kind {
        FieldKind::Plain {
            ty: Ty::Enum(t),
            lazy: true,
        }
        | FieldKind::Conditional {
            ty: Ty::Enum(t),
            lazy: true,
            ..
        } => *t == ctor.type_index,
        FieldKind::Plain { lazy: true, .. } | FieldKind::Conditional { lazy: true, .. } => {
            panic!(
                "strategies: `{}` recurses through another type; only self-recursion is supported",
                ctor.name
            )
        }
        _ => false,
    })
}

fn one_of(items: &[String]) -> String {
    match items {
        [] => "Just(unreachable!()).boxed()".into(),
        [one] => one.clone(),
        many => format!("prop_oneof![{}].boxed()", many.join(", ")),
    }
}

fn variant_strategy(cx: &Ctx<'_>, c: usize, rec: Option<&str>) -> String {
    let ctor = &cx.m.ctors[c];
    let t = ctor.type_index;
    if Ctx::is_unit(ctor) {
        return format!("Just({}::{}).boxed()", cx.type_path(t), ctor.variant);
    }
    format!(
        "types_::{}({}).prop_map({}::{}).boxed()",
        snake_of(&ctor.name),
        rec.unwrap_or(""),
        cx.type_path(t),
        ctor.variant
    )
}

fn field_strategy(cx: &Ctx<'_>, ty: &Ty, lazy: bool) -> String {
    match ty {
        Ty::Int => "any::<i32>().boxed()".into(),
        Ty::Long => "any::<i64>().boxed()".into(),
        Ty::Double => "any::<f64>().prop_filter(\"NaN never compares equal\", |x| !x.is_nan()).boxed()".into(),
        Ty::Int128 => "any::<[u8; 16]>().boxed()".into(),
        Ty::Int256 => "any::<[u8; 32]>().boxed()".into(),
        Ty::Bool | Ty::True => "any::<bool>().boxed()".into(),
        Ty::String => "\"\\\\PC{0,300}\".prop_map(|s| zerotl::Str::new(leak_str(s))).boxed()".into(),
        Ty::Bytes => "proptest::collection::vec(any::<u8>(), 0..300).prop_map(|b| zerotl::Bytes::new(leak_bytes(b))).boxed()".into(),
        Ty::Vector { elem, .. } => format!(
            "proptest::collection::vec({}, 0..4).prop_map(|v| zerotl::Vector::from_slice(leak_slice(v))).boxed()",
            field_strategy(cx, elem, false)
        ),
        Ty::Enum(t) if lazy => {
            let _ = t;
            "rec.clone().prop_map(|v| zerotl::Lazy::new(leak(v))).boxed()".into()
        }
        Ty::Enum(t) => format!("enums_::{}()", snake_of(&cx.m.types[*t].name)),
        Ty::Bare(c) => format!(
            "types_::{}().prop_map(zerotl::Bare).boxed()",
            snake_of(&cx.m.ctors[*c].name)
        ),
        Ty::Object | Ty::Generic(_) => panic!("strategies: `Object` and `!X` fields are not supported"),
    }
}

/// A strategy building combinator `c` from its fields.
fn build(cx: &Ctx<'_>, c: &Combinator, path: &str) -> String {
    let stored: Vec<_> = c
        .fields
        .iter()
        .filter(|f| !matches!(f.kind, FieldKind::Flags { .. } | FieldKind::ObjectSize))
        .collect();
    if stored.is_empty() {
        return format!("Just({path}).boxed()");
    }
    let strats: Vec<String> = stored
        .iter()
        .map(|f| match &f.kind {
            FieldKind::Plain { ty, lazy } => field_strategy(cx, ty, *lazy),
            FieldKind::Conditional { ty: Ty::True, .. } => "any::<bool>().boxed()".into(),
            FieldKind::Conditional { ty, lazy, .. } => {
                format!(
                    "proptest::option::of({}).boxed()",
                    field_strategy(cx, ty, *lazy)
                )
            }
            _ => unreachable!(),
        })
        .collect();
    // Nest tuples in groups of at most 8 (proptest implements tuples up to 12).
    let names: Vec<String> = stored.iter().map(|f| format!("f_{}", f.ident)).collect();
    let (tuple, pattern) = group(&strats, &names);
    let fields: Vec<String> = stored
        .iter()
        .zip(&names)
        .map(|(f, n)| format!("{}: {n}", f.ident))
        .collect();
    format!(
        "{tuple}.prop_map(|{pattern}| {path} {{ {} }}).boxed()",
        fields.join(", ")
    )
}

fn group(strats: &[String], names: &[String]) -> (String, String) {
    if strats.len() <= 8 {
        return (
            format!("({},)", strats.join(", ")),
            format!("({},)", names.join(", ")),
        );
    }
    let mut ts = Vec::new();
    let mut ps = Vec::new();
    for (s, n) in strats.chunks(8).zip(names.chunks(8)) {
        let (t, p) = group(s, n);
        ts.push(t);
        ps.push(p);
    }
    group(&ts, &ps)
}
