//! The typed error of any function of layers 122 and 230, by the function's TL name:
//! what `zerotl invoke call` prints when the server answers with an `rpc_error`.
//!
//! The per-layer tables (`typed_errors/layer*.rs`) name every non-generic function
//! of the layer's schema; they are written by the test `typed_errors_table`
//! (`ZEROTL_BLESS=1 cargo test -p zerotl-cli --test typed_errors_table` rewrites
//! them), which fails when they fall behind the schema.

use std::any::TypeId;

use zerotl_errors::{MethodInfo, RpcError};

mod layer122;
mod layer230;

/// Types an `rpc_error` as one function's error: the function's TL name, and the
/// typed value as Rust would show it (`messages::ExportChatInviteError::ChatAdminRequired`),
/// or `None` when the function has no error enum of its own (its error is `RpcError`).
pub type Typer = fn(&RpcError) -> (&'static str, Option<String>);

/// The [`Typer`] of function `M`.
pub fn typed<M: MethodInfo>(e: &RpcError) -> (&'static str, Option<String>) {
    if TypeId::of::<M::Error>() == TypeId::of::<RpcError>() {
        return (M::METHOD, None);
    }
    // `zerotl_errors::layer122::messages::ExportChatInviteError` ->
    // `messages::ExportChatInviteError`.
    let full = std::any::type_name::<M::Error>();
    let segments: Vec<&str> = full.split("::").collect();
    let start = segments
        .iter()
        .position(|s| s.starts_with("layer"))
        .map_or(segments.len() - 1, |i| i + 1);
    let path = segments[start..].join("::");
    let variant = match format!("{:?}", M::Error::from(e.clone())) {
        other if other.starts_with("Other(") => format!("Other({})", e.message),
        named => named,
    };
    (M::METHOD, Some(format!("{path}::{variant}")))
}

/// The table of `layer` (sorted by TL name).
fn table(layer: u32) -> &'static [(&'static str, Typer)] {
    match layer {
        122 => layer122::TYPERS,
        230 => layer230::TYPERS,
        _ => &[],
    }
}

/// The [`Typer`] of function `method` of `layer`, if the layer has it.
pub fn lookup(layer: u32, method: &str) -> Option<Typer> {
    let table = table(layer);
    let i = table.binary_search_by_key(&method, |e| e.0).ok()?;
    Some(table[i].1)
}

/// One line for an `rpc_error` answering `method`:
/// `error 400 CHAT_ADMIN_REQUIRED -> messages::ExportChatInviteError::ChatAdminRequired`,
/// or `... -> RpcError (no typed errors for help.getConfig)`, then the error's
/// documented description when it has one.
pub fn describe(layer: u32, method: &str, e: &RpcError) -> String {
    let typed = match lookup(layer, method).and_then(|f| f(e).1) {
        Some(typed) => typed,
        None => format!("RpcError (no typed errors for {method})"),
    };
    let mut line = format!("error {} {} -> {typed}", e.code, e.message);
    if let Some(known) = e.known() {
        line.push_str(&format!(": {}", known.describe(e.value)));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every entry is the function it is filed under (the tables are sorted, so
    /// lookups find every one).
    #[test]
    fn entries_name_their_functions() {
        let e = RpcError::parse(400, "SOME_ERROR");
        for layer in [122, 230] {
            let table = table(layer);
            assert!(table.len() > 300, "layer {layer}: {}", table.len());
            assert!(table.windows(2).all(|w| w[0].0 < w[1].0), "layer {layer}");
            for (name, typer) in table {
                assert_eq!(typer(&e).0, *name, "layer {layer}");
                assert!(lookup(layer, name).is_some());
            }
        }
        assert!(lookup(122, "messages.noSuchFunction").is_none());
        assert!(lookup(7, "messages.exportChatInvite").is_none());
    }

    #[test]
    fn typed_names() {
        let e = RpcError::parse(400, "CHAT_ADMIN_REQUIRED");
        assert_eq!(
            describe(122, "messages.exportChatInvite", &e),
            format!(
                "error 400 CHAT_ADMIN_REQUIRED -> messages::ExportChatInviteError::ChatAdminRequired: {}",
                e.known().unwrap().describe(None)
            )
        );
        let odd = RpcError::parse(400, "NOT_LISTED_HERE");
        assert_eq!(
            describe(230, "messages.exportChatInvite", &odd),
            "error 400 NOT_LISTED_HERE -> messages::ExportChatInviteError::Other(NOT_LISTED_HERE)"
        );
        assert_eq!(
            describe(122, "messages.noSuchFunction", &odd),
            "error 400 NOT_LISTED_HERE -> RpcError (no typed errors for messages.noSuchFunction)"
        );
    }
}
