//! Constructor ids: the CRC32 of a definition's canonical form.
//!
//! The canonical form (`core.telegram.org/mtproto/TL-abstract-types`) drops the `#id`
//! and the final `;`, drops every `name:flags.N?true` parameter, writes `{X:Type}` as
//! `X:Type` and `Vector<T>` as `Vector T`, and spells a field of type `bytes` as
//! `string`. Inside type arguments `bytes` stays `bytes`: Telegram's own ids for
//! `Vector<bytes>` fields (`inputMediaPoll`, `messages.sendVote`, ...) hash that way.

use crate::ast::{Definition, ParamKind, Pos, TypeExpr};

/// A definition whose written id differs from the CRC32 of its canonical form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdMismatch {
    /// The schema file.
    pub file: String,
    /// Where the definition starts.
    pub pos: Pos,
    /// The combinator's name.
    pub name: String,
    /// The id written in the schema.
    pub written: u32,
    /// The CRC32 of the canonical form.
    pub computed: u32,
    /// The canonical form that was hashed.
    pub canonical: String,
}

impl std::fmt::Display for IdMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: `{}` is written #{:08x} but its canonical form hashes to #{:08x} (`{}`)",
            self.file, self.pos, self.name, self.written, self.computed, self.canonical
        )
    }
}

fn canonical_type(t: &TypeExpr, top: bool, out: &mut String) {
    if t.bang {
        out.push('!');
    }
    if t.percent {
        out.push('%');
    }
    let name = t.name.to_string();
    out.push_str(if top && name == "bytes" {
        "string"
    } else {
        &name
    });
    for a in &t.args {
        out.push(' ');
        canonical_type(a, false, out);
    }
}

/// The canonical form of `def` that its id is the CRC32 of.
///
/// ```
/// let s = zerotl_codegen::parse(
///     "messages.exportChatInvite#df7534c peer:InputPeer = ExportedChatInvite;", "t").unwrap();
/// let d = &s.definitions[0];
/// assert_eq!(zerotl_codegen::canonical_form(d),
///            "messages.exportChatInvite peer:InputPeer = ExportedChatInvite");
/// assert_eq!(zerotl_codegen::computed_id(d), 0x0df7534c);
/// ```
pub fn canonical_form(def: &Definition) -> String {
    let mut out = def.name.to_string();
    for g in &def.generics {
        out.push(' ');
        out.push_str(&g.name);
        out.push(':');
        out.push_str(&g.kind);
    }
    for p in &def.params {
        match &p.kind {
            ParamKind::Flags => {
                out.push(' ');
                out.push_str(&p.name);
                out.push_str(":#");
            }
            ParamKind::Plain(t) => {
                out.push(' ');
                out.push_str(&p.name);
                out.push(':');
                canonical_type(t, true, &mut out);
            }
            ParamKind::Conditional { flags, bit, ty } => {
                if ty.name.ns.is_none() && ty.name.name == "true" && ty.args.is_empty() {
                    continue;
                }
                out.push(' ');
                out.push_str(&p.name);
                out.push(':');
                out.push_str(&format!("{flags}.{bit}?"));
                canonical_type(ty, true, &mut out);
            }
        }
    }
    out.push_str(" = ");
    canonical_type(&def.result, true, &mut out);
    out
}

/// The CRC32 (IEEE) of [`canonical_form`].
pub fn computed_id(def: &Definition) -> u32 {
    crc32fast::hash(canonical_form(def).as_bytes())
}

/// The id a definition goes by: the written one, or else the computed one.
pub fn effective_id(def: &Definition) -> u32 {
    def.explicit_id.unwrap_or_else(|| computed_id(def))
}

/// Every definition in `schema` whose written id differs from its computed id.
pub fn check_ids(schema: &crate::ast::Schema) -> Vec<IdMismatch> {
    schema
        .definitions
        .iter()
        .filter_map(|d| {
            let written = d.explicit_id?;
            let computed = computed_id(d);
            (written != computed).then(|| IdMismatch {
                file: schema.file.clone(),
                pos: d.pos,
                name: d.name.to_string(),
                written,
                computed,
                canonical: canonical_form(d),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id_of(line: &str) -> (u32, u32) {
        let s = crate::parse(line, "t").unwrap();
        let d = &s.definitions[0];
        (d.explicit_id.unwrap(), computed_id(d))
    }

    #[test]
    fn ids_from_wire_md() {
        for line in [
            "messages.exportChatInvite#df7534c peer:InputPeer = ExportedChatInvite;",
            "rpc_error#2144ca19 error_code:int error_message:string = RpcError;",
            "rpc_result#f35c6d01 req_msg_id:long result:Object = RpcResult;",
            "gzip_packed#3072cfa1 packed_data:bytes = Object;",
            "msg_container#73f1f8dc messages:vector<message> = MessageContainer;",
            "boolTrue#997275b5 = Bool;",
            "boolFalse#bc799737 = Bool;",
            "true#3fedd339 = True;",
            "inputPeerChat#179be863 chat_id:int = InputPeer;",
            "inputPeerChat#35a95cb9 chat_id:long = InputPeer;",
            "chatInviteExported#fc2e05bc link:string = ExportedChatInvite;",
            "chatInviteEmpty#69df3769 = ExportedChatInvite;",
            "messages.exportChatInvite#a455de90 flags:# legacy_revoke_permanent:flags.2?true request_needed:flags.3?true peer:InputPeer expire_date:flags.0?int usage_limit:flags.1?int title:flags.4?string subscription_pricing:flags.5?StarsSubscriptionPricing = ExportedChatInvite;",
            "invokeWithLayer#da9b0d0d {X:Type} layer:int query:!X = X;",
            "messages.sendVote#10ea6184 peer:InputPeer msg_id:int options:Vector<bytes> = Updates;",
            "ipPort#d433ad73 ipv4:int port:int = IpPort;",
        ] {
            let (w, c) = id_of(line);
            assert_eq!(w, c, "{line}");
        }
    }

    #[test]
    fn mismatch_is_reported_with_its_line() {
        let s = crate::parse("a#1 = A;\n\nb#2 = B;\n", "x.tl").unwrap();
        let m = check_ids(&s);
        assert_eq!(m.len(), 2);
        assert_eq!(m[1].pos.line, 3);
        assert!(m[1]
            .to_string()
            .starts_with("x.tl:3:1: `b` is written #00000002"));
    }
}
