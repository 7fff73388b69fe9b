//! Telethon 1.45's service messages against the embedded server:
//! `oracles/telethon_service.py` (future_salts, pong for ping and
//! ping_delay_disconnect, destroy_session_none, an unanswered msgs_ack, a replay
//! answered once), with Telethon's own key exchange and message state.
//!
//! Runs only with `ZEROTL_ORACLES=1` (needs `python3` with `telethon==1.45.0`).

use std::process::Command;

use zerotl_server::ServerBuilder;

/// The checks the script makes.
const EXPECTED_CHECKS: u64 = 10;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn telethon_service_messages() {
    if std::env::var("ZEROTL_ORACLES").as_deref() != Ok("1") {
        eprintln!("skipped: set ZEROTL_ORACLES=1 to run the Telethon oracle");
        return;
    }
    let server = ServerBuilder::new()
        .listen("127.0.0.1:0".parse().unwrap())
        .spawn()
        .await
        .unwrap();
    let dir = env!("CARGO_MANIFEST_DIR");
    let addr = server.local_addr();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("python3")
            .arg(format!("{dir}/tests/oracles/telethon_service.py"))
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
    assert_eq!(summary["checks"], EXPECTED_CHECKS);
    server.shutdown().await;
}
