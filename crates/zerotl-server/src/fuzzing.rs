//! The body of the `rpc_answer` fuzz target (`fuzz/`): the world's answers to
//! arbitrary request bodies — every form of `messages.exportChatInvite`, the
//! bootstrap's wrappers, `users.getUsers`, `users.getFullUser` (both forms), bot
//! logins — in up to four sessions of
//! two auth keys, one after another on one [`WorldState`], so that a layer named
//! or a login made by one input steers the next.

use crate::rpc::{self, Request};
use crate::sessions::SessionRef;
use crate::world::World;
use crate::WorldState;
use zerotl::Object;
use zerotl_mtproto::envelope::RpcOutcome;

/// Most bytes one answer may take: the largest is `users.getUsers` at its cap
/// of 200 users.
const MAX_ANSWER: usize = 64 * 1024;

/// `data` is a flags byte (bit 0: a world with `login_required`) and then
/// requests, each a session byte (its low 2 bits pick one of four sessions), a
/// 2-byte little-endian length and that many bytes of body. Invariants: no panic,
/// every answer is one boxed TL value that reads as a result or an `rpc_error`,
/// and no answer exceeds [`MAX_ANSWER`].
pub fn rpc_answer(data: &[u8]) {
    run(data);
}

/// [`rpc_answer`], returning what each request did.
fn run(data: &[u8]) -> Vec<rpc::RequestOutcome> {
    let mut outcomes = Vec::new();
    let Some((flags, mut rest)) = data.split_first() else {
        return outcomes;
    };
    let state = WorldState::new(World {
        login_required: flags & 1 == 1,
        ..World::default()
    });
    state.set_listen_addr(([127, 0, 0, 1], 4430).into());
    let mut out = Vec::new();
    for msg_id in 1..=16i64 {
        let [session, lo, hi, tail @ ..] = rest else {
            break;
        };
        let len = usize::from(u16::from_le_bytes([*lo, *hi])).min(tail.len());
        let (body, next) = tail.split_at(len);
        rest = next;
        let request = Request {
            body,
            msg_id: msg_id << 2,
            session: SessionRef {
                auth_key_id: Some(i64::from(session & 1) + 1),
                session_id: Some(i64::from(session >> 1 & 1) + 1),
            },
            now: 1_700_000_000,
        };
        out.clear();
        let reply = rpc::answer(&state, &request, &mut out).expect("every answer encodes");
        assert!(out.len() <= MAX_ANSWER, "{} bytes answered", out.len());
        RpcOutcome::of(Object::from_bytes(&out)).expect("an answer or an rpc_error");
        outcomes.push(reply.outcome);
    }
    outcomes
}

/// The seeds of `fuzz/corpus/rpc_answer`: (file name, input). Real requests of
/// every layer's forms, as clients send them.
pub fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    use zerotl::Str;
    use zerotl_types::layer122::{enums as e122, functions as f122, types as t122};
    use zerotl_types::layer230::{enums as e230, functions as f230, types as t230};
    let enc = |v: &dyn Fn(&mut Vec<u8>)| {
        let mut b = Vec::new();
        v(&mut b);
        b
    };
    let with_layer = |layer: i32, query: &[u8]| {
        zerotl::encode_to_vec(&f230::InvokeWithLayer {
            layer,
            query: f230::InitConnection {
                api_id: 4,
                device_model: Str::new("fuzz"),
                system_version: Str::new("1"),
                app_version: Str::new("1"),
                system_lang_code: Str::new("en"),
                lang_pack: Str::new(""),
                lang_code: Str::new("en"),
                proxy: None,
                params: None,
                query: Object::from_bytes(query),
            },
        })
        .unwrap()
    };
    let export_230 = zerotl::encode_to_vec(&f230::messages::ExportChatInvite {
        legacy_revoke_permanent: true,
        request_needed: true,
        peer: e230::InputPeer::Channel(t230::InputPeerChannel {
            channel_id: 10,
            access_hash: 1010,
        }),
        expire_date: Some(1_800_000_000),
        usage_limit: Some(5),
        title: Some(Str::new("fuzz")),
        subscription_pricing: Some(e230::StarsSubscriptionPricing::Pricing(
            t230::StarsSubscriptionPricing {
                period: 2_592_000,
                amount: 10,
            },
        )),
    })
    .unwrap();
    let export_122 = zerotl::encode_to_vec(&f122::messages::ExportChatInvite {
        peer: e122::InputPeer::Chat(t122::InputPeerChat { chat_id: 1 }),
    })
    .unwrap();
    // Layer 123..=133's form: flags (usage_limit, legacy_revoke_permanent), an int-id
    // peer, usage_limit.
    let export_123 = enc(&|b| {
        b.extend_from_slice(&0x14b9_bcd7u32.to_le_bytes());
        b.extend_from_slice(&0b110u32.to_le_bytes());
        b.extend(export_122[4..].iter());
        b.extend_from_slice(&5i32.to_le_bytes());
    });
    let login = zerotl::encode_to_vec(&f230::auth::ImportBotAuthorization {
        flags: 0,
        api_id: 4,
        api_hash: Str::new("x"),
        bot_auth_token: Str::new(crate::world::DEFAULT_BOT_TOKEN),
    })
    .unwrap();
    let users = zerotl::encode_to_vec(&f122::users::GetUsers {
        id: (&[
            e122::InputUser::UserSelf,
            e122::InputUser::User(t122::InputUser {
                user_id: 123_456,
                access_hash: rpc::access_hash(123_456),
            }),
        ][..])
            .into(),
    })
    .unwrap();
    let config = zerotl::encode_to_vec(&f230::help::GetConfig).unwrap();
    let full_user = zerotl::encode_to_vec(&f230::users::GetFullUser {
        id: e230::InputUser::UserSelf,
    })
    .unwrap();
    let full_user_122 = zerotl::encode_to_vec(&f122::users::GetFullUser {
        id: e122::InputUser::User(t122::InputUser {
            user_id: 123_456,
            access_hash: rpc::access_hash(123_456),
        }),
    })
    .unwrap();
    let input = |flags: u8, requests: &[(u8, &[u8])]| {
        let mut b = vec![flags];
        for (session, body) in requests {
            b.push(*session);
            b.extend_from_slice(&(body.len() as u16).to_le_bytes());
            b.extend_from_slice(body);
        }
        b
    };
    vec![
        (
            "export_230",
            input(0, &[(0, &with_layer(230, &export_230))]),
        ),
        ("export_134", {
            let mut old = export_230.clone();
            old[..4].copy_from_slice(&0xa02c_e5d5u32.to_le_bytes());
            old[4] &= !(1 << 5);
            // Without subscription_pricing (its 16 bytes at the end).
            input(0, &[(1, &with_layer(150, &old[..old.len() - 16]))])
        }),
        (
            "export_123",
            input(0, &[(2, &with_layer(128, &export_123))]),
        ),
        ("export_122", input(0, &[(3, &export_122)])),
        (
            "bot_login_then_export",
            input(
                1,
                &[
                    (0, &with_layer(229, &config)),
                    (0, &login),
                    (0, &users),
                    (0, &export_230),
                ],
            ),
        ),
        (
            "pyrogram_start",
            input(
                0,
                &[
                    (0, &with_layer(158, &config)),
                    (0, &login),
                    (0, &zerotl::encode_to_vec(&f230::updates::GetState).unwrap()),
                    (0, &full_user),
                    (2, &with_layer(122, &full_user_122)),
                ],
            ),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/rpc_answer")
    }

    /// The committed corpus is what [`seeds`] makes. Regenerate it with
    /// `ZEROTL_WRITE_SEEDS=1 cargo test -p zerotl-server --features fuzzing fuzzing`.
    #[test]
    fn corpus_is_the_seeds() {
        for (name, bytes) in seeds() {
            let path = corpus().join(name);
            if std::env::var_os("ZEROTL_WRITE_SEEDS").is_some() {
                std::fs::create_dir_all(corpus()).unwrap();
                std::fs::write(&path, &bytes).unwrap();
            }
            assert_eq!(std::fs::read(&path).unwrap(), bytes, "{name}");
            // Each seed is served, none refused: the fuzzer starts from real answers.
            let outcomes = run(&bytes);
            assert!(!outcomes.is_empty(), "{name}");
            for outcome in outcomes {
                assert!(
                    !matches!(outcome, rpc::RequestOutcome::Refused(_)),
                    "{name}: {outcome:?}"
                );
            }
        }
    }

    /// The seeds and their mutations (cargo-fuzz runs them at length in CI).
    #[test]
    fn seeds_and_mutations_run() {
        rpc_answer(&[]);
        rpc_answer(&[0, 0, 0xff, 0xff]);
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for (_, seed) in seeds() {
            rpc_answer(&seed);
            for _ in 0..300 {
                let mut m = seed.clone();
                for _ in 0..1 + next() % 4 {
                    let at = (next() % m.len() as u64) as usize;
                    match next() % 3 {
                        0 => m[at] = next() as u8,
                        1 => m.truncate(at.max(1)),
                        _ => m.insert(at, next() as u8),
                    }
                }
                rpc_answer(&m);
            }
        }
    }
}
