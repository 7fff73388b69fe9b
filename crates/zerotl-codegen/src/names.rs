//! How TL names become Rust names (following grammers-tl-types where it has a rule).

/// Splits a TL identifier into words: at `_` and at case changes
/// (`inputPeerUserFromMessage` -> input Peer User From Message,
/// `JSONValue` -> JSON Value, `server_DH_params_ok` -> server DH params ok).
pub fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in name.split('_').filter(|p| !p.is_empty()) {
        let chars: Vec<char> = part.chars().collect();
        let mut cur = String::new();
        for (i, &c) in chars.iter().enumerate() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1).copied();
            let boundary = c.is_ascii_uppercase()
                && match prev {
                    Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                    Some(p) if p.is_ascii_uppercase() => {
                        next.is_some_and(|n| n.is_ascii_lowercase())
                    }
                    _ => false,
                };
            if boundary && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            cur.push(c);
        }
        if !cur.is_empty() {
            out.push(cur);
        }
    }
    out
}

fn capitalize(w: &str) -> String {
    let lower = w.to_ascii_lowercase();
    let mut c = lower.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// `inputPeerChat` -> `InputPeerChat`, `p_q_inner_data` -> `PQInnerData`.
pub fn pascal(name: &str) -> String {
    words(name).iter().map(|w| capitalize(w)).collect()
}

/// `exportChatInvite` -> `export_chat_invite`.
pub fn snake(name: &str) -> String {
    words(name)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_")
}

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use",
    "where", "while", "abstract", "become", "box", "do", "final", "macro", "override", "priv",
    "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// A field or module name: lower-cased (`srp_B` -> `srp_b`, `A` -> `a`), and a Rust
/// keyword gets a trailing `_` (`type` -> `type_`).
pub fn field_ident(name: &str) -> String {
    let name = name.to_ascii_lowercase();
    if KEYWORDS.contains(&name.as_str()) {
        format!("{name}_")
    } else {
        name
    }
}

/// The enum variant for constructor `ctor` of type `ty` (both without namespace):
/// the constructor's words minus the leading words it shares with the type, keeping
/// at least one; a result of `Self` keeps one more word (`inputPeerSelf` -> `PeerSelf`).
///
/// ```
/// use zerotl_codegen::names::variant_name;
/// assert_eq!(variant_name("inputPeerEmpty", "InputPeer"), "Empty");
/// assert_eq!(variant_name("inputPeerSelf", "InputPeer"), "PeerSelf");
/// assert_eq!(variant_name("chatInviteExported", "ExportedChatInvite"), "ChatInviteExported");
/// assert_eq!(variant_name("exportedChatInvites", "ExportedChatInvites"), "Invites");
/// assert_eq!(variant_name("user", "User"), "User");
/// ```
pub fn variant_name(ctor: &str, ty: &str) -> String {
    let cw = words(ctor);
    let tw = words(ty);
    let shared = cw
        .iter()
        .zip(&tw)
        .take_while(|(a, b)| a.eq_ignore_ascii_case(b))
        .count();
    let mut keep = shared.min(cw.len().saturating_sub(1));
    let mut name: String = cw[keep..].iter().map(|w| capitalize(w)).collect();
    while name == "Self" && keep > 0 {
        keep -= 1;
        name = cw[keep..].iter().map(|w| capitalize(w)).collect();
    }
    if name == "Self" {
        name = "Self_".to_owned();
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_splitting() {
        assert_eq!(
            words("inputPeerUserFromMessage"),
            ["input", "Peer", "User", "From", "Message"]
        );
        assert_eq!(words("JSONValue"), ["JSON", "Value"]);
        assert_eq!(
            words("server_DH_params_ok"),
            ["server", "DH", "params", "ok"]
        );
        assert_eq!(words("P_Q_inner_data"), ["P", "Q", "inner", "data"]);
        assert_eq!(pascal("p_q_inner_data_temp_dc"), "PQInnerDataTempDc");
        assert_eq!(pascal("Server_DH_Params"), "ServerDhParams");
        assert_eq!(pascal("inputMediaUploadedPhoto"), "InputMediaUploadedPhoto");
        assert_eq!(snake("exportChatInvite"), "export_chat_invite");
        assert_eq!(snake("req_DH_params"), "req_dh_params");
        assert_eq!(pascal("pageBlockH1"), "PageBlockH1");
    }

    #[test]
    fn variants() {
        assert_eq!(
            variant_name("inputPeerUserFromMessage", "InputPeer"),
            "UserFromMessage"
        );
        assert_eq!(
            variant_name("server_DH_params_ok", "Server_DH_Params"),
            "Ok"
        );
        assert_eq!(variant_name("p_q_inner_data", "P_Q_inner_data"), "Data");
        assert_eq!(variant_name("jsonObject", "JSONValue"), "Object");
        assert_eq!(field_ident("type"), "type_");
        assert_eq!(field_ident("self"), "self_");
        assert_eq!(field_ident("peer"), "peer");
        assert_eq!(field_ident("srp_B"), "srp_b");
    }
}
