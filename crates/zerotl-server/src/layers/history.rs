//! The server's answers read back with the forms client libraries published at each layer.
//!
//! `forms.tl` (next to this file) holds, for every layer a client library's release was
//! built for, that layer's definitions of the constructors the server writes: from GramJS's
//! schemas (`tl/apiTl.js` or `tl/static/api.tl` of the npm package `telegram`), from
//! Telethon's generated readers (`from_reader` of the PyPI package `telethon`, written back
//! as TL), and from this repository's own schemas at 122 and 230. The reader here knows
//! nothing of the generated types: it walks the bytes with one layer's forms only, as that
//! layer's client would.

use super::tests::{bot, config_info, invite_info};
use super::*;
use std::collections::{BTreeMap, BTreeSet};

const FORMS: &str = include_str!("forms.tl");

/// One layer's forms.
struct Sample {
    layer: i32,
    source: String,
    ctors: Vec<Ctor>,
}

struct Ctor {
    name: String,
    id: u32,
    fields: Vec<Field>,
    result: String,
}

struct Field {
    name: String,
    /// `flags.N?`: the flags field's name and the bit.
    cond: Option<(String, u32)>,
    ty: String,
}

/// What the reader found.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Int(i64),
    Str(String),
    Bool(bool),
    List(Vec<Value>),
    Obj(String, BTreeMap<String, Value>),
}

impl Value {
    fn field(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Obj(_, fields) => fields.get(name),
            _ => None,
        }
    }
    fn int(&self, name: &str) -> Option<i64> {
        match self.field(name) {
            Some(Value::Int(v)) => Some(*v),
            _ => None,
        }
    }
    fn str(&self, name: &str) -> Option<&str> {
        match self.field(name) {
            Some(Value::Str(s)) => Some(s),
            _ => None,
        }
    }
    fn flag(&self, name: &str) -> bool {
        matches!(self.field(name), Some(Value::Bool(true)))
    }
}

fn parse_ctor(line: &str) -> Ctor {
    let (head, result) = line.trim_end_matches(';').split_once(" = ").unwrap();
    let mut words = head.split_whitespace();
    let (name, id) = words.next().unwrap().split_once('#').unwrap();
    let fields = words
        .map(|w| {
            let (name, ty) = w.split_once(':').unwrap();
            let (cond, ty) = match ty.split_once('?') {
                Some((c, ty)) => {
                    let (flags, bit) = c.split_once('.').unwrap();
                    (Some((flags.to_owned(), bit.parse().unwrap())), ty)
                }
                None => (None, ty),
            };
            Field {
                name: name.to_owned(),
                cond,
                ty: ty.to_owned(),
            }
        })
        .collect();
    Ctor {
        name: name.to_owned(),
        id: u32::from_str_radix(id, 16).unwrap(),
        fields,
        result: result.trim().to_owned(),
    }
}

fn samples() -> Vec<Sample> {
    let mut out: Vec<Sample> = Vec::new();
    for line in FORMS.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("=== layer ") {
            let (layer, source) = rest.split_once(' ').unwrap();
            out.push(Sample {
                layer: layer.parse().unwrap(),
                source: source.to_owned(),
                ctors: Vec::new(),
            });
        } else if !line.is_empty() && !line.starts_with("//") {
            out.last_mut().unwrap().ctors.push(parse_ctor(line));
        }
    }
    out.sort_by_key(|s| s.layer);
    out
}

impl Sample {
    fn of_type(&self, ty: &str) -> Option<&Ctor> {
        self.ctors.iter().find(|c| c.result == ty)
    }

    /// Reads a `ty` off the front of `bytes`.
    fn read(&self, ty: &str, bytes: &mut &[u8]) -> Result<Value, String> {
        let mut take = |n: usize| -> Result<Vec<u8>, String> {
            if bytes.len() < n {
                return Err(format!("{ty}: {n} bytes wanted, {} left", bytes.len()));
            }
            let (head, rest) = bytes.split_at(n);
            *bytes = rest;
            Ok(head.to_vec())
        };
        let word = |b: Vec<u8>| u32::from_le_bytes(b.try_into().unwrap());
        Ok(match ty {
            "int" | "#" => Value::Int(i64::from(word(take(4)?) as i32)),
            "long" => Value::Int(i64::from_le_bytes(take(8)?.try_into().unwrap())),
            "string" | "bytes" => {
                let first = take(1)?[0] as usize;
                let (len, head) = if first == 254 {
                    let b = take(3)?;
                    (
                        usize::from(b[0]) | usize::from(b[1]) << 8 | usize::from(b[2]) << 16,
                        4,
                    )
                } else {
                    (first, 1)
                };
                let s = take(len)?;
                take((4 - (head + len) % 4) % 4)?;
                Value::Str(String::from_utf8(s).map_err(|e| e.to_string())?)
            }
            "Bool" => match word(take(4)?) {
                BOOL_TRUE_ID => Value::Bool(true),
                BOOL_FALSE_ID => Value::Bool(false),
                other => return Err(format!("Bool: {other:08x}")),
            },
            _ if ty.starts_with("Vector<") => {
                let item = &ty["Vector<".len()..ty.len() - 1];
                if word(take(4)?) != VECTOR_ID {
                    return Err(format!("{ty}: no vector id"));
                }
                let n = word(take(4)?) as usize;
                if n > bytes.len() / 4 {
                    return Err(format!("{ty}: {n} items in {} bytes", bytes.len()));
                }
                Value::List(
                    (0..n)
                        .map(|_| self.read(item, bytes))
                        .collect::<Result<_, _>>()?,
                )
            }
            _ => {
                let id = word(take(4)?);
                let ctor = self
                    .ctors
                    .iter()
                    .find(|c| c.id == id && (c.result == ty || ty == "Object"))
                    .ok_or_else(|| {
                        format!("no constructor #{id:08x} of {ty} at layer {}", self.layer)
                    })?;
                self.read_fields(ctor, bytes)?
            }
        })
    }

    fn read_fields(&self, ctor: &Ctor, bytes: &mut &[u8]) -> Result<Value, String> {
        let mut fields = BTreeMap::new();
        for f in &ctor.fields {
            if let Some((flags, bit)) = &f.cond {
                let Some(Value::Int(set)) = fields.get(flags) else {
                    return Err(format!("{}: {flags} not read", ctor.name));
                };
                let on = set >> bit & 1 == 1;
                if f.ty == "true" {
                    fields.insert(f.name.clone(), Value::Bool(on));
                    continue;
                }
                if !on {
                    continue;
                }
            }
            let v = self
                .read(&f.ty, bytes)
                .map_err(|e| format!("{}.{}: {e}", ctor.name, f.name))?;
            fields.insert(f.name.clone(), v);
        }
        Ok(Value::Obj(ctor.name.clone(), fields))
    }

    /// Reads one whole answer of type `ty`: no byte may be left over.
    fn try_read_all(&self, ty: &str, mut bytes: &[u8]) -> Result<Value, String> {
        let v = self
            .read(ty, &mut bytes)
            .map_err(|e| format!("layer {} ({}): {e}", self.layer, self.source))?;
        if !bytes.is_empty() {
            return Err(format!(
                "layer {}: {} bytes left after {ty}",
                self.layer,
                bytes.len()
            ));
        }
        Ok(v)
    }

    fn read_all(&self, ty: &str, bytes: &[u8]) -> Value {
        self.try_read_all(ty, bytes)
            .unwrap_or_else(|e| panic!("{e}"))
    }
}

fn person() -> UserInfo {
    UserInfo {
        id: 1000,
        access_hash: -5,
        first_name: "Alice".into(),
        username: None,
        bot: false,
        is_self: false,
    }
}

/// The answers the server writes (and the parts of `users.getFullUser`'s), by the type a
/// client reads them as.
const KINDS: [&str; 7] = [
    "User",
    "auth.Authorization",
    "Config",
    "ExportedChatInvite",
    "UserFull",
    "PeerSettings",
    "PeerNotifySettings",
];

fn write(kind: &str, layer: i32) -> Vec<u8> {
    let mut out = Tl::default();
    match kind {
        "User" => user(layer, &bot(), &mut out),
        "auth.Authorization" => authorization(layer, &person(), &mut out),
        "Config" => config(layer, &config_info(), &mut out),
        "UserFull" => user_full(layer, &bot(), &mut out),
        "PeerSettings" => peer_settings(layer, &mut out),
        "PeerNotifySettings" => peer_notify_settings(layer, &mut out),
        _ => invite(layer, &invite_info(), &mut out),
    }
    out.0
}

/// The sample's `users.getFullUser`: whether it is layer 230's form (answered with
/// `users.userFull`), and the type its clients read the answer as.
fn get_full_user(s: &Sample) -> (bool, &str) {
    let ctor = s
        .ctors
        .iter()
        .find(|c| c.name == "users.getFullUser")
        .unwrap_or_else(|| panic!("layer {}: no users.getFullUser", s.layer));
    assert!(
        [
            crate::rpc::ids::GET_FULL_USER,
            crate::rpc::ids::GET_FULL_USER_122
        ]
        .contains(&ctor.id),
        "layer {}: users.getFullUser#{:08x} is not served",
        s.layer,
        ctor.id
    );
    (ctor.id == crate::rpc::ids::GET_FULL_USER, &ctor.result)
}

/// The server's answer to `s`'s `users.getFullUser` from a client at `layer`.
fn write_full_user(s: &Sample, layer: i32) -> (Vec<u8>, &str) {
    let (wrapped, ty) = get_full_user(s);
    let mut out = Tl::default();
    full_user(wrapped, layer, &bot(), &mut out);
    (out.0, ty)
}

/// Checks a `users.getFullUser` answer read back: the bot, with nothing optional.
fn check_full_user(v: &Value, layer: i32) {
    let full = match v {
        Value::Obj(name, _) if name == "users.userFull" => {
            let Some(Value::List(users)) = v.field("users") else {
                panic!("layer {layer}: no users");
            };
            assert_eq!(users.len(), 1, "layer {layer}");
            check_user(&users[0], &bot());
            assert_eq!(v.field("chats"), Some(&Value::List(Vec::new())));
            let full = v.field("full_user").unwrap();
            assert_eq!(full.int("id"), Some(bot().id), "layer {layer}");
            full
        }
        _ => {
            check_user(v.field("user").unwrap(), &bot());
            v
        }
    };
    assert_eq!(full.int("common_chats_count"), Some(0), "layer {layer}");
    assert_eq!(full.int("flags"), Some(0), "layer {layer}");
    for part in ["settings", "notify_settings"] {
        assert_eq!(
            full.field(part).unwrap().int("flags"),
            Some(0),
            "layer {layer}"
        );
    }
}

fn check_user(v: &Value, u: &UserInfo) {
    assert_eq!(v.int("id"), Some(u.id));
    assert_eq!(v.int("access_hash"), Some(u.access_hash));
    assert_eq!(v.str("first_name"), Some(&*u.first_name));
    assert_eq!(v.str("username"), u.username.as_deref());
    assert_eq!(v.flag("bot"), u.bot);
    assert_eq!(v.flag("self") || v.flag("is_self"), u.is_self);
}

#[test]
fn every_layer_reads_the_answers_in_its_own_forms() {
    let samples = samples();
    assert!(samples.len() >= 30, "{} samples", samples.len());
    for s in &samples {
        let (bytes, ty) = write_full_user(s, s.layer);
        check_full_user(&s.read_all(ty, &bytes), s.layer);
        for kind in KINDS {
            let bytes = write(kind, s.layer);
            let form = s.of_type(kind).unwrap_or_else(|| {
                panic!("layer {} ({}) has no {kind}", s.layer, s.source);
            });
            let id = u32::from_le_bytes(bytes[..4].try_into().unwrap());
            assert_eq!(
                id, form.id,
                "layer {}: {kind} #{id:08x}, its clients expect #{:08x} ({})",
                s.layer, form.id, s.source
            );
            let v = s.read_all(kind, &bytes);
            match kind {
                "User" => check_user(&v, &bot()),
                "auth.Authorization" => check_user(v.field("user").unwrap(), &person()),
                "UserFull" | "PeerSettings" | "PeerNotifySettings" => {
                    assert_eq!(v.int("flags"), Some(0));
                }
                "Config" => {
                    assert_eq!(v.int("this_dc"), Some(2));
                    assert_eq!(v.field("test_mode"), Some(&Value::Bool(true)));
                    let Some(Value::List(dcs)) = v.field("dc_options") else {
                        panic!("layer {}: no dc_options", s.layer);
                    };
                    assert_eq!(dcs.len(), 5);
                    assert_eq!(dcs[4].str("ip_address"), Some("127.0.0.1"));
                }
                _ => {
                    let i = invite_info();
                    assert_eq!(v.str("link"), Some(&*i.link));
                    if s.layer <= 122 {
                        continue;
                    }
                    assert_eq!(v.int("admin_id"), Some(i.admin_id));
                    assert_eq!(v.int("usage_limit"), i.usage_limit.map(i64::from));
                    assert!(v.flag("permanent") && !v.flag("revoked"));
                    let has = |f: &str| form.fields.iter().any(|x| x.name == f);
                    assert_eq!(v.str("title").is_some(), has("title"));
                    assert_eq!(v.flag("request_needed"), has("request_needed"));
                    assert_eq!(
                        v.field("subscription_pricing").is_some(),
                        has("subscription_pricing")
                    );
                }
            }
        }
    }
}

/// The layers no sample covers whose neighbouring samples disagree on a constructor: the
/// server's choice there is one of the two neighbours' forms, but which one is a guess. The
/// module docs list the same ranges.
const GUESSES: &[(&str, std::ops::RangeInclusive<i32>)] = &[
    ("User", 132..=132),
    ("User", 147..=147),
    ("User", 159..=159),
    ("User", 185..=187),
    ("User", 194..=197),
    ("User", 200..=200),
    ("User", 217..=223),
    ("User", 228..=228),
    ("auth.Authorization", 134..=134),
    ("auth.Authorization", 151..=151),
    ("Config", 153..=154),
    ("ExportedChatInvite", 123..=124),
    ("ExportedChatInvite", 132..=132),
    ("ExportedChatInvite", 134..=134),
    ("ExportedChatInvite", 185..=187),
    ("UserFull", 123..=124),
    ("UserFull", 132..=132),
    ("UserFull", 134..=134),
    ("UserFull", 139..=139),
    ("UserFull", 151..=151),
    ("UserFull", 156..=157),
    ("UserFull", 159..=159),
    ("UserFull", 163..=164),
    ("UserFull", 175..=176),
    ("UserFull", 189..=192),
    ("UserFull", 194..=197),
    ("UserFull", 200..=200),
    ("UserFull", 202..=213),
    ("UserFull", 215..=215),
    ("UserFull", 217..=223),
    ("PeerSettings", 134..=134),
    ("PeerSettings", 175..=176),
    ("PeerSettings", 200..=200),
    ("PeerNotifySettings", 139..=139),
    ("PeerNotifySettings", 159..=159),
];

#[test]
fn layers_between_samples_take_their_neighbours_form() {
    let samples = samples();
    let mut guesses = BTreeSet::new();
    for layer in 123..=230 {
        let below = samples.iter().rev().find(|s| s.layer <= layer).unwrap();
        let above = samples.iter().find(|s| s.layer >= layer).unwrap();
        for kind in KINDS {
            let bytes = write(kind, layer);
            let id = u32::from_le_bytes(bytes[..4].try_into().unwrap());
            let (lo, hi) = (below.of_type(kind).unwrap(), above.of_type(kind).unwrap());
            assert!(
                id == lo.id || id == hi.id,
                "layer {layer}: {kind} #{id:08x}, neither #{:08x} ({}) nor #{:08x} ({})",
                lo.id,
                below.layer,
                hi.id,
                above.layer
            );
            if lo.id != hi.id {
                guesses.insert((kind, layer));
            }
            // A client between two samples reads with one of their forms (an answer
            // nests a user, whose form may change at another layer than its envelope's).
            let read = [below, above].map(|s| s.try_read_all(kind, &bytes));
            assert!(read.iter().any(Result::is_ok), "layer {layer}: {read:?}");
        }
        // `users.getFullUser` in either neighbour's form: its answer (a `userFull` and the
        // user) reads whole with one neighbour's forms.
        for asked in [below, above] {
            let (bytes, ty) = write_full_user(asked, layer);
            let read = [below, above].map(|s| s.try_read_all(ty, &bytes));
            let Some(v) = read.iter().find_map(|r| r.as_ref().ok()) else {
                panic!("layer {layer}, asked as at {}: {read:?}", asked.layer);
            };
            check_full_user(v, layer);
        }
    }
    let listed: BTreeSet<_> = GUESSES
        .iter()
        .flat_map(|(kind, layers)| layers.clone().map(move |l| (*kind, l)))
        .collect();
    assert_eq!(guesses, listed, "the guesses the module docs list");
}

#[test]
fn every_layers_export_chat_invite_is_served() {
    let served = [
        crate::rpc::ids::EXPORT_122,
        crate::rpc::ids::EXPORT_123,
        crate::rpc::ids::EXPORT_134,
        crate::rpc::ids::EXPORT_230,
    ];
    for s in samples() {
        let ctor = s
            .ctors
            .iter()
            .find(|c| c.name == "messages.exportChatInvite")
            .unwrap_or_else(|| panic!("layer {}: no messages.exportChatInvite", s.layer));
        assert!(
            served.contains(&ctor.id),
            "layer {}: messages.exportChatInvite#{:08x}",
            s.layer,
            ctor.id
        );
    }
}
