//! The setup checks of the benches as tests: the peers agree with zerotl on every bench
//! input, the seed shapes match the bytes of Telegram's docs, zerotl allocates nothing, and the
//! hand-optimized variants agree with the generated code.
//!
//! Run with `cargo test --release` (it shares the bench build).

use zerotl_benches::checks::{self, Inputs};
use zerotl_benches::{count_allocations, hand, CountingAlloc};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

#[test]
fn peers_agree_on_every_input() {
    checks::cross_check(&Inputs::new());
}

#[test]
fn zerotl_allocates_nothing_and_peers_do() {
    let inputs = Inputs::new();
    let rows = checks::allocation_counts(&inputs);
    checks::assert_zerotl_allocates_nothing(&rows);
    let count = |name: &str| {
        rows.iter()
            .find(|r| r.bench == name)
            .unwrap_or_else(|| panic!("no row {name}"))
            .allocations
    };
    // grammers owns its strings: at least one allocation per link.
    assert!(count("decode_exported_chat_invites_1000/grammers") >= 1000);
    assert!(count("throughput_upload_file_1mib_decode/grammers") >= 1);
    // The counter really counts.
    let ((), n) = count_allocations(|| drop(std::hint::black_box(vec![1u8; 10])));
    assert_eq!(n, 1);
}

#[test]
fn hand_variants_match_generated_code() {
    hand::cross_check(&Inputs::new());
}
