//! `Decode::decode_validated`, the forced-inline re-decode that vector iteration
//! uses, gives exactly what `decode` gives: the same values when it re-reads
//! validated elements, and the same errors when it is handed unchecked bytes
//! through an ordinary reader (only a vector's trusted reader skips checks).

use zerotl::{Decode, Reader, Str, Vector};
use zerotl_types::layer230::{enums, types};

/// Invites with every optional field on or off in turn, one
/// `chatInvitePublicJoinRequests`, and a subscription price on one.
fn invites<'a>(links: &'a [String], title: &'a str) -> Vec<enums::ExportedChatInvite<'a>> {
    let mut out: Vec<_> = links
        .iter()
        .enumerate()
        .map(|(i, link)| {
            let on = |bit: usize| (i >> bit) & 1 == 1;
            enums::ExportedChatInvite::ChatInviteExported(types::ChatInviteExported {
                revoked: on(0),
                permanent: on(1),
                request_needed: on(2),
                link: Str::from(link.as_str()),
                admin_id: -(i as i64) * 1_000_003,
                date: 1_700_000_000 + i as i32,
                start_date: on(3).then_some(1),
                expire_date: on(4).then_some(2),
                usage_limit: on(5).then_some(3),
                usage: on(6).then_some(4),
                requested: on(7).then_some(5),
                subscription_expired: on(8).then_some(6),
                title: on(9).then_some(Str::from(title)),
                subscription_pricing: (i == 5).then_some(enums::StarsSubscriptionPricing::Pricing(
                    types::StarsSubscriptionPricing {
                        period: 2_592_000,
                        amount: 250,
                    },
                )),
            })
        })
        .collect();
    out.insert(3, enums::ExportedChatInvite::ChatInvitePublicJoinRequests);
    out
}

#[test]
fn iteration_returns_the_encoded_values() {
    // Links of every length class: empty, short, around the 253/254 boundary, long.
    let links: Vec<String> = [0, 1, 3, 40, 252, 253, 254, 300]
        .iter()
        .cycle()
        .take(1024)
        .enumerate()
        .map(|(i, &len)| "x".repeat(len) + if i % 2 == 0 { "" } else { "é" })
        .collect();
    let title = "A title with ünïcode";
    let values = invites(&links, title);
    let wire =
        zerotl::encode_to_vec(&Vector::<enums::ExportedChatInvite>::from_slice(&values)).unwrap();
    let decoded = Vector::<enums::ExportedChatInvite>::decode_from_slice(&wire).unwrap();

    // `next` and `fold` both go through `decode_validated`.
    let by_next: Vec<_> = decoded.iter().collect();
    assert_eq!(by_next, values);
    let by_fold = decoded.iter().fold(Vec::new(), |mut acc, v| {
        acc.push(v);
        acc
    });
    assert_eq!(by_fold, values);
    let links_len: usize = decoded
        .iter()
        .map(|v| match v {
            enums::ExportedChatInvite::ChatInviteExported(x) => x.link.len(),
            enums::ExportedChatInvite::ChatInvitePublicJoinRequests => 0,
        })
        .sum();
    assert_eq!(links_len, links.iter().map(String::len).sum::<usize>());
}

#[test]
fn on_unchecked_bytes_it_fails_like_decode() {
    let links = vec!["https://t.me/+abcdefghijklmnop".to_owned(); 1024];
    let values = invites(&links, "title");
    for value in &values {
        let mut wire = zerotl::encode_to_vec(value).unwrap();
        // Every truncation, then an unknown flag bit, then bad padding/UTF-8 bytes.
        let mut inputs: Vec<Vec<u8>> = (0..wire.len()).map(|cut| wire[..cut].to_vec()).collect();
        if wire.len() > 8 {
            wire[7] |= 0x80; // flags bit 31: unknown to chatInviteExported
            inputs.push(wire.clone());
            wire[7] &= !0x80;
            let last = wire.len() - 1;
            wire[last] ^= 0xff; // padding, or the last byte of a field
            inputs.push(wire.clone());
            wire[last] ^= 0xff;
            wire[9] = 0xff; // a byte of the link: invalid UTF-8
            inputs.push(wire);
        }
        for input in &inputs {
            let plain = enums::ExportedChatInvite::decode(&mut Reader::new(input));
            let validated = enums::ExportedChatInvite::decode_validated(&mut Reader::new(input));
            assert_eq!(plain, validated, "{input:02x?}");
        }
    }
}
