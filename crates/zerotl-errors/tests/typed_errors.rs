//! Typed RPC errors: the name/number parser, golden `rpc_error` bytes from
//! docs/wire.md (errors), and the generated per-method enums and metadata.

use std::time::Duration;

use proptest::prelude::*;
use zerotl::Decode;
use zerotl_errors::layer122::{account, messages, stats};
use zerotl_errors::MethodInfo;
use zerotl_mtproto::errors::{
    known_error, known_errors, ErrorClass, MethodError, RpcError, Usability,
};
use zerotl_types::layer122::functions as f122;
use zerotl_types::mtproto::types as mt;

/// Read at run time (a bare `assert!(M::BOTS_CAN_USE)` is a constant assertion).
fn bots_can_use<M: MethodInfo>() -> bool {
    M::BOTS_CAN_USE
}

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    hex::decode(s).expect("valid hex in the test")
}

/// docs/wire.md (errors): the error-parse table, as (code, message) -> (name, value, class).
#[test]
fn parse_table() {
    let cases: &[(i32, &str, &str, Option<u32>, ErrorClass)] = &[
        (
            420,
            "FLOOD_WAIT_42",
            "FLOOD_WAIT",
            Some(42),
            ErrorClass::Flood,
        ),
        (
            420,
            "FLOOD_PREMIUM_WAIT_5",
            "FLOOD_PREMIUM_WAIT",
            Some(5),
            ErrorClass::Flood,
        ),
        (
            303,
            "PHONE_MIGRATE_2",
            "PHONE_MIGRATE",
            Some(2),
            ErrorClass::SeeOther,
        ),
        (
            400,
            "FILE_PART_3_MISSING",
            "FILE_PART_MISSING",
            Some(3),
            ErrorClass::BadRequest,
        ),
        (
            500,
            "INTERDC_2_CALL_ERROR",
            "INTERDC_CALL_ERROR",
            Some(2),
            ErrorClass::Internal,
        ),
        (
            420,
            "2FA_CONFIRM_WAIT_86400",
            "2FA_CONFIRM_WAIT",
            Some(86400),
            ErrorClass::Flood,
        ),
        (
            406,
            "PREVIOUS_CHAT_IMPORT_ACTIVE_WAIT_5MIN",
            "PREVIOUS_CHAT_IMPORT_ACTIVE_WAIT_MIN",
            Some(5),
            ErrorClass::NotAcceptable,
        ),
        (
            400,
            "EMAIL_UNCONFIRMED_6",
            "EMAIL_UNCONFIRMED",
            Some(6),
            ErrorClass::BadRequest,
        ),
        (
            400,
            "EMAIL_UNCONFIRMED",
            "EMAIL_UNCONFIRMED",
            None,
            ErrorClass::BadRequest,
        ),
        (
            420,
            "FLOOD_WAIT_0",
            "FLOOD_WAIT",
            Some(0),
            ErrorClass::Flood,
        ),
        (-503, "Timeout", "Timeout", None, ErrorClass::Internal),
        // More shapes: a plain name ending in a digit, a middle template with a long
        // tail, the generic trailing-digits rule, and a number too big for u32.
        (
            400,
            "AUTH_TOKEN_INVALID2",
            "AUTH_TOKEN_INVALID2",
            None,
            ErrorClass::BadRequest,
        ),
        (
            500,
            "INTERDC_4_CALL_RICH_ERROR",
            "INTERDC_CALL_RICH_ERROR",
            Some(4),
            ErrorClass::Internal,
        ),
        (
            401,
            "SOMETHING_NEW_12",
            "SOMETHING_NEW",
            Some(12),
            ErrorClass::Unauthorized,
        ),
        (
            404,
            "NOT_A_NUMBER_",
            "NOT_A_NUMBER_",
            None,
            ErrorClass::NotFound,
        ),
        (400, "_7", "_7", None, ErrorClass::BadRequest),
        (
            420,
            "FLOOD_WAIT_4294967295",
            "FLOOD_WAIT",
            Some(u32::MAX),
            ErrorClass::Flood,
        ),
        (
            420,
            "FLOOD_WAIT_4294967296",
            "FLOOD_WAIT_4294967296",
            None,
            ErrorClass::Flood,
        ),
        (
            420,
            "FLOOD_WAIT_+5",
            "FLOOD_WAIT_+5",
            None,
            ErrorClass::Flood,
        ),
        (
            -500,
            "No workers running",
            "No workers running",
            None,
            ErrorClass::Internal,
        ),
        (
            402,
            "PAYMENT_REQUIRED",
            "PAYMENT_REQUIRED",
            None,
            ErrorClass::Internal,
        ),
    ];
    for &(code, message, name, value, class) in cases {
        let e = RpcError::parse(code, message);
        assert_eq!(
            (
                e.name.as_str(),
                e.value,
                e.class(),
                e.message.as_str(),
                e.code
            ),
            (name, value, class, message, code),
            "parsing {message}"
        );
    }
}

#[test]
fn known_lookup_tells_plain_from_templated() {
    let plain = RpcError::parse(400, "EMAIL_UNCONFIRMED").known().unwrap();
    let templated = RpcError::parse(400, "EMAIL_UNCONFIRMED_6").known().unwrap();
    assert_eq!(plain.documented_name(), "EMAIL_UNCONFIRMED");
    assert_eq!(templated.documented_name(), "EMAIL_UNCONFIRMED_X");
    assert_eq!(
        RpcError::parse(400, "EMAIL_UNCONFIRMED_6").to_string(),
        "EMAIL_UNCONFIRMED_6 (400): Email unconfirmed, the length of the code must be 6"
    );
    // A fallback split never borrows a template's description.
    assert!(RpcError::parse(400, "CHAT_ID_INVALID_5").known().is_none());
    assert!(RpcError::parse(400, "NEW_THING_5").known().is_none());
}

#[test]
fn display_fills_the_placeholder() {
    let e = RpcError::parse(420, "FLOOD_WAIT_30");
    assert_eq!(
        e.to_string(),
        "FLOOD_WAIT_30 (420): A wait of 30 seconds is required"
    );
    assert_eq!(
        RpcError::parse(400, "FILE_PART_3_MISSING").to_string(),
        "FILE_PART_3_MISSING (400): Part 3 of the file is missing from storage"
    );
    assert_eq!(
        RpcError::parse(-503, "Timeout").to_string(),
        "Timeout (-503): Timeout while fetching data"
    );
    assert_eq!(
        RpcError::parse(400, "BRAND_NEW").to_string(),
        "BRAND_NEW (400)"
    );
    // A plain description's braces are left alone.
    let u = RpcError::parse(400, "USERNAME_INVALID").to_string();
    assert!(u.contains("{3,30}"), "{u}");
}

#[test]
fn flood_wait_value_and_wait_time() {
    let e = RpcError::decode(&hex("19ca4421 a4010000 0d 464c4f4f445f574149545f3432 0000")).unwrap();
    assert_eq!(
        (e.code, e.name.as_str(), e.value),
        (420, "FLOOD_WAIT", Some(42))
    );
    assert_eq!(e.wait(), Some(Duration::from_secs(42)));
    assert!(e.is("FLOOD_WAIT"));
    assert_eq!(
        RpcError::parse(420, "FLOOD_WAIT_0").wait(),
        Some(Duration::ZERO)
    );
    assert_eq!(
        RpcError::parse(420, "SLOWMODE_WAIT_17").wait(),
        Some(Duration::from_secs(17))
    );
    assert_eq!(RpcError::parse(400, "FILE_PART_3_MISSING").wait(), None);
    // An error a method does not list still keeps its number in `Other`.
    let typed = messages::ExportChatInviteError::from(e.clone());
    assert_eq!(typed, messages::ExportChatInviteError::Other(e));
    match typed {
        messages::ExportChatInviteError::Other(inner) => assert_eq!(inner.value, Some(42)),
        other => panic!("unexpected {other:?}"),
    }
}

/// docs/wire.md (errors): every golden `rpc_error` body decodes to the right error.
#[test]
fn golden_rpc_error_bytes() {
    let cases: &[(&str, i32, &str, &str, Option<u32>)] = &[
        (
            "19ca4421 90010000 0f 4348414e4e454c5f50524956415445",
            400,
            "CHANNEL_PRIVATE",
            "CHANNEL_PRIVATE",
            None,
        ),
        (
            "19ca4421 90010000 13 434841545f41444d494e5f5245515549524544",
            400,
            "CHAT_ADMIN_REQUIRED",
            "CHAT_ADMIN_REQUIRED",
            None,
        ),
        (
            "19ca4421 90010000 0f 434841545f49445f494e56414c4944",
            400,
            "CHAT_ID_INVALID",
            "CHAT_ID_INVALID",
            None,
        ),
        (
            "19ca4421 93010000 14 434841545f57524954455f464f5242494444454e 000000",
            403,
            "CHAT_WRITE_FORBIDDEN",
            "CHAT_WRITE_FORBIDDEN",
            None,
        ),
        (
            "19ca4421 90010000 0f 504545525f49445f494e56414c4944",
            400,
            "PEER_ID_INVALID",
            "PEER_ID_INVALID",
            None,
        ),
        (
            "19ca4421 a4010000 0d 464c4f4f445f574149545f3432 0000",
            420,
            "FLOOD_WAIT_42",
            "FLOOD_WAIT",
            Some(42),
        ),
        (
            "19ca4421 2f010000 0f 50484f4e455f4d4947524154455f32",
            303,
            "PHONE_MIGRATE_2",
            "PHONE_MIGRATE",
            Some(2),
        ),
        (
            "19ca4421 09feffff 07 54696d656f7574",
            -503,
            "Timeout",
            "Timeout",
            None,
        ),
    ];
    for &(bytes, code, message, name, value) in cases {
        let bytes = hex(bytes);
        let e = RpcError::decode(&bytes).unwrap();
        assert_eq!(
            (e.code, e.message.as_str(), e.name.as_str(), e.value),
            (code, message, name, value)
        );
        // And back to the same bytes.
        let tl = e.to_tl();
        let out = zerotl::encode_to_vec(&tl).unwrap();
        assert_eq!(out, bytes, "{message}");
        // Every truncated prefix fails to decode (and does not panic).
        for n in 0..bytes.len() {
            assert!(
                RpcError::decode(&bytes[..n]).is_err(),
                "{message}: prefix {n}"
            );
        }
    }
    assert_eq!(
        RpcError::parse(303, "PHONE_MIGRATE_2").migrate_to(),
        Some(2)
    );
}

/// docs/wire.md (errors): the `rpc_result` around a 400 CHAT_ADMIN_REQUIRED.
#[test]
fn golden_rpc_result_around_an_error() {
    let bytes = hex(
        "016d5cf3 4a967027c47ae551 19ca4421 90010000 13 434841545f41444d494e5f5245515549524544",
    );
    let r = mt::RpcResult::decode_from_slice(&bytes).unwrap();
    assert_eq!(r.req_msg_id, 0x51e5_7ac4_2770_964a);
    let e: RpcError = r.result.decode::<mt::RpcError>().unwrap().into();
    assert_eq!(
        messages::ExportChatInviteError::from(e),
        messages::ExportChatInviteError::ChatAdminRequired
    );
}

/// The seed page's five errors: golden bytes -> the typed variant, with the page's code.
#[test]
fn seed_errors_map_to_typed_variants() {
    use messages::ExportChatInviteError as E;
    let cases = [
        (
            "19ca4421 90010000 0f 4348414e4e454c5f50524956415445",
            E::ChannelPrivate,
            400,
        ),
        (
            "19ca4421 90010000 13 434841545f41444d494e5f5245515549524544",
            E::ChatAdminRequired,
            400,
        ),
        (
            "19ca4421 90010000 0f 434841545f49445f494e56414c4944",
            E::ChatIdInvalid,
            400,
        ),
        (
            "19ca4421 93010000 14 434841545f57524954455f464f5242494444454e 000000",
            E::ChatWriteForbidden,
            403,
        ),
        (
            "19ca4421 90010000 0f 504545525f49445f494e56414c4944",
            E::PeerIdInvalid,
            400,
        ),
    ];
    for (bytes, variant, code) in cases {
        let bytes = hex(bytes);
        let rpc = RpcError::decode(&bytes).unwrap();
        let typed = E::from(rpc.clone());
        assert_eq!(typed, variant);
        // Typed -> RpcError gives the page's code and the same wire bytes.
        let back = typed.as_rpc();
        assert_eq!(back, rpc);
        assert_eq!(back.code, code);
        assert_eq!(MethodError::as_rpc(&typed), rpc);
        let tl = back.to_tl();
        let out = zerotl::encode_to_vec(&tl).unwrap();
        assert_eq!(out, bytes);
        // Display is the RpcError's.
        assert_eq!(typed.to_string(), rpc.to_string());
        // The same name with a code the page does not list stays `Other`.
        let wrong = RpcError::parse(if code == 400 { 403 } else { 400 }, &rpc.message);
        assert_eq!(E::from(wrong.clone()), E::Other(wrong));
    }
    // A name the method does not list, and a numbered form of a listed name.
    let other = RpcError::parse(400, "USER_BANNED_IN_CHANNEL");
    assert_eq!(E::from(other.clone()), E::Other(other));
    let numbered = RpcError::parse(400, "CHAT_ID_INVALID_3");
    assert_eq!(E::from(numbered.clone()), E::Other(numbered));
}

#[test]
fn seed_method_metadata() {
    type M = f122::messages::ExportChatInvite<'static>;
    assert!(bots_can_use::<M>());
    assert_eq!(M::USABILITY, Usability::Both);
    assert_eq!(M::METHOD, "messages.exportChatInvite");
    assert_eq!(
        M::ERRORS,
        [
            (400, "CHANNEL_PRIVATE"),
            (400, "CHAT_ADMIN_REQUIRED"),
            (400, "CHAT_ID_INVALID"),
            (403, "CHAT_WRITE_FORBIDDEN"),
            (400, "PEER_ID_INVALID"),
        ]
    );
    // The metadata agrees with the enum: each listed error converts to a named
    // variant and back.
    for &(code, name) in M::ERRORS {
        let e = RpcError::parse(code, name);
        let typed = <M as MethodInfo>::Error::from(e.clone());
        assert!(
            !matches!(typed, messages::ExportChatInviteError::Other(_)),
            "{name}"
        );
        assert_eq!(typed.as_rpc(), e);
    }
}

/// Metadata of other layer 122 methods, from `methods.csv`, and of wrappers.
#[test]
fn other_method_metadata() {
    // user -> BOTS_CAN_USE false.
    type Delete = f122::account::DeleteAccount<'static>;
    assert_eq!(Delete::USABILITY, Usability::User);
    assert!(!bots_can_use::<Delete>());
    assert_eq!(Delete::ERRORS, [(420, "2FA_CONFIRM_WAIT_X")]);
    // both -> true.
    type Save = f122::upload::SaveFilePart<'static>;
    assert_eq!(Save::USABILITY, Usability::Both);
    assert!(bots_can_use::<Save>());
    // A wrapper takes the wrapped query's error type; bots may use it only if they may
    // use the query.
    type Wrapped = f122::InvokeWithLayer<f122::messages::ExportChatInvite<'static>>;
    assert!(bots_can_use::<Wrapped>());
    assert_eq!(Wrapped::METHOD, "invokeWithLayer");
    let e: <Wrapped as MethodInfo>::Error = RpcError::parse(403, "CHAT_WRITE_FORBIDDEN").into();
    assert_eq!(e, messages::ExportChatInviteError::ChatWriteForbidden);
    type WrappedUser = f122::InvokeWithLayer<Delete>;
    assert!(!bots_can_use::<WrappedUser>());
}

/// Templated variants carry the number, and convert back to the same message.
#[test]
fn templated_variants_round_trip() {
    let e = RpcError::parse(420, "2FA_CONFIRM_WAIT_86400");
    let typed = account::DeleteAccountError::from(e.clone());
    assert_eq!(typed, account::DeleteAccountError::TwoFaConfirmWait(86400));
    assert_eq!(typed.as_rpc(), e);

    let e = RpcError::parse(400, "EMAIL_UNCONFIRMED_6");
    let typed = account::UpdatePasswordSettingsError::from(e.clone());
    assert_eq!(
        typed,
        account::UpdatePasswordSettingsError::EmailUnconfirmedX(6)
    );
    assert_eq!(typed.as_rpc(), e);
    // The plain name is not the templated variant.
    let plain = RpcError::parse(400, "EMAIL_UNCONFIRMED");
    assert_eq!(
        account::UpdatePasswordSettingsError::from(plain.clone()),
        account::UpdatePasswordSettingsError::Other(plain)
    );

    let e = RpcError::parse(303, "STATS_MIGRATE_4");
    let typed = stats::GetBroadcastStatsError::from(e.clone());
    assert_eq!(typed, stats::GetBroadcastStatsError::StatsMigrate(4));
    assert_eq!(typed.as_rpc().message, "STATS_MIGRATE_4");
    assert_eq!(
        typed.to_string(),
        "STATS_MIGRATE_4 (303): The channel statistics must be fetched from DC 4"
    );
    // Built from the variant alone.
    assert_eq!(
        stats::GetBroadcastStatsError::StatsMigrate(9).as_rpc(),
        RpcError::parse(303, "STATS_MIGRATE_9")
    );
}

/// Every documented error parses back to itself from its own message.
#[test]
fn every_known_error_parses_to_itself() {
    assert_eq!(known_errors().len(), 526);
    let mut templated = 0;
    for k in known_errors() {
        let value = k.is_template().then_some(7);
        let message = match value {
            Some(v) => k.message(v).as_str().to_owned(),
            None => k.name().to_owned(),
        };
        let e = RpcError::parse(k.codes()[0], &message);
        assert_eq!((e.name.as_str(), e.value), (k.name(), value), "{message}");
        assert_eq!(e.known(), Some(k), "{message}");
        assert_eq!(RpcError::new(e.code, k.name(), value), e);
        if k.is_template() {
            assert!(!e.to_string().contains('{'), "{e}");
        }
        templated += usize::from(k.is_template());
    }
    assert_eq!(templated, 18);
    let sorted = known_errors()
        .windows(2)
        .all(|w| (w[0].name(), w[0].is_template()) < (w[1].name(), w[1].is_template()));
    assert!(sorted);
    assert!(known_error("FLOOD_WAIT", true).is_some());
}

#[test]
fn new_renders_through_the_template() {
    assert_eq!(
        RpcError::new(400, "FILE_PART_MISSING", Some(3)).message,
        "FILE_PART_3_MISSING"
    );
    assert_eq!(
        RpcError::new(500, "INTERDC_CALL_ERROR", Some(2)).message,
        "INTERDC_2_CALL_ERROR"
    );
    assert_eq!(
        RpcError::new(420, "FLOOD_WAIT", Some(30)),
        RpcError::parse(420, "FLOOD_WAIT_30")
    );
    assert_eq!(RpcError::new(400, "EMAIL_UNCONFIRMED", None).value, None);
    assert_eq!(RpcError::new(400, "X", Some(1)).message, "X_1");
}

proptest! {
    /// Any `[A-Z0-9_]+` message, digits anywhere, parses without panicking, keeps its
    /// message, and rebuilding it from (name, value) gives the same (name, value).
    #[test]
    fn any_message_round_trips(message in "[A-Z0-9_]{0,40}", code in any::<i32>()) {
        let e = RpcError::parse(code, &message);
        prop_assert_eq!(e.message.as_str(), message.as_str());
        prop_assert_eq!(e.code, code);
        let again = RpcError::new(code, &e.name, e.value);
        prop_assert_eq!((&again.name, again.value), (&e.name, e.value));
        let _ = e.to_string();
        let _ = messages::ExportChatInviteError::from(e.clone());
    }

    /// Names with a digit run at the end, in the middle, or glued to a unit: the same
    /// invariants, and a trailing `_digits` that fits a u32 always becomes the value
    /// (through a template or the fallback rule).
    #[test]
    fn digit_bearing_names(head in "[A-Z2_]{0,20}", digits in "[0-9]{1,12}", tail in "(_[A-Z]{1,8}|[A-Z]{1,3})?") {
        let message = format!("{head}_{digits}{tail}");
        let e = RpcError::parse(400, &message);
        prop_assert_eq!(e.message.as_str(), message.as_str());
        let again = RpcError::new(400, &e.name, e.value);
        prop_assert_eq!((&again.name, again.value), (&e.name, e.value));
        if let (true, Ok(v)) = (tail.is_empty() && !head.is_empty(), digits.parse::<u32>()) {
            prop_assert_eq!(e.value, Some(v), "{}", message);
        }
    }

    /// Known templates with any number: the number comes back out.
    #[test]
    fn templates_with_any_number(index in 0usize..18, value in any::<u32>(), zeros in 0usize..3) {
        let k = known_errors().iter().filter(|k| k.is_template()).nth(index).unwrap();
        let digits = format!("{}{value}", "0".repeat(zeros));
        let (m0, m1) = (k.message(0), k.message(1));
        let at = m0.bytes().zip(m1.bytes()).position(|(a, b)| a != b).unwrap();
        let message = format!("{}{digits}{}", &m0[..at], &m0[at + 1..]);
        let e = RpcError::parse(420, &message);
        prop_assert_eq!((e.name.as_str(), e.value), (k.name(), Some(value)));
    }

    /// Template-like shapes around arbitrary text never panic.
    #[test]
    fn arbitrary_text(message in "\\PC{0,40}") {
        let e = RpcError::parse(400, &message);
        prop_assert_eq!(e.message.as_str(), message.as_str());
        let _ = e.to_string();
    }
}

/// Layer 230: the seed method's errors are the seed page's five plus what
/// `methods.csv` adds; other functions come from `methods.csv` alone.
#[cfg(feature = "layer230")]
#[test]
fn layer230_metadata() {
    use zerotl_errors::layer230::messages as m230;
    use zerotl_types::layer230::functions as f230;
    type M = f230::messages::ExportChatInvite<'static>;
    assert!(bots_can_use::<M>());
    assert_eq!(
        M::ERRORS,
        [
            (400, "CHANNEL_PRIVATE"),
            (400, "CHAT_ADMIN_REQUIRED"),
            (400, "CHAT_ID_INVALID"),
            (403, "CHAT_WRITE_FORBIDDEN"),
            (400, "EXPIRE_DATE_INVALID"),
            (400, "PEER_ID_INVALID"),
        ]
    );
    let e = RpcError::decode(&hex(
        "19ca4421 93010000 14 434841545f57524954455f464f5242494444454e 000000",
    ))
    .unwrap();
    assert_eq!(
        <M as MethodInfo>::Error::from(e),
        m230::ExportChatInviteError::ChatWriteForbidden
    );
    let e = RpcError::parse(406, "PREVIOUS_CHAT_IMPORT_ACTIVE_WAIT_5MIN");
    let typed = m230::InitHistoryImportError::from(e.clone());
    assert_eq!(
        typed,
        m230::InitHistoryImportError::PreviousChatImportActiveWaitMin(5)
    );
    assert_eq!(typed.as_rpc(), e);
    type Unlisted = f230::account::GetGlobalPrivacySettings;
    assert_eq!(Unlisted::USABILITY, Usability::Unknown);
    assert!(bots_can_use::<Unlisted>());
    assert!(Unlisted::ERRORS.is_empty());
}
