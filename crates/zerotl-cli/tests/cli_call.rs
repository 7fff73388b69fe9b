//! `zerotl invoke call '<JSON>'` (any function of layer 122 or 230), options
//! anywhere on the line, and the plain-mode diagnostic, against the in-process
//! server started from blocking code.

mod common;

use common::run;
use zerotl_server::world::ChatKey;
use zerotl_server::{ServerBuilder, ServerThread};

/// An encrypted-only server with the built-in test key (which `invoke` trusts).
fn server() -> ServerThread {
    ServerBuilder::new()
        .listen("127.0.0.1:0".parse().unwrap())
        .start_in_thread()
        .expect("the server starts")
}

fn invoke(server: &ServerThread, args: &[&str]) -> (String, String, i32) {
    let addr = server.local_addr().to_string();
    let mut all = vec!["invoke", "--server", addr.as_str()];
    all.extend_from_slice(args);
    run(&all, "")
}

const EXPORT_CHAT_1: &str =
    r#"{"_":"messages.exportChatInvite","peer":{"_":"inputPeerChat","chat_id":1}}"#;

#[test]
fn call_prints_the_answer_as_json() {
    let server = server();
    let (out, err, code) = invoke(&server, &["call", EXPORT_CHAT_1]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["_"], "chatInviteExported", "{out}");
    let link = server.world().current_link(ChatKey::Chat(1)).unwrap();
    assert_eq!(v["link"], link.as_str());
    assert_eq!(out.lines().count(), 1, "{out}");
}

#[test]
fn call_prints_the_typed_error() {
    let server = server();
    let json = r#"{"_":"messages.exportChatInvite","peer":{"_":"inputPeerChat","chat_id":2}}"#;
    let (out, err, code) = invoke(&server, &["call", json]);
    assert_eq!((code, out.as_str()), (1, ""), "{err}");
    assert!(
        err.starts_with(
            "zerotl: error 400 CHAT_ADMIN_REQUIRED -> \
             messages::ExportChatInviteError::ChatAdminRequired: "
        ),
        "{err}"
    );
}

/// A layer-230 function (one layer 122 does not have) is encoded with layer 230's
/// schema and sent inside invokeWithLayer(230, ...); the test server does not serve
/// it, and its error is typed as that function's.
#[test]
fn call_at_layer_230() {
    let server = server();
    let json = r#"{"_":"payments.getStarsStatus","peer":{"_":"inputPeerSelf"}}"#;
    let (_, err, code) = invoke(&server, &["call", json]);
    assert_eq!(code, 1);
    assert!(err.contains("payments.getStarsStatus (layer 122)"), "{err}");

    let (out, err, code) = invoke(&server, &["--layer", "230", "call", json]);
    assert_eq!((code, out.as_str()), (1, ""), "{err}");
    let line = err.trim_end();
    assert!(line.starts_with("zerotl: error 400 "), "{err}");
    let message = line.split_whitespace().nth(3).unwrap();
    let typed = line.split(" -> ").nth(1).unwrap();
    assert!(
        typed.starts_with(&format!("payments::GetStarsStatusError::Other({message})"))
            || typed.starts_with("RpcError (no typed errors for payments.getStarsStatus)"),
        "{err}"
    );
}

/// Bad calls are refused before anything is sent, with the path of the mistake.
#[test]
fn bad_calls_are_refused_before_connecting() {
    let server = server();
    let cases = [
        (
            r#"{"_":"messages.exportChatInvite","peer":{"_":"inputPeerChat","chat_idd":1}}"#,
            "zerotl: at peer.chat_idd: no field chat_idd in inputPeerChat (layer 122)",
        ),
        (
            r#"{"_":"inputPeerChat","chat_id":1}"#,
            "zerotl: inputPeerChat is a constructor (of InputPeer), not a function of layer 122",
        ),
        ("{\"_\":", "zerotl: invalid JSON: "),
    ];
    for (json, want) in cases {
        let (out, err, code) = invoke(&server, &["call", json]);
        assert_eq!((code, out.as_str()), (1, ""), "{json}: {err}");
        assert!(err.starts_with(want), "{json}: {err}");
    }
    let (_, err, code) = invoke(&server, &["--layer", "7", "call", EXPORT_CHAT_1]);
    assert_eq!(code, 1);
    assert!(err.contains("invalid value '7' for '--layer"), "{err}");
    // Layer 230's flags of export-chat-invite are refused at layer 122, not ignored.
    let (_, err, code) = invoke(
        &server,
        &[
            "export-chat-invite",
            "--peer",
            "chat:1",
            "--usage-limit",
            "5",
        ],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("export-chat-invite's flags need --layer 230"),
        "{err}"
    );
    // An impossible client configuration, refused before connecting.
    let (_, err, code) = invoke(&server, &["call", EXPORT_CHAT_1, "--timeout", "0"]);
    assert_eq!(code, 1);
    assert!(err.contains("the request timeout is zero"), "{err}");
    assert_eq!(server.stats().accepted(), 0);
}

/// `invoke`'s options come before or after its subcommand.
#[test]
fn options_anywhere_on_the_line() {
    let server = server();
    let addr = server.local_addr().to_string();
    let lines = [
        vec![
            "invoke",
            "export-chat-invite",
            "--peer",
            "chat:1",
            "--timeout",
            "5",
            "--server",
            &addr,
        ],
        vec![
            "invoke",
            "--timeout",
            "5",
            "export-chat-invite",
            "--server",
            &addr,
            "--peer",
            "chat:1",
        ],
        vec![
            "invoke",
            "--server",
            &addr,
            "--transport",
            "full",
            "export-chat-invite",
            "--peer",
            "chat:1",
        ],
        vec![
            "invoke",
            "export-chat-invite",
            "--transport",
            "padded",
            "--peer",
            "chat:1",
            "--server",
            &addr,
        ],
        vec![
            "invoke",
            "call",
            EXPORT_CHAT_1,
            "--layer",
            "122",
            "--server",
            &addr,
            "--timeout",
            "5",
        ],
    ];
    for args in lines {
        let (out, err, code) = run(&args, "");
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(
            out.starts_with("chatInviteExported https://t.me/joinchat/")
                || out.starts_with(r#"{"_":"chatInviteExported","link":"https://t.me/joinchat/"#),
            "{args:?}: {out}"
        );
    }
    // A bad value is still refused wherever it stands.
    let (_, err, code) = run(
        &[
            "invoke",
            "export-chat-invite",
            "--peer",
            "chat:1",
            "--timeout",
            "soon",
        ],
        "",
    );
    assert_eq!(code, 1);
    assert!(err.contains("--timeout"), "{err}");
}

/// A plain-mode request to a server that requires encryption: the transport
/// error (−404) comes with what to do.
#[test]
fn plain_mode_against_an_encrypted_server_says_what_to_do() {
    let server = server();
    for args in [
        vec!["--insecure-plain", "call", EXPORT_CHAT_1],
        vec!["export-chat-invite", "--peer", "chat:1", "--insecure-plain"],
    ] {
        let (out, err, code) = invoke(&server, &args);
        assert_eq!((code, out.as_str()), (1, ""), "{args:?}: {err}");
        assert!(err.contains("-404"), "{args:?}: {err}");
        assert!(err.contains("it may require encryption"), "{args:?}: {err}");
        assert!(
            err.contains("leave out --insecure-plain"),
            "{args:?}: {err}"
        );
    }
}
