//! End to end over real loopback TCP, for each transport (abridged, intermediate,
//! padded intermediate, full, and obfuscated2 over the three framings that have a
//! tag), encrypted (MTProto 2.0 key exchange, then encrypted messages) and in plain
//! test mode: every case of the default world gets its typed value or typed error,
//! a second export revokes the first link, many calls in flight on one connection
//! each get their own answer, and FLOOD_WAIT is surfaced above the client's
//! threshold and slept through (on an injected clock) below it.
//!
//! `cargo test -p zerotl-mtproto --test e2e`

mod e2e_support;

use e2e_support::test_config;

use e2e_support::{configs, run_cases, run_flood, start_server};
use zerotl_client::Client;
use zerotl_mtproto::transport::Transport;
use zerotl_server::ManualTime;

async fn transport_end_to_end(transport: Transport, obfuscated: bool) {
    let time = ManualTime::new();
    let server = start_server(&time).await;
    for (mode, config) in configs(transport, obfuscated) {
        let what = format!("{transport:?} obfuscated={obfuscated} {mode}");
        let client = Client::connect(server.local_addr(), config.clone())
            .await
            .unwrap_or_else(|e| panic!("{what}: connect: {e}"));
        assert_eq!(client.auth_key().is_some(), mode == "encrypted", "{what}");
        run_cases(&client, &server, &what).await;
    }
    let (_, encrypted) = configs(transport, obfuscated).remove(0);
    run_flood(&server, &time, encrypted, &format!("{transport:?} flood")).await;
    let (_, plain) = configs(transport, obfuscated).remove(1);
    run_flood(&server, &time, plain, &format!("{transport:?} plain flood")).await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abridged() {
    transport_end_to_end(Transport::Abridged, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn intermediate() {
    transport_end_to_end(Transport::Intermediate, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn padded() {
    transport_end_to_end(Transport::Padded, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full() {
    transport_end_to_end(Transport::Full, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn obfuscated_abridged() {
    transport_end_to_end(Transport::Abridged, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn obfuscated_intermediate() {
    transport_end_to_end(Transport::Intermediate, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn obfuscated_padded() {
    transport_end_to_end(Transport::Padded, true).await;
}

/// The full transport has no tag to hide, so it cannot be obfuscated: the config
/// builder refuses it, and `connect` refuses such a config before connecting.
#[tokio::test]
async fn obfuscated_full_is_refused() {
    use zerotl_client::{ConfigError, ConnectError};
    assert_eq!(
        test_config(Transport::Full).obfuscated().unwrap_err(),
        ConfigError::ObfuscatedFull
    );
    let time = ManualTime::new();
    let server = start_server(&time).await;
    let mut config = test_config(Transport::Full);
    config.obfuscation = Some(Default::default());
    let err = Client::connect(server.local_addr(), config)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ConnectError::Config(ConfigError::ObfuscatedFull)),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("obfuscate abridged, intermediate or padded"),
        "{err}"
    );
    // Refused before connecting.
    assert_eq!(server.stats().accepted(), 0);
    server.shutdown().await;
}
