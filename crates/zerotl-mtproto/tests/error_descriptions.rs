//! Every description of the known-error table reads as plain sentences: the data's
//! literal `\n` separators are gone, and so is advice for another library's API
//! (Telethon's `Use InviteToChannelRequest instead`), which the generator drops
//! (`zerotl_codegen::errors::plain_description`). This checks its output over the
//! whole table, not only the examples its unit test names.

use zerotl_mtproto::errors::known_errors;

/// A word naming a request class of another library: `InviteToChannelRequest`,
/// `AddChatUserRequest` (capitalized, ending in `Request`, longer than it).
fn is_request_class(word: &str) -> bool {
    let w = word.trim_matches(|c: char| !c.is_alphanumeric());
    w.len() > "Request".len()
        && w.ends_with("Request")
        && w.starts_with(|c: char| c.is_ascii_uppercase())
}

#[test]
fn known_error_descriptions_are_plain_sentences() {
    let mut problems = Vec::new();
    for k in known_errors() {
        let d = k.description();
        let name = k.documented_name();
        if d.contains("\\n") {
            problems.push(format!("{name}: a literal \\n: {d:?}"));
        }
        if d.contains(['\n', '\r']) {
            problems.push(format!("{name}: a line break: {d:?}"));
        }
        if let Some(w) = d.split_whitespace().find(|w| is_request_class(w)) {
            problems.push(format!(
                "{name}: names another library's request class {w}: {d:?}"
            ));
        }
        if d.to_ascii_lowercase().contains("telethon") {
            problems.push(format!("{name}: mentions Telethon: {d:?}"));
        }
        if d != d.trim() || d.contains("  ") {
            problems.push(format!("{name}: stray spaces: {d:?}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_check_sees_what_the_raw_data_holds() {
    // The kinds of text the data held before it was cleaned, caught by the check.
    assert!(is_request_class("InviteToChannelRequest."));
    assert!(is_request_class("`AddChatUserRequest`"));
    assert!(!is_request_class("Request"));
    assert!(!is_request_class("request"));
    // The table is the whole corpus, not an empty one.
    assert_eq!(known_errors().len(), 526);
}
