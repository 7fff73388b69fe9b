//! The client side of an MTProto 2.0 session on a target without an allocator:
//! one `messages.exportChatInvite` call over the abridged transport, encrypted
//! under an auth key made earlier, with every buffer the caller's.
//!
//! [`export_chat_invite`] drives `zerotl_mtproto::client::ClientConnection` through
//! a [`Link`] (the caller's socket, serial line or radio: this crate never sees
//! one) and copies the answer's link into the caller's buffer. Nothing here
//! allocates; the `bare` feature adds a panic handler and a C entry point so that
//! the crate links as a `staticlib` (thumbv7em-none-eabihf) or a `cdylib`
//! (wasm32-unknown-unknown) without a global allocator.
#![no_std]
#![deny(unsafe_code)]

use zerotl::{Decode, Encode};
use zerotl_mtproto::client::{
    ClientConnection, ClientConnectionConfig, ClientError, ClientEvent, SessionSetup,
};
use zerotl_mtproto::crypto::AuthKey;
use zerotl_mtproto::errors::RpcError;
use zerotl_mtproto::rand_core::CryptoRngCore;
use zerotl_mtproto::transport::Transport;
use zerotl_mtproto::{SliceBuffer, UnixTime};
use zerotl_types::layer122::{enums, functions, types};

/// The connection: one request in flight, 8 acks, a replay window of 32 msg_ids.
pub type Connection = ClientConnection<1, 8, 32>;

/// Where the bytes go and come from, and what time it is.
pub trait Link {
    /// Why the link failed.
    type Error;
    /// Sends all of `bytes`.
    fn send(&mut self, bytes: &[u8]) -> Result<(), Self::Error>;
    /// Receives at least one byte into `buf` (0: the peer closed).
    fn recv(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error>;
    /// The wall clock.
    fn now(&mut self) -> UnixTime;
}

/// The caller's buffers.
#[derive(Debug)]
pub struct Buffers<'a> {
    /// Outgoing frames (a request needs 128 bytes or so).
    pub output: &'a mut [u8],
    /// Received bytes (an answer frame must fit).
    pub input: &'a mut [u8],
    /// Where a `gzip_packed` answer inflates.
    pub scratch: &'a mut [u8],
    /// Where the exported link is copied.
    pub link: &'a mut [u8],
}

/// How the call ended.
// RpcError keeps its texts inline (no allocator here): large by design.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// `chatInviteExported`: the link is in the first `len` bytes of `Buffers::link`.
    Link {
        /// Its length.
        len: usize,
    },
    /// `chatInviteEmpty`.
    Empty,
    /// The server answered with an `rpc_error`.
    Error(RpcError),
}

/// Why the call failed.
#[derive(Debug)]
pub enum Error<E> {
    /// The link failed.
    Link(E),
    /// The peer closed the link before the answer.
    Closed,
    /// The protocol core refused something (fatal for the connection).
    Client(ClientError),
    /// The request failed without an answer (timeout, refused message).
    Failed(zerotl_mtproto::client::RequestFailure),
    /// The answer did not decode as `ExportedChatInvite`.
    Decode(zerotl::DecodeError),
    /// A frame does not fit the input buffer, or the link the link buffer.
    BufferTooSmall,
}

impl<E> From<ClientError> for Error<E> {
    fn from(e: ClientError) -> Self {
        Self::Client(e)
    }
}

/// Calls `messages.exportChatInvite(inputPeerChat chat)` over `link`, encrypted
/// under `auth_key` (with its server `salt`), and waits for the answer.
pub fn export_chat_invite<L: Link, R: CryptoRngCore + ?Sized>(
    link: &mut L,
    rng: &mut R,
    auth_key: AuthKey,
    salt: i64,
    chat: i32,
    buffers: Buffers<'_>,
) -> Result<Outcome, Error<L::Error>> {
    let Buffers {
        output,
        input,
        scratch,
        link: link_out,
    } = buffers;
    let config = ClientConnectionConfig::new(Transport::Abridged);
    let mut conn = Connection::new(&config, SessionSetup::Resume { auth_key, salt }, rng)?;

    // The request, encoded on the stack, then framed and encrypted into `output`.
    let request = functions::messages::ExportChatInvite {
        peer: enums::InputPeer::Chat(types::InputPeerChat { chat_id: chat }),
    };
    let mut body = [0u8; 16];
    let n = request
        .encode_to_slice(&mut body)
        .map_err(|_| Error::BufferTooSmall)?;
    let mut out = SliceBuffer::new(output);
    let now = link.now();
    let id = conn.send_request(&body[..n], now, rng, &mut out)?;
    link.send(out.filled()).map_err(Error::Link)?;

    let mut filled = 0;
    loop {
        // Handle what was received, item by item.
        loop {
            let now = link.now();
            let used = conn.receive(&mut input[..filled], scratch, now, rng)?;
            if used == 0 {
                break;
            }
            while let Some(event) = conn.poll_event() {
                match event {
                    ClientEvent::Answer { request, answer } if request == id => {
                        let bytes = answer.bytes(&input[..filled], scratch);
                        return match enums::ExportedChatInvite::decode_from_slice(bytes) {
                            Ok(enums::ExportedChatInvite::ChatInviteExported(e)) => {
                                let link = e.link.as_str().as_bytes();
                                let dst = link_out
                                    .get_mut(..link.len())
                                    .ok_or(Error::BufferTooSmall)?;
                                dst.copy_from_slice(link);
                                Ok(Outcome::Link { len: link.len() })
                            }
                            Ok(enums::ExportedChatInvite::ChatInviteEmpty) => Ok(Outcome::Empty),
                            Err(e) => Err(Error::Decode(e)),
                        };
                    }
                    ClientEvent::Error { error, .. } => return Ok(Outcome::Error(error)),
                    ClientEvent::Failed { failure, .. } => return Err(Error::Failed(failure)),
                    ClientEvent::Resend { request } => {
                        let mut out = SliceBuffer::new(output);
                        conn.resend(request, &body[..n], link.now(), rng, &mut out)?;
                        link.send(out.filled()).map_err(Error::Link)?;
                    }
                    ClientEvent::Answer { .. } => {}
                }
            }
            input.copy_within(used..filled, 0);
            filled -= used;
        }
        // Acks for what came (new_session_created, ...).
        let mut out = SliceBuffer::new(output);
        if conn.poll_transmit(link.now(), rng, &mut out)? {
            link.send(out.filled()).map_err(Error::Link)?;
        }
        if filled == input.len() {
            return Err(Error::BufferTooSmall);
        }
        let got = link.recv(&mut input[filled..]).map_err(Error::Link)?;
        if got == 0 {
            return Err(Error::Closed);
        }
        filled += got;
    }
}

/// The `bare` build: a panic handler and a C entry point over caller-supplied I/O
/// functions, so that the whole client path is linked in.
#[cfg(feature = "bare")]
mod bare {
    use core::sync::atomic::{AtomicU8, Ordering};

    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;
    use zerotl_mtproto::crypto::AuthKey;
    use zerotl_mtproto::UnixTime;

    use super::{export_chat_invite, Buffers, Link, Outcome};

    /// The auth key, written by the host before the call.
    static KEY: [AtomicU8; 256] = [const { AtomicU8::new(0) }; 256];
    /// The exported link, read by the host after the call.
    static LINK: [AtomicU8; 128] = [const { AtomicU8::new(0) }; 128];

    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
        loop {}
    }

    /// The host's I/O: `send(ptr, len)` returns 0 on success; `recv(ptr, cap)`
    /// returns the bytes received (0: closed, negative: error); `now()` returns
    /// nanoseconds since the UNIX epoch.
    struct Host {
        send: extern "C" fn(*const u8, usize) -> i32,
        recv: extern "C" fn(*mut u8, usize) -> i32,
        now: extern "C" fn() -> u64,
    }

    impl Link for Host {
        type Error = i32;
        fn send(&mut self, bytes: &[u8]) -> Result<(), i32> {
            match (self.send)(bytes.as_ptr(), bytes.len()) {
                0 => Ok(()),
                e => Err(e),
            }
        }
        fn recv(&mut self, buf: &mut [u8]) -> Result<usize, i32> {
            let n = (self.recv)(buf.as_mut_ptr(), buf.len());
            usize::try_from(n).map_err(|_| n).map(|n| n.min(buf.len()))
        }
        fn now(&mut self) -> UnixTime {
            UnixTime::from_nanos((self.now)())
        }
    }

    /// Runs [`export_chat_invite`] with the key in `KEY`; returns the link's length
    /// (in `LINK`), 0 for `chatInviteEmpty`, `-code` for an `rpc_error`, or -1 for
    /// any other failure.
    #[allow(unsafe_code)]
    #[no_mangle]
    pub extern "C" fn zerotl_export_chat_invite(
        send: extern "C" fn(*const u8, usize) -> i32,
        recv: extern "C" fn(*mut u8, usize) -> i32,
        now: extern "C" fn() -> u64,
        salt: i64,
        chat: i32,
        seed: u64,
    ) -> i32 {
        let mut key = [0u8; 256];
        for (dst, src) in key.iter_mut().zip(&KEY) {
            *dst = src.load(Ordering::Relaxed);
        }
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let (mut output, mut input, mut scratch, mut link) =
            ([0u8; 256], [0u8; 1024], [0u8; 512], [0u8; 128]);
        let buffers = Buffers {
            output: &mut output,
            input: &mut input,
            scratch: &mut scratch,
            link: &mut link,
        };
        let mut host = Host { send, recv, now };
        match export_chat_invite(
            &mut host,
            &mut rng,
            AuthKey::from_bytes(key),
            salt,
            chat,
            buffers,
        ) {
            Ok(Outcome::Link { len }) => {
                for (dst, src) in LINK.iter().zip(&link[..len]) {
                    dst.store(*src, Ordering::Relaxed);
                }
                len as i32
            }
            Ok(Outcome::Empty) => 0,
            Ok(Outcome::Error(e)) => -e.code.abs(),
            Err(_) => -1,
        }
    }
}
