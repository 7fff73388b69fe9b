//! `InvocationError`: everything a call can end with, typed by the method's error.

use std::time::Duration;

use zerotl_client::{DropReason, InvocationError, TransportFailure};
use zerotl_errors::layer122::messages;
use zerotl_errors::RpcError;
use zerotl_mtproto::transport::TransportError;

#[test]
fn invocation_error() {
    use std::error::Error as _;
    let rpc = RpcError::parse(400, "PEER_ID_INVALID");
    let e: InvocationError = rpc.clone().into();
    assert_eq!(e.rpc(), Some(&rpc));
    assert_eq!(
        e.to_string(),
        "the server answered with an error: PEER_ID_INVALID (400): An invalid Peer was used. Make sure to pass the right peer type and that the value is valid (for instance, bots cannot start conversations)"
    );
    let typed: InvocationError<messages::ExportChatInviteError> = e.typed();
    assert!(matches!(
        typed,
        InvocationError::Rpc(messages::ExportChatInviteError::PeerIdInvalid)
    ));
    assert!(typed.source().is_some());

    let t: InvocationError<messages::ExportChatInviteError> =
        TransportError::from_code(-429).into();
    assert!(matches!(t, InvocationError::Transport(TransportFailure::Code(c)) if c.code() == -429));
    assert_eq!(t.to_string(), "transport error -429 (TRANSPORT_FLOOD)");

    let d = RpcError::decode(&[0x19, 0xca, 0x44]).unwrap_err();
    let d: InvocationError = d.into();
    assert!(matches!(d, InvocationError::Decode(_)));
    assert!(
        d.to_string().starts_with("the answer did not decode"),
        "{d}"
    );

    let io: InvocationError = std::io::Error::from(std::io::ErrorKind::ConnectionReset).into();
    assert!(matches!(io, InvocationError::Io(_)) && io.source().is_some());

    let to: InvocationError = InvocationError::Timeout(Duration::from_secs(10));
    assert_eq!(to.to_string(), "no answer within 10s");
    assert!(to.source().is_none());

    let dropped: InvocationError = DropReason::ConnectionClosed.into();
    assert_eq!(
        dropped.to_string(),
        "no answer: the connection closed before the answer"
    );
    let mapped = InvocationError::<RpcError>::Dropped(DropReason::Cancelled).map_rpc(|e| e.code);
    assert!(matches!(
        mapped,
        InvocationError::Dropped(DropReason::Cancelled)
    ));
    fn is_error<T: std::error::Error + Send + Sync + 'static>() {}
    is_error::<InvocationError>();
    is_error::<InvocationError<messages::ExportChatInviteError>>();
}
