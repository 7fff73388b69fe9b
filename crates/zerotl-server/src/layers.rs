//! Answers in the client's layer: the few constructors the server sends, each
//! encoded in the form the client's layer knows.
//!
//! The rule: a client at layer 122 or below gets layer-122 constructors, a client at
//! 123 or above gets layer-230 constructors. Where a constructor's id changed
//! between 123 and 230, a client would not understand the layer-230 form, so the
//! table below gives it the form of its own layer. The server fills only fields that
//! every listed form has in the same place (no field after `bot_info_version` in
//! `user`, no `subscription_*` field in an older `chatInviteExported`, no optional
//! field of `userFull`, `peerSettings` or `peerNotifySettings`), so an older form is the
//! same bytes under its own constructor id (with `userFull`'s second flags word from 177
//! on, and the user itself in place of its id through 134).
//!
//! | constructor | layers → id |
//! |---|---|
//! | `user` | ≤132 `938458c1` (int id); 133–144 `3ff6ecb0`; 145–147 `5d99adee`; 148–158 `8f97c628`; 159–165 `abb5f120`; 166 `eb602f25`; 167–184 `215c4438`; 185–195 `83314fca`; 196–199 `4b46c37e`; 200–216 `020b1422`; 217–227 `31774388`; others `b1b8cc83` (230) |
//! | `config` | ≤144 `330b4067` (layer 122's fields); 145–154 `232566ac` (the same fields, and one optional field after them); others `cc1a241e` (230) |
//! | `auth.authorization` | ≤134 `cd050916`; 135–151 `33fb7bb8`; ≥152 `2ea2c0d4` |
//! | `chatInviteExported` | ≤122 `fc2e05bc` (link only); 123–132 `6e24fc9d` (int `admin_id`); 133 `b18105e8`; 134–185 `0ab4a819`; others `a22cbd96` (230) |
//! | `userFull` | ≤122 `edf17c12`; 123–132 `139a9a77`; 133–134 `d697ff05` (these three hold the `user`); 135–139 `cf366521`; 140–143 `8c72ea81`; 144–151 `c4b1fc3f`; 152–157 `f8d32aed`; 158 `93eadb53`; 159–164 `4fe1cc86`; 165–176 `b9b12c6c`; 177–192 `cc997720` (`flags2` from here on); 193–195 `1f58e369`; 196–199 `4d975bbc`; 200–213 `99e78045`; 214–215 `c577b5ad`; 216 `a02bc13e`; others `06cbe645` (230) |
//! | `peerSettings` | ≤134 `733f2961`; 135–176 `a518110d`; 177–199 `acd66c5e`; others `f47741f7` (230) |
//! | `peerNotifySettings` | ≤139 `af509d20`; 140–158 `a83b0426`; others `99622c0c` (230) |
//! | `dcOption`, `nearestDc`, `updates.state`, `updates.differenceEmpty`, `users.userFull`, `pong`, `destroy_session_*` | one form for every layer |
//!
//! `users.getFullUser` is answered as the request's form asks: layer 122's `#ca30a5b1`
//! (which clients send through layer 134) with a bare `userFull` in one of the forms
//! that hold the user, layer 135's `#b60f5918` with `users.userFull`.
//!
//! The table comes from the forms client libraries published for 44 layers (GramJS's
//! schemas, Telethon's generated readers, and this repository's schemas at 122 and 230):
//! `layers/forms.tl` holds them with their sources, and the `history` tests read every
//! answer back with each sample's forms alone. A layer between two samples that agree has
//! their form. Where two neighbouring samples disagree, the switch happened somewhere in
//! between and the table's choice for the layers between them is a guess (one of the two
//! forms, which the tests check): `user` at 132, 147, 159, 185–187, 194–197, 200, 217–223
//! and 228; `auth.authorization` at 134 and 151; `config` at 153–154; `chatInviteExported`
//! at 123–124, 132, 134 and 185–187; `userFull` at 123–124, 132, 134, 139, 151, 156–157,
//! 159, 163–164, 175–176, 189–192, 194–197, 200, 202–213, 215 and 217–223; `peerSettings`
//! at 134, 175–176 and 200; `peerNotifySettings` at 139 and 159. Where `user` is a guess
//! too, `userFull` and its parts take the same neighbour's forms as `user` (one client's
//! forms must read the whole answer); elsewhere a form holds until the next sample that
//! shows another, but at 123–124, where `userFull` takes 125's as `chatInviteExported`
//! does. The forms before `a22cbd96` have no `request_needed`/`title` (before 134) or no
//! `subscription_pricing`, which the server then leaves out.

use zerotl::{BOOL_FALSE_ID, BOOL_TRUE_ID, VECTOR_ID};

/// The layer answers use when a session never named one: layer 122, the server's
/// first layer (a request in a layer-230-only form is answered at 230).
pub const DEFAULT_LAYER: i32 = 122;

/// Whether `layer` gets layer-122 constructors.
pub fn is_legacy(layer: i32) -> bool {
    layer <= 122
}

/// A TL writer into a `Vec`.
#[derive(Debug, Default)]
pub(crate) struct Tl(pub(crate) Vec<u8>);

impl Tl {
    pub(crate) fn u32(&mut self, v: u32) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    pub(crate) fn i32(&mut self, v: i32) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    pub(crate) fn i64(&mut self, v: i64) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    pub(crate) fn bool(&mut self, v: bool) -> &mut Self {
        self.u32(if v { BOOL_TRUE_ID } else { BOOL_FALSE_ID })
    }
    /// A TL `string`/`bytes`: length prefix, data, zero padding to 4.
    pub(crate) fn str(&mut self, s: &str) -> &mut Self {
        let b = s.as_bytes();
        if b.len() < 254 {
            self.0.push(b.len() as u8);
        } else {
            self.0.push(254);
            self.0
                .extend_from_slice(&(b.len() as u32).to_le_bytes()[..3]);
        }
        self.0.extend_from_slice(b);
        while self.0.len() % 4 != 0 {
            self.0.push(0);
        }
        self
    }
}

/// A user the server describes (the caller, a bot or the world's account).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfo {
    /// The user id.
    pub id: i64,
    /// Its access hash.
    pub access_hash: i64,
    /// First name.
    pub first_name: String,
    /// Username, if any.
    pub username: Option<String>,
    /// Whether it is a bot.
    pub bot: bool,
    /// Whether it is the caller (`self`).
    pub is_self: bool,
}

/// `user` in `layer`'s form (see the [module docs](self)).
pub(crate) fn user(layer: i32, u: &UserInfo, out: &mut Tl) {
    let (id, flags2, long_id) = match layer {
        ..=132 => (0x9384_58c1, false, false),
        133..=144 => (0x3ff6_ecb0, false, true),
        145..=147 => (0x5d99_adee, false, true),
        148..=158 => (0x8f97_c628, true, true),
        159..=165 => (0xabb5_f120, true, true),
        166 => (0xeb60_2f25, true, true),
        167..=184 => (0x215c_4438, true, true),
        185..=195 => (0x8331_4fca, true, true),
        196..=199 => (0x4b46_c37e, true, true),
        200..=216 => (0x020b_1422, true, true),
        217..=227 => (0x3177_4388, true, true),
        _ => (0xb1b8_cc83, true, true),
    };
    let mut flags = 1 << 0 | 1 << 1; // access_hash, first_name
    if u.username.is_some() {
        flags |= 1 << 3;
    }
    if u.is_self {
        flags |= 1 << 10;
    }
    if u.bot {
        flags |= 1 << 14; // bot, bot_info_version
    }
    out.u32(id).u32(flags);
    if flags2 {
        out.u32(0);
    }
    if long_id {
        out.i64(u.id);
    } else {
        // Worlds keep ids within 1..=2^31-1.
        out.i32(u.id as i32);
    }
    out.i64(u.access_hash).str(&u.first_name);
    if let Some(name) = &u.username {
        out.str(name);
    }
    if u.bot {
        out.i32(1); // bot_info_version
    }
}

/// `Vector<User>`.
pub(crate) fn users(layer: i32, list: &[UserInfo], out: &mut Tl) {
    out.u32(VECTOR_ID).u32(list.len() as u32);
    for u in list {
        user(layer, u, out);
    }
}

/// `auth.authorization` (no optional field) around `u`.
pub(crate) fn authorization(layer: i32, u: &UserInfo, out: &mut Tl) {
    let id = match layer {
        ..=134 => 0xcd05_0916,
        135..=151 => 0x33fb_7bb8,
        _ => 0x2ea2_c0d4,
    };
    out.u32(id).u32(0);
    user(layer, u, out);
}

/// `userFull` in `layer`'s form (see the [module docs](self)): no optional field set
/// (no `about`, photo or `bot_info`), empty `settings` and `notify_settings`, no common
/// chats. Through layer 134 the form holds the user itself; from 135 only its id.
pub(crate) fn user_full(layer: i32, u: &UserInfo, out: &mut Tl) {
    let (id, flags2) = match layer {
        ..=122 => (0xedf1_7c12, false),
        123..=132 => (0x139a_9a77, false),
        133..=134 => (0xd697_ff05, false),
        135..=139 => (0xcf36_6521, false),
        140..=143 => (0x8c72_ea81, false),
        144..=151 => (0xc4b1_fc3f, false),
        152..=157 => (0xf8d3_2aed, false),
        158 => (0x93ea_db53, false),
        159..=164 => (0x4fe1_cc86, false),
        165..=176 => (0xb9b1_2c6c, false),
        177..=192 => (0xcc99_7720, true),
        193..=195 => (0x1f58_e369, true),
        196..=199 => (0x4d97_5bbc, true),
        200..=213 => (0x99e7_8045, true),
        214..=215 => (0xc577_b5ad, true),
        216 => (0xa02b_c13e, true),
        _ => (0x06cb_e645, true),
    };
    out.u32(id).u32(0); // flags: nothing optional
    if flags2 {
        out.u32(0);
    }
    if layer <= 134 {
        user(layer, u, out);
    } else {
        out.i64(u.id);
    }
    peer_settings(layer, out);
    peer_notify_settings(layer, out);
    out.i32(0); // common_chats_count
}

/// `users.getFullUser`'s answer: to layer 122's request (`#ca30a5b1`, sent through
/// layer 134) a bare `userFull`, which holds the user; to layer 135's (`#b60f5918`)
/// `users.userFull` (`#3b6d152e` in every layer), the user in its `users`, no chats.
/// Either form in `layer`'s constructors, bounded to the layers that send that request.
pub(crate) fn full_user(wrapped: bool, layer: i32, u: &UserInfo, out: &mut Tl) {
    if wrapped {
        let layer = layer.max(135);
        out.u32(0x3b6d_152e);
        user_full(layer, u, out);
        out.u32(VECTOR_ID).u32(0); // chats
        users(layer, std::slice::from_ref(u), out);
    } else {
        user_full(layer.min(134), u, out);
    }
}

/// An empty `peerSettings` in `layer`'s form.
pub(crate) fn peer_settings(layer: i32, out: &mut Tl) {
    let id = match layer {
        ..=134 => 0x733f_2961,
        135..=176 => 0xa518_110d,
        177..=199 => 0xacd6_6c5e,
        _ => 0xf477_41f7,
    };
    out.u32(id).u32(0);
}

/// An empty `peerNotifySettings` in `layer`'s form.
pub(crate) fn peer_notify_settings(layer: i32, out: &mut Tl) {
    let id = match layer {
        ..=139 => 0xaf50_9d20,
        140..=158 => 0xa83b_0426,
        _ => 0x9962_2c0c,
    };
    out.u32(id).u32(0);
}

/// What `help.getConfig` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigInfo {
    /// Unix time now.
    pub date: i32,
    /// Until when the config holds.
    pub expires: i32,
    /// `test_mode`.
    pub test_mode: bool,
    /// The DC the client is connected to.
    pub this_dc: i32,
    /// `(dc id, ip, port, ipv6)` for every DC.
    pub dc_options: Vec<(i32, String, i32, bool)>,
}

/// `config` in `layer`'s form, with Telegram's usual limits.
pub(crate) fn config(layer: i32, c: &ConfigInfo, out: &mut Tl) {
    // Through layer 154, layer 122's fields (`232566ac` adds an optional field after
    // them, which the server leaves out).
    let legacy = layer <= 154;
    let id = match layer {
        ..=144 => 0x330b_4067,
        145..=154 => 0x2325_66ac,
        _ => 0xcc1a_241e,
    };
    out.u32(id)
        .u32(0) // flags: no optional field
        .i32(c.date)
        .i32(c.expires)
        .bool(c.test_mode)
        .i32(c.this_dc)
        .u32(VECTOR_ID)
        .u32(c.dc_options.len() as u32);
    for (id, ip, port, ipv6) in &c.dc_options {
        // dcOption#18b7a10d flags id ip_address port
        out.u32(0x18b7_a10d)
            .u32(u32::from(*ipv6))
            .i32(*id)
            .str(ip)
            .i32(*port);
    }
    out.str("apv3.stel.com") // dc_txt_domain_name
        .i32(200) // chat_size_max
        .i32(200_000) // megagroup_size_max
        .i32(100) // forwarded_count_max
        .i32(210_000) // online_update_period_ms
        .i32(5_000) // offline_blur_timeout_ms
        .i32(30_000) // offline_idle_timeout_ms
        .i32(300_000) // online_cloud_timeout_ms
        .i32(30_000) // notify_cloud_delay_ms
        .i32(1_500) // notify_default_delay_ms
        .i32(60_000) // push_chat_period_ms
        .i32(2); // push_chat_limit
    if legacy {
        out.i32(200); // saved_gifs_limit
    }
    out.i32(172_800) // edit_time_limit
        .i32(i32::MAX) // revoke_time_limit
        .i32(i32::MAX) // revoke_pm_time_limit
        .i32(2_419_200) // rating_e_decay
        .i32(200); // stickers_recent_limit
    if legacy {
        out.i32(5); // stickers_faved_limit
    }
    out.i32(604_800); // channels_read_media_period
    if legacy {
        out.i32(5).i32(100); // pinned_dialogs_count_max, pinned_infolder_count_max
    }
    out.i32(20_000) // call_receive_timeout_ms
        .i32(90_000) // call_ring_timeout_ms
        .i32(30_000) // call_connect_timeout_ms
        .i32(10_000) // call_packet_timeout_ms
        .str("https://t.me/") // me_url_prefix
        .i32(1_024) // caption_length_max
        .i32(4_096) // message_length_max
        .i32(4); // webfile_dc_id
}

/// `nearestDc`.
pub(crate) fn nearest_dc(this_dc: i32, out: &mut Tl) {
    out.u32(0x8e1a_1775).str("ZZ").i32(this_dc).i32(this_dc);
}

/// `updates.state` of an account with no updates.
pub(crate) fn updates_state(date: i32, out: &mut Tl) {
    out.u32(0xa56c_2a3e).i32(1).i32(0).i32(date).i32(1).i32(0);
}

/// `updates.differenceEmpty` (`seq` as in [`updates_state`]).
pub(crate) fn difference_empty(date: i32, out: &mut Tl) {
    out.u32(0x5d75_a138).i32(date).i32(1);
}

/// An exported invite link, as the answer describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteInfo {
    /// The link.
    pub link: String,
    /// Who exported it.
    pub admin_id: i64,
    /// When.
    pub date: i32,
    /// Whether it is the chat's primary link.
    pub permanent: bool,
    /// `request_needed`, echoed.
    pub request_needed: bool,
    /// `expire_date`, echoed.
    pub expire_date: Option<i32>,
    /// `usage_limit`, echoed.
    pub usage_limit: Option<i32>,
    /// `title`, echoed.
    pub title: Option<String>,
    /// `subscription_pricing` (`period`, `amount`), echoed.
    pub subscription_pricing: Option<(i32, i64)>,
}

/// `chatInviteExported` in `layer`'s form.
pub(crate) fn invite(layer: i32, i: &InviteInfo, out: &mut Tl) {
    if is_legacy(layer) {
        out.u32(0xfc2e_05bc).str(&i.link);
        return;
    }
    let id = match layer {
        123..=132 => 0x6e24_fc9d,
        133 => 0xb181_05e8,
        134..=185 => 0x0ab4_a819,
        _ => 0xa22c_bd96,
    };
    // What the form has: `request_needed` and `title` since 134, `subscription_pricing`
    // in 230's.
    let since_134 = !matches!(id, 0x6e24_fc9d | 0xb181_05e8);
    let title = i.title.as_ref().filter(|_| since_134);
    let pricing = i.subscription_pricing.filter(|_| id == 0xa22c_bd96);
    let mut flags = 0u32;
    let bit = |on: bool, n: u32| if on { 1 << n } else { 0 };
    flags |= bit(i.permanent, 5) | bit(i.request_needed && since_134, 6);
    flags |= bit(i.expire_date.is_some(), 1) | bit(i.usage_limit.is_some(), 2);
    flags |= bit(title.is_some(), 8) | bit(pricing.is_some(), 9);
    out.u32(id).u32(flags).str(&i.link);
    if id == 0x6e24_fc9d {
        // Worlds keep ids within 1..=2^31-1 (as for `user` before 133).
        out.i32(i.admin_id as i32);
    } else {
        out.i64(i.admin_id);
    }
    out.i32(i.date);
    if let Some(d) = i.expire_date {
        out.i32(d);
    }
    if let Some(n) = i.usage_limit {
        out.i32(n);
    }
    if let Some(t) = title {
        out.str(t);
    }
    if let Some((period, amount)) = pricing {
        // starsSubscriptionPricing#05416d58 period:int amount:long
        out.u32(0x0541_6d58).i32(period).i64(amount);
    }
}

#[cfg(test)]
mod history;

#[cfg(test)]
mod tests {
    use super::*;
    use zerotl::Decode;
    use zerotl_types::{layer122, layer230};

    pub(super) fn bot() -> UserInfo {
        UserInfo {
            id: 123_456,
            access_hash: 77,
            first_name: "Bot".into(),
            username: Some("zerotl_test_bot".into()),
            bot: true,
            is_self: true,
        }
    }

    pub(super) fn config_info() -> ConfigInfo {
        ConfigInfo {
            date: 1_700_000_000,
            expires: 1_700_003_600,
            test_mode: true,
            this_dc: 2,
            dc_options: (1..=5)
                .map(|id| (id, "127.0.0.1".into(), 4430, false))
                .collect(),
        }
    }

    pub(super) fn invite_info() -> InviteInfo {
        InviteInfo {
            link: "https://t.me/+abc".into(),
            admin_id: 1000,
            date: 5,
            permanent: true,
            request_needed: true,
            expire_date: Some(9),
            usage_limit: Some(3),
            title: Some("t".into()),
            subscription_pricing: Some((2_592_000, 10)),
        }
    }

    #[test]
    fn users_decode_with_the_generated_schemas() {
        let mut out = Tl::default();
        user(230, &bot(), &mut out);
        let layer230::enums::User::User(u) =
            layer230::enums::User::decode_from_slice(&out.0).unwrap()
        else {
            panic!("not a user");
        };
        assert!(u.bot && u.self_ && !u.contact);
        assert_eq!(
            (u.id, u.access_hash, u.bot_info_version),
            (123_456, Some(77), Some(1))
        );
        assert_eq!(u.username.unwrap().as_str(), "zerotl_test_bot");

        let mut out = Tl::default();
        user(122, &bot(), &mut out);
        let layer122::enums::User::User(u) =
            layer122::enums::User::decode_from_slice(&out.0).unwrap()
        else {
            panic!("not a user");
        };
        assert_eq!((u.id, u.first_name.unwrap().as_str()), (123_456, "Bot"));

        // Older forms: the same bytes under their own id.
        let mut at198 = Tl::default();
        user(198, &bot(), &mut at198);
        assert_eq!(at198.0[..4], 0x4b46_c37e_u32.to_le_bytes());
        let mut at230 = Tl::default();
        user(230, &bot(), &mut at230);
        assert_eq!(at198.0[4..], at230.0[4..]);
    }

    #[test]
    fn full_users_decode_at_both_layers() {
        let mut out = Tl::default();
        full_user(true, 230, &bot(), &mut out);
        let layer230::enums::users::UserFull::Full(r) =
            layer230::enums::users::UserFull::decode_from_slice(&out.0).unwrap();
        let layer230::enums::UserFull::Full(f) = r.full_user;
        assert_eq!((f.id, f.common_chats_count), (123_456, 0));
        assert!(f.about.is_none() && f.bot_info.is_none() && r.chats.is_empty());
        assert!(matches!(
            r.users.iter().next(),
            Some(layer230::enums::User::User(u)) if u.id == 123_456 && u.bot && u.self_
        ));
        let mut out = Tl::default();
        full_user(false, 122, &bot(), &mut out);
        let layer122::enums::UserFull::Full(f) =
            layer122::enums::UserFull::decode_from_slice(&out.0).unwrap();
        assert!(matches!(f.user, layer122::enums::User::User(u) if u.id == 123_456));
        assert_eq!(f.common_chats_count, 0);
        // The request's form decides the answer's: layer 122's request gets a bare
        // userFull holding the user (layer 134's form at most), whatever the layer.
        let mut out = Tl::default();
        full_user(false, 230, &bot(), &mut out);
        assert_eq!(out.0[..4], 0xd697_ff05_u32.to_le_bytes());
    }

    #[test]
    fn config_decodes_at_both_layers() {
        let c = config_info();
        let mut out = Tl::default();
        config(230, &c, &mut out);
        let layer230::enums::Config::Config(d) =
            layer230::enums::Config::decode_from_slice(&out.0).unwrap();
        assert_eq!(
            (d.this_dc, d.expires, d.test_mode),
            (2, 1_700_003_600, true)
        );
        assert_eq!(d.dc_options.len(), 5);
        let mut out = Tl::default();
        config(122, &c, &mut out);
        let layer122::enums::Config::Config(d) =
            layer122::enums::Config::decode_from_slice(&out.0).unwrap();
        assert_eq!((d.chat_size_max, d.message_length_max), (200, 4096));
    }

    #[test]
    fn invites_decode_at_both_layers() {
        let i = invite_info();
        let mut out = Tl::default();
        invite(230, &i, &mut out);
        let layer230::enums::ExportedChatInvite::ChatInviteExported(e) =
            layer230::enums::ExportedChatInvite::decode_from_slice(&out.0).unwrap()
        else {
            panic!("not exported");
        };
        assert!(e.permanent && e.request_needed && !e.revoked);
        assert_eq!(
            (e.expire_date, e.usage_limit, e.admin_id),
            (Some(9), Some(3), 1000)
        );
        assert_eq!(e.title.unwrap().as_str(), "t");
        let p = e.subscription_pricing.unwrap();
        let layer230::enums::StarsSubscriptionPricing::Pricing(p) = p;
        assert_eq!((p.period, p.amount), (2_592_000, 10));
        let mut out = Tl::default();
        invite(122, &i, &mut out);
        assert!(matches!(
            layer122::enums::ExportedChatInvite::decode_from_slice(&out.0).unwrap(),
            layer122::enums::ExportedChatInvite::ChatInviteExported(e) if e.link.as_str() == i.link
        ));
    }
}
