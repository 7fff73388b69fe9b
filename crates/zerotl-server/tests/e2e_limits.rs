//! End to end, the edges: refusals and limits with their typed reasons, requests
//! that do not decode, timeouts, flood retry limits, clean shutdown, key reuse, and
//! the blocking client.
//!
//! `cargo test -p zerotl-mtproto --test e2e_limits`

mod e2e_support;

use e2e_support::{export, recording, test_config, wait_for, Events};

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use zerotl_client::{BlockingClient, Client, FloodPolicy};
use zerotl_client::{DropReason, InvocationError, TransportFailure};
use zerotl_errors::layer122::messages::ExportChatInviteError as E;
use zerotl_mtproto::crypto::AuthKey;
use zerotl_mtproto::server::ServerConnectionError;
use zerotl_mtproto::transport::{
    DetectError, FrameError, Transport, TransportError, WebSocketError,
};
use zerotl_server::world::World;
use zerotl_server::{
    CloseReason, ManualTime, RefuseReason, RunningServer, ServerBuilder, ServerEvent, WorldState,
};

fn closed_with(events: &Events) -> Vec<CloseReason> {
    events
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            ServerEvent::Closed { reason, .. } => Some(reason.clone()),
            _ => None,
        })
        .collect()
}

async fn plain_server() -> (RunningServer, Events) {
    let (builder, events) = recording(ServerBuilder::new().insecure_plain(true));
    (builder.spawn().await.unwrap(), events)
}

#[tokio::test]
async fn plain_request_refused_without_insecure_plain() {
    let (builder, events) = recording(ServerBuilder::new());
    let server = builder.spawn().await.unwrap();
    let config = test_config(Transport::Intermediate).insecure_plain();
    let client = Client::connect(server.local_addr(), config).await.unwrap();
    let err = client.invoke(&export(1)).await.unwrap_err();
    // −404, explained: the client knows it spoke plain mode.
    assert!(
        matches!(
            err,
            InvocationError::PlainRefused(TransportFailure::Code(
                TransportError::AUTH_KEY_NOT_FOUND
            ))
        ),
        "{err:?}"
    );
    wait_for(&events, "PlainRefused", |e| {
        matches!(
            e,
            ServerEvent::Closed {
                reason: CloseReason::Protocol(ServerConnectionError::PlainRefused),
                ..
            }
        )
    })
    .await;
    // Encrypted clients are served.
    let client = Client::connect(server.local_addr(), test_config(Transport::Intermediate))
        .await
        .unwrap();
    assert!(client.invoke(&export(1)).await.is_ok());
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undecodable_requests_get_rpc_errors_and_the_connection_lives_on() {
    let (server, _events) = plain_server().await;
    for config in [
        test_config(Transport::Abridged).insecure_plain(),
        test_config(Transport::Abridged),
    ] {
        let client = Client::connect(server.local_addr(), config).await.unwrap();
        let bad: [(&[u8], &str); 4] = [
            (&[1, 2, 3, 4], "INPUT_METHOD_INVALID"),
            // messages.exportChatInvite with a truncated inputPeerChat
            (
                &[0x4c, 0x53, 0xf7, 0x0d, 0x63, 0xe8, 0x9b, 0x17],
                "INPUT_FETCH_ERROR",
            ),
            // ... with an unknown InputPeer constructor
            (
                &[0x4c, 0x53, 0xf7, 0x0d, 1, 2, 3, 4],
                "INPUT_CONSTRUCTOR_INVALID",
            ),
            // layer 230's messages.exportChatInvite#a455de90 on inputPeerSelf
            // (served since both layers are: a user is not a chat)
            (
                &[0x90, 0xde, 0x55, 0xa4, 0, 0, 0, 0, 0xc9, 0x7e, 0xa0, 0x7d],
                "PEER_ID_INVALID",
            ),
        ];
        for (body, name) in bad {
            match client.invoke_raw(body).await {
                Err(InvocationError::Rpc(e)) => {
                    assert_eq!((e.code, e.message.as_str()), (400, name), "{body:02x?}");
                }
                other => panic!("{body:02x?}: {other:?}"),
            }
        }
        // Typed: the untyped error lands in `Other`.
        let wrapped = zerotl_types::layer122::functions::InvokeWithLayer {
            layer: 122,
            query: export(2),
        };
        let err = client.invoke(&wrapped).await.unwrap_err();
        assert!(
            matches!(err, InvocationError::Rpc(E::ChatAdminRequired)),
            "{err:?}"
        );
        assert!(client.invoke(&export(1)).await.is_ok());
    }
    server.shutdown().await;
}

#[tokio::test]
async fn connection_limit() {
    let (builder, events) = recording(ServerBuilder::new().insecure_plain(true).max_connections(1));
    let server = builder.spawn().await.unwrap();
    let config = test_config(Transport::Full).insecure_plain();
    let first = Client::connect(server.local_addr(), config.clone())
        .await
        .unwrap();
    assert!(first.invoke(&export(1)).await.is_ok());
    let second = Client::connect(server.local_addr(), config).await.unwrap();
    let err = second.invoke(&export(1)).await.unwrap_err();
    assert!(
        matches!(
            err,
            InvocationError::Dropped(DropReason::ConnectionClosed) | InvocationError::Io(_)
        ),
        "{err:?}"
    );
    let refused = wait_for(&events, "Refused", |e| {
        matches!(e, ServerEvent::Refused { .. })
    })
    .await;
    assert!(matches!(
        refused,
        ServerEvent::Refused {
            reason: RefuseReason::TooManyConnections { limit: 1 },
            ..
        }
    ));
    assert_eq!(server.stats().refused(), 1);
    // The first connection is unaffected.
    assert!(first.invoke(&export(1)).await.is_ok());
    server.shutdown().await;
}

#[tokio::test]
async fn idle_connections_are_closed() {
    let (builder, events) = recording(
        ServerBuilder::new()
            .insecure_plain(true)
            .idle_timeout(Duration::from_millis(200)),
    );
    let server = builder.spawn().await.unwrap();
    let client = Client::connect(
        server.local_addr(),
        test_config(Transport::Abridged).insecure_plain(),
    )
    .await
    .unwrap();
    assert!(client.invoke(&export(1)).await.is_ok());
    wait_for(&events, "IdleTimeout", |e| {
        matches!(
            e,
            ServerEvent::Closed {
                reason: CloseReason::IdleTimeout(_),
                ..
            }
        )
    })
    .await;
    let err = client.invoke(&export(1)).await.unwrap_err();
    assert!(
        matches!(
            err,
            InvocationError::Dropped(DropReason::ConnectionClosed) | InvocationError::Io(_)
        ),
        "{err:?}"
    );
    server.shutdown().await;
}

/// Raw bytes in; the server must close, and say why.
async fn raw_close(bytes: &[u8]) -> CloseReason {
    let (server, events) = plain_server().await;
    let mut stream = TcpStream::connect(server.local_addr()).await.unwrap();
    stream.write_all(bytes).await.unwrap();
    let mut buf = Vec::new();
    // The server closes; whatever it sent before (a transport error) is read first.
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut buf)).await;
    wait_for(&events, "Closed", |e| {
        matches!(e, ServerEvent::Closed { .. })
    })
    .await;
    let reasons = closed_with(&events);
    server.shutdown().await;
    reasons[0].clone()
}

#[tokio::test]
async fn oversized_frame_is_refused_before_it_is_buffered() {
    // Intermediate header announcing 64 MiB (the server's cap is 1 MiB).
    let reason = raw_close(&[0xee, 0xee, 0xee, 0xee, 0, 0, 0, 4]).await;
    assert!(
        matches!(
            reason,
            CloseReason::Protocol(ServerConnectionError::Frame(FrameError::TooLarge {
                length: 0x0400_0000,
                ..
            }))
        ),
        "{reason:?}"
    );
}

#[tokio::test]
async fn http_and_garbage_are_refused() {
    let reason = raw_close(b"POST /api HTTP/1.1\r\n\r\n").await;
    assert!(
        matches!(
            reason,
            CloseReason::Protocol(ServerConnectionError::Detect(DetectError::Http(_)))
        ),
        "{reason:?}"
    );
    // A `GET ` is read as a WebSocket upgrade: refused for anything but `/apiws`.
    let reason = raw_close(b"GET / HTTP/1.1\r\n\r\n").await;
    assert!(
        matches!(
            reason,
            CloseReason::Protocol(ServerConnectionError::WebSocket(WebSocketError::WrongPath))
        ),
        "{reason:?}"
    );
    let reason = raw_close(&[0x55; 64]).await;
    assert!(
        matches!(
            reason,
            CloseReason::Protocol(ServerConnectionError::Detect(DetectError::Unrecognised(_)))
        ),
        "{reason:?}"
    );
}

#[tokio::test]
async fn malformed_plain_message_gets_transport_error_404() {
    // Intermediate, a 12-byte payload: too short for an unencrypted message.
    let (server, events) = plain_server().await;
    let mut stream = TcpStream::connect(server.local_addr()).await.unwrap();
    let mut wire = vec![0xee; 4];
    wire.extend_from_slice(&12u32.to_le_bytes());
    wire.extend_from_slice(&[0; 12]);
    stream.write_all(&wire).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(answer, [4, 0, 0, 0, 0x6c, 0xfe, 0xff, 0xff]);
    wait_for(&events, "BadMessage", |e| {
        matches!(
            e,
            ServerEvent::Closed {
                reason: CloseReason::Protocol(ServerConnectionError::BadMessage(_)),
                ..
            }
        )
    })
    .await;
    server.shutdown().await;
}

#[tokio::test]
async fn unknown_auth_key_gets_transport_error_404() {
    let (server, events) = plain_server().await;
    let config = test_config(Transport::Padded).resume(AuthKey::from_bytes([7; 256]), 1);
    let client = Client::connect(server.local_addr(), config).await.unwrap();
    let err = client.invoke(&export(1)).await.unwrap_err();
    assert!(
        matches!(
            err,
            InvocationError::Transport(TransportFailure::Code(TransportError::AUTH_KEY_NOT_FOUND))
        ),
        "{err:?}"
    );
    wait_for(&events, "UnknownAuthKey", |e| {
        matches!(
            e,
            ServerEvent::Closed {
                reason: CloseReason::Protocol(ServerConnectionError::UnknownAuthKey(_)),
                ..
            }
        )
    })
    .await;
    server.shutdown().await;
}

#[tokio::test]
async fn client_that_never_reads_is_closed() {
    let (builder, events) = recording(
        ServerBuilder::new()
            .insecure_plain(true)
            .write_timeout(Duration::from_millis(300))
            .connection_config(zerotl_server::ServerConnectionConfig {
                max_in_flight: 4,
                ..Default::default()
            }),
    );
    let server = builder.spawn().await.unwrap();
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut stream = socket.connect(server.local_addr()).await.unwrap();
    // Intermediate frames, each a plain message carrying exportChatInvite(chat 2).
    let request = [0x4c, 0x53, 0xf7, 0x0d, 0x63, 0xe8, 0x9b, 0x17, 2, 0, 0, 0];
    let mut frames = Vec::new();
    for i in 1..=10_000u64 {
        frames.extend_from_slice(&32u32.to_le_bytes());
        frames.extend_from_slice(&[0; 8]);
        frames.extend_from_slice(&((0x6000_0000u64 << 32) | (i << 2)).to_le_bytes());
        frames.extend_from_slice(&12u32.to_le_bytes());
        frames.extend_from_slice(&request);
    }
    stream.write_all(&[0xee; 4]).await.unwrap();
    // Keep sending until the server stops reading (its answers back up in the
    // socket buffers, then it holds `max_in_flight` and reads nothing more): the
    // write stalls, or fails once the server gave up on us.
    let mut sent = 0usize;
    while sent < 64 << 20 {
        match tokio::time::timeout(Duration::from_secs(2), stream.write_all(&frames)).await {
            Ok(Ok(())) => sent += frames.len(),
            Ok(Err(_)) | Err(_) => break,
        }
    }
    wait_for(&events, "SlowReader", |e| {
        matches!(
            e,
            ServerEvent::Closed {
                reason: CloseReason::SlowReader(_),
                ..
            }
        )
    })
    .await;
    server.shutdown().await;
}

#[tokio::test]
async fn request_timeout() {
    // A server that accepts and reads but never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.unwrap();
        let mut sink = Vec::new();
        let _ = s.read_to_end(&mut sink).await;
    });
    let config = test_config(Transport::Intermediate)
        .insecure_plain()
        .timeout(Duration::from_millis(200));
    let client = Client::connect(addr, config).await.unwrap();
    let err = client.invoke(&export(1)).await.unwrap_err();
    assert!(
        matches!(err, InvocationError::Timeout(d) if d == Duration::from_millis(200)),
        "{err:?}"
    );
}

#[tokio::test]
async fn connect_timeout_during_key_exchange() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.unwrap();
        let mut sink = Vec::new();
        let _ = s.read_to_end(&mut sink).await;
    });
    let mut config = test_config(Transport::Abridged);
    config.connect_timeout = Duration::from_millis(200);
    let err = Client::connect(addr, config).await.unwrap_err();
    assert!(
        matches!(err, zerotl_client::ConnectError::Timeout(_)),
        "{err:?}"
    );
}

#[tokio::test]
async fn flood_retries_are_bounded() {
    let time = ManualTime::new();
    let state = WorldState::with_time(World::default(), time.clone());
    let server = ServerBuilder::new()
        .listen("127.0.0.1:0".parse().unwrap())
        .world_state(state)
        .insecure_plain(true)
        .spawn()
        .await
        .unwrap();
    let slept = Arc::new(Mutex::new(0u32));
    let counter = slept.clone();
    // A sleeper that does not move the server's clock: every retry floods again.
    let policy = FloodPolicy {
        sleep_threshold: Duration::from_secs(100),
        max_retries: 3,
        ..FloodPolicy::default()
    }
    .with_sleeper(move |_| {
        *counter.lock().unwrap() += 1;
        async {}
    });
    let config = test_config(Transport::Intermediate)
        .insecure_plain()
        .flood(policy);
    let client = Client::connect(server.local_addr(), config).await.unwrap();
    for _ in 0..20 {
        client.invoke(&export(1)).await.unwrap();
    }
    let err = client.invoke(&export(1)).await.unwrap_err();
    assert!(
        matches!(&err, InvocationError::Rpc(E::Other(e)) if e.message == "FLOOD_WAIT_60"),
        "{err:?}"
    );
    assert_eq!(*slept.lock().unwrap(), 3);

    // With FloodPolicy::surface_all nothing is slept.
    let config = test_config(Transport::Intermediate)
        .insecure_plain()
        .flood(FloodPolicy::surface_all());
    let client = Client::connect(server.local_addr(), config).await.unwrap();
    time.advance(Duration::from_secs(59));
    let err = client.invoke(&export(1)).await.unwrap_err();
    assert!(
        matches!(&err, InvocationError::Rpc(E::Other(e)) if e.value == Some(1)),
        "{err:?}"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_closes_everything() {
    let (server, events) = plain_server().await;
    let addr = server.local_addr();
    let mut clients = Vec::new();
    for t in Transport::ALL {
        let client = Client::connect(addr, test_config(t).insecure_plain())
            .await
            .unwrap();
        client.invoke(&export(1)).await.unwrap();
        clients.push(client);
    }
    let handle = server.shutdown_handle();
    let waiting = tokio::spawn(server.wait());
    handle.shutdown();
    tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .expect("shutdown within 5 s")
        .unwrap();
    let reasons = closed_with(&events);
    assert_eq!(reasons, vec![CloseReason::Shutdown; 4]);
    assert!(matches!(
        events.lock().unwrap().last(),
        Some(ServerEvent::Stopped)
    ));
    for client in clients {
        assert!(client.invoke(&export(1)).await.is_err());
    }
    // The port is free again.
    assert!(TcpStream::connect(addr).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saved_key_skips_the_exchange() {
    let (builder, events) = recording(ServerBuilder::new());
    let server = builder.spawn().await.unwrap();
    let first = Client::connect(server.local_addr(), test_config(Transport::Full))
        .await
        .unwrap();
    first.invoke(&export(1)).await.unwrap();
    let (key, salt) = first.auth_key().unwrap();
    let config = test_config(Transport::Abridged).resume(key.clone(), salt);
    let second = Client::connect(server.local_addr(), config).await.unwrap();
    assert_eq!(second.auth_key().unwrap().0, key);
    assert!(second.invoke(&export(1)).await.is_ok());
    let exchanges = events
        .lock()
        .unwrap()
        .iter()
        .filter(|e| matches!(e, ServerEvent::KeyExchanged { .. }))
        .count();
    assert_eq!(exchanges, 1);
    server.shutdown().await;
}

#[test]
fn blocking_client_from_many_threads() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(
        ServerBuilder::new()
            .listen("127.0.0.1:0".parse().unwrap())
            .spawn(),
    );
    let server = server.unwrap();
    let client = Arc::new(
        BlockingClient::connect(server.local_addr(), test_config(Transport::Intermediate)).unwrap(),
    );
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let client = client.clone();
            std::thread::spawn(move || {
                for _ in 0..10 {
                    let err = client.invoke(&export(2 + (i % 2))).unwrap_err();
                    let expected = if i % 2 == 0 {
                        E::ChatAdminRequired
                    } else {
                        E::ChatWriteForbidden
                    };
                    assert!(
                        matches!(&err, InvocationError::Rpc(e) if *e == expected),
                        "{err:?}"
                    );
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let answer = client.invoke(&export(1)).unwrap();
    assert!(format!("{:?}", answer.get()).contains("https://t.me/joinchat/"));
    // Inside a runtime the blocking client refuses instead of panicking.
    let err = runtime
        .block_on(async { client.invoke(&export(1)) })
        .unwrap_err();
    assert!(matches!(err, InvocationError::Io(_)), "{err:?}");
    drop(client);
    runtime.block_on(server.shutdown());
}

/// A fake server speaking intermediate: reads the client's first plain request and
/// writes `reply(msg_id)`.
async fn fake_server(reply: fn(i64) -> Vec<u8>) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.unwrap();
        let mut head = [0u8; 8];
        s.read_exact(&mut head).await.unwrap();
        assert_eq!(head[..4], [0xee; 4]);
        let mut message = vec![0u8; u32::from_le_bytes(head[4..8].try_into().unwrap()) as usize];
        s.read_exact(&mut message).await.unwrap();
        let msg_id = i64::from_le_bytes(message[8..16].try_into().unwrap());
        s.write_all(&reply(msg_id)).await.unwrap();
        let mut sink = Vec::new();
        let _ = s.read_to_end(&mut sink).await;
    });
    addr
}

/// An intermediate frame holding a plain message with `rpc_result(msg_id, result)`.
fn plain_answer(msg_id: i64, result: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    zerotl_mtproto::envelope::encode_rpc_result(
        msg_id,
        &zerotl::Object::from_bytes(result),
        &mut body,
    )
    .unwrap();
    let mut message = Vec::new();
    zerotl_mtproto::envelope::PlainMessage {
        msg_id: (msg_id & !3) | 1,
        body: &body,
    }
    .encode(&mut message)
    .unwrap();
    let mut frame = (message.len() as u32).to_le_bytes().to_vec();
    frame.extend_from_slice(&message);
    frame
}

async fn invoke_fake(reply: fn(i64) -> Vec<u8>) -> Result<String, InvocationError<E>> {
    let addr = fake_server(reply).await;
    let config = test_config(Transport::Intermediate)
        .insecure_plain()
        .timeout(Duration::from_secs(5));
    let client = Client::connect(addr, config).await.unwrap();
    client
        .invoke(&export(1))
        .await
        .map(|a| format!("{:?}", a.get()))
}

#[tokio::test]
async fn hostile_servers_give_typed_errors() {
    // An answer of the wrong type (boolTrue for ExportedChatInvite).
    let err = invoke_fake(|id| plain_answer(id, &[0xb5, 0x75, 0x72, 0x99]))
        .await
        .unwrap_err();
    assert!(matches!(err, InvocationError::Decode(_)), "{err:?}");
    // A frame header announcing 2 GiB.
    let err = invoke_fake(|_| vec![0xfc, 0xff, 0xff, 0x7f])
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            InvocationError::Transport(TransportFailure::Frame(FrameError::TooLarge { .. }))
        ),
        "{err:?}"
    );
    // Transport error −429.
    let err = invoke_fake(|_| vec![4, 0, 0, 0, 0x53, 0xfe, 0xff, 0xff])
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            InvocationError::Transport(TransportFailure::Code(TransportError::TRANSPORT_FLOOD))
        ),
        "{err:?}"
    );
    // A gzip_packed answer is inflated (and its bytes kept by the answer).
    let answer = invoke_fake(|id| {
        let link = [0xbc, 0x05, 0x2e, 0xfc, 3, b'z', b'i', b'p'];
        let mut packed = Vec::new();
        zerotl_mtproto::envelope::gzip::encode_gzip_packed(&link, &mut packed).unwrap();
        plain_answer(id, &packed)
    })
    .await
    .unwrap();
    assert!(answer.contains("\"zip\""), "{answer}");
    // A gzip_packed rpc_error is typed like any other.
    let err = invoke_fake(|id| {
        let mut error = Vec::new();
        let e = zerotl_types::mtproto::types::RpcError {
            error_code: 400,
            error_message: "CHAT_ID_INVALID".into(),
        };
        let mut raw = vec![0u8; zerotl::Encode::encoded_len(&e)];
        zerotl::Encode::encode_to_slice(&e, &mut raw).unwrap();
        zerotl_mtproto::envelope::gzip::encode_gzip_packed(&raw, &mut error).unwrap();
        plain_answer(id, &error)
    })
    .await
    .unwrap_err();
    assert!(
        matches!(err, InvocationError::Rpc(E::ChatIdInvalid)),
        "{err:?}"
    );
}
