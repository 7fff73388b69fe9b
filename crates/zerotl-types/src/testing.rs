//! Helpers for the generated proptest strategies (feature `proptest`): they leak
//! test data so that generated values can borrow it for `'static`.

use std::boxed::Box;
use std::string::String;
use std::vec::Vec;

/// Leaks a value.
pub fn leak<T>(v: T) -> &'static T {
    Box::leak(Box::new(v))
}

/// Leaks a string.
pub fn leak_str(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// Leaks bytes.
pub fn leak_bytes(b: Vec<u8>) -> &'static [u8] {
    Box::leak(b.into_boxed_slice())
}

/// Leaks a vector's elements.
pub fn leak_slice<T>(v: Vec<T>) -> &'static [T] {
    Box::leak(v.into_boxed_slice())
}
