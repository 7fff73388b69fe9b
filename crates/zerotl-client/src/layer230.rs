//! Speaking layer 230: what a client sends so that a server answers in layer 230's
//! constructors, and bot login.
//!
//! A server learns a connection's layer from `invokeWithLayer`; clients wrap at
//! least their first call (the usual practice is every call) in
//! `invokeWithLayer(230, initConnection(app, query))`. [`with_layer`] builds that
//! wrapper; [`Client::invoke`](crate::Client::invoke) returns the wrapped query's
//! typed answer and error.
//!
//! ```no_run
//! # async fn run(client: zerotl_client::Client) {
//! use zerotl_client::layer230::{import_bot_authorization, with_layer, AppInfo};
//! let app = AppInfo::default();
//! let login = with_layer(&app, import_bot_authorization("123456:AAH-zerotl-test-bot-token"));
//! let answer = client.invoke(&login).await.unwrap();
//! # }
//! ```

use zerotl::Str;
use zerotl_types::layer230::functions::{
    auth::ImportBotAuthorization, InitConnection, InvokeWithLayer,
};

/// The layer this module speaks.
pub const LAYER: i32 = 230;

/// What `initConnection` tells the server about the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppInfo<'a> {
    /// `api_id` (also sent by `auth.importBotAuthorization`).
    pub api_id: i32,
    /// `api_hash` (sent by `auth.importBotAuthorization`).
    pub api_hash: &'a str,
    /// `device_model`.
    pub device_model: &'a str,
    /// `system_version`.
    pub system_version: &'a str,
    /// `app_version`.
    pub app_version: &'a str,
    /// `system_lang_code` and `lang_code`.
    pub lang_code: &'a str,
}

impl Default for AppInfo<'static> {
    /// zerotl's own: api_id 0 (test servers do not check it), this crate's version.
    fn default() -> Self {
        Self {
            api_id: 0,
            api_hash: "",
            device_model: "zerotl",
            system_version: std::env::consts::OS,
            app_version: env!("CARGO_PKG_VERSION"),
            lang_code: "en",
        }
    }
}

/// `invokeWithLayer(230, initConnection(app, query))`.
pub fn with_layer<'a, Q>(app: &AppInfo<'a>, query: Q) -> InvokeWithLayer<InitConnection<'a, Q>> {
    InvokeWithLayer {
        layer: LAYER,
        query: InitConnection {
            api_id: app.api_id,
            device_model: Str::new(app.device_model),
            system_version: Str::new(app.system_version),
            app_version: Str::new(app.app_version),
            system_lang_code: Str::new(app.lang_code),
            lang_pack: Str::new(""),
            lang_code: Str::new(app.lang_code),
            proxy: None,
            params: None,
            query,
        },
    }
}

/// `auth.importBotAuthorization` with `token` (api_id and api_hash of
/// [`AppInfo::default`]; set them on the result for a real server).
pub fn import_bot_authorization(token: &str) -> ImportBotAuthorization<'_> {
    ImportBotAuthorization {
        flags: 0,
        api_id: 0,
        api_hash: Str::new(""),
        bot_auth_token: Str::new(token),
    }
}
