//! Answering one RPC request body from the world: no I/O; the state it touches is
//! the [`WorldState`] (links, sessions' layers, logins).
//!
//! Requests are recognised by constructor id in any layer's form (layer 122's and 230's
//! schemas, and the older forms of `messages.exportChatInvite`); answers are
//! encoded in the session's layer ([`crate::layers`] has the mapping).
//!
//! | request body | answer |
//! |---|---|
//! | `invokeWithLayer` | the query's answer; the layer is remembered for the (auth key, session) |
//! | `initConnection` | the query's answer; the app info is remembered for the session and reported ([`Reply::client`]) |
//! | `invokeWithoutUpdates`, `invokeAfterMsg`, `invokeAfterMsgs` | the query's answer (at most [`MAX_WRAPPERS`] wrappers in all) |
//! | `messages.exportChatInvite#0df7534c` (layer 122) | a new primary link, or the world's `rpc_error` |
//! | `messages.exportChatInvite#a455de90` (230; `#a02ce5d5` of layers 134–185 and `#14b9bcd7` of layers 123–133 too) | a complete `chatInviteExported`: the link, `admin_id` (the caller), `date`, `expire_date`, `usage_limit`, `title`, `subscription_pricing` echoed, `request_needed`, `permanent` for a primary link (`legacy_revoke_permanent`, which revokes the previous one); `usage_limit` outside 1..=99999 answers 400 `USAGE_LIMIT_INVALID`, an `expire_date` not in the future 400 `EXPIRE_DATE_INVALID` |
//! | `help.getConfig` | `config`: every DC at the server's listen address ([`THIS_DC`] is this one), Telegram's usual limits |
//! | `help.getNearestDc` | `nearestDc` ([`THIS_DC`]) |
//! | `updates.getState` | an empty `updates.state`; 401 `AUTH_KEY_UNREGISTERED` before a login |
//! | `updates.getDifference` (`#19c2f763`, layer 122's `#25939651` too) | `updates.differenceEmpty` (the world sends no updates); 401 `AUTH_KEY_UNREGISTERED` before a login |
//! | `users.getUsers` | the users it names (in either schema's `inputUser`: layers up to 132 send int ids) that the world knows; `inputUserSelf` is the logged-in bot (401 `AUTH_KEY_UNREGISTERED` before a login) |
//! | `users.getFullUser` (`#b60f5918`; layer 122's `#ca30a5b1`, sent through layer 134, too) | the user's `userFull` with nothing optional set, inside `users.userFull` with the user (a bare `userFull` holding the user, to `#ca30a5b1`); `inputUserSelf` is the logged-in bot (401 `AUTH_KEY_UNREGISTERED` before a login); a user the world does not know, a wrong access hash or any other `InputUser` 400 `USER_ID_INVALID` |
//! | `auth.importBotAuthorization` | `auth.authorization` with the bot, whose token logs the auth key in; 400 `ACCESS_TOKEN_INVALID` for an unknown token |
//! | any other constructor id | 400 `INPUT_METHOD_INVALID` |
//! | a known method whose arguments do not decode | 400 `INPUT_CONSTRUCTOR_INVALID` (an unknown constructor inside) or 400 `INPUT_FETCH_ERROR` (anything else) |
//!
//! The MTProto service queries (`ping`, `ping_delay_disconnect`,
//! `get_future_salts`, `destroy_session`) are the connection core's: it answers
//! them as top-level messages (or inside a container or `gzip_packed`) and
//! reports a destroyed session to the driver, which forgets its layer and app
//! ([`WorldState::destroy_session`]). One that reaches this function came where
//! no service query belongs (inside `invokeWithLayer` and friends, in plain
//! test mode, or with arguments the core could not decode) and is an unknown
//! method here: 400 `INPUT_METHOD_INVALID`.
//!
//! With the world's `login_required`, every method but `help.getConfig`,
//! `help.getNearestDc` and `auth.importBotAuthorization` answers 401
//! `AUTH_KEY_UNREGISTERED` until the auth key logs in.
//! In plain test mode there is no auth key: nothing is remembered between
//! requests (a login holds for nothing, the layer is the request's own).
//!
//! The error names are documented Telegram errors (`data/errors/errors.csv`).

use zerotl::{Decode, DecodeErrorKind, EncodeError, Identifiable, Object};
use zerotl_mtproto::errors::RpcError;
use zerotl_types::{layer122, layer230};

use super::layers::{self, ConfigInfo, InviteInfo, Tl, UserInfo};
use super::sessions::{bounded, ClientInfo, SessionRef};
use super::state::WorldState;
use super::world::{Caller, Target};

/// How many `invokeWithLayer`-style wrappers may surround a query.
pub const MAX_WRAPPERS: usize = 4;
/// The DC id the server calls itself.
pub const THIS_DC: i32 = 2;
/// How long a `config` holds (seconds).
pub const CONFIG_LIFETIME: i32 = 3600;
/// Most users one `users.getUsers` may name.
pub const MAX_GET_USERS: usize = 200;
/// Most usages an invite link may be limited to (`USAGE_LIMIT_INVALID` above).
pub const MAX_USAGE_LIMIT: i32 = 99_999;

/// What happened to a request (for logs and statistics).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestOutcome {
    /// An invite was exported.
    Exported {
        /// The chat.
        target: Target,
        /// The new link.
        link: String,
    },
    /// An auth key logged in as this bot.
    LoggedIn {
        /// The bot's user id.
        user_id: i64,
    },
    /// A bootstrap or service call was answered.
    Answered {
        /// The method (`"help.getConfig"`, ...).
        method: &'static str,
    },
    /// The request was answered with an error.
    Refused(RpcError),
}

/// One request as the server received it.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The body: a boxed function, possibly wrapped.
    pub body: &'a [u8],
    /// The msg_id it came in.
    pub msg_id: i64,
    /// The (auth key, session) it came in (both `None` in plain test mode).
    pub session: SessionRef,
    /// Unix time now, in seconds.
    pub now: i64,
}

impl<'a> Request<'a> {
    /// A request outside any session (plain test mode), at `now`.
    pub fn plain(body: &'a [u8], now: i64) -> Self {
        Self {
            body,
            msg_id: 0,
            session: SessionRef::default(),
            now,
        }
    }
}

/// What [`answer`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The outcome.
    pub outcome: RequestOutcome,
    /// The app info of an `initConnection` around the request, to log.
    pub client: Option<ClientInfo>,
}

/// Answers `request`: appends the result (the answer, or an `rpc_error`: one boxed
/// TL value, what goes into `rpc_result`) to `out`.
///
/// ```
/// use zerotl_server::{rpc, WorldState};
/// use zerotl_server::world::World;
/// let state = WorldState::new(World::default());
/// let body = [0x4c, 0x53, 0xf7, 0x0d, 0x63, 0xe8, 0x9b, 0x17, 2, 0, 0, 0]; // chat 2
/// let mut out = Vec::new();
/// let answer = rpc::answer(&state, &rpc::Request::plain(&body, 1_700_000_000), &mut out).unwrap();
/// assert!(matches!(answer.outcome, rpc::RequestOutcome::Refused(e) if e.is("CHAT_ADMIN_REQUIRED")));
/// assert_eq!(&out[..4], [0x19, 0xca, 0x44, 0x21]); // rpc_error
/// ```
pub fn answer(
    state: &WorldState,
    request: &Request<'_>,
    out: &mut Vec<u8>,
) -> Result<Reply, EncodeError> {
    let mut call = Call {
        state,
        request,
        layer: None,
        client: None,
    };
    let mut tl = Tl::default();
    let outcome = match call.evaluate(&mut tl) {
        Ok(outcome) => {
            out.extend_from_slice(&tl.0);
            outcome
        }
        Err(e) => {
            zerotl::append_encoded(&e.to_tl(), out)?;
            RequestOutcome::Refused(e)
        }
    };
    Ok(Reply {
        outcome,
        client: call.client,
    })
}

pub(crate) mod ids {
    use super::*;
    pub const EXPORT_122: u32 = layer122::functions::messages::ExportChatInvite::CONSTRUCTOR_ID;
    pub const EXPORT_230: u32 = layer230::functions::messages::ExportChatInvite::CONSTRUCTOR_ID;
    /// `messages.exportChatInvite` of layers 134..=185: the layer-230 form
    /// without `subscription_pricing` (flags.5).
    pub const EXPORT_134: u32 = 0xa02c_e5d5;
    /// `messages.exportChatInvite` of layers 123..=133:
    /// `flags:# legacy_revoke_permanent:flags.2?true peer:InputPeer expire_date:flags.0?int usage_limit:flags.1?int`,
    /// with layer 122's `InputPeer` (int ids) before 133 and layer 230's from 133.
    pub const EXPORT_123: u32 = 0x14b9_bcd7;
    pub const INVOKE_WITH_LAYER: u32 =
        <layer230::functions::InvokeWithLayer<()> as Identifiable>::CONSTRUCTOR_ID;
    pub const INIT_CONNECTION: u32 =
        <layer230::functions::InitConnection<'static, ()> as Identifiable>::CONSTRUCTOR_ID;
    pub const INVOKE_WITHOUT_UPDATES: u32 =
        <layer230::functions::InvokeWithoutUpdates<()> as Identifiable>::CONSTRUCTOR_ID;
    pub const INVOKE_AFTER_MSG: u32 =
        <layer230::functions::InvokeAfterMsg<()> as Identifiable>::CONSTRUCTOR_ID;
    pub const INVOKE_AFTER_MSGS: u32 =
        <layer230::functions::InvokeAfterMsgs<'static, ()> as Identifiable>::CONSTRUCTOR_ID;
    pub const GET_CONFIG: u32 = layer230::functions::help::GetConfig::CONSTRUCTOR_ID;
    pub const GET_NEAREST_DC: u32 = layer230::functions::help::GetNearestDc::CONSTRUCTOR_ID;
    pub const GET_STATE: u32 = layer230::functions::updates::GetState::CONSTRUCTOR_ID;
    pub const GET_DIFFERENCE: u32 = layer230::functions::updates::GetDifference::CONSTRUCTOR_ID;
    pub const GET_DIFFERENCE_122: u32 = layer122::functions::updates::GetDifference::CONSTRUCTOR_ID;
    pub const GET_USERS: u32 = layer230::functions::users::GetUsers::CONSTRUCTOR_ID;
    pub const GET_FULL_USER: u32 = layer230::functions::users::GetFullUser::CONSTRUCTOR_ID;
    /// `users.getFullUser` of layers up to 134, answered with a bare `userFull`: with
    /// layer 122's `InputUser` (int ids) through 132, layer 230's from 133.
    pub const GET_FULL_USER_122: u32 = layer122::functions::users::GetFullUser::CONSTRUCTOR_ID;
    pub const IMPORT_BOT: u32 = layer230::functions::auth::ImportBotAuthorization::CONSTRUCTOR_ID;
}

/// One request being answered.
struct Call<'s, 'r> {
    state: &'s WorldState,
    request: &'r Request<'r>,
    /// The layer named by a wrapper of this request.
    layer: Option<i32>,
    client: Option<ClientInfo>,
}

impl Call<'_, '_> {
    /// Unwraps up to [`MAX_WRAPPERS`] wrappers, then answers the method into `out`.
    fn evaluate(&mut self, out: &mut Tl) -> Result<RequestOutcome, RpcError> {
        let mut body = self.request.body;
        for _ in 0..=MAX_WRAPPERS {
            body = match constructor(body)? {
                ids::INVOKE_WITH_LAYER => {
                    let w = decode::<layer230::functions::InvokeWithLayer<Object<'_>>>(body)?;
                    self.layer = Some(w.layer);
                    self.state
                        .sessions()
                        .set_layer(self.request.session, w.layer);
                    w.query.as_bytes()
                }
                ids::INIT_CONNECTION => {
                    let w = decode::<layer230::functions::InitConnection<'_, Object<'_>>>(body)?;
                    let client = ClientInfo {
                        layer: self.layer,
                        api_id: w.api_id,
                        device_model: bounded(w.device_model.as_str()),
                        system_version: bounded(w.system_version.as_str()),
                        app_version: bounded(w.app_version.as_str()),
                        lang_code: bounded(w.lang_code.as_str()),
                    };
                    self.state
                        .sessions()
                        .set_client(self.request.session, client.clone());
                    self.client = Some(client);
                    w.query.as_bytes()
                }
                ids::INVOKE_WITHOUT_UPDATES => {
                    decode::<layer230::functions::InvokeWithoutUpdates<Object<'_>>>(body)?
                        .query
                        .as_bytes()
                }
                ids::INVOKE_AFTER_MSG => {
                    decode::<layer230::functions::InvokeAfterMsg<Object<'_>>>(body)?
                        .query
                        .as_bytes()
                }
                ids::INVOKE_AFTER_MSGS => {
                    decode::<layer230::functions::InvokeAfterMsgs<'_, Object<'_>>>(body)?
                        .query
                        .as_bytes()
                }
                _ => return self.method(body, out),
            };
        }
        Err(fetch_error(None))
    }

    /// The layer to answer in: the request's wrapper, else the session's, else
    /// `default` (the layer of the request's own form).
    fn layer(&self, default: i32) -> i32 {
        self.layer
            .or_else(|| self.state.sessions().layer(self.request.session))
            .unwrap_or(default)
    }

    /// The bot logged in on the auth key, if any.
    fn login(&self) -> Option<i64> {
        self.state.sessions().login(self.request.session)
    }

    /// Who calls: the logged-in bot, else the world's account (unless the world
    /// requires a login).
    fn caller(&self) -> Result<Caller, RpcError> {
        match self.login() {
            Some(id) => Ok(Caller::Bot(id)),
            None if self.state.world().login_required => Err(unregistered()),
            None => Ok(Caller::Account),
        }
    }

    fn now(&self) -> i32 {
        self.request.now.clamp(0, i64::from(i32::MAX)) as i32
    }

    fn method(&mut self, body: &[u8], out: &mut Tl) -> Result<RequestOutcome, RpcError> {
        let answered = |method| Ok(RequestOutcome::Answered { method });
        match constructor(body)? {
            ids::EXPORT_122 => {
                let r = decode::<layer122::functions::messages::ExportChatInvite>(body)?;
                let options = ExportOptions {
                    target: target_of(&r.peer),
                    primary: true,
                    request_needed: false,
                    expire_date: None,
                    usage_limit: None,
                    title: None,
                    subscription_pricing: None,
                };
                let layer = self.layer(layers::DEFAULT_LAYER);
                self.export(options, layer, out)
            }
            id @ (ids::EXPORT_230 | ids::EXPORT_134) => {
                let mut owned;
                let body = if id == ids::EXPORT_134 {
                    // Same fields as the 230 form, minus flags.5.
                    let flags = body.get(4..8).ok_or_else(|| fetch_error(None))?;
                    if flags[0] & (1 << 5) != 0 {
                        return Err(fetch_error(None));
                    }
                    owned = body.to_vec();
                    owned[..4].copy_from_slice(&ids::EXPORT_230.to_le_bytes());
                    &owned[..]
                } else {
                    body
                };
                let r = decode::<layer230::functions::messages::ExportChatInvite>(body)?;
                let options = ExportOptions::of(&r);
                let layer = self.layer(230);
                self.export(options, layer, out)
            }
            ids::EXPORT_123 => {
                let options = export_123(body)?;
                let layer = self.layer(133);
                self.export(options, layer, out)
            }
            ids::GET_CONFIG => {
                decode::<layer230::functions::help::GetConfig>(body)?;
                let layer = self.layer(layers::DEFAULT_LAYER);
                layers::config(layer, &self.config(), out);
                answered("help.getConfig")
            }
            ids::GET_NEAREST_DC => {
                decode::<layer230::functions::help::GetNearestDc>(body)?;
                layers::nearest_dc(THIS_DC, out);
                answered("help.getNearestDc")
            }
            ids::GET_STATE => {
                decode::<layer230::functions::updates::GetState>(body)?;
                self.login().ok_or_else(unregistered)?;
                layers::updates_state(self.now(), out);
                answered("updates.getState")
            }
            ids::GET_DIFFERENCE => {
                decode::<layer230::functions::updates::GetDifference>(body)?;
                self.login().ok_or_else(unregistered)?;
                layers::difference_empty(self.now(), out);
                answered("updates.getDifference")
            }
            ids::GET_DIFFERENCE_122 => {
                decode::<layer122::functions::updates::GetDifference>(body)?;
                self.login().ok_or_else(unregistered)?;
                layers::difference_empty(self.now(), out);
                answered("updates.getDifference")
            }
            ids::GET_USERS => {
                let layer = self.layer(layers::DEFAULT_LAYER);
                let users = self.get_users(layer, body)?;
                layers::users(layer, &users, out);
                answered("users.getUsers")
            }
            id @ (ids::GET_FULL_USER | ids::GET_FULL_USER_122) => {
                let wrapped = id == ids::GET_FULL_USER;
                let layer = self.layer(if wrapped { 230 } else { layers::DEFAULT_LAYER });
                let user = self.full_user(body, wrapped)?;
                layers::full_user(wrapped, layer, &user, out);
                answered("users.getFullUser")
            }
            ids::IMPORT_BOT => {
                let r = decode::<layer230::functions::auth::ImportBotAuthorization>(body)?;
                let world = self.state.world();
                let bot = world
                    .bot_by_token(r.bot_auth_token.as_str())
                    .ok_or_else(|| RpcError::parse(400, "ACCESS_TOKEN_INVALID"))?;
                self.state
                    .sessions()
                    .set_login(self.request.session, bot.user_id);
                let layer = self.layer(layers::DEFAULT_LAYER);
                let user = self.user(bot.user_id, true).ok_or_else(unregistered)?;
                layers::authorization(layer, &user, out);
                Ok(RequestOutcome::LoggedIn {
                    user_id: bot.user_id,
                })
            }
            _ => Err(RpcError::parse(400, "INPUT_METHOD_INVALID")),
        }
    }

    /// `help.getConfig`'s contents now.
    fn config(&self) -> ConfigInfo {
        let addr = self
            .state
            .listen_addr()
            .unwrap_or_else(|| crate::DEFAULT_LISTEN.parse().expect("a valid address"));
        let now = self.now();
        ConfigInfo {
            date: now,
            expires: now.saturating_add(CONFIG_LIFETIME),
            test_mode: true,
            this_dc: THIS_DC,
            dc_options: (1..=5)
                .map(|id| {
                    let ip = addr.ip();
                    (id, ip.to_string(), i32::from(addr.port()), ip.is_ipv6())
                })
                .collect(),
        }
    }

    /// The world's user `id` (its account or a bot), described to the caller.
    fn user(&self, id: i64, is_self: bool) -> Option<UserInfo> {
        let world = self.state.world();
        let (first_name, username, bot) = if id == world.self_user_id {
            ("Test Account".to_owned(), None, false)
        } else {
            let b = world.bot(id)?;
            (b.username.clone(), Some(b.username.clone()), true)
        };
        Some(UserInfo {
            id,
            access_hash: access_hash(id),
            first_name,
            username,
            bot,
            is_self,
        })
    }

    /// `users.getUsers`: the users named that the world knows, in order.
    fn get_users(&self, layer: i32, body: &[u8]) -> Result<Vec<UserInfo>, RpcError> {
        let me = self.login();
        let mut found = Vec::new();
        let mut wanted = |id: Option<i64>, hash: Option<i64>| -> Result<(), RpcError> {
            let Some(id) = id.or(me) else {
                // inputUserSelf before a login.
                return Err(unregistered());
            };
            if hash.is_some_and(|h| h != access_hash(id)) {
                return Ok(());
            }
            if let Some(u) = self.user(id, Some(id) == me) {
                found.push(u);
            }
            Ok(())
        };
        // Either schema's `InputUser`, whatever the session's layer: clients at 123..=132
        // still send layer 122's (int ids).
        let named: Vec<Option<(i64, i64)>> =
            match decode::<layer230::functions::users::GetUsers>(body) {
                Ok(r) => {
                    check_count(r.id.len())?;
                    r.id.iter()
                        .filter_map(|u| match u {
                            layer230::enums::InputUser::UserSelf => Some(None),
                            layer230::enums::InputUser::User(u) => {
                                Some(Some((u.user_id, u.access_hash)))
                            }
                            _ => None,
                        })
                        .collect()
                }
                Err(at230) => {
                    let r =
                        decode::<layer122::functions::users::GetUsers>(body).map_err(|at122| {
                            if layers::is_legacy(layer) {
                                at122
                            } else {
                                at230
                            }
                        })?;
                    check_count(r.id.len())?;
                    r.id.iter()
                        .filter_map(|u| match u {
                            layer122::enums::InputUser::UserSelf => Some(None),
                            layer122::enums::InputUser::User(u) => {
                                Some(Some((u.user_id.into(), u.access_hash)))
                            }
                            _ => None,
                        })
                        .collect()
                }
            };
        for user in named {
            match user {
                None => wanted(None, None)?,
                Some((id, hash)) => wanted(Some(id), Some(hash))?,
            }
        }
        Ok(found)
    }

    /// The user a `users.getFullUser` names (`wrapped`: layer 230's form, else layer
    /// 122's, whose `InputUser` may be either schema's): `inputUserSelf` is the logged-in
    /// bot (401 `AUTH_KEY_UNREGISTERED` before a login), an `inputUser` a user the world
    /// knows with its access hash; anything else is 400 `USER_ID_INVALID`.
    fn full_user(&self, body: &[u8], wrapped: bool) -> Result<UserInfo, RpcError> {
        let named = if wrapped {
            Some(decode::<layer230::functions::users::GetFullUser>(body)?.id)
        } else {
            None
        };
        let named: Option<(i64, i64)> = match named {
            Some(id) => match id {
                layer230::enums::InputUser::UserSelf => None,
                layer230::enums::InputUser::User(u) => Some((u.user_id, u.access_hash)),
                _ => return Err(user_id_invalid()),
            },
            None => match decode::<layer122::functions::users::GetFullUser>(body) {
                Ok(r) => match r.id {
                    layer122::enums::InputUser::UserSelf => None,
                    layer122::enums::InputUser::User(u) => Some((u.user_id.into(), u.access_hash)),
                    _ => return Err(user_id_invalid()),
                },
                Err(at122) => {
                    // Layers 133 and 134: the same request with layer 230's InputUser.
                    let mut owned = body.to_vec();
                    owned[..4].copy_from_slice(&ids::GET_FULL_USER.to_le_bytes());
                    let r = decode::<layer230::functions::users::GetFullUser>(&owned)
                        .map_err(|_| at122)?;
                    match r.id {
                        layer230::enums::InputUser::UserSelf => None,
                        layer230::enums::InputUser::User(u) => Some((u.user_id, u.access_hash)),
                        _ => return Err(user_id_invalid()),
                    }
                }
            },
        };
        let me = self.login();
        let (id, is_self) = match named {
            None => (me.ok_or_else(unregistered)?, true),
            Some((id, hash)) => {
                if hash != access_hash(id) {
                    return Err(user_id_invalid());
                }
                (id, Some(id) == me)
            }
        };
        self.user(id, is_self).ok_or_else(user_id_invalid)
    }

    /// Validates, checks the caller's role, exports and describes the link.
    fn export(
        &self,
        o: ExportOptions,
        layer: i32,
        out: &mut Tl,
    ) -> Result<RequestOutcome, RpcError> {
        let caller = self.caller()?;
        let now = self.now();
        if o.usage_limit
            .is_some_and(|n| !(1..=MAX_USAGE_LIMIT).contains(&n))
        {
            return Err(RpcError::parse(400, "USAGE_LIMIT_INVALID"));
        }
        if o.expire_date.is_some_and(|d| d <= now) {
            return Err(RpcError::parse(400, "EXPIRE_DATE_INVALID"));
        }
        let (_, link) = self.state.export_as(caller, o.target, o.primary)?;
        let admin_id = match caller {
            Caller::Account => self.state.world().self_user_id,
            Caller::Bot(id) => id,
        };
        let info = InviteInfo {
            link: link.clone(),
            admin_id,
            date: now,
            permanent: o.primary,
            request_needed: o.request_needed,
            expire_date: o.expire_date,
            usage_limit: o.usage_limit,
            title: o.title,
            subscription_pricing: o.subscription_pricing,
        };
        layers::invite(layer, &info, out);
        Ok(RequestOutcome::Exported {
            target: o.target,
            link,
        })
    }
}

/// What an export asks for.
#[derive(Debug)]
struct ExportOptions {
    target: Target,
    /// A primary link (replacing the chat's previous one): layer 122's export,
    /// or `legacy_revoke_permanent`.
    primary: bool,
    request_needed: bool,
    expire_date: Option<i32>,
    usage_limit: Option<i32>,
    title: Option<String>,
    subscription_pricing: Option<(i32, i64)>,
}

impl ExportOptions {
    fn of(r: &layer230::functions::messages::ExportChatInvite<'_>) -> Self {
        Self {
            target: target_of_230(&r.peer),
            primary: r.legacy_revoke_permanent,
            request_needed: r.request_needed,
            expire_date: r.expire_date,
            usage_limit: r.usage_limit,
            title: r.title.map(|t| t.as_str().to_owned()),
            subscription_pricing: r.subscription_pricing.map(|p| {
                let layer230::enums::StarsSubscriptionPricing::Pricing(p) = p;
                (p.period, p.amount)
            }),
        }
    }
}

/// Reads layer 123..=133's `messages.exportChatInvite#14b9bcd7` (see
/// [`ids::EXPORT_123`]): its peer in either schema's `InputPeer`.
fn export_123(body: &[u8]) -> Result<ExportOptions, RpcError> {
    let fetch = |e: zerotl::DecodeError| fetch_error(Some(e.kind()));
    let mut r = zerotl::Reader::new(body);
    r.expect_id(ids::EXPORT_123, "messages.exportChatInvite")
        .map_err(fetch)?;
    let flags = r
        .read_flags(0b111, "messages.exportChatInvite")
        .map_err(fetch)?;
    let at_peer = r.clone();
    let target = match layer230::enums::InputPeer::decode(&mut r) {
        Ok(peer) => target_of_230(&peer),
        Err(_) => {
            r = at_peer;
            target_of(&layer122::enums::InputPeer::decode(&mut r).map_err(fetch)?)
        }
    };
    let expire_date = if flags & 1 != 0 {
        Some(r.read_i32().map_err(fetch)?)
    } else {
        None
    };
    let usage_limit = if flags & 2 != 0 {
        Some(r.read_i32().map_err(fetch)?)
    } else {
        None
    };
    r.finish().map_err(fetch)?;
    Ok(ExportOptions {
        target,
        primary: flags & 4 != 0,
        request_needed: false,
        expire_date,
        usage_limit,
        title: None,
        subscription_pricing: None,
    })
}

/// The access hash the server gives user `id` (a fixed function of the id).
pub fn access_hash(id: i64) -> i64 {
    id.wrapping_mul(0x0100_0000_01b3) ^ 0x5a5a_5a5a
}

fn unregistered() -> RpcError {
    RpcError::parse(401, "AUTH_KEY_UNREGISTERED")
}

fn user_id_invalid() -> RpcError {
    RpcError::parse(400, "USER_ID_INVALID")
}

fn check_count(n: usize) -> Result<(), RpcError> {
    if n > MAX_GET_USERS {
        return Err(RpcError::parse(400, "LIMIT_INVALID"));
    }
    Ok(())
}

fn constructor(body: &[u8]) -> Result<u32, RpcError> {
    body.first_chunk::<4>()
        .map(|b| u32::from_le_bytes(*b))
        .ok_or_else(|| fetch_error(None))
}

fn decode<'a, T: Decode<'a>>(body: &'a [u8]) -> Result<T, RpcError> {
    T::decode_from_slice(body).map_err(|e| fetch_error(Some(e.kind())))
}

fn fetch_error(kind: Option<DecodeErrorKind>) -> RpcError {
    match kind {
        Some(DecodeErrorKind::UnknownConstructor { .. }) => {
            RpcError::parse(400, "INPUT_CONSTRUCTOR_INVALID")
        }
        _ => RpcError::parse(400, "INPUT_FETCH_ERROR"),
    }
}

/// What the world's rules look at in a layer 122 peer.
pub fn target_of(peer: &layer122::enums::InputPeer<'_>) -> Target {
    use layer122::enums::InputPeer as P;
    match peer {
        P::Chat(c) => Target::Chat(c.chat_id.into()),
        P::Channel(c) => Target::Channel {
            id: c.channel_id.into(),
            access_hash: Some(c.access_hash),
        },
        P::ChannelFromMessage(c) => Target::Channel {
            id: c.channel_id.into(),
            access_hash: None,
        },
        P::Empty | P::PeerSelf | P::User(_) | P::UserFromMessage(_) => Target::NotAChat,
    }
}

/// What the world's rules look at in a layer 230 peer.
pub fn target_of_230(peer: &layer230::enums::InputPeer<'_>) -> Target {
    use layer230::enums::InputPeer as P;
    match peer {
        P::Chat(c) => Target::Chat(c.chat_id),
        P::Channel(c) => Target::Channel {
            id: c.channel_id,
            access_hash: Some(c.access_hash),
        },
        P::ChannelFromMessage(c) => Target::Channel {
            id: c.channel_id,
            access_hash: None,
        },
        P::Empty | P::PeerSelf | P::User(_) | P::UserFromMessage(_) => Target::NotAChat,
    }
}

#[cfg(test)]
mod tests;
