//! Properties of the envelope: message ids under any clock, container and plain
//! message round trips, and no panic on arbitrary input.

use std::cell::Cell;
use std::time::Duration;
use zerotl::Identifiable as _;

use proptest::prelude::*;
use zerotl::Object;
use zerotl_mtproto::envelope::{
    classify, encode_container, Container, MsgIdGenerator, MsgIdKind, PlainMessage, SeqNoGenerator,
};
use zerotl_mtproto::UnixTime;
use zerotl_types::mtproto::types;

fn kind() -> impl Strategy<Value = MsgIdKind> {
    prop::sample::select(vec![
        MsgIdKind::Client,
        MsgIdKind::ServerResponse,
        MsgIdKind::ServerOther,
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Whatever the clock does (stall, jump back, jump ahead, sub-second steps),
    /// ids strictly increase, have their kind's parity, never have zero low bits,
    /// and are never behind the clock.
    #[test]
    fn msg_ids_are_monotonic_with_parity(
        start in 1_600_000_000u64..1_900_000_000,
        steps in prop::collection::vec((-5_000_000_000i64..5_000_000_000, kind(), 0u8..4), 1..200),
        offset in -100i64..100,
    ) {
        let now = Cell::new(Duration::from_secs(start));
        let mut ids = MsgIdGenerator::new();
        ids.set_time_offset(offset);
        let mut last = i64::MIN;
        for (delta_ns, kind, moves) in steps {
            if moves != 0 {
                let t = now.get().as_nanos() as i64 + delta_ns;
                now.set(Duration::from_nanos(t.max(0) as u64));
            }
            let id = ids.next(kind, UnixTime::from_duration_since_epoch(now.get()));
            prop_assert!(id > last, "{id:#x} after {last:#x}");
            prop_assert_eq!(id as u64 % 4, kind.remainder());
            prop_assert_eq!(MsgIdKind::of(id), Some(kind));
            prop_assert_ne!(id as u32, 0);
            prop_assert!((id >> 32) >= now.get().as_secs() as i64 + offset);
            last = id;
        }
    }

    #[test]
    fn seq_nos_count_content_related(flags in prop::collection::vec(any::<bool>(), 0..100)) {
        let mut seq = SeqNoGenerator::new();
        let mut count = 0;
        for cr in flags {
            let s = seq.next(cr);
            prop_assert_eq!(s & 1 == 1, cr);
            prop_assert_eq!(s, 2 * count + i32::from(cr));
            count += i32::from(cr);
        }
    }

    #[test]
    fn containers_round_trip(
        msgs in prop::collection::vec(
            (any::<i64>(), any::<i32>(), (1usize..40).prop_flat_map(|w| prop::collection::vec(any::<u8>(), w * 4))),
            0..20,
        ),
    ) {
        // Bodies must not start with the container id.
        let msgs: Vec<(i64, i32, Vec<u8>)> = msgs
            .into_iter()
            .map(|(id, seq, mut body)| {
                if body[..4] == types::MsgContainer::CONSTRUCTOR_ID.to_le_bytes() {
                    body[0] ^= 1;
                }
                (id, seq, body)
            })
            .collect();
        let list: Vec<types::Message<'_>> = msgs
            .iter()
            .map(|(id, seq, body)| types::Message { msg_id: *id, seqno: *seq, body: Object::from_bytes(body) })
            .collect();
        let mut wire = Vec::new();
        encode_container(&list, &mut wire).unwrap();
        let c = Container::parse(&wire).unwrap();
        prop_assert_eq!(c.iter().collect::<Vec<_>>(), list);
        for cut in 0..wire.len() {
            prop_assert!(Container::parse(&wire[..cut]).is_err());
        }
    }

    #[test]
    fn plain_messages_round_trip(msg_id in any::<i64>(), words in 1usize..64, fill in any::<u8>()) {
        let body = vec![fill; words * 4];
        let msg = PlainMessage { msg_id, body: &body };
        let mut wire = Vec::new();
        msg.encode(&mut wire).unwrap();
        prop_assert_eq!(wire.len(), msg.encoded_len());
        prop_assert_eq!(PlainMessage::decode(&wire), Ok(msg));
    }

    /// Arbitrary bytes, and arbitrary bytes behind each service id, never panic.
    #[test]
    fn no_panic_on_arbitrary_bodies(
        id in prop::sample::select(vec![
            0xf35c6d01u32, 0x2144ca19, 0x3072cfa1, 0x73f1f8dc, 0x62d6b459,
            0xa7eff811, 0xedab447b, 0x9ec20908, 0x347773c5, 0x12345678,
        ]),
        rest in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        let mut body = id.to_le_bytes().to_vec();
        body.extend_from_slice(&rest);
        let _ = classify(&body);
        let _ = classify(&rest);
        let _ = Container::parse(&body);
        let _ = PlainMessage::decode(&rest);
        let _ = zerotl_mtproto::envelope::gzip::unpack(&body, 1 << 16);
    }
}
