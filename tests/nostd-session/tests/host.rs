//! The no_std session (the code built for thumbv7em-none-eabihf and wasm32)
//! against the embedded server and against the `zerotl serve` binary, over TCP: the
//! test owns the socket, the protocol core never sees it, and a counting global
//! allocator (per thread: the server runs on other threads or in its own process)
//! sees zero allocations during each call.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zerotl_client::{BlockingClient, ClientConfig};
use zerotl_mtproto::crypto::AuthKey;
use zerotl_mtproto::transport::Transport;
use zerotl_mtproto::UnixTime;
use zerotl_nostd_session::{export_chat_invite, Buffers, Link, Outcome};
use zerotl_server::keys::{KeyStore, Security};
use zerotl_server::{ServerBuilder, LINK_PREFIX};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

#[allow(unsafe_code)]
// SAFETY: forwards every call to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made by `f` on this thread.
fn allocations<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let before = ALLOCATIONS.with(Cell::get);
    let r = f();
    (r, ALLOCATIONS.with(Cell::get) - before)
}

/// A TCP socket as the session's link (the test's; reads and writes allocate nothing).
struct Tcp(TcpStream);

impl Link for Tcp {
    type Error = std::io::Error;
    fn send(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.0.write_all(bytes)
    }
    fn recv(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf)
    }
    fn now(&mut self) -> UnixTime {
        let since = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        UnixTime::from_duration_since_epoch(since)
    }
}

#[test]
fn the_counter_sees_allocations() {
    let (v, count) = allocations(|| Vec::<u8>::with_capacity(16));
    assert!(count >= 1 && v.capacity() >= 16);
}

#[test]
fn no_std_session_against_the_embedded_server_allocates_nothing() {
    // A key made earlier (here: chosen), known to the server.
    let key = AuthKey::from_bytes(core::array::from_fn(|i| (i as u8).wrapping_mul(29) ^ 0x5a));
    let salt = 0x0123_4567_89ab_cdef;
    let keys = KeyStore::default();
    keys.insert(key.clone(), salt);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let server = runtime
        .block_on(
            ServerBuilder::new()
                .listen("127.0.0.1:0".parse().unwrap())
                .security(Security {
                    keys: keys.clone(),
                    ..Security::default()
                })
                .spawn(),
        )
        .unwrap();
    let addr = server.local_addr();
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    three_calls(addr, &key, salt, &mut rng);
    assert_eq!(server.world().exports(), 2);
    runtime.block_on(server.shutdown());
}

/// Chat 1 (a link), chat 2 (the seed's CHAT_ADMIN_REQUIRED), chat 1 again: each on a new
/// TCP connection under `key`, each allocating nothing.
fn three_calls(addr: SocketAddr, key: &AuthKey, salt: i64, rng: &mut ChaCha20Rng) {
    for (chat, want) in [(1, Ok(())), (2, Err("CHAT_ADMIN_REQUIRED")), (1, Ok(()))] {
        let mut link = Tcp(TcpStream::connect(addr).unwrap());
        let (mut output, mut input, mut scratch, mut text) =
            ([0u8; 256], [0u8; 1024], [0u8; 512], [0u8; 128]);
        let buffers = Buffers {
            output: &mut output,
            input: &mut input,
            scratch: &mut scratch,
            link: &mut text,
        };
        let key = key.clone();
        let (outcome, count) =
            allocations(|| export_chat_invite(&mut link, rng, key, salt, chat, buffers));
        assert_eq!(count, 0, "chat {chat}: the no_std session allocated");
        match (outcome.unwrap(), want) {
            (Outcome::Link { len }, Ok(())) => {
                let link = std::str::from_utf8(&text[..len]).unwrap();
                assert!(link.starts_with(LINK_PREFIX), "{link}");
            }
            (Outcome::Error(e), Err(name)) => {
                assert_eq!((e.code, e.name.as_str()), (400, name));
            }
            (other, want) => panic!("chat {chat}: {other:?}, wanted {want:?}"),
        }
    }
}

/// The `zerotl` binary of this build (`cargo test --workspace` builds it with the CLI's
/// tests, before any test runs).
fn zerotl_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(|deps| deps.parent()).unwrap();
    let bin = dir.join(format!("zerotl{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} is missing: build it first (cargo build -p zerotl-cli)",
        bin.display()
    );
    bin
}

/// `zerotl serve` on a free port with the test key; kills it when dropped.
struct Serve(Child, SocketAddr);

impl Serve {
    fn start() -> Self {
        let key = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../crates/zerotl-server/src/test_server_key.pem"
        );
        let mut child = Command::new(zerotl_binary())
            .args(["serve", "--listen", "127.0.0.1:0", "--rsa-key", key])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // "zerotl: serving on ADDR (...)" comes first.
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .split_whitespace()
            .nth(3)
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        Self(child, addr)
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn no_std_session_against_zerotl_serve_allocates_nothing() {
    let serve = Serve::start();
    // The key comes from a key exchange with the server (zerotl-client, std, not
    // counted); the no_std session then runs under it.
    let config = ClientConfig::new(Transport::Abridged)
        .trust(vec![zerotl_server::keys::test_server_public_key()])
        .timeout(Duration::from_secs(20));
    let client = BlockingClient::connect(serve.1, config).expect("a key exchange");
    let (key, salt) = client.auth_key().expect("an auth key");
    drop(client);
    three_calls(serve.1, &key, salt, &mut ChaCha20Rng::seed_from_u64(8));
}
