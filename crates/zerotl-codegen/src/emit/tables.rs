//! Emission of `schema.rs` (the schema as static data) and `any.rs` (typed decoding
//! of any boxed value by id or by type name).

use super::{Ctx, Out, HEADER};
use crate::analysis::{Combinator, FieldKind, Ty};

fn ty_expr(cx: &Ctx<'_>, ty: &Ty) -> String {
    match ty {
        Ty::Int => "Ty::Int".into(),
        Ty::Long => "Ty::Long".into(),
        Ty::Double => "Ty::Double".into(),
        Ty::Int128 => "Ty::Int128".into(),
        Ty::Int256 => "Ty::Int256".into(),
        Ty::String => "Ty::String".into(),
        Ty::Bytes => "Ty::Bytes".into(),
        Ty::Bool => "Ty::Bool".into(),
        Ty::True => "Ty::True".into(),
        Ty::Object => "Ty::Object".into(),
        Ty::Generic(_) => "Ty::Generic".into(),
        Ty::Vector { boxed: true, elem } => format!("Ty::Vector(&{})", ty_expr(cx, elem)),
        Ty::Vector { boxed: false, elem } => format!("Ty::BareVector(&{})", ty_expr(cx, elem)),
        Ty::Enum(t) => format!("Ty::Boxed(\"{}\")", cx.m.types[*t].name),
        Ty::Bare(c) => format!("Ty::Bare(\"{}\")", cx.m.ctors[*c].name),
    }
}

fn result_name(cx: &Ctx<'_>, c: &Combinator) -> String {
    match &c.returns {
        None => cx.m.types[c.type_index].name.to_string(),
        Some(_) => c.def.result.to_string(),
    }
}

pub(super) fn schema_file(cx: &Ctx<'_>) -> String {
    let m = cx.m;
    let support = cx.cfg.schema_support.as_deref().unwrap_or("crate::schema");
    let mut all: Vec<&Combinator> = m.ctors.iter().chain(&m.functions).collect();
    all.sort_by_key(|c| c.id);
    all.dedup_by_key(|c| c.id);
    let mut o = Out::new();
    o.raw(HEADER);
    o.line(&format!("// {} as data (see `{support}`).", cx.cfg.title));
    o.line("");
    o.line(&format!(
        "use {support}::{{BoxedType, Combinator, Field, FieldKind, Schema, Ty}};"
    ));
    o.line("");
    let name = cx.root().rsplit("::").next().unwrap_or("schema").to_owned();
    o.line(&format!(
        "/// {}: every constructor and function, with its fields.",
        cx.cfg.title
    ));
    o.line("pub static SCHEMA: Schema = Schema {");
    o.line(&format!("name: \"{name}\","));
    o.line(&format!(
        "layer: {},",
        m.layer.map_or("None".into(), |l| format!("Some({l})"))
    ));
    o.line("combinators: COMBINATORS,");
    o.line("names: NAMES,");
    o.line("types: TYPES,");
    o.line(&format!(
        "fallback: {},",
        cx.cfg
            .schema_fallback
            .as_deref()
            .map_or("None".into(), |f| format!("Some(&{f})"))
    ));
    o.line("decode_boxed: super::any::decode_boxed,");
    o.line("decode_named: super::any::decode_named,");
    o.line("};");
    o.line("");
    o.line("static COMBINATORS: &[Combinator] = &[");
    for c in &all {
        let fields: Vec<String> = c
            .fields
            .iter()
            .map(|f| {
                let kind = match &f.kind {
                    FieldKind::Flags { .. } => "FieldKind::Flags".to_owned(),
                    FieldKind::ObjectSize => "FieldKind::ObjectSize".to_owned(),
                    FieldKind::Plain { ty, .. } => format!("FieldKind::Plain({})", ty_expr(cx, ty)),
                    FieldKind::Conditional { flags, bit, ty, .. } => format!(
                        "FieldKind::Conditional {{ flags: {flags}, bit: {bit}, ty: {} }}",
                        ty_expr(cx, ty)
                    ),
                };
                format!("Field {{ name: \"{}\", kind: {kind} }}", f.name)
            })
            .collect();
        o.line(&format!(
            "Combinator {{ id: {:#010x}, name: \"{}\", ty: \"{}\", function: {}, fields: &[{}] }},",
            c.id,
            c.name,
            result_name(cx, c),
            c.returns.is_some(),
            fields.join(", ")
        ));
    }
    o.line("];");
    o.line("");
    let mut names: Vec<(String, usize)> = all
        .iter()
        .enumerate()
        .map(|(i, c)| (c.name.to_string(), i))
        .collect();
    names.sort();
    o.line("static NAMES: &[(&str, u16)] = &[");
    for (n, i) in &names {
        o.line(&format!("(\"{n}\", {i}),"));
    }
    o.line("];");
    o.line("");
    let mut types: Vec<(String, Vec<u32>)> = m
        .types
        .iter()
        .map(|t| {
            (
                t.name.to_string(),
                t.ctors.iter().map(|&c| m.ctors[c].id).collect(),
            )
        })
        .collect();
    types.sort();
    o.line("static TYPES: &[BoxedType] = &[");
    for (n, ids) in &types {
        let ids: Vec<String> = ids.iter().map(|i| format!("{i:#010x}")).collect();
        o.line(&format!(
            "BoxedType {{ name: \"{n}\", ctors: &[{}] }},",
            ids.join(", ")
        ));
    }
    o.line("];");
    o.finish()
}

/// The Rust type of `c` for dispatch (type parameters become `zerotl::Object`).
fn concrete(c: &Combinator, path: &str) -> String {
    let mut a = Vec::new();
    if c.borrows {
        a.push("'_".to_owned());
    }
    a.extend(c.generics.iter().map(|_| "zerotl::Object<'_>".to_owned()));
    if a.is_empty() {
        path.to_owned()
    } else {
        format!("{path}<{}>", a.join(", "))
    }
}

pub(super) fn any_file(cx: &Ctx<'_>) -> String {
    let m = cx.m;
    let mut o = Out::new();
    o.raw(HEADER);
    o.line(&format!(
        "// Typed decoding of any boxed value of {} by id or by type name.",
        cx.cfg.title
    ));
    o.line("//");
    o.line("// One small function per entry and sorted tables searched by binary search");
    o.line("// (one giant `match` takes the compiler minutes to check).");
    o.line("");
    o.line("#[allow(unused_imports)]");
    o.line(&format!("use {}::{{enums, functions, types}};", cx.root()));
    o.line("use zerotl::{DecodeError, Encode, Reader};");
    o.line("");
    o.line("type Decoder = fn(&mut Reader<'_>, &mut dyn FnMut(&dyn Encode)) -> Result<(), DecodeError>;");
    let mut items: Vec<(u32, String)> = m
        .ctors
        .iter()
        .map(|c| (c.id, concrete(c, &cx.ctor_path(c))))
        .chain(
            m.functions
                .iter()
                .map(|c| (c.id, concrete(c, &cx.fn_path(c)))),
        )
        .collect();
    items.sort();
    items.dedup_by_key(|x| x.0);
    o.line("");
    o.line("/// Decodes the boxed constructor or function at `r` by its id with the generated");
    o.line("/// types and shows it to `f`; `Ok(false)` when the id is not in this schema.");
    o.line("pub fn decode_boxed(r: &mut Reader<'_>, f: &mut dyn FnMut(&dyn Encode)) -> Result<bool, DecodeError> {");
    o.line("let id = r.peek_u32()?;");
    o.line("match BY_ID.binary_search_by_key(&id, |e| e.0) {");
    o.line("Ok(i) => (BY_ID[i].1)(r, f).map(|()| true),");
    o.line("Err(_) => Ok(false),");
    o.line("}");
    o.line("}");
    o.line("");
    o.line("/// Decodes a value of the boxed type or bare constructor `name` with the");
    o.line("/// generated types and shows it to `f`; `None` when the name is not in this schema.");
    o.line("pub fn decode_named(name: &str, r: &mut Reader<'_>, f: &mut dyn FnMut(&dyn Encode)) -> Option<Result<(), DecodeError>> {");
    o.line("let i = BY_NAME.binary_search_by_key(&name, |e| e.0).ok()?;");
    o.line("Some((BY_NAME[i].1)(r, f))");
    o.line("}");
    o.line("");
    o.line("static BY_ID: &[(u32, Decoder)] = &[");
    for (id, _) in &items {
        o.line(&format!("({id:#010x}, id_{id:08x}),"));
    }
    o.line("];");
    let mut named: Vec<(String, String, String)> = Vec::new();
    for (ti, t) in m.types.iter().enumerate() {
        let ty = format!(
            "{}{}",
            cx.type_path(ti),
            if t.borrows { "<'_>" } else { "" }
        );
        named.push((
            t.name.to_string(),
            format!(
                "type_{}",
                crate::names::snake(&t.name.to_string().replace('.', "_"))
            ),
            format!("f(&zerotl::tri!(<{ty} as zerotl::Decode<'_>>::decode(r)));"),
        ));
    }
    for c in &m.ctors {
        let ty = concrete(c, &cx.ctor_path(c));
        named.push((
            c.name.to_string(),
            format!("bare_{:08x}", c.id),
            format!(
                "f(&zerotl::Bare(zerotl::tri!(<{ty} as zerotl::BareDecode<'_>>::decode_bare(r))));"
            ),
        ));
    }
    named.sort();
    named.dedup_by(|a, b| a.0 == b.0);
    o.line("");
    o.line("static BY_NAME: &[(&str, Decoder)] = &[");
    for (n, f, _) in &named {
        o.line(&format!("(\"{n}\", {f}),"));
    }
    o.line("];");
    for (id, ty) in &items {
        o.line("");
        o.line(&format!("fn id_{id:08x}(r: &mut Reader<'_>, f: &mut dyn FnMut(&dyn Encode)) -> Result<(), DecodeError> {{"));
        o.line(&format!(
            "f(&zerotl::tri!(<{ty} as zerotl::Decode<'_>>::decode(r)));"
        ));
        o.line("Ok(())");
        o.line("}");
    }
    for (_, f, body) in &named {
        o.line("");
        o.line(&format!("fn {f}(r: &mut Reader<'_>, f: &mut dyn FnMut(&dyn Encode)) -> Result<(), DecodeError> {{"));
        o.line(body);
        o.line("Ok(())");
        o.line("}");
    }
    o.finish()
}
