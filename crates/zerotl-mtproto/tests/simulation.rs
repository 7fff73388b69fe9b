//! Deterministic simulation: the client core ([`ClientConnection`]) and the server
//! core ([`ServerConnection`]) talk to each other in memory, on fake clocks and
//! seeded RNGs. No sockets, no sleeps: time moves when a test says so, and every
//! run of a scenario produces the same bytes (each test checks that by running
//! twice and comparing a hash of everything sent both ways).

mod auth_support;

use auth_support::MemoryKeys;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zerotl::Decode;
use zerotl_mtproto::auth::{KeyExchangeConfig, KeyExchangeServerConfig};
use zerotl_mtproto::client::{
    ClientConnection, ClientConnectionConfig, ClientEvent, RequestFailure, RequestId, SessionSetup,
};
use zerotl_mtproto::crypto::{sha256, AuthKey};
use zerotl_mtproto::errors::RpcError;
use zerotl_mtproto::server::{
    AuthKeyStore, IncomingRequest, ServerConnection, ServerConnectionConfig, ServerConnectionEvent,
    ServerContext,
};
use zerotl_mtproto::transport::{ObfuscationOptions, Transport};
use zerotl_mtproto::UnixTime;
use zerotl_types::layer122::{enums, functions, types};

/// The server's clock at the start of every scenario.
const START: u64 = 1_700_000_000;

/// What the simulated server does with the requests it gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answering {
    /// Answers at once (see [`answer_for`]).
    Now,
    /// Keeps them unanswered (to let clients time out).
    Never,
}

/// A request: `messages.exportChatInvite` for basic group `chat`.
fn request(chat: i32) -> Vec<u8> {
    zerotl::encode_to_vec(&functions::messages::ExportChatInvite {
        peer: enums::InputPeer::Chat(types::InputPeerChat { chat_id: chat }),
    })
    .unwrap()
}

/// The simulated world: chat 2 refuses, chat 7 answers gzip-packed, every other
/// chat gets the link `sim/<chat>`.
fn answer_for(body: &[u8]) -> Vec<u8> {
    let chat = match functions::messages::ExportChatInvite::decode_from_slice(body) {
        Ok(r) => match r.peer {
            enums::InputPeer::Chat(c) => c.chat_id,
            _ => -1,
        },
        Err(_) => -1,
    };
    if chat == 2 {
        let error = RpcError::parse(400, "CHAT_ADMIN_REQUIRED");
        return zerotl::encode_to_vec(&error.to_tl()).unwrap();
    }
    let link = format!("sim/{chat}");
    let answer = zerotl::encode_to_vec(&enums::ExportedChatInvite::ChatInviteExported(
        types::ChatInviteExported {
            link: zerotl::Str::new(&link),
        },
    ))
    .unwrap();
    if chat == 7 {
        let mut packed = Vec::new();
        zerotl_mtproto::envelope::gzip::encode_gzip_packed(&answer, &mut packed).unwrap();
        return packed;
    }
    answer
}

/// What a client saw, with answers copied out of the buffers.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seen {
    Link(RequestId, String),
    Error(RequestId, i32, String),
    Resend(RequestId),
    Failed(RequestId, RequestFailure),
}

type Client = ClientConnection<8, 16, 64>;

/// One client and one server connection, their clocks, RNGs and the wire.
struct Sim<'k> {
    client: Client,
    server: ServerConnection,
    keys: &'k MemoryKeys,
    key_exchange: Arc<KeyExchangeServerConfig>,
    client_rng: ChaCha20Rng,
    server_rng: ChaCha20Rng,
    /// The server's clock; the client's is `server_now + skew`.
    server_now: UnixTime,
    skew: i64,
    answering: Answering,
    /// Bytes on the way to the client that it has not taken yet.
    to_client: Vec<u8>,
    scratch: Vec<u8>,
    /// Request bodies the client may be asked to send again.
    bodies: BTreeMap<RequestId, Vec<u8>>,
    seen: Vec<Seen>,
    /// Every chunk sent, both ways, in order.
    transcript: Vec<(bool, Vec<u8>)>,
}

impl<'k> Sim<'k> {
    fn new(
        seed: u64,
        transport: Transport,
        obfuscated: bool,
        setup: SessionSetup,
        keys: &'k MemoryKeys,
    ) -> Self {
        let mut client_rng = ChaCha20Rng::seed_from_u64(seed);
        let server_rng = ChaCha20Rng::seed_from_u64(seed ^ 0x5e4e_e4e4);
        let mut config = ClientConnectionConfig::new(transport);
        config.request_timeout = Duration::from_secs(5);
        if obfuscated {
            config.obfuscation = Some(ObfuscationOptions::default());
        }
        let client = Client::new(&config, setup, &mut client_rng).unwrap();
        Self {
            client,
            server: ServerConnection::new(
                ServerConnectionConfig::default(),
                UnixTime::from_secs(START),
            ),
            keys,
            key_exchange: Arc::new(KeyExchangeServerConfig::new(auth_support::test_server_key())),
            client_rng,
            server_rng,
            server_now: UnixTime::from_secs(START),
            skew: 0,
            answering: Answering::Now,
            to_client: Vec::new(),
            scratch: vec![0; 4096],
            bodies: BTreeMap::new(),
            seen: Vec::new(),
            transcript: Vec::new(),
        }
    }

    fn client_now(&self) -> UnixTime {
        let secs = self.skew.unsigned_abs();
        if self.skew >= 0 {
            self.server_now + Duration::from_secs(secs)
        } else {
            self.server_now - Duration::from_secs(secs)
        }
    }

    fn advance(&mut self, d: Duration) {
        self.server_now = self.server_now + d;
    }

    fn send(&mut self, body: Vec<u8>) -> RequestId {
        let mut out = Vec::new();
        let now = self.client_now();
        let id = self
            .client
            .send_request(&body, now, &mut self.client_rng, &mut out)
            .unwrap();
        self.bodies.insert(id, body);
        self.deliver_to_server(&out);
        id
    }

    fn deliver_to_server(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        self.transcript.push((true, bytes.to_vec()));
        let keys: &dyn AuthKeyStore = self.keys;
        let cx = ServerContext {
            key_exchange: Some(&self.key_exchange),
            keys,
            insecure_plain: true,
            now: self.server_now,
        };
        self.server
            .receive(bytes, &cx, &mut self.server_rng)
            .expect("the server accepts an honest client");
        self.serve();
    }

    /// Answers the server's requests and moves its output to the wire.
    fn serve(&mut self) {
        let keys: &dyn AuthKeyStore = self.keys;
        let cx = ServerContext {
            key_exchange: Some(&self.key_exchange),
            keys,
            insecure_plain: true,
            now: self.server_now,
        };
        let mut held: Vec<IncomingRequest> = Vec::new();
        while let Some(event) = self.server.poll_event() {
            if let ServerConnectionEvent::Request(r) = event {
                // An encrypted request names its key and session; a plain one neither.
                match (r.plain, r.auth_key_id, r.session_id) {
                    (true, None, None) => {}
                    (false, Some(key), Some(_)) => assert!(self.keys.contains(key)),
                    other => panic!("request with key and session {other:?}"),
                }
                match self.answering {
                    Answering::Now => {
                        let result = answer_for(&r.body);
                        self.server
                            .reply(&r, &result, &cx, &mut self.server_rng)
                            .unwrap();
                    }
                    Answering::Never => held.push(r),
                }
            }
        }
        let out = self.server.output().to_vec();
        self.server.consume_output(out.len(), self.server_now);
        if !out.is_empty() {
            self.transcript.push((false, out.clone()));
            self.to_client.extend_from_slice(&out);
        }
    }

    /// Runs both sides until nothing moves.
    fn run(&mut self) {
        for _ in 0..64 {
            let mut moved = false;
            let mut out = Vec::new();
            let now = self.client_now();
            self.client
                .poll_transmit(now, &mut self.client_rng, &mut out)
                .unwrap();
            if !out.is_empty() {
                moved = true;
                self.deliver_to_server(&out);
            }
            loop {
                let now = self.client_now();
                let n = self
                    .client
                    .receive(
                        &mut self.to_client,
                        &mut self.scratch,
                        now,
                        &mut self.client_rng,
                    )
                    .expect("the client accepts an honest server");
                if n == 0 {
                    break;
                }
                moved = true;
                self.collect();
                self.to_client.drain(..n);
            }
            if !moved {
                return;
            }
        }
        panic!("the simulation did not settle");
    }

    /// Takes the client's events (answers copied out), re-sending what it asks for.
    fn collect(&mut self) {
        while let Some(event) = self.client.poll_event() {
            let seen = match event {
                ClientEvent::Answer { request, answer } => {
                    let bytes = answer.bytes(&self.to_client, &self.scratch);
                    let enums::ExportedChatInvite::ChatInviteExported(e) =
                        enums::ExportedChatInvite::decode_from_slice(bytes).unwrap()
                    else {
                        panic!("chatInviteEmpty")
                    };
                    Seen::Link(request, e.link.as_str().to_owned())
                }
                ClientEvent::Error { request, error } => {
                    Seen::Error(request, error.code, error.message.to_string())
                }
                ClientEvent::Failed { request, failure } => Seen::Failed(request, failure),
                ClientEvent::Resend { request } => {
                    let body = self.bodies[&request].clone();
                    let mut out = Vec::new();
                    let now = self.client_now();
                    self.client
                        .resend(request, &body, now, &mut self.client_rng, &mut out)
                        .unwrap();
                    self.deliver_to_server(&out);
                    Seen::Resend(request)
                }
            };
            self.seen.push(seen);
        }
    }

    /// A hash of everything sent both ways.
    fn transcript_hash(&self) -> [u8; 32] {
        let mut all = Vec::new();
        for (to_server, bytes) in &self.transcript {
            all.push(u8::from(*to_server));
            all.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
            all.extend_from_slice(bytes);
        }
        sha256(&[&all])
    }
}

/// Creates a key with the simulated server (key exchange over `transport`).
fn connect<'k>(seed: u64, transport: Transport, obfuscated: bool, keys: &'k MemoryKeys) -> Sim<'k> {
    let trust = KeyExchangeConfig::new(
        vec![auth_support::test_server_key().public_key().clone()],
        2,
    );
    let mut sim = Sim::new(
        seed,
        transport,
        obfuscated,
        SessionSetup::KeyExchange(trust),
        keys,
    );
    assert!(!sim.client.is_ready());
    sim.run();
    assert!(sim.client.is_ready() && sim.client.is_encrypted());
    assert!(sim.server.is_encrypted());
    sim
}

fn link(id: RequestId, chat: i32) -> Seen {
    Seen::Link(id, format!("sim/{chat}"))
}

/// Runs `scenario` twice with the same seed: both runs must send the same bytes.
fn deterministic(scenario: impl Fn(u64) -> [u8; 32]) {
    let first = scenario(42);
    assert_eq!(
        first,
        scenario(42),
        "the same seed gives the same transcript"
    );
    assert_ne!(first, scenario(43), "the transcript depends on the seed");
}

#[test]
fn key_exchange_and_encrypted_calls() {
    deterministic(|seed| {
        let keys = MemoryKeys::default();
        let mut sim = connect(seed, Transport::Intermediate, false, &keys);
        assert_eq!(keys.0.borrow().len(), 1, "the server stored the new key");
        let a = sim.send(request(1));
        let b = sim.send(request(2));
        let c = sim.send(request(7));
        sim.run();
        assert_eq!(
            sim.seen,
            [
                link(a, 1),
                Seen::Error(b, 400, "CHAT_ADMIN_REQUIRED".into()),
                link(c, 7),
            ]
        );
        assert_eq!(sim.client.in_flight(), 0);
        assert_eq!(sim.server.requests(), 3);
        sim.transcript_hash()
    });
}

#[test]
fn every_transport_and_obfuscation() {
    for (i, transport) in Transport::ALL.into_iter().enumerate() {
        for obfuscated in [false, true] {
            if obfuscated && transport == Transport::Full {
                continue;
            }
            let keys = MemoryKeys::default();
            let mut sim = connect(100 + i as u64, transport, obfuscated, &keys);
            let a = sim.send(request(5));
            sim.run();
            assert_eq!(
                sim.seen,
                [link(a, 5)],
                "{transport:?} obfuscated={obfuscated}"
            );
        }
    }
}

#[test]
fn bad_server_salt_makes_the_client_resend() {
    deterministic(|seed| {
        let keys = MemoryKeys::default();
        let first = connect(seed, Transport::Abridged, false, &keys);
        let (key, salt) = first
            .client
            .auth_key()
            .map(|(k, s)| (k.clone(), s))
            .unwrap();
        // A new connection that resumes with an outdated salt.
        let setup = SessionSetup::Resume {
            auth_key: key,
            salt: salt ^ 0x55,
        };
        let mut sim = Sim::new(seed + 1, Transport::Abridged, false, setup, &keys);
        let a = sim.send(request(3));
        sim.run();
        assert_eq!(sim.seen, [Seen::Resend(a), link(a, 3)]);
        assert_eq!(
            sim.client.auth_key().unwrap().1,
            salt,
            "the client took the server's salt"
        );
        sim.transcript_hash()
    });
}

#[test]
fn msg_id_too_old_after_a_clock_skew() {
    deterministic(|seed| {
        let keys = MemoryKeys::default();
        let mut sim = connect(seed, Transport::Padded, false, &keys);
        // The client's clock falls 20 minutes behind: its msg_ids are too old (16).
        sim.skew = -1200;
        let a = sim.send(request(4));
        sim.run();
        assert_eq!(sim.seen, [Seen::Resend(a), link(a, 4)]);
        assert_eq!(sim.client.session().unwrap().time_offset(), 1200);
        // Corrected: the next call needs no resend.
        let b = sim.send(request(5));
        sim.run();
        assert_eq!(sim.seen[2..], [link(b, 5)]);
        sim.transcript_hash()
    });
}

#[test]
fn msg_id_too_new_after_a_clock_skew() {
    deterministic(|seed| {
        let keys = MemoryKeys::default();
        let mut sim = connect(seed, Transport::Full, false, &keys);
        // The client's clock runs 20 minutes ahead: its msg_ids are too new (17).
        sim.skew = 1200;
        let a = sim.send(request(6));
        sim.run();
        assert_eq!(sim.seen, [Seen::Resend(a), link(a, 6)]);
        assert_eq!(sim.client.session().unwrap().time_offset(), -1200);
        sim.transcript_hash()
    });
}

#[test]
fn requests_time_out_on_the_clients_deadline() {
    deterministic(|seed| {
        let keys = MemoryKeys::default();
        let mut sim = connect(seed, Transport::Intermediate, false, &keys);
        sim.answering = Answering::Never;
        let a = sim.send(request(1));
        sim.advance(Duration::from_secs(2));
        let b = sim.send(request(1));
        sim.run();
        assert!(sim.seen.is_empty());
        let deadline = sim.client.poll_timeout().unwrap();
        assert_eq!(
            deadline,
            UnixTime::from_secs(START) + Duration::from_secs(5)
        );
        // Just before the deadline nothing happens; at it, `a` fails, then `b`.
        sim.client
            .handle_timeout(deadline - Duration::from_nanos(1));
        assert!(sim.client.poll_event().is_none());
        sim.advance(Duration::from_secs(3));
        sim.client.handle_timeout(sim.client_now());
        sim.collect();
        assert_eq!(sim.seen, [Seen::Failed(a, RequestFailure::TimedOut)]);
        assert_eq!(
            sim.client.poll_timeout(),
            Some(deadline + Duration::from_secs(2))
        );
        sim.advance(Duration::from_secs(2));
        sim.client.handle_timeout(sim.client_now());
        sim.collect();
        assert_eq!(sim.seen[1..], [Seen::Failed(b, RequestFailure::TimedOut)]);
        assert_eq!(
            (sim.client.in_flight(), sim.client.poll_timeout()),
            (0, None)
        );
        sim.transcript_hash()
    });
}

#[test]
fn reconnecting_with_a_saved_key() {
    deterministic(|seed| {
        let keys = MemoryKeys::default();
        let mut first = connect(seed, Transport::Abridged, true, &keys);
        let a = first.send(request(1));
        first.run();
        assert_eq!(first.seen, [link(a, 1)]);
        let (key, salt) = first
            .client
            .auth_key()
            .map(|(k, s)| (k.clone(), s))
            .unwrap();
        let mut transcript = first.transcript.clone();

        // Later, a new connection with the saved key: no key exchange.
        let mut second = Sim::new(
            seed + 7,
            Transport::Abridged,
            true,
            SessionSetup::Resume {
                auth_key: key,
                salt,
            },
            &keys,
        );
        second.advance(Duration::from_secs(60));
        assert!(second.client.is_ready());
        let b = second.send(request(9));
        second.run();
        assert_eq!(second.seen, [link(b, 9)]);
        assert!(second.server.is_encrypted());
        assert_eq!(keys.0.borrow().len(), 1, "no new key was made");
        transcript.extend(second.transcript.clone());
        second.transcript = transcript;
        second.transcript_hash()
    });
}

#[test]
fn a_stranger_key_is_refused() {
    let keys = MemoryKeys::default();
    let setup = SessionSetup::Resume {
        auth_key: AuthKey::from_bytes([9; 256]),
        salt: 1,
    };
    let mut sim = Sim::new(1, Transport::Intermediate, false, setup, &keys);
    let mut out = Vec::new();
    let now = sim.client_now();
    sim.client
        .send_request(&request(1), now, &mut sim.client_rng, &mut out)
        .unwrap();
    let keys_dyn: &dyn AuthKeyStore = &keys;
    let cx = ServerContext {
        key_exchange: Some(&sim.key_exchange),
        keys: keys_dyn,
        insecure_plain: false,
        now: sim.server_now,
    };
    sim.server.receive(&out, &cx, &mut sim.server_rng).unwrap();
    assert!(sim.server.closing().is_some());
    // The server said -404 before closing; the client reports it as fatal.
    let mut wire = sim.server.output().to_vec();
    let mut scratch = [0u8; 16];
    let e = sim
        .client
        .receive(&mut wire, &mut scratch, now, &mut sim.client_rng)
        .unwrap_err();
    assert_eq!(e.to_string(), "transport error -404 (AUTH_KEY_NOT_FOUND)");
}

#[test]
fn plain_test_mode() {
    let keys = MemoryKeys::default();
    let mut sim = Sim::new(
        5,
        Transport::Abridged,
        false,
        SessionSetup::InsecurePlain,
        &keys,
    );
    let a = sim.send(request(1));
    let b = sim.send(request(2));
    sim.run();
    assert_eq!(
        sim.seen,
        [
            link(a, 1),
            Seen::Error(b, 400, "CHAT_ADMIN_REQUIRED".into())
        ]
    );
    assert!(!sim.client.is_encrypted());
}

/// The bounded state holds: more requests than slots are refused, not queued.
#[test]
fn request_slots_are_bounded() {
    let keys = MemoryKeys::default();
    let mut sim = Sim::new(
        6,
        Transport::Intermediate,
        false,
        SessionSetup::InsecurePlain,
        &keys,
    );
    sim.answering = Answering::Never;
    for chat in 0..8 {
        sim.send(request(chat));
    }
    let mut out = Vec::new();
    let now = sim.client_now();
    let e = sim
        .client
        .send_request(&request(9), now, &mut sim.client_rng, &mut out)
        .unwrap_err();
    assert_eq!(
        e,
        zerotl_mtproto::client::ClientError::TooManyRequests { max: 8 }
    );
    assert!(out.is_empty());
}
