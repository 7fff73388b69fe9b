//! The setup checks of the benches as tests: the peers agree with zerotl on every bench
//! input, the seed shapes match the bytes of Telegram's docs, zerotl allocates nothing, and the
//! hand-optimized variants agree with the generated code.
//!
//! Run with `cargo test --release` (it shares the bench build); `src/bin/bench_checks.rs`
//! runs the same checks as a program, which CI builds without criterion.

use zerotl_benches::checks::{self, Inputs};
use zerotl_benches::{hand, CountingAlloc};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

#[test]
fn peers_agree_on_every_input() {
    checks::cross_check(&Inputs::new());
}

#[test]
fn zerotl_allocates_nothing_and_peers_do() {
    checks::check_allocations(&Inputs::new());
}

#[test]
fn hand_variants_match_generated_code() {
    hand::cross_check(&Inputs::new());
}
