//! The MTProto message envelope around TL bodies (`core.telegram.org/mtproto/description`,
//! `.../service_messages`), sans-IO and zero-copy.
//!
//! * [`PlainMessage`]: the unencrypted form used by the key exchange and the
//!   embedded server's test mode.
//! * [`MsgIdGenerator`]: time-based, strictly increasing message ids with the
//!   client/server parities, from the time the caller passes.
//! * [`SeqNoGenerator`]: `seq_no` from the content-related count.
//! * [`classify`]: what an incoming body is ([`ServiceMessage`]); [`Container`]
//!   walks a validated `msg_container`; [`RpcOutcome`] splits an `rpc_result`.
//! * [`gzip`]: bounded inflate of `gzip_packed` into the caller's buffer, and
//!   (feature `alloc`) packing.
//! * Builders for servers and clients, writing into an [`OutputBuffer`](crate::OutputBuffer):
//!   [`encode_rpc_result`], [`encode_rpc_error`], [`encode_container`], and
//!   (feature `alloc`) `gzip::encode_gzip_packed`.
//!
//! Everything the peer controls is bounded: containers hold at most
//! [`MAX_CONTAINER_MESSAGES`] messages and never another container, acks at most
//! [`MAX_ACK_IDS`] ids, inflated data at most the caller's cap
//! (the size of the buffer it inflates into), and nothing recurses.
//!
//! ```
//! use zerotl_mtproto::envelope::{classify, encode_rpc_error, RpcOutcome, ServiceMessage};
//! let mut body = Vec::new();
//! encode_rpc_error(0x51e5_7ac4_2770_964a, 400, "CHAT_ADMIN_REQUIRED", &mut body).unwrap();
//! let ServiceMessage::RpcResult(r) = classify(&body).unwrap() else { panic!() };
//! assert_eq!(r.req_msg_id, 0x51e5_7ac4_2770_964a);
//! let RpcOutcome::Error(e) = RpcOutcome::of(r.result).unwrap() else { panic!() };
//! assert_eq!((e.error_code, e.error_message.as_str()), (400, "CHAT_ADMIN_REQUIRED"));
//! ```

mod container;
mod error;
pub mod gzip;
mod msg_id;
mod plain;
mod seq_no;
mod service;

pub use container::{encode_container, Container, ContainerIter, MAX_CONTAINER_MESSAGES};
pub use error::EnvelopeError;
pub use msg_id::{MsgIdGenerator, MsgIdKind};
pub use plain::PlainMessage;
pub use seq_no::{is_content_related, SeqNoGenerator};
pub use service::{
    classify, encode_rpc_error, encode_rpc_result, RpcOutcome, ServiceMessage, MAX_ACK_IDS,
};
