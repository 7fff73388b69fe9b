//! `zerotl demo`, `zerotl serve` and `zerotl invoke` as a user runs them.
//!
//! `cargo test -p zerotl-cli --test cli_net`; with `ZEROTL_ORACLES=1` (python3 and
//! telethon==1.45.0) the Telethon interop script also runs against `zerotl serve`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};

const ZEROTL: &str = env!("CARGO_BIN_EXE_zerotl");

/// The library's published test key (PKCS#1 PEM private key): `serve --rsa-key`
/// and `invoke --trust-key` both take it, so tests skip generating a key.
const TEST_KEY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../zerotl-server/src/test_server_key.pem"
);

fn run(args: &[&str]) -> (String, String, i32) {
    let Output {
        stdout,
        stderr,
        status,
    } = Command::new(ZEROTL)
        .args(args)
        .output()
        .expect("run zerotl");
    (
        String::from_utf8(stdout).unwrap(),
        String::from_utf8(stderr).unwrap(),
        status.code().unwrap_or(-1),
    )
}

const DEMO_ERRORS: [&str; 5] = [
    "channel:11:1111  -> error 400 CHANNEL_PRIVATE -> ExportChatInviteError::ChannelPrivate",
    "chat:2           -> error 400 CHAT_ADMIN_REQUIRED -> ExportChatInviteError::ChatAdminRequired",
    "chat:99          -> error 400 CHAT_ID_INVALID -> ExportChatInviteError::ChatIdInvalid",
    "chat:3           -> error 403 CHAT_WRITE_FORBIDDEN -> ExportChatInviteError::ChatWriteForbidden",
    "self             -> error 400 PEER_ID_INVALID -> ExportChatInviteError::PeerIdInvalid",
];

fn check_demo(args: &[&str]) {
    let (out, err, code) = run(args);
    assert_eq!(code, 0, "{args:?}\nstdout:\n{out}\nstderr:\n{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 13, "{out}");
    assert!(
        lines[0].starts_with("zerotl demo: server on 127.0.0.1:"),
        "{out}"
    );
    assert!(lines[1].starts_with("chat:1           -> chatInviteExported https://t.me/joinchat/"));
    assert!(lines[2].starts_with("channel:10:1010  -> chatInviteExported https://t.me/joinchat/"));
    assert!(
        lines[3].ends_with("(new link; the previous one is revoked)"),
        "{out}"
    );
    for expected in DEMO_ERRORS {
        assert!(lines.contains(&expected), "missing {expected:?} in\n{out}");
    }
    // Layer 230 with its fields, then a bot's call.
    assert!(lines[10].starts_with("230 chat:1       -> chatInviteExported https://t.me/joinchat/"));
    assert!(
        lines[10].contains(" admin_id=1000 ")
            && lines[10].ends_with(" usage_limit=5 title=\"demo\"")
    );
    assert!(lines[11].starts_with("bot channel:10   -> chatInviteExported https://t.me/joinchat/"));
    assert!(lines[11].contains(" admin_id=123456 "), "{out}");
    assert!(!out.contains("UNEXPECTED"), "{out}");
    assert_eq!(lines[12], "zerotl demo: all 11 calls answered as expected");
}

#[test]
fn demo_encrypted() {
    check_demo(&["demo"]);
    check_demo(&["demo", "--transport", "obfuscated-padded"]);
}

#[test]
fn demo_every_transport_in_plain_mode() {
    for t in [
        "abridged",
        "intermediate",
        "padded",
        "full",
        "obfuscated-abridged",
        "obfuscated-intermediate",
        "obfuscated-padded",
    ] {
        check_demo(&["demo", "--transport", t, "--insecure-plain"]);
    }
}

/// A `zerotl serve` child on an ephemeral port, and its address.
struct Server {
    /// `None` once stopped.
    child: Option<Child>,
    addr: String,
}

impl Server {
    fn start(extra: &[&str]) -> Self {
        let mut child = Command::new(ZEROTL)
            .args(["serve", "--listen", "127.0.0.1:0", "--quiet"])
            .args(["--rsa-key", TEST_KEY])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start zerotl serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .split_whitespace()
            .nth(3)
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_owned();
        assert!(line.starts_with("zerotl: serving on 127.0.0.1:"), "{line}");
        Self {
            child: Some(child),
            addr,
        }
    }

    fn invoke(&self, args: &[&str], peer: &str) -> (String, String, i32) {
        let mut all = vec!["invoke", "--server", &self.addr, "--trust-key", TEST_KEY];
        all.extend_from_slice(args);
        all.extend_from_slice(&["export-chat-invite", "--peer", peer]);
        run(&all)
    }

    /// Stops the server with SIGTERM; returns its exit code and stderr.
    #[cfg(unix)]
    fn terminate(mut self) -> (i32, String) {
        let child = self.child.take().unwrap();
        let status = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let out = child.wait_with_output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8(out.stderr).unwrap(),
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[cfg(unix)]
#[test]
fn serve_and_invoke() {
    let server = Server::start(&["--insecure-plain"]);
    // Plain test mode, several transports.
    let plain = ["--insecure-plain", "--transport"];
    let cases: [(&str, &str, i32, &str); 8] = [
        (
            "abridged",
            "chat:1",
            0,
            "chatInviteExported https://t.me/joinchat/",
        ),
        (
            "full",
            "chat:2",
            1,
            "error 400 CHAT_ADMIN_REQUIRED -> ExportChatInviteError::ChatAdminRequired",
        ),
        (
            "padded",
            "chat:3",
            1,
            "error 403 CHAT_WRITE_FORBIDDEN -> ExportChatInviteError::ChatWriteForbidden",
        ),
        (
            "intermediate",
            "chat:7",
            1,
            "error 400 CHAT_ID_INVALID -> ExportChatInviteError::ChatIdInvalid",
        ),
        (
            "obfuscated-abridged",
            "channel:11:1111",
            1,
            "error 400 CHANNEL_PRIVATE -> ExportChatInviteError::ChannelPrivate",
        ),
        (
            "obfuscated-padded",
            "channel-from-message:10:5:chat:1",
            0,
            "chatInviteExported https://t.me/joinchat/",
        ),
        (
            "obfuscated-intermediate",
            "user:1000:0",
            1,
            "error 400 PEER_ID_INVALID -> ExportChatInviteError::PeerIdInvalid",
        ),
        (
            "abridged",
            "empty",
            1,
            "error 400 PEER_ID_INVALID -> ExportChatInviteError::PeerIdInvalid",
        ),
    ];
    for (transport, peer, code, expected) in cases {
        let mut args = plain.to_vec();
        args.push(transport);
        let (out, err, status) = server.invoke(&args, peer);
        assert_eq!(status, code, "{transport} {peer}: {out}{err}");
        if code == 0 {
            assert!(out.starts_with(expected), "{transport} {peer}: {out}");
            assert!(err.is_empty(), "{err}");
        } else {
            assert_eq!(
                err.trim_end(),
                format!("zerotl: {expected}"),
                "{transport} {peer}"
            );
            assert!(out.is_empty(), "{out}");
        }
    }
    // Encrypted (the default).
    let (out, _, status) = server.invoke(&["--transport", "full"], "channel:10:1010");
    assert_eq!(status, 0);
    assert!(
        out.starts_with("chatInviteExported https://t.me/joinchat/"),
        "{out}"
    );
    let (_, err, status) = server.invoke(&[], "channel:13:1313");
    assert_eq!(status, 1);
    assert!(
        err.contains("ExportChatInviteError::ChatWriteForbidden"),
        "{err}"
    );
    // A malformed peer is a usage error, before any connection.
    let (_, err, status) = server.invoke(&[], "chat:one");
    assert_ne!(status, 0);
    assert!(
        err.contains("chat id \"one\" is not a valid number"),
        "{err}"
    );

    let (code, err) = server.terminate();
    assert_eq!(code, 0, "{err}");
    assert!(
        err.ends_with("zerotl: shutting down\nzerotl: stopped\n"),
        "{err}"
    );
}

/// `invoke --layer 230` with export-chat-invite's flags, and `--bot-token`.
#[test]
fn invoke_at_layer_230_and_as_a_bot() {
    let server = Server::start(&[]);
    let addr = server.addr.clone();
    let invoke = |args: &[&str]| {
        let mut all = vec!["invoke", "--server", &addr, "--trust-key", TEST_KEY];
        all.extend_from_slice(args);
        run(&all)
    };
    let (out, err, status) = invoke(&[
        "--layer",
        "230",
        "export-chat-invite",
        "--peer",
        "chat:1",
        "--expire-date",
        "2000000000",
        "--usage-limit",
        "7",
        "--title",
        "t t",
        "--request-needed",
        "--legacy-revoke-permanent",
    ]);
    assert_eq!(status, 0, "{err}");
    assert!(
        out.starts_with("chatInviteExported https://t.me/joinchat/"),
        "{out}"
    );
    assert!(
        out.trim_end().ends_with(
            " expire_date=2000000000 usage_limit=7 title=\"t t\" request_needed permanent"
        ),
        "{out}"
    );
    let (_, err, status) = invoke(&[
        "--layer",
        "230",
        "export-chat-invite",
        "--peer",
        "chat:1",
        "--usage-limit",
        "0",
    ]);
    assert_eq!(status, 1);
    assert!(
        err.contains("error 400 USAGE_LIMIT_INVALID -> Other(USAGE_LIMIT_INVALID)"),
        "{err}"
    );
    let (_, err, status) = invoke(&["export-chat-invite", "--peer", "chat:1", "--title", "x"]);
    assert_eq!(status, 1);
    assert!(err.contains("need --layer 230"), "{err}");

    let token = "123456:AAH-zerotl-test-bot-token";
    for layer in ["122", "230"] {
        // The bot is a member of chat 2 and admin of channel 10.
        let (_, err, status) = invoke(&[
            "--bot-token",
            token,
            "--layer",
            layer,
            "export-chat-invite",
            "--peer",
            "chat:2",
        ]);
        assert_eq!(status, 1);
        assert!(
            err.contains("logged in as bot @zerotl_test_bot (id 123456)"),
            "{err}"
        );
        assert!(err.contains("error 400 CHAT_ADMIN_REQUIRED"), "{err}");
        let (out, err, status) = invoke(&[
            "--bot-token",
            token,
            "--layer",
            layer,
            "export-chat-invite",
            "--peer",
            "channel:10:1010",
        ]);
        assert_eq!(status, 0, "{err}");
        assert!(
            out.starts_with("chatInviteExported https://t.me/joinchat/"),
            "{out}"
        );
    }
    let (_, err, status) = invoke(&[
        "--bot-token",
        "1:x",
        "export-chat-invite",
        "--peer",
        "chat:1",
    ]);
    assert_eq!(status, 1);
    assert!(
        err.contains("ACCESS_TOKEN_INVALID -> AccessTokenInvalid"),
        "{err}"
    );
    drop(server);
}

#[cfg(unix)]
#[test]
fn plain_mode_needs_the_server_flag() {
    let server = Server::start(&[]);
    let (out, err, status) = server.invoke(&["--insecure-plain"], "chat:1");
    assert_eq!(status, 1, "{out}");
    assert!(err.contains("transport error -404"), "{err}");
    drop(server);
}

#[test]
fn serve_with_world_files() {
    let world = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/worlds/default.json"
    );
    let server = Server::start(&["--insecure-plain", "--world", world]);
    let (out, _, status) = server.invoke(&["--insecure-plain"], "chat:1");
    assert_eq!(status, 0, "{out}");
    drop(server);

    let dir = std::env::temp_dir().join(format!("zerotl-cli-net-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let custom = dir.join("world.json");
    std::fs::write(
        &custom,
        r#"{"self_user_id": 5, "chats": [{"id": 2, "role": "admin"}]}"#,
    )
    .unwrap();
    let server = Server::start(&["--insecure-plain", "--world", custom.to_str().unwrap()]);
    let (out, _, status) = server.invoke(&["--insecure-plain"], "chat:2");
    assert_eq!(status, 0, "{out}");
    let (_, err, status) = server.invoke(&["--insecure-plain"], "chat:1");
    assert_eq!(status, 1);
    assert!(err.contains("ChatIdInvalid"), "{err}");
    drop(server);

    // login_required: nothing but the bootstrap and a login before a login, then the
    // bot's roles decide.
    let gated = dir.join("gated.json");
    std::fs::write(
        &gated,
        r#"{"self_user_id": 5, "chats": [{"id": 1, "role": "admin"}],
            "bots": [{"token": "7:AAH-zerotl-gated-bot-token", "user_id": 7,
                      "username": "gated_test_bot", "chats": [{"id": 1, "role": "admin"}]}],
            "login_required": true}"#,
    )
    .unwrap();
    let server = Server::start(&["--world", gated.to_str().unwrap()]);
    let invoke = |args: &[&str]| {
        let mut all = vec!["invoke", "--server", &server.addr, "--trust-key", TEST_KEY];
        all.extend_from_slice(args);
        run(&all)
    };
    let (_, err, status) = invoke(&["export-chat-invite", "--peer", "chat:1"]);
    assert_eq!(status, 1);
    assert!(err.contains("error 401 AUTH_KEY_UNREGISTERED"), "{err}");
    let (out, err, status) = invoke(&[
        "--bot-token",
        "7:AAH-zerotl-gated-bot-token",
        "export-chat-invite",
        "--peer",
        "chat:1",
    ]);
    assert_eq!(status, 0, "{err}");
    assert!(
        err.contains("logged in as bot @gated_test_bot (id 7)"),
        "{err}"
    );
    assert!(
        out.starts_with("chatInviteExported https://t.me/joinchat/"),
        "{out}"
    );
    drop(server);

    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        r#"{"self_user_id": 5, "chats": [{"id": 2, "role": "boss"}]}"#,
    )
    .unwrap();
    let (_, err, status) = run(&["serve", "--world", bad.to_str().unwrap()]);
    assert_eq!(status, 1);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("zerotl: world file, line 1"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Without `--rsa-key` the server makes a fresh key and prints its public half
/// after the address line; `invoke --trust-key` reads that output; a client that
/// trusts another key is refused with the fingerprints on offer.
#[cfg(unix)]
#[test]
fn fresh_server_key_and_trusted_keys() {
    let mut child = Command::new(ZEROTL)
        .args(["serve", "--listen", "127.0.0.1:0", "--quiet"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start zerotl serve");
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    while !printed.contains("-----END RSA PUBLIC KEY-----") {
        let before = printed.len();
        reader.read_line(&mut printed).unwrap();
        assert!(printed.len() > before, "serve stopped printing: {printed}");
    }
    let first = printed.lines().next().unwrap();
    assert!(
        first.starts_with("zerotl: serving on 127.0.0.1:"),
        "{first}"
    );
    let fingerprint = first
        .rsplit_once("fingerprint ")
        .map(|(_, f)| f.trim_end_matches(')'))
        .unwrap()
        .to_owned();
    let addr = first.split_whitespace().nth(3).unwrap().to_owned();
    let dir = std::env::temp_dir().join(format!("zerotl-cli-key-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let saved = dir.join("serve.out");
    std::fs::write(&saved, &printed).unwrap();

    let call = |trust: &str| {
        run(&[
            "invoke",
            "--server",
            &addr,
            "--trust-key",
            trust,
            "export-chat-invite",
            "--peer",
            "chat:1",
        ])
    };
    let (out, err, status) = call(saved.to_str().unwrap());
    assert_eq!(status, 0, "{out}{err}");
    assert!(
        out.starts_with("chatInviteExported https://t.me/joinchat/"),
        "{out}"
    );
    let (_, err, status) = call(TEST_KEY);
    assert_eq!(status, 1);
    assert!(err.contains("no trusted key"), "{err}");
    assert!(err.contains(&fingerprint), "{err} lacks {fingerprint}");
    let (_, err, status) = call(dir.join("missing.pem").to_str().unwrap());
    assert_eq!(status, 1);
    assert!(err.starts_with("zerotl: cannot read "), "{err}");
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--print-public-key` prints the PKCS#1 public key of `--rsa-key` and exits.
#[test]
fn print_public_key() {
    let (out, err, status) = run(&["serve", "--rsa-key", TEST_KEY, "--print-public-key"]);
    assert_eq!(status, 0, "{err}");
    assert!(out.starts_with("-----BEGIN RSA PUBLIC KEY-----\n"), "{out}");
    assert!(out.ends_with("-----END RSA PUBLIC KEY-----\n"), "{out}");
    let expected = zerotl_server::keys::test_server_public_key().to_pkcs1_pem();
    assert_eq!(out.trim_end(), expected.trim_end());
    // Without a key file there is nothing lasting to print.
    let (_, err, status) = run(&["serve", "--print-public-key"]);
    assert_eq!(status, 1);
    assert!(err.contains("--rsa-key"), "{err}");
}

#[test]
fn invoke_without_a_server() {
    // Bind and drop to find a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let (_, err, status) = run(&[
        "invoke",
        "--server",
        &addr,
        "export-chat-invite",
        "--peer",
        "chat:1",
    ]);
    assert_eq!(status, 1);
    assert!(
        err.starts_with(&format!("zerotl: cannot connect to {addr}")),
        "{err}"
    );
}

/// Telethon's codecs and key exchange against the `zerotl serve` binary.
#[test]
fn telethon_against_zerotl_serve() {
    if std::env::var("ZEROTL_ORACLES").as_deref() != Ok("1") {
        eprintln!("skipped: set ZEROTL_ORACLES=1 to run the Telethon oracle");
        return;
    }
    // The default world with room for the script's 56 exports in one flood window.
    let dir = std::env::temp_dir().join(format!("zerotl-cli-oracle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let world = dir.join("world.json");
    let default = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/worlds/default.json"
    );
    let text = std::fs::read_to_string(default)
        .unwrap()
        .replace("\"max_exports\": 20", "\"max_exports\": 1000");
    assert!(text.contains("1000"));
    std::fs::write(&world, text).unwrap();
    let server = Server::start(&["--insecure-plain", "--world", world.to_str().unwrap()]);
    // The script adds the server's key (Server::start passes TEST_KEY) to Telethon's.
    let (host, port) = server.addr.rsplit_once(':').unwrap();
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../zerotl-server");
    let output = Command::new("python3")
        .arg(format!("{root}/tests/oracles/telethon_interop.py"))
        .args([host, port])
        .arg("--server-key")
        .arg(format!("{root}/src/test_server_key.pem"))
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let summary = stdout.lines().last().unwrap_or_default();
    assert!(
        output.status.success() && summary == r#"{"checked": 210, "failures": []}"#,
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `serve --proxy-secret`: obfuscated connections keyed with the secret are served
/// (the `dd`-prefixed form too), ones without it are refused, a malformed secret
/// stops the server at start-up.
#[cfg(unix)]
#[test]
fn serve_as_an_mtproxy() {
    use std::time::Duration;
    use zerotl_client::{BlockingClient, ClientConfig};
    use zerotl_mtproto::transport::{ObfuscationOptions, ProxySecret, Transport};

    const SECRET: &str = "0123456789abcdeffedcba9876543210";
    let secret = ProxySecret::new([
        0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32,
        0x10,
    ]);
    // A plain exportChatInvite(inputPeerChat 1) at layer 122.
    let request = [0x4c, 0x53, 0xf7, 0x0d, 0x63, 0xe8, 0x9b, 0x17, 1, 0, 0, 0];
    let call = |addr: &str, secret: Option<ProxySecret>| {
        let mut config = ClientConfig::new(Transport::Intermediate)
            .insecure_plain()
            .timeout(Duration::from_secs(5));
        config.obfuscation = Some(ObfuscationOptions {
            secret,
            dc_id: Some(2),
        });
        let client = BlockingClient::connect(addr, config).map_err(|e| e.to_string())?;
        client
            .invoke_raw(&request)
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    for given in [SECRET.to_owned(), format!("dd{SECRET}")] {
        let server = Server::start(&["--insecure-plain", "--proxy-secret", &given]);
        call(&server.addr, Some(secret)).unwrap_or_else(|e| panic!("{given}: {e}"));
        assert!(
            call(&server.addr, None).is_err(),
            "{given}: served without the secret"
        );
        let (code, err) = server.terminate();
        assert_eq!(code, 0, "{err}");
    }
    for bad in [
        "0123",
        "zz23456789abcdeffedcba9876543210",
        &format!("ee{SECRET}"),
    ] {
        let (_, err, status) = run(&["serve", "--listen", "127.0.0.1:0", "--proxy-secret", bad]);
        assert_eq!(status, 1, "{bad}: {err}");
        assert!(err.contains("--proxy-secret"), "{bad}: {err}");
    }
}
