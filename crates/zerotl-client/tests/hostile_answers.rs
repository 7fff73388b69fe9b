//! A hostile server against the tokio client: answers nested 20 000 deep, and
//! answers that do not decode. A fake server on a raw socket speaks the plain
//! test mode; the client must fail the affected call with a typed error and
//! keep living (and, for a bad answer, keep serving the other calls).

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use zerotl::Identifiable as _;
use zerotl_client::{Client, ClientConfig, InvocationError};
use zerotl_mtproto::transport::Transport;
use zerotl_types::layer122::enums::InputPeer;
use zerotl_types::layer122::functions::messages::ExportChatInvite;
use zerotl_types::layer122::types::{ChatInviteExported, InputPeerChat};

const RPC_RESULT: u32 = 0xf35c6d01;
const MSG_CONTAINER: u32 = 0x73f1f8dc;
const GZIP_PACKED: u32 = 0x3072cfa1;

/// A TL `bytes` value: length prefix, data, padding to 4.
fn tl_bytes(data: &[u8]) -> Vec<u8> {
    let mut out = if data.len() < 254 {
        vec![data.len() as u8]
    } else {
        let n = data.len() as u32;
        vec![254, n as u8, (n >> 8) as u8, (n >> 16) as u8]
    };
    out.extend_from_slice(data);
    while out.len() % 4 != 0 {
        out.push(0);
    }
    out
}

/// `data` as one gzip member of stored (uncompressed) deflate blocks.
fn gzip_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    let mut chunks = data.chunks(65_535).peekable();
    if chunks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(chunk) = chunks.next() {
        out.push(u8::from(chunks.peek().is_none()));
        let len = chunk.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(&crc32fast::hash(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

fn gzip_packed(body: &[u8]) -> Vec<u8> {
    let mut out = GZIP_PACKED.to_le_bytes().to_vec();
    out.extend_from_slice(&tl_bytes(&gzip_stored(body)));
    out
}

fn container(msg_id: i64, body: &[u8]) -> Vec<u8> {
    let mut out = MSG_CONTAINER.to_le_bytes().to_vec();
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(&msg_id.to_le_bytes());
    out.extend_from_slice(&1i32.to_le_bytes());
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(body);
    out
}

fn rpc_result(req_msg_id: i64, result: &[u8]) -> Vec<u8> {
    let mut out = RPC_RESULT.to_le_bytes().to_vec();
    out.extend_from_slice(&req_msg_id.to_le_bytes());
    out.extend_from_slice(result);
    out
}

/// An intermediate frame holding a plain server message with `body`.
fn plain_frame(msg_id: i64, body: &[u8]) -> Vec<u8> {
    let mut message = vec![0u8; 8];
    message.extend_from_slice(&msg_id.to_le_bytes());
    message.extend_from_slice(&(body.len() as u32).to_le_bytes());
    message.extend_from_slice(body);
    let mut frame = (message.len() as u32).to_le_bytes().to_vec();
    frame.extend_from_slice(&message);
    frame
}

/// Reads the transport tag, then one request frame; returns its msg_id.
async fn read_request(socket: &mut TcpStream, tagged: &mut bool) -> i64 {
    if !*tagged {
        let mut tag = [0u8; 4];
        socket.read_exact(&mut tag).await.unwrap();
        assert_eq!(tag, [0xee; 4]);
        *tagged = true;
    }
    let mut len = [0u8; 4];
    socket.read_exact(&mut len).await.unwrap();
    let mut payload = vec![0u8; u32::from_le_bytes(len) as usize];
    socket.read_exact(&mut payload).await.unwrap();
    i64::from_le_bytes(payload[8..16].try_into().unwrap())
}

fn export(chat_id: i32) -> ExportChatInvite<'static> {
    ExportChatInvite {
        peer: InputPeer::Chat(InputPeerChat { chat_id }),
    }
}

fn server_msg_id(n: i64) -> i64 {
    (1_700_000_000i64 << 32) | (n << 2) | 1
}

/// Peak resident memory of this process (Linux), in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_nested_20000_deep_fails_its_call_with_a_typed_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut tagged = false;
        let req = read_request(&mut socket, &mut tagged).await;
        // rpc_result inside container -> gzip -> container -> gzip ... 20 000 levels.
        let mut body = rpc_result(req, &0x997275b5u32.to_le_bytes());
        for level in 0..20_000 {
            body = if level % 2 == 0 {
                gzip_packed(&body)
            } else {
                container(server_msg_id(level + 1), &body)
            };
        }
        let body = container(server_msg_id(30_000), &body);
        let frame = plain_frame(server_msg_id(30_001), &body);
        let size = frame.len();
        let _ = socket.write_all(&frame).await;
        // Keep the socket open: the client must not wait for a close to fail.
        tokio::time::sleep(Duration::from_secs(5)).await;
        size
    });
    let before = peak_rss_kib();
    let config = ClientConfig::new(Transport::Intermediate)
        .insecure_plain()
        .timeout(Duration::from_secs(20));
    let client = Client::connect(addr, config).await.unwrap();
    let err = client.invoke(&export(1)).await.unwrap_err();
    assert!(
        matches!(err, InvocationError::Protocol(_)),
        "a typed protocol error, got {err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("nested") || text.contains("container"),
        "{text}"
    );
    if let (Some(before), Some(after)) = (before, peak_rss_kib()) {
        // The answer is about 0.5 MiB; the client may hold it a few times over,
        // never anything like depth x size.
        assert!(
            after.saturating_sub(before) < 64 * 1024,
            "peak RSS grew by {} KiB",
            after - before
        );
    }
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_that_does_not_decode_fails_only_its_call() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut tagged = false;
        let mut ids = Vec::new();
        for _ in 0..4 {
            ids.push(read_request(&mut socket, &mut tagged).await);
        }
        // chatInviteEmpty for the first and third call; the second gets an
        // unknown constructor, the fourth a chatInviteExported cut short (its
        // link claims 20 bytes, 3 follow).
        let good = 0x69df3769u32.to_le_bytes();
        let unknown = 0xdeadbeefu32.to_le_bytes();
        let mut cut_short = ChatInviteExported::CONSTRUCTOR_ID.to_le_bytes().to_vec();
        cut_short.extend_from_slice(&[20, b'h', b't', b't']);
        let answers = [
            rpc_result(ids[1], &unknown),
            rpc_result(ids[3], &cut_short),
            rpc_result(ids[0], &good),
            rpc_result(ids[2], &good),
        ];
        for (n, body) in answers.iter().enumerate() {
            socket
                .write_all(&plain_frame(server_msg_id(n as i64 + 1), body))
                .await
                .unwrap();
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    });
    let config = ClientConfig::new(Transport::Intermediate)
        .insecure_plain()
        .timeout(Duration::from_secs(10));
    let client = Client::connect(addr, config).await.unwrap();
    let first = export(1);
    let (a, b, c, d) = tokio::join!(
        client.invoke(&first),
        async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            client.invoke(&export(2)).await
        },
        async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            client.invoke(&export(3)).await
        },
        async {
            tokio::time::sleep(Duration::from_millis(150)).await;
            client.invoke(&export(4)).await
        },
    );
    assert!(a.is_ok(), "{a:?}");
    assert!(c.is_ok(), "{c:?}");
    let err = b.unwrap_err();
    assert!(matches!(err, InvocationError::Decode(_)), "{err:?}");
    assert!(
        err.to_string().contains("deadbeef"),
        "names the constructor: {err}"
    );
    // The cut-short answer came before the first and third call's: they were
    // still answered.
    let err = d.unwrap_err();
    assert!(matches!(err, InvocationError::Decode(_)), "{err:?}");
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_answers_nothing_holds_a_bounded_sum_of_bodies() {
    const CALLS: usize = 64;
    const BODY: usize = 256 * 1024;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut tagged = false;
        let mut answered = 0;
        let mut most_unanswered = 0;
        let mut n = 0;
        while answered < CALLS {
            // Take requests until none comes for half a second, answering none:
            // the bodies the client holds for resending are all unanswered.
            let mut ids = Vec::new();
            while let Ok(id) = tokio::time::timeout(
                Duration::from_millis(500),
                read_request(&mut socket, &mut tagged),
            )
            .await
            {
                ids.push(id);
            }
            assert!(!ids.is_empty(), "the client stopped sending");
            most_unanswered = most_unanswered.max(ids.len() * BODY);
            for id in ids {
                n += 1;
                let answer = rpc_result(id, &0x997275b5u32.to_le_bytes());
                socket
                    .write_all(&plain_frame(server_msg_id(n), &answer))
                    .await
                    .unwrap();
                answered += 1;
            }
        }
        most_unanswered
    });
    let config = ClientConfig::new(Transport::Intermediate)
        .insecure_plain()
        .timeout(Duration::from_secs(60));
    let client = Client::connect(addr, config).await.unwrap();
    let mut body = 0x997275b5u32.to_le_bytes().to_vec();
    body.resize(BODY, 0);
    let body: std::sync::Arc<[u8]> = body.into();
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..CALLS {
        let (client, body) = (client.clone(), body.clone());
        calls.spawn(async move { client.invoke_raw(&body).await.map(|_| ()) });
    }
    while let Some(result) = calls.join_next().await {
        let result = result.unwrap();
        assert!(result.is_ok(), "{result:?}");
    }
    let most_unanswered = server.await.unwrap();
    // Without the cap all 64 bodies (16 MiB) would be out at once.
    let bound = Client::MAX_PENDING_BYTES + BODY;
    assert!(
        most_unanswered <= bound,
        "{most_unanswered} bytes of bodies unanswered at once (bound {bound})"
    );
}
