//! The answers decoded with the generated decoder of the client's layer.

use super::*;
use crate::world::{World, DEFAULT_BOT_TOKEN};
use layer230::{enums as e230, functions as f230, types as t230};
use zerotl::Str;
use zerotl_mtproto::envelope::RpcOutcome;

const NOW: i64 = 1_700_000_000;

fn at(key: i64, session: i64) -> SessionRef {
    SessionRef {
        auth_key_id: Some(key),
        session_id: Some(session),
    }
}

fn encode<T: zerotl::Encode>(v: &T) -> Vec<u8> {
    zerotl::encode_to_vec(v).unwrap()
}

/// Answers `body` in `session`: the result's bytes, or the error.
fn call(state: &WorldState, session: SessionRef, body: &[u8]) -> Result<Vec<u8>, (i32, String)> {
    let mut out = Vec::new();
    let request = Request {
        body,
        msg_id: 0x51e5_7ac0_0000_0004,
        session,
        now: NOW,
    };
    answer(state, &request, &mut out).unwrap();
    match RpcOutcome::of(Object::from_bytes(&out)).unwrap() {
        RpcOutcome::Ok(o) => Ok(o.as_bytes().to_vec()),
        RpcOutcome::Error(e) => Err((e.error_code, e.error_message.as_str().to_owned())),
        RpcOutcome::Gzipped(_) => panic!("gzip"),
    }
}

fn bad<T>(code: i32, name: &str) -> Result<T, (i32, String)> {
    Err((code, name.to_owned()))
}

/// What Telethon 1.45 sends first: its layer, its app, `help.getConfig`.
fn hello<Q: zerotl::Encode>(layer: i32, query: Q) -> Vec<u8> {
    encode(&f230::InvokeWithLayer {
        layer,
        query: f230::InitConnection {
            api_id: 4,
            device_model: Str::new("PC"),
            system_version: Str::new("Linux"),
            app_version: Str::new("1.45.0"),
            system_lang_code: Str::new("en"),
            lang_pack: Str::new(""),
            lang_code: Str::new("en"),
            proxy: None,
            params: None,
            query,
        },
    })
}

fn export_230(peer: e230::InputPeer<'static>) -> f230::messages::ExportChatInvite<'static> {
    f230::messages::ExportChatInvite {
        legacy_revoke_permanent: false,
        request_needed: false,
        peer,
        expire_date: None,
        usage_limit: None,
        title: None,
        subscription_pricing: None,
    }
}

fn chat(id: i64) -> e230::InputPeer<'static> {
    e230::InputPeer::Chat(t230::InputPeerChat { chat_id: id })
}

fn invite(bytes: &[u8]) -> t230::ChatInviteExported<'_> {
    match e230::ExportedChatInvite::decode_from_slice(bytes).unwrap() {
        e230::ExportedChatInvite::ChatInviteExported(e) => e,
        other => panic!("{other:?}"),
    }
}

fn import_bot(token: &str) -> Vec<u8> {
    encode(&f230::auth::ImportBotAuthorization {
        flags: 0,
        api_id: 4,
        api_hash: Str::new("0123456789abcdef"),
        bot_auth_token: Str::new(token),
    })
}

fn get_self() -> Vec<u8> {
    // users.getUsers([inputUserSelf]): the same bytes in both layers.
    let mut body = ids::GET_USERS.to_le_bytes().to_vec();
    body.extend_from_slice(&zerotl::VECTOR_ID.to_le_bytes());
    body.extend_from_slice(&1u32.to_le_bytes());
    body.extend_from_slice(&0xf7c1_b13fu32.to_le_bytes());
    body
}

#[test]
fn bootstrap_in_the_session_layer() {
    let state = WorldState::new(World::default());
    state.set_listen_addr("127.0.0.1:4999".parse().unwrap());
    let s = at(7, 1);
    let config = call(&state, s, &hello(229, f230::help::GetConfig)).unwrap();
    let e230::Config::Config(c) = e230::Config::decode_from_slice(&config).unwrap();
    assert_eq!(
        (c.this_dc, c.date, c.expires),
        (THIS_DC, NOW as i32, NOW as i32 + 3600)
    );
    assert!(c.test_mode);
    let dcs: Vec<_> = c.dc_options.iter().collect();
    assert_eq!(dcs.len(), 5);
    for (i, e230::DcOption::Option(dc)) in dcs.into_iter().enumerate() {
        assert_eq!(
            (dc.id, dc.ip_address.as_str(), dc.port),
            (i as i32 + 1, "127.0.0.1", 4999)
        );
    }
    let client = state.client_info(s).unwrap();
    assert_eq!(
        (client.layer, client.app_version.as_str()),
        (Some(229), "1.45.0")
    );
    assert_eq!(state.session_layer(s), Some(229));

    // Another session of the same key at layer 122 gets layer-122 forms.
    let old = at(7, 2);
    let config = call(&state, old, &hello(122, f230::help::GetConfig)).unwrap();
    assert_eq!(config[..4], 0x330b_4067u32.to_le_bytes());
    layer122::enums::Config::decode_from_slice(&config).unwrap();

    let nearest = call(&state, s, &encode(&f230::help::GetNearestDc)).unwrap();
    let e230::NearestDc::Dc(n) = e230::NearestDc::decode_from_slice(&nearest).unwrap();
    assert_eq!((n.this_dc, n.nearest_dc), (THIS_DC, THIS_DC));

    // Identity calls need a login.
    let state_req = encode(&f230::updates::GetState);
    assert_eq!(
        call(&state, s, &state_req),
        bad(401, "AUTH_KEY_UNREGISTERED")
    );
    assert_eq!(
        call(&state, s, &get_self()),
        bad(401, "AUTH_KEY_UNREGISTERED")
    );
    // Wrappers of every kind around one query.
    let wrapped = encode(&f230::InvokeAfterMsg {
        msg_id: 5,
        query: f230::InvokeWithoutUpdates {
            query: f230::help::GetNearestDc,
        },
    });
    assert_eq!(call(&state, s, &wrapped).unwrap(), nearest);
    // invokeAfterMsgs([5], help.getNearestDc)
    let mut after_msgs = ids::INVOKE_AFTER_MSGS.to_le_bytes().to_vec();
    after_msgs.extend_from_slice(&zerotl::VECTOR_ID.to_le_bytes());
    after_msgs.extend_from_slice(&1u32.to_le_bytes());
    after_msgs.extend_from_slice(&5i64.to_le_bytes());
    after_msgs.extend_from_slice(&ids::GET_NEAREST_DC.to_le_bytes());
    assert_eq!(call(&state, s, &after_msgs).unwrap(), nearest);
}

#[test]
fn bot_login_per_auth_key() {
    let state = WorldState::new(World::default());
    let (s, other_session, other_key) = (at(9, 1), at(9, 2), at(10, 1));
    assert_eq!(
        call(
            &state,
            s,
            &hello(198, Object::from_bytes(&import_bot("123456:wrong")))
        ),
        bad(400, "ACCESS_TOKEN_INVALID")
    );
    // At layer 198 the user is user#4b46c37e: the 230 body under 198's id.
    let auth = call(
        &state,
        s,
        &hello(198, Object::from_bytes(&import_bot(DEFAULT_BOT_TOKEN))),
    )
    .unwrap();
    assert_eq!(auth[..4], 0x2ea2_c0d4u32.to_le_bytes());
    assert_eq!(auth[8..12], 0x4b46_c37eu32.to_le_bytes());
    let mut as230 = auth.clone();
    as230[8..12].copy_from_slice(&0xb1b8_cc83u32.to_le_bytes());
    let e230::auth::Authorization::Authorization(a) =
        e230::auth::Authorization::decode_from_slice(&as230).unwrap()
    else {
        panic!("sign up required")
    };
    let e230::User::User(u) = a.user else {
        panic!("empty")
    };
    assert!(u.bot && u.self_);
    assert_eq!(
        (u.id, u.username.unwrap().as_str()),
        (123_456, "zerotl_test_bot")
    );
    assert_eq!(state.logged_in(9), Some(123_456));

    // Every session of the key is the bot; another key is not.
    let me = call(
        &state,
        other_session,
        &hello(229, Object::from_bytes(&get_self())),
    )
    .unwrap();
    let users: zerotl::Vector<'_, e230::User<'_>> = zerotl::Vector::decode_from_slice(&me).unwrap();
    let Some(e230::User::User(u)) = users.get(0) else {
        panic!("no self")
    };
    assert_eq!(u.id, 123_456);
    assert!(call(
        &state,
        other_key,
        &hello(229, Object::from_bytes(&get_self()))
    )
    .is_err());
    assert!(call(&state, s, &encode(&f230::updates::GetState)).is_ok());

    // As the bot, exports follow the bot's roles.
    let ok = call(&state, s, &encode(&export_230(chat(1)))).unwrap();
    assert_eq!(invite(&ok).admin_id, 123_456);
    let err = |peer| call(&state, s, &encode(&export_230(peer)));
    assert_eq!(err(chat(2)), bad(400, "CHAT_ADMIN_REQUIRED"));
    assert_eq!(err(chat(3)), bad(403, "CHAT_WRITE_FORBIDDEN"));
    assert_eq!(err(chat(4)), bad(400, "CHAT_ID_INVALID"));
    let channel = |id, hash| {
        e230::InputPeer::Channel(t230::InputPeerChannel {
            channel_id: id,
            access_hash: hash,
        })
    };
    assert!(err(channel(10, 1010)).is_ok());
    assert_eq!(err(channel(11, 1111)), bad(400, "CHANNEL_PRIVATE"));
    assert_eq!(err(channel(13, 1313)), bad(403, "CHAT_WRITE_FORBIDDEN"));
    assert_eq!(err(channel(10, 1)), bad(400, "PEER_ID_INVALID"));
    // The world's account (another key) is still creator of chat 3's neighbour rules.
    assert_eq!(
        call(&state, other_key, &encode(&export_230(chat(3)))),
        bad(403, "CHAT_WRITE_FORBIDDEN")
    );
    let by_account = call(&state, other_key, &encode(&export_230(chat(1)))).unwrap();
    assert_eq!(invite(&by_account).admin_id, 1000);
}

#[test]
fn login_required_worlds() {
    let state = WorldState::new(World {
        login_required: true,
        ..World::default()
    });
    let s = at(1, 1);
    let export = encode(&export_230(chat(1)));
    assert_eq!(call(&state, s, &export), bad(401, "AUTH_KEY_UNREGISTERED"));
    assert!(call(&state, s, &hello(230, f230::help::GetConfig)).is_ok());
    call(&state, s, &import_bot(DEFAULT_BOT_TOKEN)).unwrap();
    assert!(call(&state, s, &export).is_ok());
}

#[test]
fn export_chat_invite_230_with_every_flag() {
    let state = WorldState::new(World::default());
    let s = at(3, 3);
    let pricing = e230::StarsSubscriptionPricing::Pricing(t230::StarsSubscriptionPricing {
        period: 2_592_000,
        amount: 25,
    });
    let request = f230::messages::ExportChatInvite {
        legacy_revoke_permanent: false,
        request_needed: true,
        peer: chat(1),
        expire_date: Some(NOW as i32 + 86_400),
        usage_limit: Some(10),
        title: Some(Str::new("friends")),
        subscription_pricing: Some(pricing),
    };
    let answer = call(&state, s, &hello(229, request)).unwrap();
    let e = invite(&answer);
    assert!(e.link.as_str().starts_with(crate::LINK_PREFIX));
    assert!(e.request_needed && !e.revoked && !e.permanent);
    assert_eq!((e.admin_id, e.date), (1000, NOW as i32));
    assert_eq!(
        (e.expire_date, e.usage_limit),
        (Some(NOW as i32 + 86_400), Some(10))
    );
    assert_eq!(
        e.title.map(|t| t.as_str().to_owned()).as_deref(),
        Some("friends")
    );
    assert_eq!(e.subscription_pricing, Some(pricing));
    // Not the primary link: the chat has none yet.
    assert_eq!(state.current_link(crate::world::ChatKey::Chat(1)), None);

    // legacy_revoke_permanent: a new primary link; a later one replaces it.
    let revoke = f230::messages::ExportChatInvite {
        legacy_revoke_permanent: true,
        ..export_230(chat(1))
    };
    let first = call(&state, s, &encode(&revoke)).unwrap();
    let first = invite(&first);
    assert!(first.permanent);
    let key = crate::world::ChatKey::Chat(1);
    assert_eq!(
        state.current_link(key).as_deref(),
        Some(first.link.as_str())
    );
    let second = call(&state, s, &encode(&revoke)).unwrap();
    let second = invite(&second);
    assert_ne!(first.link, second.link);
    assert_eq!(
        state.current_link(key).as_deref(),
        Some(second.link.as_str())
    );

    // Validation from data/errors.
    let with = |limit, expire| {
        let r = f230::messages::ExportChatInvite {
            usage_limit: limit,
            expire_date: expire,
            ..export_230(chat(1))
        };
        call(&state, s, &encode(&r)).map(|_| ())
    };
    assert_eq!(with(Some(0), None), bad(400, "USAGE_LIMIT_INVALID"));
    assert_eq!(with(Some(100_000), None), bad(400, "USAGE_LIMIT_INVALID"));
    assert_eq!(with(Some(99_999), None), Ok(()));
    assert_eq!(
        with(None, Some(NOW as i32 - 1)),
        bad(400, "EXPIRE_DATE_INVALID")
    );
    assert_eq!(with(None, Some(NOW as i32 + 1)), Ok(()));

    // The layers 134..=185 form (#a02ce5d5) is served too, answered in the
    // session's layer (229 here).
    let mut old = encode(&export_230(chat(1)));
    old[..4].copy_from_slice(&ids::EXPORT_134.to_le_bytes());
    assert!(!invite(&call(&state, s, &old).unwrap()).permanent);
    // At layer 150 the answer is chatInviteExported#0ab4a819.
    let at150 = call(&state, at(3, 4), &hello(150, export_230(chat(1)))).unwrap();
    assert_eq!(at150[..4], 0x0ab4_a819u32.to_le_bytes());
}

#[test]
fn layer_123_to_133_requests() {
    use layer122::{enums as e122, types as t122};
    let state = WorldState::new(World::default());
    // messages.exportChatInvite#14b9bcd7 with usage_limit (flags.1) and
    // legacy_revoke_permanent (flags.2), its peer in layer 122's form (int chat_id).
    let mut old = ids::EXPORT_123.to_le_bytes().to_vec();
    old.extend_from_slice(&0b110u32.to_le_bytes());
    old.extend(encode(&e122::InputPeer::Chat(t122::InputPeerChat {
        chat_id: 1,
    })));
    old.extend_from_slice(&5i32.to_le_bytes());
    let answer = call(&state, at(5, 6), &hello(128, Object::from_bytes(&old))).unwrap();
    // At layer 128: chatInviteExported#6e24fc9d, whose admin_id is an int.
    let word = |at: usize| i32::from_le_bytes(answer[at..at + 4].try_into().unwrap());
    assert_eq!(word(0) as u32, 0x6e24_fc9d);
    assert_eq!(word(4), 1 << 5 | 1 << 2, "permanent, usage_limit");
    let link_len = usize::from(answer[8]);
    let after_link = 8 + (1 + link_len).div_ceil(4) * 4;
    let link = std::str::from_utf8(&answer[9..9 + link_len]).unwrap();
    assert!(link.starts_with(crate::LINK_PREFIX));
    let caller = invite(&call(&state, at(1, 2), &encode(&export_230(chat(1)))).unwrap()).admin_id;
    assert_eq!(i64::from(word(after_link)), caller);
    assert_eq!(word(after_link + 4) as i64, NOW, "date");
    assert_eq!(word(after_link + 8), 5, "usage_limit");
    assert_eq!(answer.len(), after_link + 12);

    // Layer 133's peers are layer 230's (long ids); its answer is #b18105e8.
    let mut at133 = ids::EXPORT_123.to_le_bytes().to_vec();
    at133.extend_from_slice(&0u32.to_le_bytes());
    at133.extend(encode(&chat(1)));
    let answer = call(&state, at(7, 8), &hello(133, Object::from_bytes(&at133))).unwrap();
    assert_eq!(answer[..4], 0xb181_05e8u32.to_le_bytes());

    // users.getUsers with layer 122's inputUser (an int id), as clients up to 132 send it.
    let wanted = [e122::InputUser::User(t122::InputUser {
        user_id: 123_456,
        access_hash: access_hash(123_456),
    })];
    let get = encode(&layer122::functions::users::GetUsers {
        id: (&wanted[..]).into(),
    });
    let users = call(&state, at(5, 6), &get).unwrap();
    let word = |at: usize| u32::from_le_bytes(users[at..at + 4].try_into().unwrap());
    assert_eq!(
        (word(0), word(4), word(8)),
        (zerotl::VECTOR_ID, 1, 0x9384_58c1)
    );

    // A peer neither schema knows, and bytes left over, are the usual errors.
    let mut unknown = at133[..8].to_vec();
    unknown.extend_from_slice(&[9, 9, 9, 9]);
    assert_eq!(
        call(&state, at(7, 8), &unknown),
        bad(400, "INPUT_CONSTRUCTOR_INVALID")
    );
    let mut longer = at133.clone();
    longer.extend_from_slice(&[0, 0, 0, 0]);
    assert_eq!(
        call(&state, at(7, 8), &longer),
        bad(400, "INPUT_FETCH_ERROR")
    );
}

#[test]
fn layer_122_requests_stay_as_they_were() {
    use layer122::{enums as e122, functions as f122, types as t122};
    let state = WorldState::new(World::default());
    let query = f122::messages::ExportChatInvite {
        peer: e122::InputPeer::Chat(t122::InputPeerChat { chat_id: 1 }),
    };
    let wrapped = encode(&f122::InvokeWithLayer {
        layer: 122,
        query: f122::InvokeWithoutUpdates { query },
    });
    let answer = call(&state, SessionRef::default(), &wrapped).unwrap();
    let e122::ExportedChatInvite::ChatInviteExported(e) =
        e122::ExportedChatInvite::decode_from_slice(&answer).unwrap()
    else {
        panic!("empty")
    };
    assert!(e.link.as_str().starts_with(crate::LINK_PREFIX));

    let plain = SessionRef::default();
    assert_eq!(
        call(&state, plain, &[1, 2, 3, 4]),
        bad(400, "INPUT_METHOD_INVALID")
    );
    let unknown_peer = [0x4c, 0x53, 0xf7, 0x0d, 9, 9, 9, 9];
    assert_eq!(
        call(&state, plain, &unknown_peer),
        bad(400, "INPUT_CONSTRUCTOR_INVALID")
    );
    let truncated = [0x4c, 0x53, 0xf7, 0x0d, 0x63, 0xe8, 0x9b, 0x17];
    assert_eq!(
        call(&state, plain, &truncated),
        bad(400, "INPUT_FETCH_ERROR")
    );
    assert_eq!(call(&state, plain, &[]), bad(400, "INPUT_FETCH_ERROR"));
    // Five nested invokeWithoutUpdates are one too many.
    let mut deep = encode(&query);
    for _ in 0..=MAX_WRAPPERS {
        let mut w = 0xbf94_59b7u32.to_le_bytes().to_vec();
        w.extend_from_slice(&deep);
        deep = w;
    }
    assert_eq!(call(&state, plain, &deep), bad(400, "INPUT_FETCH_ERROR"));
}

#[test]
fn service_queries_are_not_methods() {
    // ping_delay_disconnect, destroy_session and get_future_salts belong to the
    // connection core; wrapped in invokeWithLayer (or in plain mode) they reach
    // the world, where they are unknown methods and change nothing.
    let state = WorldState::new(World::default());
    let s = at(5, 5);
    call(&state, s, &hello(230, f230::help::GetNearestDc)).unwrap();
    let mut ping = 0xf342_7b8cu32.to_le_bytes().to_vec();
    ping.extend_from_slice(&42i64.to_le_bytes());
    ping.extend_from_slice(&75i32.to_le_bytes());
    let mut destroy = 0xe751_2126u32.to_le_bytes().to_vec();
    destroy.extend_from_slice(&5i64.to_le_bytes());
    let salts = [0x04, 0xbd, 0x21, 0xb9, 1, 0, 0, 0];
    for body in [&ping[..], &destroy, &salts] {
        let wrapped = encode(&f230::InvokeWithLayer {
            layer: 230,
            query: Object::from_bytes(body),
        });
        assert_eq!(
            call(&state, at(5, 6), &wrapped),
            bad(400, "INPUT_METHOD_INVALID")
        );
        assert_eq!(call(&state, s, body), bad(400, "INPUT_METHOD_INVALID"));
        assert_eq!(
            call(&state, SessionRef::default(), body),
            bad(400, "INPUT_METHOD_INVALID")
        );
    }
    // The wrapped destroy_session forgot nothing.
    assert_eq!(state.session_layer(s), Some(230));
    // What the driver calls when the core reports a destroyed session.
    assert!(state.destroy_session(5, 5));
    assert_eq!(state.session_layer(s), None);
    assert!(!state.destroy_session(5, 5));
}

#[test]
fn get_full_user_in_both_forms() {
    let state = WorldState::new(World::default());
    let (s, s229, s122) = (at(11, 1), at(11, 2), at(11, 3));
    let get_full = |id| encode(&f230::users::GetFullUser { id });
    let self_ = get_full(e230::InputUser::UserSelf);
    assert_eq!(
        call(&state, s, &hello(158, Object::from_bytes(&self_))),
        bad(401, "AUTH_KEY_UNREGISTERED")
    );
    call(
        &state,
        s,
        &hello(158, Object::from_bytes(&import_bot(DEFAULT_BOT_TOKEN))),
    )
    .unwrap();

    // Pyrogram's layer 158: users.userFull around userFull#93eadb53.
    let full = call(&state, s, &self_).unwrap();
    assert_eq!(full[..4], 0x3b6d_152eu32.to_le_bytes());
    assert_eq!(full[4..8], 0x93ea_db53u32.to_le_bytes());

    // At 229 (230's forms): the bot, in full and in users.
    let full = call(&state, s229, &hello(229, Object::from_bytes(&self_))).unwrap();
    let e230::users::UserFull::Full(r) = e230::users::UserFull::decode_from_slice(&full).unwrap();
    let e230::UserFull::Full(f) = r.full_user;
    assert_eq!((f.id, f.common_chats_count), (123_456, 0));
    assert!(r.chats.is_empty());
    assert!(matches!(
        r.users.iter().next(),
        Some(e230::User::User(u)) if u.id == 123_456 && u.bot && u.self_
    ));

    // Another user the world knows, by id and access hash; the rest USER_ID_INVALID.
    let user = |id, hash| {
        get_full(e230::InputUser::User(t230::InputUser {
            user_id: id,
            access_hash: hash,
        }))
    };
    let account = call(&state, s229, &user(1000, access_hash(1000))).unwrap();
    let e230::users::UserFull::Full(r) =
        e230::users::UserFull::decode_from_slice(&account).unwrap();
    assert!(matches!(
        r.users.iter().next(),
        Some(e230::User::User(u)) if u.id == 1000 && !u.bot && !u.self_
    ));
    for body in [
        user(1000, 1),
        user(999, access_hash(999)),
        get_full(e230::InputUser::Empty),
    ] {
        assert_eq!(call(&state, s229, &body), bad(400, "USER_ID_INVALID"));
    }

    // Layer 122's request: a bare userFull holding the user.
    let old = encode(&layer122::functions::users::GetFullUser {
        id: layer122::enums::InputUser::UserSelf,
    });
    let full = call(&state, s122, &hello(122, Object::from_bytes(&old))).unwrap();
    let layer122::enums::UserFull::Full(f) =
        layer122::enums::UserFull::decode_from_slice(&full).unwrap();
    assert!(matches!(f.user, layer122::enums::User::User(u) if u.id == 123_456 && u.bot));
    // ... which layers 133 and 134 send with 230's inputUser: 133's userFull#d697ff05.
    let mut at133 = user(1000, access_hash(1000));
    at133[..4].copy_from_slice(&ids::GET_FULL_USER_122.to_le_bytes());
    let full = call(&state, at(11, 4), &hello(133, Object::from_bytes(&at133))).unwrap();
    assert_eq!(full[..4], 0xd697_ff05u32.to_le_bytes());
    assert_eq!(
        full[8..12],
        0x3ff6_ecb0u32.to_le_bytes(),
        "user#3ff6ecb0 inside"
    );
}
