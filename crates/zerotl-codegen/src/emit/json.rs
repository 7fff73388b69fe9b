//! Emission of the JSON mapping: `ToJson`/`FromJson` for every generated item and
//! the by-id / by-name registry of the schema (`LAYER`).

use super::{Ctx, Out, HEADER};
use crate::analysis::{Combinator, FieldKind, Ty};

pub(super) fn file(cx: &Ctx<'_>) -> String {
    let m = cx.m;
    let j = &cx.cfg.json_support;
    let mut o = Out::new();
    o.raw(HEADER);
    o.line(&format!(
        "//! The JSON mapping of {} (see `{j}`).",
        cx.cfg.title
    ));
    o.line("");
    o.line(&format!(
        "use {j}::{{self as j, Cx, FromJson, JsonError, ToJson, Value}};"
    ));
    o.line("#[allow(unused_imports)]");
    o.line(&format!("use {}::{{enums, functions, types}};", cx.root()));
    o.line("#[allow(unused_imports)]");
    o.line("use zerotl::{BareDecode as _, Decode as _, Encode as _};");
    for c in &m.ctors {
        o.line("");
        combinator(cx, &mut o, c, &cx.ctor_path(c));
    }
    for c in &m.functions {
        o.line("");
        combinator(cx, &mut o, c, &cx.fn_path(c));
    }
    for (ti, t) in m.types.iter().enumerate() {
        o.line("");
        let path = cx.type_path(ti);
        let (lt_any, lt_a) = if t.borrows {
            ("<'_>", "<'a>")
        } else {
            ("", "")
        };
        o.line(&format!("impl ToJson for {path}{lt_any} {{"));
        o.line("fn to_json(&self, cx: &Cx<'_>) -> Value {");
        o.line("let _ = cx;");
        o.line("match self {");
        for &c in &t.ctors {
            let c = &m.ctors[c];
            if Ctx::is_unit(c) {
                o.line(&format!("Self::{} => j::unit(\"{}\"),", c.variant, c.name));
            } else {
                o.line(&format!("Self::{}(x) => x.to_json(cx),", c.variant));
            }
        }
        o.line("}");
        o.line("}");
        o.line("}");
        o.line("");
        o.line(&format!("impl<'a> FromJson<'a> for {path}{lt_a} {{"));
        o.line("fn from_json(v: &Value, cx: &Cx<'a>) -> Result<Self, JsonError> {");
        o.line("let _ = cx;");
        o.line("Ok(match j::ctor_name(v)? {");
        for &c in &t.ctors {
            let c = &m.ctors[c];
            if Ctx::is_unit(c) {
                o.line(&format!("\"{}\" => Self::{},", c.name, c.variant));
            } else {
                o.line(&format!(
                    "\"{}\" => Self::{}(FromJson::from_json(v, cx)?),",
                    c.name, c.variant
                ));
            }
        }
        o.line(&format!(
            "other => return Err(j::unknown(other, \"{}\")),",
            t.name
        ));
        o.line("})");
        o.line("}");
        o.line("}");
    }
    registry(cx, &mut o);
    o.finish()
}

fn generics(c: &Combinator, bound: &str) -> String {
    c.generics
        .iter()
        .map(|g| format!(", {g}: {bound}"))
        .collect()
}

fn args(c: &Combinator, lt: &str) -> String {
    let mut a = Vec::new();
    if c.borrows {
        a.push(lt.to_owned());
    }
    a.extend(c.generics.iter().cloned());
    if a.is_empty() {
        String::new()
    } else {
        format!("<{}>", a.join(", "))
    }
}

fn combinator(cx: &Ctx<'_>, o: &mut Out, c: &Combinator, path: &str) {
    let to_gen = generics(c, "ToJson");
    let to_params = if to_gen.is_empty() {
        String::new()
    } else {
        format!("<{}>", &to_gen[2..])
    };
    o.line(&format!(
        "impl{to_params} ToJson for {path}{} {{",
        args(c, "'_")
    ));
    o.line("fn to_json(&self, cx: &Cx<'_>) -> Value {");
    o.line("let _ = cx;");
    o.line("let mut m = j::Map::new();");
    o.line(&format!(
        "m.insert(\"_\".into(), Value::from(\"{}\"));",
        c.name
    ));
    for (i, f) in c.fields.iter().enumerate() {
        let (key, id) = (&f.name, &f.ident);
        match &f.kind {
            FieldKind::Flags { .. } => {}
            FieldKind::ObjectSize => {
                let body = &c.fields[i + 1].ident;
                o.line(&format!(
                    "m.insert(\"{key}\".into(), Value::from(self.{body}.encoded_len()));"
                ));
            }
            FieldKind::Plain { .. } => {
                o.line(&format!(
                    "m.insert(\"{key}\".into(), self.{id}.to_json(cx));"
                ));
            }
            FieldKind::Conditional { ty: Ty::True, .. } => {
                o.line(&format!(
                    "m.insert(\"{key}\".into(), Value::Bool(self.{id}));"
                ));
            }
            FieldKind::Conditional { .. } => {
                o.line(&format!(
                    "if let Some(v) = &self.{id} {{ m.insert(\"{key}\".into(), v.to_json(cx)); }}"
                ));
            }
        }
    }
    o.line("Value::Object(m)");
    o.line("}");
    o.line("}");
    o.line("");
    o.line(&format!(
        "impl<'a{}> FromJson<'a> for {path}{} {{",
        generics(c, "FromJson<'a>"),
        args(c, "'a")
    ));
    o.line("fn from_json(v: &Value, cx: &Cx<'a>) -> Result<Self, JsonError> {");
    let stored: Vec<_> = c
        .fields
        .iter()
        .filter(|f| !matches!(f.kind, FieldKind::Flags { .. } | FieldKind::ObjectSize))
        .collect();
    if stored.is_empty() {
        o.line(&format!("j::object_of(v, \"{}\")?;", c.name));
        o.line("let _ = cx;");
        o.line("Ok(Self)");
    } else {
        o.line(&format!("let m = j::object_of(v, \"{}\")?;", c.name));
        o.line("let _ = cx;");
        o.line("Ok(Self {");
        for f in stored {
            let (key, id) = (&f.name, &f.ident);
            match &f.kind {
                FieldKind::Plain { .. } => o.line(&format!("{id}: j::field(m, \"{key}\", cx)?,")),
                FieldKind::Conditional { ty: Ty::True, .. } => {
                    o.line(&format!("{id}: j::flag(m, \"{key}\")?,"))
                }
                _ => o.line(&format!("{id}: j::optional(m, \"{key}\", cx)?,")),
            }
        }
        o.line("})");
    }
    o.line("}");
    o.line("}");
    let _ = cx;
}

/// The Rust type of combinator `c` for the registry (generic arguments become
/// `zerotl::Object`, which reads the rest of the input).
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

fn registry(cx: &Ctx<'_>, o: &mut Out) {
    let m = cx.m;
    let name = cx.root().rsplit("::").next().unwrap_or("schema").to_owned();
    o.line("");
    o.line(&format!("/// JSON entry points for {}.", cx.cfg.title));
    o.line(&format!(
        "pub static LAYER: j::Layer = j::Layer {{ name: \"{name}\", decode_any, encode_any, decode_named }};"
    ));
    let mut items: Vec<(u32, &str, String)> = m
        .ctors
        .iter()
        .map(|c| (c.id, c.name.name.as_str(), concrete(c, &cx.ctor_path(c))))
        .chain(
            m.functions
                .iter()
                .map(|c| (c.id, "", concrete(c, &cx.fn_path(c)))),
        )
        .collect();
    items.sort_by_key(|x| x.0);
    items.dedup_by_key(|x| x.0);
    o.line("");
    o.line("fn decode_any(r: &mut zerotl::Reader<'_>, cx: &Cx<'_>) -> Result<Option<Value>, zerotl::DecodeError> {");
    o.line("Ok(Some(match r.peek_u32()? {");
    for (id, _, ty) in &items {
        o.line(&format!(
            "{id:#010x} => <{ty} as zerotl::Decode<'_>>::decode(r)?.to_json(cx),"
        ));
    }
    o.line("_ => return Ok(None),");
    o.line("}))");
    o.line("}");
    o.line("");
    o.line("fn encode_any<'a>(v: &Value, cx: &Cx<'a>) -> Result<Option<&'a [u8]>, JsonError> {");
    o.line("Ok(Some(match j::ctor_name(v)? {");
    let mut by_name: Vec<(String, String)> = m
        .ctors
        .iter()
        .map(|c| (c.name.to_string(), concrete(c, &cx.ctor_path(c))))
        .chain(
            m.functions
                .iter()
                .map(|c| (c.name.to_string(), concrete(c, &cx.fn_path(c)))),
        )
        .collect();
    by_name.sort();
    by_name.dedup_by(|a, b| a.0 == b.0);
    for (n, ty) in &by_name {
        let ty = ty.replace("'_", "'a");
        o.line(&format!(
            "\"{n}\" => j::encode_in(&<{ty} as FromJson<'a>>::from_json(v, cx)?, cx)?,"
        ));
    }
    o.line("_ => return Ok(None),");
    o.line("}))");
    o.line("}");
    o.line("");
    o.line("fn decode_named(name: &str, r: &mut zerotl::Reader<'_>, cx: &Cx<'_>) -> Option<Result<Value, zerotl::DecodeError>> {");
    o.line("Some(match name {");
    let mut named: Vec<(String, String)> = Vec::new();
    for (ti, t) in m.types.iter().enumerate() {
        let ty = format!(
            "{}{}",
            cx.type_path(ti),
            if t.borrows { "<'_>" } else { "" }
        );
        named.push((
            t.name.to_string(),
            format!("<{ty} as zerotl::Decode<'_>>::decode(r).map(|v| v.to_json(cx))"),
        ));
    }
    for c in &m.ctors {
        let ty = concrete(c, &cx.ctor_path(c));
        named.push((
            c.name.to_string(),
            format!("<{ty} as zerotl::BareDecode<'_>>::decode_bare(r).map(|v| v.to_json(cx))"),
        ));
    }
    named.sort();
    named.dedup_by(|a, b| a.0 == b.0);
    for (n, e) in &named {
        o.line(&format!("\"{n}\" => {e},"));
    }
    o.line("_ => return None,");
    o.line("})");
    o.line("}");
}
