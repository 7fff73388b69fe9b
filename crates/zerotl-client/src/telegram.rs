//! Talking to the real Telegram servers: what a client adds on top of the
//! protocol core's session (`zerotl_mtproto::session::Session`). **Not tested against Telegram here**: this
//! machine has no network access to Telegram; the pieces are tested offline
//! (key exchange against Telegram's published samples and keys, message
//! encryption against Telethon), but no live round trip was made.
//!
//! The path, step by step:
//!
//! 1. Pick a data centre. [`PRODUCTION_DCS`] are bootstrap addresses; after
//!    connecting, `help.getConfig` returns the current list.
//! 2. Open a TCP connection with one of the transports of
//!    `zerotl_mtproto::transport` (abridged, intermediate, padded intermediate,
//!    full; obfuscated when going through MTProxy).
//! 3. Create an authorization key with `zerotl_mtproto::auth::KeyExchangeClient`
//!    and `KeyExchangeConfig::telegram_production` (or `telegram_test` for the
//!    test DCs), sending each body as a plain message
//!    (`auth_key_id = 0 | msg_id | length | body`). Store the key: it is your
//!    login for that DC. ([`Client`](crate::Client) does steps 2-6 for you with
//!    [`ClientConfig::new`](crate::ClientConfig::new), which trusts the
//!    production keys.)
//! 4. Build a client `Session` with `Session::client_from_outcome`.
//! 5. Wrap the first query with [`first_query`]:
//!    `invokeWithLayer(layer, initConnection(api_id, device info, query))`.
//!    The server needs this once per connection to know the layer of the
//!    schema the client speaks and who the client is. Layer 122 and 230
//!    schemas are generated (`zerotl_types::layer122`, `layer230` feature); use
//!    the `LAYER` constant of the one you encode with. `initConnection` and
//!    `invokeWithLayer` have the same ids in both.
//! 6. Pack it with `Session::pack` (content-related), send, and feed what comes
//!    back to `Session::unpack`: answers arrive as `rpc_result`, often inside
//!    `msg_container`, sometimes `gzip_packed` (see `zerotl_mtproto::envelope`);
//!    service messages go to `Session::handle_service` (salt changes, clock
//!    corrections: resend the named message).
//! 7. `api_id` and `api_hash` come from <https://my.telegram.org> ("API
//!    development tools"). `api_id` travels in `initConnection`; `api_hash`
//!    is only sent by the login calls (`auth.sendCode`, `auth.importBotAuthorization`).
//!    A 303 `*_MIGRATE_X` error means: repeat on DC X (new key there, or
//!    `auth.exportAuthorization` / `auth.importAuthorization`).
//!
//! ```
//! use zerotl_client::telegram::{first_query, ApiConfig};
//! use zerotl_types::layer122::{functions, LAYER};
//!
//! let api = ApiConfig::new(12345, "0123456789abcdef0123456789abcdef");
//! let body = first_query(LAYER, &api, functions::help::GetConfig).unwrap();
//! // invokeWithLayer#da9b0d0d layer:122 query:initConnection#c1cd5ea9 ...
//! assert_eq!(&body[..12], &[0x0d, 0x0d, 0x9b, 0xda, 122, 0, 0, 0, 0xa9, 0x5e, 0xcd, 0xc1]);
//! ```

use zerotl::Str;
use zerotl_types::layer122::functions::{InitConnection, InvokeWithLayer};

/// A Telegram data centre address (bootstrap; `help.getConfig` has the current list).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DcAddress {
    /// The data centre id.
    pub id: i32,
    /// IPv4 address.
    pub ip: &'static str,
    /// TCP port.
    pub port: u16,
}

/// Bootstrap addresses of the production data centres (port 443; 80 and 5222 also work).
pub const PRODUCTION_DCS: &[DcAddress] = &[
    DcAddress {
        id: 1,
        ip: "149.154.175.53",
        port: 443,
    },
    DcAddress {
        id: 2,
        ip: "149.154.167.51",
        port: 443,
    },
    DcAddress {
        id: 3,
        ip: "149.154.175.100",
        port: 443,
    },
    DcAddress {
        id: 4,
        ip: "149.154.167.91",
        port: 443,
    },
    DcAddress {
        id: 5,
        ip: "91.108.56.130",
        port: 443,
    },
];

/// The test data centre shown on my.telegram.org (send `dc = 10002` in the key exchange).
pub const TEST_DC: DcAddress = DcAddress {
    id: 2,
    ip: "149.154.167.40",
    port: 443,
};

/// The application's identity, as `initConnection` carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiConfig<'a> {
    /// `api_id` from my.telegram.org.
    pub api_id: i32,
    /// `api_hash` from my.telegram.org (used by the login calls, not by `initConnection`).
    pub api_hash: &'a str,
    /// Device model shown in the session list.
    pub device_model: &'a str,
    /// Operating system version.
    pub system_version: &'a str,
    /// Application version.
    pub app_version: &'a str,
    /// System language code.
    pub system_lang_code: &'a str,
    /// Language pack (empty for non-official clients).
    pub lang_pack: &'a str,
    /// Language code.
    pub lang_code: &'a str,
}

impl<'a> ApiConfig<'a> {
    /// `api_id`/`api_hash` with generic device information.
    pub fn new(api_id: i32, api_hash: &'a str) -> Self {
        Self {
            api_id,
            api_hash,
            device_model: "zerotl",
            system_version: std::env::consts::OS,
            app_version: env!("CARGO_PKG_VERSION"),
            system_lang_code: "en",
            lang_pack: "",
            lang_code: "en",
        }
    }
}

/// `invokeWithLayer(layer, initConnection(config..., query))`: the body of the
/// first request on a connection (fails only for texts over TL's 16 MiB limit).
pub fn first_query<Q: zerotl::Encode>(
    layer: i32,
    config: &ApiConfig<'_>,
    query: Q,
) -> Result<Vec<u8>, zerotl::EncodeError> {
    zerotl::encode_to_vec(&InvokeWithLayer {
        layer,
        query: InitConnection {
            api_id: config.api_id,
            device_model: Str::new(config.device_model),
            system_version: Str::new(config.system_version),
            app_version: Str::new(config.app_version),
            system_lang_code: Str::new(config.system_lang_code),
            lang_pack: Str::new(config.lang_pack),
            lang_code: Str::new(config.lang_code),
            proxy: None,
            params: None,
            query,
        },
    })
}
