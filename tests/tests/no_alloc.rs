//! Decoding and encoding the seed types allocates nothing: a counting global
//! allocator (per thread, so parallel tests do not interfere) sees zero allocations
//! around every decode and encode of every seed vector and of hostile inputs.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use zerotl::{Decode, Encode};
use zerotl_tests::vectors;
use zerotl_types::layer122::{enums, functions};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

#[allow(unsafe_code)]
// SAFETY: forwards every call to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made by `f` on this thread.
fn allocations<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let before = ALLOCATIONS.with(Cell::get);
    let r = f();
    (r, ALLOCATIONS.with(Cell::get) - before)
}

fn decode_encode<'a, T: Decode<'a> + Encode>(bytes: &'a [u8], out: &mut [u8]) -> usize {
    let v = T::decode_from_slice(bytes).expect("seed vector decodes");
    // Walk lazily held parts too, as a user would.
    v.encode_to_slice(out).expect("fits")
}

#[test]
fn the_counter_sees_allocations() {
    let (v, count) = allocations(|| Vec::<u8>::with_capacity(16));
    assert!(count >= 1 && v.capacity() >= 16);
}

#[test]
fn seed_types_decode_and_encode_without_allocating() {
    let vs = vectors("seed.jsonl");
    let mut out = [0u8; 2048];
    let mut total = 0;
    for v in &vs {
        let (n, count) = allocations(|| match v.ty.as_str() {
            "InputPeer" => {
                let n = decode_encode::<enums::InputPeer>(&v.bytes, &mut out);
                // Follow recursive fields through Lazy::get.
                let mut p = enums::InputPeer::decode_from_slice(&v.bytes).unwrap();
                loop {
                    p = match p {
                        enums::InputPeer::UserFromMessage(x) => x.peer.get().unwrap(),
                        enums::InputPeer::ChannelFromMessage(x) => x.peer.get().unwrap(),
                        _ => break,
                    };
                }
                n
            }
            "ExportedChatInvite" => {
                let n = decode_encode::<enums::ExportedChatInvite>(&v.bytes, &mut out);
                if let enums::ExportedChatInvite::ChatInviteExported(x) =
                    enums::ExportedChatInvite::decode_from_slice(&v.bytes).unwrap()
                {
                    assert!(x.link.as_str().len() == x.link.len());
                }
                n
            }
            "messages.exportChatInvite" => {
                decode_encode::<functions::messages::ExportChatInvite>(&v.bytes, &mut out)
            }
            other => panic!("unexpected {other}"),
        });
        assert_eq!(count, 0, "{} allocated {count} times", v.name);
        assert_eq!(&out[..n], &v.bytes[..], "{}", v.name);
        total += 1;
    }
    assert_eq!(total, vs.len());
}

#[test]
fn building_and_encoding_a_request_does_not_allocate() {
    use zerotl_types::layer122::types;
    let mut out = [0u8; 64];
    let (n, count) = allocations(|| {
        let inner = enums::InputPeer::Channel(types::InputPeerChannel {
            channel_id: 10,
            access_hash: 1010,
        });
        let peer = enums::InputPeer::ChannelFromMessage(types::InputPeerChannelFromMessage {
            peer: zerotl::Lazy::new(&inner),
            msg_id: 5,
            channel_id: 10,
        });
        functions::messages::ExportChatInvite { peer }
            .encode_to_slice(&mut out)
            .unwrap()
    });
    assert_eq!(count, 0);
    assert_eq!(n, 4 + 4 + 16 + 8);
}

#[test]
fn hostile_inputs_fail_without_allocating() {
    let mut deep = Vec::new();
    for _ in 0..10_000 {
        deep.extend_from_slice(&0x17bae2e6u32.to_le_bytes());
    }
    let inputs: [&[u8]; 4] = [
        &[0xbc, 0x05, 0x2e, 0xfc, 0xfe, 0xff, 0xff, 0xff, 0, 0, 0, 0], // 16 MiB string claim
        &[0xfe, 0xff, 0xff, 0xff], // grammers' 16 MiB reservation
        &deep,
        &[0x15, 0xc4, 0xb5, 0x1c, 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0],
    ];
    for input in inputs {
        let ((a, b, c), count) = allocations(|| {
            (
                enums::ExportedChatInvite::decode_from_slice(input).is_err(),
                enums::InputPeer::decode_from_slice(input).is_err(),
                zerotl::Vector::<zerotl::Str>::decode_from_slice(input).is_err(),
            )
        });
        assert!(a && b && c);
        assert_eq!(count, 0);
    }
}
