//! The server started from blocking code (`ServerBuilder::start_in_thread`), called
//! by the blocking client: no tokio runtime in the test.

mod e2e_support;

use e2e_support::export;

use std::net::TcpStream;
use std::time::Duration;

use zerotl_client::{BlockingClient, ClientConfig, InvocationError};
use zerotl_errors::layer122::messages::ExportChatInviteError;
use zerotl_mtproto::transport::Transport;
use zerotl_server::keys::test_server_public_key;
use zerotl_server::world::ChatKey;
use zerotl_server::ServerBuilder;
use zerotl_types::layer122::enums::ExportedChatInvite;

fn any_port() -> std::net::SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

#[test]
fn blocking_client_against_a_server_in_a_thread() {
    let server = ServerBuilder::new()
        .listen(any_port())
        .start_in_thread()
        .expect("the server starts");
    let config = ClientConfig::new(Transport::Intermediate)
        .trust(vec![test_server_public_key()])
        .timeout(Duration::from_secs(20));
    let client = BlockingClient::connect(server.local_addr(), config).expect("connects");

    let answer = client.invoke(&export(1)).expect("chat 1 exports");
    let ExportedChatInvite::ChatInviteExported(e) = answer.get() else {
        panic!("{answer:?}")
    };
    assert_eq!(
        server.world().current_link(ChatKey::Chat(1)).as_deref(),
        Some(e.link.as_str())
    );
    match client.invoke(&export(2)) {
        Err(InvocationError::Rpc(ExportChatInviteError::ChatAdminRequired)) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(server.stats().accepted(), 1);

    drop(client);
    let addr = server.local_addr();
    server.shutdown();
    assert!(
        TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_err(),
        "still listening on {addr} after shutdown"
    );
}

#[test]
fn dropping_the_handle_stops_the_server() {
    let server = ServerBuilder::new()
        .listen(any_port())
        .insecure_plain(true)
        .start_in_thread()
        .unwrap();
    let addr = server.local_addr();
    let client = BlockingClient::connect(
        addr,
        ClientConfig::new(Transport::Abridged).insecure_plain(),
    )
    .unwrap();
    client.invoke(&export(1)).expect("plain mode answers");
    drop(server);
    assert!(TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_err());
    // The open connection was closed too.
    assert!(client.invoke(&export(1)).is_err());
}

#[test]
fn a_busy_address_is_an_error_not_a_panic() {
    let first = ServerBuilder::new()
        .listen(any_port())
        .start_in_thread()
        .unwrap();
    let err = ServerBuilder::new()
        .listen(first.local_addr())
        .start_in_thread()
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse, "{err}");
}

/// Starting from inside an async runtime works too (nothing blocks on the
/// caller's runtime but the short wait for the listening socket).
#[test]
fn starts_from_inside_a_runtime() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = runtime.block_on(async {
        ServerBuilder::new()
            .listen(any_port())
            .start_in_thread()
            .unwrap()
    });
    assert!(TcpStream::connect(server.local_addr()).is_ok());
}

/// A plain-mode request to a server that requires encryption gets transport error
/// −404; the client says what that most likely means and what to change.
#[test]
fn plain_request_to_an_encrypted_server_is_explained() {
    let server = ServerBuilder::new()
        .listen(any_port())
        .start_in_thread()
        .unwrap();
    let config = ClientConfig::new(Transport::Abridged).insecure_plain();
    let client = BlockingClient::connect(server.local_addr(), config).unwrap();
    let err = client.invoke(&export(1)).unwrap_err();
    let InvocationError::PlainRefused(transport) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(transport.code(), Some(-404));
    let message = err.to_string();
    assert!(message.contains("-404"), "{message}");
    assert!(message.contains("it may require encryption"), "{message}");
    assert!(
        message.contains("without `ClientConfig::insecure_plain`"),
        "{message}"
    );
}
