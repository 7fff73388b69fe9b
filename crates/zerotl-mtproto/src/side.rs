//! [`Side`]: which end of a connection a piece of state speaks for.

/// Which end of a connection: the one that opens it (and sends the transport tag)
/// or the one that accepts it. Transports, the message keys of MTProto 2.0 and
/// sessions all depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// The side that opens the connection.
    Client,
    /// The side that accepts it.
    Server,
}

impl Side {
    /// The other side.
    pub const fn peer(self) -> Side {
        match self {
            Side::Client => Side::Server,
            Side::Server => Side::Client,
        }
    }
}
