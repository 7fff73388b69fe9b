//! MTProto cryptography: Telegram's constructions over well-kept primitives.
//!
//! The primitives come from RustCrypto (`aes`, `ige`, `sha1`, `sha2`, `rsa`) and
//! `num-bigint-dig`; this module only glues them the way
//! `core.telegram.org/mtproto/description` and `/mtproto/auth_key` specify:
//!
//! * [`aes_ige_encrypt_in_place`] / [`aes_ige_decrypt_in_place`]: AES-256 in IGE
//!   mode with Telegram's 32-byte IV (previous-ciphertext half first).
//! * [`AuthKey`]: the 2048-bit authorization key, its `auth_key_id` (low 64 bits
//!   of SHA1) and `auth_key_aux_hash` (high 64 bits).
//! * [`kdf`]: MTProto 2.0 `msg_key` and the AES key/IV derived from it, and the
//!   handshake's `tmp_aes_key`/`tmp_aes_iv`, `new_nonce_hash*` and first server salt.
//! * `rsa` (feature `alloc`): Telegram's RSA key fingerprints, `RSA_PAD` (MTProto
//!   2.0) and the legacy SHA1 padding (accepted by the server side for older clients).
//! * [`keys`]: Telegram's published RSA public keys, as data.
//! * [`factor`]: bounded Pollard-Brent factorisation of `pq`.
//! * `dh` (feature `alloc`): the Diffie-Hellman safety checks of the key exchange.
//!
//! Nothing here does I/O; randomness is always passed in by the caller.

mod aes_ige;
mod auth_key;
#[cfg(feature = "alloc")]
pub mod dh;
pub mod factor;
mod hash;
pub mod kdf;
pub mod keys;
#[cfg(feature = "alloc")]
pub mod rsa;

#[cfg(feature = "alloc")]
pub use aes_ige::{aes_ige_decrypt, aes_ige_encrypt};
pub use aes_ige::{aes_ige_decrypt_in_place, aes_ige_encrypt_in_place, IgeError};
pub use auth_key::AuthKey;
pub use hash::{sha1, sha256};
