//! A `#![no_std]` WebAssembly module with no global allocator (linking would fail if
//! anything needed one) that decodes and re-encodes the seed types of layer 122.
//!
//! The host (see `run.mjs`) writes input bytes at `input_ptr()`, calls
//! `roundtrip(kind, len)` and reads the re-encoded bytes at `output_ptr()`.
//! Buffers are arrays of atomics, so this crate needs no `unsafe` beyond the
//! `#[no_mangle]` exports themselves.
#![no_std]
#![deny(unsafe_code)]

use core::sync::atomic::{AtomicU8, Ordering};

use zerotl::{Decode, Encode};
use zerotl_types::layer122::{enums, functions};

const CAP: usize = 4096;

static INPUT: [AtomicU8; CAP] = [const { AtomicU8::new(0) }; CAP];
static OUTPUT: [AtomicU8; CAP] = [const { AtomicU8::new(0) }; CAP];

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

/// Where the host writes the input.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn input_ptr() -> usize {
    INPUT.as_ptr() as usize
}

/// Where the host reads the output.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn output_ptr() -> usize {
    OUTPUT.as_ptr() as usize
}

/// The buffers' capacity in bytes.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn capacity() -> usize {
    CAP
}

/// Decodes `len` input bytes as a seed type (`kind` 0: `InputPeer`, 1:
/// `ExportedChatInvite`, 2: `messages.exportChatInvite`) and re-encodes it into the
/// output. Returns the output length, or a negative number: -1 bad arguments, -2 the
/// input does not decode, -3 the output does not fit.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn roundtrip(kind: u32, len: usize) -> i32 {
    if len > CAP {
        return -1;
    }
    let mut input = [0u8; CAP];
    for (dst, src) in input.iter_mut().zip(&INPUT).take(len) {
        *dst = src.load(Ordering::Relaxed);
    }
    let input = &input[..len];
    let mut out = [0u8; CAP];
    let written = match kind {
        0 => encode(enums::InputPeer::decode_from_slice(input), &mut out),
        1 => encode(
            enums::ExportedChatInvite::decode_from_slice(input),
            &mut out,
        ),
        2 => encode(
            functions::messages::ExportChatInvite::decode_from_slice(input),
            &mut out,
        ),
        _ => return -1,
    };
    match written {
        Ok(n) => {
            for (dst, src) in OUTPUT.iter().zip(&out[..n]) {
                dst.store(*src, Ordering::Relaxed);
            }
            n as i32
        }
        Err(code) => code,
    }
}

fn encode<T: Encode>(value: Result<T, zerotl::DecodeError>, out: &mut [u8]) -> Result<usize, i32> {
    let value = value.map_err(|_| -2)?;
    value.encode_to_slice(out).map_err(|_| -3)
}
