//! Interop with Telethon 1.45 at its connection layer, against the embedded server:
//!
//! * `oracles/telethon_interop.py` uses Telethon's own connection classes and packet
//!   codecs (abridged, intermediate, padded intermediate, full, and obfuscated2 over
//!   the first three), in plain test mode and encrypted (Telethon's key exchange and
//!   `MTProtoState`), sending layer-122 `messages.exportChatInvite` bytes for every
//!   case of the default world and checking each `rpc_result` (210 checks).
//! * `oracles/telethon_service.py` sends the service messages (future_salts, pong for
//!   ping and ping_delay_disconnect, destroy_session_none, an unanswered msgs_ack, a
//!   replay answered once) with Telethon's key exchange and message state.
//!
//! Runs only with `ZEROTL_ORACLES=1` (needs `python3` with `telethon==1.45.0`):
//! `ZEROTL_ORACLES=1 cargo test -p zerotl-server --test interop -- --nocapture`.
//! The CLI's `cli_net` test runs the first script against the `zerotl serve` binary.

mod e2e_support;

use e2e_support::{oracles, run_oracle, telethon_script};
use zerotl_server::world::World;
use zerotl_server::ServerBuilder;

/// Checks `telethon_interop.py` makes: 15 calls x 7 transports x 2 modes.
const INTEROP_CHECKS: u64 = 15 * 7 * 2;
/// Checks `telethon_service.py` makes.
const SERVICE_CHECKS: u64 = 10;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn telethon_client_against_the_embedded_server() {
    if !oracles() {
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
    let script = telethon_script("telethon_interop.py", server.local_addr());
    run_oracle(script, INTEROP_CHECKS).await;
    // chat:1 twice, channel:10 and channel-from-message:10, per transport and mode.
    assert_eq!(server.world().exports(), 4 * 7 * 2);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn telethon_service_messages() {
    if !oracles() {
        return;
    }
    let server = ServerBuilder::new()
        .listen("127.0.0.1:0".parse().unwrap())
        .spawn()
        .await
        .unwrap();
    let script = telethon_script("telethon_service.py", server.local_addr());
    run_oracle(script, SERVICE_CHECKS).await;
    server.shutdown().await;
}
