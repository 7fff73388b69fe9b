//! Hand-optimized copies of generated zerotl code, measured next to the generated code
//! to test the proposals in `README.md` ("Profile"). They use only zerotl's public API
//! and are checked against the generated code in [`cross_check`]; nothing here is used
//! by the real benches' zerotl numbers.

use zerotl::{DecodeError, DecodeErrorKind, Encode, Reader};
use zerotl_types::layer230 as l230;

use crate::checks::Inputs;

/// `chatInviteExported#a22cbd96` (layer 230).
const CHAT_INVITE_EXPORTED: u32 = 0xa22c_bd96;
/// `chatInvitePublicJoinRequests#ed107ab7`.
const CHAT_INVITE_PUBLIC_JOIN_REQUESTS: u32 = 0xed10_7ab7;
/// `starsSubscriptionPricing#5416d58 period:int amount:long`.
const STARS_SUBSCRIPTION_PRICING: u32 = 0x0541_6d58;
/// The `int` fields of `chatInviteExported` that sit one after the other after
/// `date`, by flag bit: start_date (4), expire_date (1), usage_limit (2), usage (3),
/// requested (7), subscription_expired (10).
const OPTIONAL_INT_BITS: u32 = 1 << 4 | 1 << 1 | 1 << 2 | 1 << 3 | 1 << 7 | 1 << 10;

/// Proposal A: validate a `chatInviteExported` without building it. Same checks as the
/// generated `decode` (unknown flags, string rules, UTF-8, truncation), but the six
/// optional ints are one bounds check (`popcount * 4` bytes) and `admin_id` + `date`
/// one `read_array::<12>`, and no struct is assembled.
#[inline]
fn skip_chat_invite_exported(r: &mut Reader<'_>) -> Result<(), DecodeError> {
    let flags = r.read_flags(0x0000_07ff, "chatInviteExported")?;
    skip_string(r)?;
    r.read_array::<12>()?;
    r.skip(4 * (flags & OPTIONAL_INT_BITS).count_ones() as usize)?;
    if flags & (1 << 8) != 0 {
        skip_string(r)?;
    }
    if flags & (1 << 9) != 0 {
        r.expect_id(STARS_SUBSCRIPTION_PRICING, "starsSubscriptionPricing")?;
        r.read_array::<12>()?;
    }
    Ok(())
}

#[inline]
fn skip_string(r: &mut Reader<'_>) -> Result<(), DecodeError> {
    let at = r.position();
    let data = r.read_tl_bytes()?;
    if !data.is_ascii() && core::str::from_utf8(data).is_err() {
        return Err(r.error_at(DecodeErrorKind::InvalidUtf8, at));
    }
    Ok(())
}

/// Proposal A applied to `Vector<ExportedChatInvite>`: the validation pass the lazy
/// vector runs at decode time, without building any element. Returns the count.
pub fn validate_invites(bytes: &[u8]) -> Result<u32, DecodeError> {
    let mut r = Reader::new(bytes);
    r.expect_id(0xbdc6_2dcc, "messages.exportedChatInvites")?;
    r.read_i32()?;
    r.expect_id(zerotl::VECTOR_ID, "Vector")?;
    let n = r.read_count(4)?;
    for _ in 0..n {
        let at = r.position();
        match r.read_u32()? {
            CHAT_INVITE_EXPORTED => skip_chat_invite_exported(&mut r)?,
            CHAT_INVITE_PUBLIC_JOIN_REQUESTS => {}
            id => {
                return Err(r.error_at(
                    DecodeErrorKind::UnknownConstructor {
                        id,
                        expected: "ExportedChatInvite",
                    },
                    at,
                ))
            }
        }
    }
    // users: Vector<User>, empty in the bench input.
    zerotl::Decode::decode(&mut r).map(|_: zerotl::Vector<'_, l230::enums::User<'_>>| ())?;
    r.finish()?;
    Ok(n)
}

/// Proposal B: `Vector<long>` encoded with one bounds check for the whole run
/// (`chunks_exact_mut` + `to_le_bytes`, which compiles to a straight copy on
/// little-endian targets) instead of one `put_i64` per element. Writes the same
/// `messageActionChatAddUser` as `zerotl_ops::encode_longs`.
pub fn encode_longs(users: &[i64], out: &mut [u8]) -> usize {
    let needed = 12 + 8 * users.len();
    let (head, body) = out[..needed].split_at_mut(12);
    head[..4].copy_from_slice(&0x15ce_fd00u32.to_le_bytes());
    head[4..8].copy_from_slice(&zerotl::VECTOR_ID.to_le_bytes());
    head[8..].copy_from_slice(&(users.len() as u32).to_le_bytes());
    for (dst, v) in body.chunks_exact_mut(8).zip(users) {
        dst.copy_from_slice(&v.to_le_bytes());
    }
    needed
}

/// Proposal D: iterate a decoded `Vector<long>` as fixed 8-byte chunks of its
/// (already validated) wire bytes instead of one `Reader::read_i64` per element.
/// Same `messageActionChatAddUser` and the same sum as `zerotl_ops::sum_longs`.
pub fn sum_longs(bytes: &[u8]) -> i64 {
    use zerotl::Decode;
    match l230::enums::MessageAction::decode_from_slice(bytes).expect("valid input") {
        l230::enums::MessageAction::ChatAddUser(a) => a
            .users
            .wire_bytes()
            .expect("a decoded vector keeps its bytes")
            .chunks_exact(8)
            .map(|c| i64::from_le_bytes(c.try_into().expect("8 bytes")))
            .fold(0i64, |acc, x| acc.wrapping_add(x)),
        _ => 0,
    }
}

/// Proposal C: the generated `ExportChatInvite::encode` for the bench's request shape,
/// writing through one pre-checked slice instead of a `Writer` that re-checks bounds
/// and its error state on every put.
pub fn encode_export_chat_invite(
    v: &l230::functions::messages::ExportChatInvite<'_>,
    out: &mut [u8],
) -> usize {
    let needed = v.encoded_len();
    let out = &mut out[..needed];
    let mut pos = 0;
    let mut put = |bytes: &[u8]| {
        out[pos..pos + bytes.len()].copy_from_slice(bytes);
        pos += bytes.len();
    };
    put(&0xa455_de90u32.to_le_bytes());
    let flags = u32::from(v.legacy_revoke_permanent) << 2
        | u32::from(v.request_needed) << 3
        | u32::from(v.expire_date.is_some())
        | u32::from(v.usage_limit.is_some()) << 1
        | u32::from(v.title.is_some()) << 4
        | u32::from(v.subscription_pricing.is_some()) << 5;
    put(&flags.to_le_bytes());
    match &v.peer {
        l230::enums::InputPeer::Channel(c) => {
            put(&0x27bc_bbfcu32.to_le_bytes());
            put(&c.channel_id.to_le_bytes());
            put(&c.access_hash.to_le_bytes());
        }
        other => {
            let n = other.encoded_len();
            let mut tmp = [0u8; 64];
            other.encode_to_slice(&mut tmp).expect("small peer");
            put(&tmp[..n]);
        }
    }
    if let Some(x) = v.expire_date {
        put(&x.to_le_bytes());
    }
    if let Some(x) = v.usage_limit {
        put(&x.to_le_bytes());
    }
    if let Some(t) = &v.title {
        let b = t.as_bytes();
        let header = if b.len() <= 253 {
            put(&[b.len() as u8]);
            1
        } else {
            let l = (b.len() as u32).to_le_bytes();
            put(&[254, l[0], l[1], l[2]]);
            4
        };
        put(b);
        put(&[0u8; 3][..(4 - (header + b.len()) % 4) % 4]);
    }
    if let Some(p) = &v.subscription_pricing {
        let n = p.encoded_len();
        let mut tmp = [0u8; 64];
        p.encode_to_slice(&mut tmp).expect("small value");
        put(&tmp[..n]);
    }
    pos
}

/// The validation pass of bench 1 with proposals A-C (`hand_validate_only`, to compare
/// with `zerotl_decode_only`): returns the number of invites.
pub fn validate_only(bytes: &[u8]) -> usize {
    validate_invites(bytes).expect("valid input") as usize
}

/// Panics unless every hand variant agrees with the generated code on the bench inputs
/// (and rejects what the generated code rejects on a few broken inputs).
pub fn cross_check(inp: &Inputs) {
    assert_eq!(
        validate_invites(&inp.invites).map(|n| n as usize),
        Ok(crate::fixtures::INVITE_COUNT)
    );
    // Every truncation fails in both, as a truncation, at an offset inside the input.
    // (The offsets can differ: each reports the start of the read it could not do, and
    // the two merge different fields into one read, see README.)
    for cut in 0..inp.invites.len() {
        let generated =
            <l230::enums::messages::ExportedChatInvites<'_> as zerotl::Decode>::decode_from_slice(
                &inp.invites[..cut],
            )
            .expect_err("truncated input must fail");
        let hand = validate_invites(&inp.invites[..cut]).expect_err("truncated input must fail");
        assert!(
            generated.kind().is_truncation(),
            "cut at {cut}: {generated:?}"
        );
        assert!(hand.kind().is_truncation(), "cut at {cut}: {hand:?}");
        assert!(
            hand.offset() <= cut && generated.offset() <= cut,
            "cut at {cut}"
        );
    }
    // A flipped flag bit outside the known set, and invalid UTF-8 in a link, fail alike.
    let mut bad = inp.invites.clone();
    let first_flags = 16 + 4; // id, count, Vector id, length, element id
    bad[first_flags + 1] |= 0x80; // bit 15
    assert_eq!(
        validate_invites(&bad).map(|_| ()),
        <l230::enums::messages::ExportedChatInvites<'_> as zerotl::Decode>::decode_from_slice(&bad)
            .map(|_| ())
    );
    let mut bad = inp.invites.clone();
    bad[first_flags + 4 + 1] = 0xff; // first byte of the first link
    let generated =
        <l230::enums::messages::ExportedChatInvites<'_> as zerotl::Decode>::decode_from_slice(&bad)
            .map(|_| ());
    assert!(generated.is_err());
    assert_eq!(validate_invites(&bad).map(|_| ()), generated);
    assert_eq!(
        sum_longs(&inp.chat_add_user),
        crate::zerotl_ops::sum_longs(&inp.chat_add_user)
    );
    let mut a = inp.out_buffer();
    let mut b = inp.out_buffer();
    let n = encode_longs(&inp.longs, &mut a);
    assert_eq!(&a[..n], &inp.chat_add_user[..]);
    let request = crate::fixtures::export_chat_invite_230();
    let n = encode_export_chat_invite(&request, &mut b);
    assert_eq!(&b[..n], &inp.export_request[..]);
}
