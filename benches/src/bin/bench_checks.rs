//! The checks of `tests/checks.rs` as a program: the peers agree with zerotl on every
//! bench input, zerotl allocates nothing, and the hand-optimized variants agree with the
//! generated code. It panics (exit status 101) on the first failure.
//!
//! `tools/callgrind-ratios.sh` runs it: a binary builds without the dev-dependencies
//! (criterion's tree), where `cargo test` would build them.
//!
//! ```text
//! cargo build --profile bench --bin bench_checks && target/release/bench_checks
//! ```

use zerotl_benches::checks::{self, Inputs};
use zerotl_benches::{hand, CountingAlloc};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

fn main() {
    let inputs = Inputs::new();
    checks::cross_check(&inputs);
    checks::check_allocations(&inputs);
    hand::cross_check(&inputs);
    println!("bench checks: the peers agree, zerotl allocates nothing, the hand variants agree");
}
