//! Deterministic simulation of the server core's deadlines
//! ([`ServerConnection::poll_timeout`] / [`ServerConnection::handle_timeout`]):
//! a fake clock that moves only when a test says so, seeded RNGs, no sockets and
//! no sleeps. Each test plays the driver: it feeds bytes at a time, writes the
//! output at a time, and jumps the clock to the deadline the core names.

mod auth_support;

use auth_support::MemoryKeys;

use std::sync::Arc;
use std::time::Duration;

use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zerotl::Identifiable as _;
use zerotl_mtproto::auth::KeyExchangeServerConfig;
use zerotl_mtproto::client::{ClientConnection, ClientConnectionConfig, SessionSetup};
use zerotl_mtproto::crypto::AuthKey;
use zerotl_mtproto::server::{
    AuthKeyStore, IncomingRequest, KeyState, ServerConnection, ServerConnectionConfig,
    ServerConnectionError, ServerConnectionEvent, ServerContext, ServerTimeouts, ServerTimer,
};
use zerotl_mtproto::transport::Transport;
use zerotl_mtproto::UnixTime;
use zerotl_types::layer122::{enums, functions, types};
use zerotl_types::mtproto::functions as mt_functions;

/// The clock at the start of every scenario.
const T0: UnixTime = UnixTime::from_secs(1_700_000_000);

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// One server connection, its clock and RNG: what a driver would hold.
struct Server {
    conn: ServerConnection,
    keys: MemoryKeys,
    key_exchange: Arc<KeyExchangeServerConfig>,
    rng: ChaCha20Rng,
    now: UnixTime,
    /// Whether requests are answered as they come.
    answering: bool,
    /// Requests not answered yet (when not answering).
    held: Vec<IncomingRequest>,
}

impl Server {
    fn new(config: ServerConnectionConfig) -> Self {
        Self {
            conn: ServerConnection::new(config, T0),
            keys: MemoryKeys::default(),
            key_exchange: Arc::new(KeyExchangeServerConfig::new(auth_support::test_server_key())),
            rng: ChaCha20Rng::seed_from_u64(7),
            now: T0,
            answering: true,
            held: Vec::new(),
        }
    }

    /// Moves the clock to `T0 + since_start`.
    fn at(&mut self, since_start: Duration) -> &mut Self {
        let to = T0 + since_start;
        assert!(to >= self.now, "the clock never goes back");
        self.now = to;
        self
    }

    /// Receives `bytes` now, answers what it can and writes all output now.
    fn feed(&mut self, bytes: &[u8]) -> Vec<u8> {
        self.receive(bytes);
        self.serve()
    }

    /// Receives `bytes` now; answers nothing, writes nothing.
    fn receive(&mut self, bytes: &[u8]) {
        let cx = ServerContext {
            key_exchange: Some(&self.key_exchange),
            keys: &self.keys,
            insecure_plain: true,
            now: self.now,
        };
        self.conn
            .receive(bytes, &cx, &mut self.rng)
            .expect("bytes accepted");
        while let Some(event) = self.conn.poll_event() {
            if let ServerConnectionEvent::Request(r) = event {
                self.held.push(r);
            }
        }
    }

    /// Answers the requests held now (boolTrue: the answer does not matter
    /// here); writes nothing.
    fn answer_held(&mut self) {
        let cx = ServerContext {
            key_exchange: Some(&self.key_exchange),
            keys: &self.keys,
            insecure_plain: true,
            now: self.now,
        };
        for r in self.held.drain(..) {
            self.conn
                .reply(&r, &[0xb5, 0x75, 0x72, 0x99], &cx, &mut self.rng)
                .unwrap();
        }
    }

    /// Answers the requests held (if answering), handles what that let
    /// through, and writes all output now.
    fn serve(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        loop {
            if self.answering {
                self.answer_held();
            }
            let cx = ServerContext {
                key_exchange: Some(&self.key_exchange),
                keys: &self.keys,
                insecure_plain: true,
                now: self.now,
            };
            self.conn.process(&cx, &mut self.rng).unwrap();
            let written = self.conn.output().len();
            out.extend_from_slice(self.conn.output());
            self.conn.consume_output(written, self.now);
            self.receive(&[]);
            if written == 0 && (self.held.is_empty() || !self.answering) {
                return out;
            }
        }
    }

    /// The next deadline, as time since the start.
    fn deadline(&self) -> Option<Duration> {
        self.conn
            .poll_timeout()
            .map(|at| at.saturating_duration_since(T0))
    }

    /// Does what a driver does when its timer fires: jumps the clock to the
    /// deadline and hands it to the core. Checks that a moment earlier nothing
    /// happens; returns when the connection ended and why.
    fn sleep_until_closed(&mut self) -> (Duration, ServerConnectionError) {
        let at = self.conn.poll_timeout().expect("a deadline");
        self.now = at - Duration::from_nanos(1);
        assert_eq!(self.conn.handle_timeout(self.now), Ok(()), "too early");
        self.now = at;
        let error = self
            .conn
            .handle_timeout(at)
            .expect_err("the deadline passed");
        assert_eq!(self.conn.closing(), Some(&error));
        assert!(!self.conn.wants_input());
        assert_eq!(self.conn.poll_timeout(), None, "no deadline after the end");
        (at.saturating_duration_since(T0), error)
    }
}

fn timed_out(timer: ServerTimer, after: Duration) -> ServerConnectionError {
    ServerConnectionError::TimedOut { timer, after }
}

/// An intermediate frame holding a plain `messages.exportChatInvite`, request `i`.
fn plain_frame(i: u64) -> Vec<u8> {
    let body = zerotl::encode_to_vec(&functions::messages::ExportChatInvite {
        peer: enums::InputPeer::Chat(types::InputPeerChat { chat_id: 1 }),
    })
    .unwrap();
    let message = auth_support::plain_message((1_700_000_000 << 32) | (i + 1) << 2, &body);
    let mut frame = (message.len() as u32).to_le_bytes().to_vec();
    frame.extend_from_slice(&message);
    frame
}

const TAG: [u8; 4] = [0xee; 4];

/// A server that knows auth key `key` (with `salt`), and a client resuming it over
/// intermediate; the RNG both were made with (seeded with `seed`).
fn resumed(
    seed: u64,
    key: [u8; 256],
    salt: i64,
) -> (Server, ClientConnection<4, 8, 32>, ChaCha20Rng) {
    let server = Server::new(ServerConnectionConfig::default());
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let key = AuthKey::from_bytes(key);
    server
        .keys
        .insert(KeyState::new(key.clone(), salt, T0, &mut rng));
    let config = ClientConnectionConfig::new(Transport::Intermediate);
    let setup = SessionSetup::Resume {
        auth_key: key,
        salt,
    };
    let client = ClientConnection::new(&config, setup, &mut rng).unwrap();
    (server, client, rng)
}

#[test]
fn silence_and_half_a_tag_hit_the_detect_deadline() {
    let mut server = Server::new(ServerConnectionConfig::default());
    assert_eq!(server.deadline(), Some(secs(10)));
    // Half a tag is activity, but the detect deadline counts from the start.
    server.at(secs(4)).feed(&TAG[..2]);
    assert_eq!(server.deadline(), Some(secs(10)));
    assert_eq!(
        server.sleep_until_closed(),
        (secs(10), timed_out(ServerTimer::Detect, secs(10)))
    );
}

#[test]
fn a_stalled_key_exchange_hits_its_deadline() {
    let timeouts = ServerTimeouts {
        key_exchange: secs(20),
        ..ServerTimeouts::default()
    };
    let mut server = Server::new(ServerConnectionConfig {
        timeouts,
        ..ServerConnectionConfig::default()
    });
    // The tag at 3 s, then req_pq_multi at 9 s; the resPQ goes out, and the
    // client never sends req_DH_params.
    server.at(secs(3)).feed(&TAG);
    assert_eq!(server.deadline(), Some(secs(23)), "20 s from detection");
    let mut req_pq = mt_functions::ReqPqMulti::CONSTRUCTOR_ID
        .to_le_bytes()
        .to_vec();
    req_pq.extend_from_slice(&[0x42; 16]);
    let message = auth_support::plain_message((1_700_000_000 << 32) | 4, &req_pq);
    let mut frame = (message.len() as u32).to_le_bytes().to_vec();
    frame.extend_from_slice(&message);
    let res_pq = server.at(secs(9)).feed(&frame);
    assert!(!res_pq.is_empty(), "resPQ sent");
    assert!(server.conn.in_key_exchange());
    assert_eq!(
        server.deadline(),
        Some(secs(23)),
        "progress does not extend it"
    );
    assert_eq!(
        server.sleep_until_closed(),
        (secs(23), timed_out(ServerTimer::KeyExchange, secs(20)))
    );
}

#[test]
fn the_first_message_under_a_known_key_ends_the_opening_then_idle_counts() {
    let (mut server, mut client, mut rng) = resumed(11, [0x5a; 256], 0x0123_4567);
    let body = zerotl::encode_to_vec(&functions::messages::ExportChatInvite {
        peer: enums::InputPeer::Chat(types::InputPeerChat { chat_id: 1 }),
    })
    .unwrap();

    // Resumed at 8 s, inside the 10 s to detect: tag and first message at once.
    assert_eq!(server.deadline(), Some(secs(10)));
    let mut wire = Vec::new();
    let now = T0 + secs(8);
    client
        .send_request(&body, now, &mut rng, &mut wire)
        .unwrap();
    let answer = server.at(secs(8)).feed(&wire);
    assert!(!answer.is_empty());
    assert!(server.conn.is_established());
    assert_eq!(server.deadline(), Some(secs(8 + 300)), "only idle is left");

    // A request at 200 s moves the idle deadline.
    let mut wire = Vec::new();
    let now = T0 + secs(200);
    client
        .send_request(&body, now, &mut rng, &mut wire)
        .unwrap();
    server.at(secs(200)).feed(&wire);
    assert_eq!(server.deadline(), Some(secs(500)));
    assert_eq!(
        server.sleep_until_closed(),
        (secs(500), timed_out(ServerTimer::Idle, secs(300)))
    );
}

#[test]
fn a_frame_trickled_under_the_timeout_per_byte_still_hits_the_frame_deadline() {
    let mut server = Server::new(ServerConnectionConfig::default());
    server.feed(&TAG);
    server.feed(&plain_frame(0));
    assert_eq!(server.conn.requests(), 1);
    // One byte every 29 s, each within the 30 s frame timeout of the last.
    let frame = plain_frame(1);
    for (i, b) in frame[..2].iter().enumerate() {
        server
            .at(secs(29 * (i as u64 + 1)))
            .feed(std::slice::from_ref(b));
        assert_eq!(
            server.deadline(),
            Some(secs(29 + 30)),
            "30 s from the first byte"
        );
    }
    assert_eq!(
        server.sleep_until_closed(),
        (secs(59), timed_out(ServerTimer::Frame, secs(30)))
    );
}

#[test]
fn a_completed_frame_restarts_the_frame_clock() {
    let mut server = Server::new(ServerConnectionConfig::default());
    // A first request ends the opening.
    server.feed(&[&TAG[..], &plain_frame(9)].concat());
    let (first, second) = (plain_frame(0), plain_frame(1));
    server.at(secs(1)).feed(&first[..5]);
    assert_eq!(server.deadline(), Some(secs(31)));
    // The rest of the first frame and the start of the second, at 20 s.
    let mut chunk = first[5..].to_vec();
    chunk.extend_from_slice(&second[..5]);
    server.at(secs(20)).feed(&chunk);
    assert_eq!(server.conn.requests(), 2);
    assert_eq!(
        server.deadline(),
        Some(secs(50)),
        "the second frame's own 30 s"
    );
    // Completed in time: no frame deadline, idle counts from the last byte.
    server.at(secs(49)).feed(&second[5..]);
    assert_eq!(server.conn.requests(), 3);
    assert_eq!(server.deadline(), Some(secs(49 + 300)));
}

#[test]
fn input_held_back_by_the_server_does_not_count_against_the_frame_deadline() {
    let mut server = Server::new(ServerConnectionConfig {
        max_in_flight: 1,
        ..ServerConnectionConfig::default()
    });
    server.answering = false;
    server.feed(&TAG);
    // A whole request, then the start of a second one; the first is not
    // answered, so the connection stops reading with the second half-read.
    let mut chunk = plain_frame(0);
    chunk.extend_from_slice(&plain_frame(1)[..6]);
    server.at(secs(1)).feed(&chunk);
    assert!(!server.conn.wants_input());
    assert_eq!(
        server.deadline(),
        Some(secs(301)),
        "idle only: no frame deadline"
    );
    server.at(secs(200));
    assert_eq!(server.conn.handle_timeout(server.now), Ok(()));

    // The answer goes out at 200 s; reading resumes, and the partial frame's
    // 30 s start then.
    server.answering = true;
    server.serve();
    assert!(server.conn.wants_input());
    assert_eq!(server.deadline(), Some(secs(230)));
    assert_eq!(
        server.sleep_until_closed(),
        (secs(230), timed_out(ServerTimer::Frame, secs(30)))
    );
}

#[test]
fn a_client_that_reads_nothing_hits_the_write_deadline() {
    let mut server = Server::new(ServerConnectionConfig::default());
    server.feed(&TAG);
    server.at(secs(2)).receive(&plain_frame(0));
    server.answer_held();
    // The answer waits; the client reads none of it.
    assert!(!server.conn.output().is_empty());
    assert_eq!(server.deadline(), Some(secs(12)));
    // Part of it is written at 8 s: the 10 s count from there.
    server.conn.consume_output(3, T0 + secs(8));
    assert_eq!(server.deadline(), Some(secs(18)));
    assert_eq!(
        server.sleep_until_closed(),
        (secs(18), timed_out(ServerTimer::Write, secs(10)))
    );
}

#[test]
fn the_same_inputs_give_the_same_deadlines() {
    // No clock or RNG is read inside the core: two runs agree to the nanosecond.
    let run = || {
        let mut server = Server::new(ServerConnectionConfig::default());
        let mut seen = vec![server.deadline()];
        server.at(Duration::from_millis(1500)).feed(&TAG);
        seen.push(server.deadline());
        let frame = plain_frame(3);
        server.at(Duration::from_millis(2700)).feed(&frame[..7]);
        seen.push(server.deadline());
        seen.push(Some(server.sleep_until_closed().0));
        seen
    };
    let first = run();
    assert_eq!(first, run());
    // Detected at 1.5 s: the opening's 30 s end before the frame's (2.7 s + 30 s).
    assert_eq!(
        first.last(),
        Some(&Some(Duration::from_millis(1500) + secs(30)))
    );
}

#[test]
fn ping_delay_disconnect_closes_after_its_delay_and_a_later_one_moves_it() {
    let (mut server, mut client, mut rng) = resumed(13, [0x5b; 256], 0x0765_4321);
    let mut ping = |server: &mut Server, at: u64, delay: i32| {
        let body = zerotl::encode_to_vec(&mt_functions::PingDelayDisconnect {
            ping_id: i64::from(delay),
            disconnect_delay: delay,
        })
        .unwrap();
        let mut wire = Vec::new();
        client
            .send_request(&body, T0 + secs(at), &mut rng, &mut wire)
            .unwrap();
        let pong = server.at(secs(at)).feed(&wire);
        assert!(!pong.is_empty(), "the pong is written first");
    };
    ping(&mut server, 1, 75);
    assert_eq!(server.deadline(), Some(secs(76)), "before idle (301 s)");
    // A later ping moves the time, earlier or later.
    ping(&mut server, 50, 60);
    assert_eq!(server.deadline(), Some(secs(110)));
    assert_eq!(
        server.sleep_until_closed(),
        (secs(110), ServerConnectionError::DisconnectDelay)
    );
}
