//! `zerotl invoke --layer 230` and `--bot-token`: layer 230's
//! `messages.exportChatInvite` with its flags, and bot login, each call wrapped in
//! `invokeWithLayer(230, initConnection(...))`.

use clap::{Args, ValueEnum};
use zerotl::{Decode, Str};
use zerotl_client::layer230::{import_bot_authorization, with_layer, AppInfo};
use zerotl_client::{Client, InvocationError};
use zerotl_types::layer230::enums::{self, ExportedChatInvite, InputPeer};
use zerotl_types::layer230::functions::messages::ExportChatInvite;
use zerotl_types::layer230::types;

use crate::peer::PeerSpec;

/// The layer `zerotl invoke` speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LayerArg {
    /// Layer 122: the plain request.
    #[value(name = "122")]
    L122,
    /// Layer 230: every call wrapped in `invokeWithLayer(230, initConnection(...))`.
    #[value(name = "230")]
    L230,
}

impl LayerArg {
    /// The layer's number.
    pub fn number(self) -> u32 {
        match self {
            LayerArg::L122 => 122,
            LayerArg::L230 => 230,
        }
    }
}

/// Layer 230's optional arguments of `messages.exportChatInvite`.
#[derive(Debug, Clone, Default, Args)]
pub struct InviteOptions {
    /// expire_date: the link's expiry, Unix time (layer 230).
    #[arg(long, value_name = "T")]
    expire_date: Option<i32>,
    /// usage_limit: how many users may join with the link, 1..=99999 (layer 230).
    #[arg(long, value_name = "N")]
    usage_limit: Option<i32>,
    /// title: the link's title (layer 230).
    #[arg(long, value_name = "S")]
    title: Option<String>,
    /// request_needed: joining needs an admin's approval (layer 230).
    #[arg(long)]
    request_needed: bool,
    /// legacy_revoke_permanent: replace (revoke) the chat's primary link (layer 230).
    #[arg(long)]
    legacy_revoke_permanent: bool,
}

impl InviteOptions {
    /// Whether any option is given (they need layer 230).
    pub fn any(&self) -> bool {
        self.expire_date.is_some()
            || self.usage_limit.is_some()
            || self.title.is_some()
            || self.request_needed
            || self.legacy_revoke_permanent
    }

    /// Sets `usage_limit` and `title` (for the demo).
    pub fn with(usage_limit: i32, title: &str) -> Self {
        Self {
            usage_limit: Some(usage_limit),
            title: Some(title.to_owned()),
            ..Self::default()
        }
    }
}

/// The layer-230 `InputPeer` of `spec` (the peers with an id of their own).
fn peer(spec: &PeerSpec) -> Result<InputPeer<'static>, String> {
    Ok(match spec {
        PeerSpec::Empty => InputPeer::Empty,
        PeerSpec::SelfPeer => InputPeer::PeerSelf,
        PeerSpec::Chat(id) => InputPeer::Chat(types::InputPeerChat {
            chat_id: (*id).into(),
        }),
        PeerSpec::Channel(id, hash) => InputPeer::Channel(types::InputPeerChannel {
            channel_id: (*id).into(),
            access_hash: *hash,
        }),
        PeerSpec::User(id, hash) => InputPeer::User(types::InputPeerUser {
            user_id: (*id).into(),
            access_hash: *hash,
        }),
        PeerSpec::ChannelFromMessage(..) | PeerSpec::UserFromMessage(..) => {
            return Err("--layer 230 takes chat, channel, user, self or empty peers".to_owned())
        }
    })
}

/// One line for a layer-230 answer: the link and every field the server filled.
fn describe(e: &types::ChatInviteExported<'_>) -> String {
    let mut line = format!(
        "chatInviteExported {} admin_id={} date={}",
        e.link.as_str(),
        e.admin_id,
        e.date
    );
    if let Some(t) = e.expire_date {
        line.push_str(&format!(" expire_date={t}"));
    }
    if let Some(n) = e.usage_limit {
        line.push_str(&format!(" usage_limit={n}"));
    }
    if let Some(t) = &e.title {
        line.push_str(&format!(" title={:?}", t.as_str()));
    }
    for (on, name) in [
        (e.request_needed, "request_needed"),
        (e.permanent, "permanent"),
        (e.revoked, "revoked"),
    ] {
        if on {
            line.push(' ');
            line.push_str(name);
        }
    }
    line
}

/// `messages.exportChatInvite#a455de90` in layer 230: the answer's line, or the
/// error's (`error 400 CHAT_ADMIN_REQUIRED -> ChatAdminRequired`) as `Err`.
pub async fn export(client: &Client, spec: &PeerSpec, o: &InviteOptions) -> Result<String, String> {
    let request = ExportChatInvite {
        legacy_revoke_permanent: o.legacy_revoke_permanent,
        request_needed: o.request_needed,
        peer: peer(spec)?,
        expire_date: o.expire_date,
        usage_limit: o.usage_limit,
        title: o.title.as_deref().map(Str::new),
        subscription_pricing: None,
    };
    match client
        .invoke(&with_layer(&AppInfo::default(), request))
        .await
    {
        Ok(answer) => match answer.get() {
            ExportedChatInvite::ChatInviteExported(e) => Ok(describe(&e)),
            other => Err(format!("unexpected answer {other:?}")),
        },
        Err(InvocationError::Rpc(e)) => {
            let rpc = e.as_rpc();
            Err(format!(
                "error {} {} -> {}",
                rpc.code,
                rpc.message,
                variant(&e)
            ))
        }
        Err(other) => Err(format!("failed: {other}")),
    }
}

/// The typed error's variant as a user writes it (`ChatAdminRequired`, or
/// `Other(NAME)` for an error the method does not list).
fn variant<E: std::fmt::Debug + zerotl_errors::MethodError>(e: &E) -> String {
    let rpc = e.as_rpc();
    let debug = format!("{e:?}");
    if debug.starts_with("Other(") {
        format!("Other({})", rpc.message)
    } else {
        debug
    }
}

/// Logs in with `token` in `layer` (the server answers in the session's layer, so
/// the login speaks the layer of the calls after it): `bot @username (id N)`, or
/// the error as `Err`.
pub async fn login_bot(client: &Client, token: &str, layer: LayerArg) -> Result<String, String> {
    let mut request = with_layer(&AppInfo::default(), import_bot_authorization(token));
    if layer == LayerArg::L122 {
        request.layer = 122;
    }
    let body = zerotl::encode_to_vec(&request).map_err(|e| e.to_string())?;
    let answer = match client.invoke_raw(&body).await {
        Ok(answer) => answer,
        Err(InvocationError::Rpc(e)) => {
            let typed = zerotl_errors::layer230::auth::ImportBotAuthorizationError::from(e);
            let rpc = typed.as_rpc();
            return Err(format!(
                "bot login: error {} {} -> {}",
                rpc.code,
                rpc.message,
                variant(&typed)
            ));
        }
        Err(other) => return Err(format!("bot login failed: {other}")),
    };
    let bad = |e: zerotl::DecodeError| format!("bot login: the answer did not decode: {e}");
    let (id, username) = if layer == LayerArg::L122 {
        use zerotl_types::layer122::enums as e122;
        match e122::auth::Authorization::decode_from_slice(answer.bytes()).map_err(bad)? {
            e122::auth::Authorization::Authorization(a) => match a.user {
                e122::User::User(u) => (i64::from(u.id), u.username.map(|n| n.as_str().to_owned())),
                e122::User::Empty(_) => return Err("bot login: userEmpty".to_owned()),
            },
            _ => return Err("bot login: sign-up required".to_owned()),
        }
    } else {
        match enums::auth::Authorization::decode_from_slice(answer.bytes()).map_err(bad)? {
            enums::auth::Authorization::Authorization(a) => match a.user {
                enums::User::User(u) => (u.id, u.username.map(|n| n.as_str().to_owned())),
                enums::User::Empty(_) => return Err("bot login: userEmpty".to_owned()),
            },
            _ => return Err("bot login: sign-up required".to_owned()),
        }
    };
    Ok(format!(
        "bot @{} (id {id})",
        username.as_deref().unwrap_or("?")
    ))
}
