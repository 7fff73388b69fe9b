//! Interop with Telethon 1.45: `oracles/telethon_interop.py` talks to the embedded
//! server with Telethon's own connection classes and packet codecs (abridged,
//! intermediate, padded intermediate, full, and obfuscated2 over the first three),
//! in plain test mode and encrypted (Telethon's key exchange and `MTProtoState`),
//! sending layer-122 `messages.exportChatInvite` bytes for every case of the
//! default world and checking each `rpc_result` (210 checks).
//!
//! Runs only with `ZEROTL_ORACLES=1` (needs `python3` with `telethon==1.45.0`):
//! `ZEROTL_ORACLES=1 cargo test -p zerotl-server --test interop -- --nocapture`.
//! The CLI's `cli_net` test runs the same script against the `zerotl serve` binary.

use std::process::Command;

use zerotl_server::world::World;
use zerotl_server::ServerBuilder;

/// Checks the script makes: 15 calls x 7 transports x 2 modes.
const EXPECTED_CHECKS: u64 = 15 * 7 * 2;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn telethon_client_against_the_embedded_server() {
    if std::env::var("ZEROTL_ORACLES").as_deref() != Ok("1") {
        eprintln!("skipped: set ZEROTL_ORACLES=1 to run the Telethon oracle");
        return;
    }
    // The default world, with room for the script's 56 exports of chat 1 and
    // channel 10 within one flood window.
    let mut world = World::default();
    world.flood.max_exports = 1000;
    let server = ServerBuilder::new()
        .listen("127.0.0.1:0".parse().unwrap())
        .world(world)
        .insecure_plain(true)
        .spawn()
        .await
        .unwrap();
    let dir = env!("CARGO_MANIFEST_DIR");
    let addr = server.local_addr();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("python3")
            .arg(format!("{dir}/tests/oracles/telethon_interop.py"))
            .arg(addr.ip().to_string())
            .arg(addr.port().to_string())
            .arg("--server-key")
            .arg(format!("{dir}/src/test_server_key.pem"))
            .output()
            .expect("python3 runs")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    let summary: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap_or(""))
        .unwrap_or_else(|e| panic!("no summary ({e}); stderr:\n{stderr}"));
    assert_eq!(
        summary["failures"],
        serde_json::json!([]),
        "stderr:\n{stderr}"
    );
    assert_eq!(summary["checked"], EXPECTED_CHECKS);
    assert!(output.status.success(), "stderr:\n{stderr}");
    // chat:1 twice, channel:10 and channel-from-message:10, per transport and mode.
    assert_eq!(server.world().exports(), 4 * 7 * 2);
    server.shutdown().await;
}
