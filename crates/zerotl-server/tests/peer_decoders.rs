//! The server's answers to the connection bootstrap, the bot login, layer 230's
//! `exportChatInvite` and `users.getFullUser` (what Pyrogram's `get_me` sends), decoded by client libraries' own readers at their layers:
//! Telethon 1.45's `BinaryReader` (layer 229, `oracles/decode_answers.py`) and
//! GramJS 2.26.22's (layer 198, `oracles/decode_answers.js`) and pyrogram
//! 2.0.106's (layer 158, `decode_answers.py --pyrogram`). Every answer must decode
//! to the expected type with no byte left over.
//!
//! Runs only with `ZEROTL_ORACLES=1` (python3 with telethon==1.45.0 and
//! pyrogram==2.0.106, node with `tests/conformance`'s `npm ci` done):
//! `ZEROTL_ORACLES=1 cargo test -p zerotl-server --test peer_decoders -- --nocapture`.

mod e2e_support;

use e2e_support::oracles;

use std::io::Write as _;
use std::process::{Command, Stdio};

use zerotl::{Object, Str};
use zerotl_mtproto::envelope::RpcOutcome;
use zerotl_server::rpc::{self, Request};
use zerotl_server::sessions::SessionRef;
use zerotl_server::world::{World, DEFAULT_BOT_TOKEN};
use zerotl_server::WorldState;
use zerotl_types::layer230::{enums, functions as f, types};

fn encode<T: zerotl::Encode>(v: &T) -> Vec<u8> {
    zerotl::encode_to_vec(v).unwrap()
}

fn hello<Q: zerotl::Encode>(layer: i32, query: Q) -> Vec<u8> {
    encode(&f::InvokeWithLayer {
        layer,
        query: f::InitConnection {
            api_id: 4,
            device_model: Str::new("test"),
            system_version: Str::new("test"),
            app_version: Str::new("1"),
            system_lang_code: Str::new("en"),
            lang_pack: Str::new(""),
            lang_code: Str::new("en"),
            proxy: None,
            params: None,
            query,
        },
    })
}

/// The requests, each with the type name its answer must decode to.
fn requests(layer: i32, now: i32) -> Vec<(Vec<u8>, &'static str)> {
    let login = encode(&f::auth::ImportBotAuthorization {
        flags: 0,
        api_id: 4,
        api_hash: Str::new("x"),
        bot_auth_token: Str::new(DEFAULT_BOT_TOKEN),
    });
    let mut get_self = 0x0d91_a548u32.to_le_bytes().to_vec();
    get_self.extend_from_slice(&[0x15, 0xc4, 0xb5, 0x1c, 1, 0, 0, 0, 0x3f, 0xb1, 0xc1, 0xf7]);
    let export = f::messages::ExportChatInvite {
        legacy_revoke_permanent: false,
        request_needed: true,
        peer: enums::InputPeer::Channel(types::InputPeerChannel {
            channel_id: 10,
            access_hash: 1010,
        }),
        expire_date: Some(now + 3600),
        usage_limit: Some(9),
        title: Some(Str::new("peers")),
        subscription_pricing: None,
    };
    vec![
        (hello(layer, f::help::GetConfig), "Config"),
        (encode(&f::help::GetNearestDc), "NearestDc"),
        (hello(layer, Object::from_bytes(&login)), "Authorization"),
        (get_self, "list:User"),
        (encode(&f::updates::GetState), "State"),
        (
            encode(&f::updates::GetDifference {
                pts: 1,
                pts_limit: None,
                pts_total_limit: None,
                date: now,
                qts: 0,
                qts_limit: None,
            }),
            "DifferenceEmpty",
        ),
        (encode(&export), "ChatInviteExported"),
        (
            encode(&f::users::GetFullUser {
                id: enums::InputUser::UserSelf,
            }),
            "UserFull",
        ),
        // pong and destroy_session_* come from the connection core, not from
        // `rpc::answer` (interop.rs has Telethon read them off the wire).
    ]
}

/// The answers' bytes (each request must succeed).
fn answers(layer: i32) -> (Vec<String>, Vec<&'static str>) {
    let state = WorldState::new(World::default());
    state.set_listen_addr("127.0.0.1:4430".parse().unwrap());
    let now = 1_900_000_000;
    let session = SessionRef {
        auth_key_id: Some(1),
        session_id: Some(1),
    };
    let mut hex_lines = Vec::new();
    let mut names = Vec::new();
    for (body, name) in requests(layer, now as i32) {
        let mut out = Vec::new();
        let request = Request {
            body: &body,
            msg_id: 5,
            session,
            now,
        };
        rpc::answer(&state, &request, &mut out).unwrap();
        match RpcOutcome::of(Object::from_bytes(&out)).unwrap() {
            RpcOutcome::Ok(o) => hex_lines.push(hex::encode(o.as_bytes())),
            other => panic!("{name}: {other:?}"),
        }
        names.push(name);
    }
    (hex_lines, names)
}

/// Runs a decoder script over the answers; checks each decoded type.
fn check(mut command: Command, layer: i32) -> Vec<serde_json::Value> {
    let (hex_lines, names) = answers(layer);
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the decoder runs");
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all((hex_lines.join("\n") + "\n").as_bytes())
        .unwrap();
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    let decoded: Vec<serde_json::Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(decoded.len(), names.len(), "{decoded:?}");
    for (d, name) in decoded.iter().zip(&names) {
        let last = |t: &serde_json::Value| {
            t.as_str()
                .unwrap_or("")
                .rsplit('.')
                .next()
                .unwrap_or("")
                .to_owned()
        };
        let got = match d["type"].as_str() {
            Some("list") => format!("list:{}", last(&d["items"][0]["type"])),
            _ => last(&d["type"]),
        };
        assert_eq!(&got, name, "layer {layer}: {d}");
        assert_eq!(d["rest"], 0, "layer {layer}: {name} left bytes over: {d}");
    }
    decoded
}

#[test]
fn telethon_reads_layer_229_answers() {
    if !oracles() {
        return;
    }
    let mut command = Command::new("python3");
    command.arg(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/oracles/decode_answers.py"
    ));
    let d = check(command, 229);
    let config = &d[0]["fields"];
    assert_eq!(config["this_dc"], 2);
    assert_eq!(config["dc_options"].as_array().unwrap().len(), 5);
    assert_eq!(config["dc_options"][0]["port"], 4430);
    let user = &d[3]["items"][0]["fields"];
    assert_eq!(
        (user["id"].clone(), user["bot"].clone()),
        (123_456.into(), true.into())
    );
    let invite = &d[6]["fields"];
    assert_eq!(invite["usage_limit"], 9);
    assert_eq!(invite["title"], "peers");
    assert_eq!(invite["request_needed"], true);
    assert_eq!(invite["admin_id"], 123_456);
    let full = &d[7]["fields"];
    assert_eq!(full["full_user"]["id"], 123_456);
    assert_eq!(full["users"][0]["username"], "zerotl_test_bot");
}

#[test]
fn gramjs_reads_layer_198_answers() {
    if !oracles() {
        return;
    }
    let mut command = Command::new("node");
    command
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/oracles/decode_answers.js"
        ))
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/conformance/node_modules"
        ));
    let d = check(command, 198);
    let user = &d[3]["items"][0]["fields"];
    assert_eq!(user["id"], "123456");
    assert_eq!(user["username"], "zerotl_test_bot");
    let invite = &d[6]["fields"];
    assert_eq!(invite["usageLimit"], "9");
    assert_eq!(invite["title"], "peers");
}

#[test]
fn pyrogram_reads_layer_158_answers() {
    if !oracles() {
        return;
    }
    let mut command = Command::new("python3");
    command
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/oracles/decode_answers.py"
        ))
        .arg("--pyrogram");
    let d = check(command, 158);
    let user = &d[3]["items"][0]["fields"];
    assert_eq!(user["id"], 123_456);
    assert_eq!(user["bot"], true);
    let invite = &d[6]["fields"];
    assert_eq!(invite["usage_limit"], 9);
    assert_eq!(invite["title"], "peers");
}
