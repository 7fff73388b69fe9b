//! Telegram's published RSA public keys, as data.
//!
//! The production data centres offer these fingerprints in `resPQ`; the samples
//! page of core.telegram.org (current revision) shows a production `resPQ`
//! offering `d09d1d85de64fd85`, `0bc35f3509f7b7a5` and `c3b42b026ce86b21`.
//! A test recomputes every fingerprint from its key with our own code.

/// A public key with the fingerprint published for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownKey {
    /// The fingerprint (lower 64 bits of SHA1 of the TL-serialized `n` and `e`), unsigned.
    pub fingerprint: u64,
    /// PKCS#1 PEM (`-----BEGIN RSA PUBLIC KEY-----`).
    pub pem: &'static str,
    /// Where the key was published.
    pub source: &'static str,
}

/// Keys of Telegram's production data centres.
pub const PRODUCTION_KEYS: &[KnownKey] = &[
    KnownKey {
        fingerprint: 0xd09d1d85de64fd85,
        pem: "-----BEGIN RSA PUBLIC KEY-----\n\
MIIBCgKCAQEA6LszBcC1LGzyr992NzE0ieY+BSaOW622Aa9Bd4ZHLl+TuFQ4lo4g\n\
5nKaMBwK/BIb9xUfg0Q29/2mgIR6Zr9krM7HjuIcCzFvDtr+L0GQjae9H0pRB2OO\n\
62cECs5HKhT5DZ98K33vmWiLowc621dQuwKWSQKjWf50XYFw42h21P2KXUGyp2y/\n\
+aEyZ+uVgLLQbRA1dEjSDZ2iGRy12Mk5gpYc397aYp438fsJoHIgJ2lgMv5h7WY9\n\
t6N/byY9Nw9p21Og3AoXSL2q/2IJ1WRUhebgAdGVMlV1fkuOQoEzR7EdpqtQD9Cs\n\
5+bfo3Nhmcyvk5ftB0WkJ9z6bNZ7yxrP8wIDAQAB\n\
-----END RSA PUBLIC KEY-----",
        source: "my.telegram.org and the official Android app (DrKLO/Telegram Handshake.cpp)",
    },
    KnownKey {
        fingerprint: 0x0bc35f3509f7b7a5,
        pem: "-----BEGIN RSA PUBLIC KEY-----\n\
MIIBCgKCAQEAruw2yP/BCcsJliRoW5eBVBVle9dtjJw+OYED160Wybum9SXtBBLX\n\
riwt4rROd9csv0t0OHCaTmRqBcQ0J8fxhN6/cpR1GWgOZRUAiQxoMnlt0R93LCX/\n\
j1dnVa/gVbCjdSxpbrfY2g2L4frzjJvdl84Kd9ORYjDEAyFnEA7dD556OptgLQQ2\n\
e2iVNq8NZLYTzLp5YpOdO1doK+ttrltggTCy5SrKeLoCPPbOgGsdxJxyz5KKcZnS\n\
Lj16yE5HvJQn0CNpRdENvRUXe6tBP78O39oJ8BTHp9oIjd6XWXAsp2CvK45Ol8wF\n\
XGF710w9lwCGNbmNxNYhtIkdqfsEcwR5JwIDAQAB\n\
-----END RSA PUBLIC KEY-----",
        source: "Telethon 1.45 / DrKLO/Telegram key list",
    },
    KnownKey {
        fingerprint: 0x15ae5fa8b5529542,
        pem: "-----BEGIN RSA PUBLIC KEY-----\n\
MIIBCgKCAQEAvfLHfYH2r9R70w8prHblWt/nDkh+XkgpflqQVcnAfSuTtO05lNPs\n\
pQmL8Y2XjVT4t8cT6xAkdgfmmvnvRPOOKPi0OfJXoRVylFzAQG/j83u5K3kRLbae\n\
7fLccVhKZhY46lvsueI1hQdLgNV9n1cQ3TDS2pQOCtovG4eDl9wacrXOJTG2990V\n\
jgnIKNA0UMoP+KF03qzryqIt3oTvZq03DyWdGK+AZjgBLaDKSnC6qD2cFY81UryR\n\
WOab8zKkWAnhw2kFpcqhI0jdV5QaSCExvnsjVaX0Y1N0870931/5Jb9ICe4nweZ9\n\
kSDF/gip3kWLG0o8XQpChDfyvsqB9OLV/wIDAQAB\n\
-----END RSA PUBLIC KEY-----",
        source: "Telethon 1.45 / DrKLO/Telegram key list",
    },
    KnownKey {
        fingerprint: 0xaeae98e13cd7f94f,
        pem: "-----BEGIN RSA PUBLIC KEY-----\n\
MIIBCgKCAQEAs/ditzm+mPND6xkhzwFIz6J/968CtkcSE/7Z2qAJiXbmZ3UDJPGr\n\
zqTDHkO30R8VeRM/Kz2f4nR05GIFiITl4bEjvpy7xqRDspJcCFIOcyXm8abVDhF+\n\
th6knSU0yLtNKuQVP6voMrnt9MV1X92LGZQLgdHZbPQz0Z5qIpaKhdyA8DEvWWvS\n\
Uwwc+yi1/gGaybwlzZwqXYoPOhwMebzKUk0xW14htcJrRrq+PXXQbRzTMynseCoP\n\
Ioke0dtCodbA3qQxQovE16q9zz4Otv2k4j63cz53J+mhkVWAeWxVGI0lltJmWtEY\n\
K6er8VqqWot3nqmWMXogrgRLggv/NbbooQIDAQAB\n\
-----END RSA PUBLIC KEY-----",
        source: "Telethon 1.45 / DrKLO/Telegram key list",
    },
    KnownKey {
        fingerprint: 0x5a181b2235057d98,
        pem: "-----BEGIN RSA PUBLIC KEY-----\n\
MIIBCgKCAQEAvmpxVY7ld/8DAjz6F6q05shjg8/4p6047bn6/m8yPy1RBsvIyvuD\n\
uGnP/RzPEhzXQ9UJ5Ynmh2XJZgHoE9xbnfxL5BXHplJhMtADXKM9bWB11PU1Eioc\n\
3+AXBB8QiNFBn2XI5UkO5hPhbb9mJpjA9Uhw8EdfqJP8QetVsI/xrCEbwEXe0xvi\n\
fRLJbY08/Gp66KpQvy7g8w7VB8wlgePexW3pT13Ap6vuC+mQuJPyiHvSxjEKHgqe\n\
Pji9NP3tJUFQjcECqcm0yV7/2d0t/pbCm+ZH1sadZspQCEPPrtbkQBlvHb4OLiIW\n\
PGHKSMeRFvp3IWcmdJqXahxLCUS1Eh6MAQIDAQAB\n\
-----END RSA PUBLIC KEY-----",
        source: "Telethon 1.45 / DrKLO/Telegram key list",
    },
    KnownKey {
        fingerprint: 0xc3b42b026ce86b21,
        pem: "-----BEGIN RSA PUBLIC KEY-----\n\
MIIBCgKCAQEAwVACPi9w23mF3tBkdZz+zwrzKOaaQdr01vAbU4E1pvkfj4sqDsm6\n\
lyDONS789sVoD/xCS9Y0hkkC3gtL1tSfTlgCMOOul9lcixlEKzwKENj1Yz/s7daS\n\
an9tqw3bfUV/nqgbhGX81v/+7RFAEd+RwFnK7a+XYl9sluzHRyVVaTTveB2GazTw\n\
Efzk2DWgkBluml8OREmvfraX3bkHZJTKX4EQSjBbbdJ2ZXIsRrYOXfaA+xayEGB+\n\
8hdlLmAjbCVfaigxX0CDqWeR1yFL9kwd9P0NsZRPsmoqVwMbMu7mStFai6aIhc3n\n\
Slv8kg9qv1m6XHVQY3PnEw+QQtqSIXklHwIDAQAB\n\
-----END RSA PUBLIC KEY-----",
        source: "the 2013 samples-auth_key page (resPQ offers it); Telethon 1.45 marks it old",
    },
];

/// The key of Telegram's test data centres ( in ).
pub const TEST_KEYS: &[KnownKey] = &[KnownKey {
    fingerprint: 0xb25898df208d2603,
    pem: "-----BEGIN RSA PUBLIC KEY-----\n\
MIIBCgKCAQEAyMEdY1aR+sCR3ZSJrtztKTKqigvO/vBfqACJLZtS7QMgCGXJ6XIR\n\
yy7mx66W0/sOFa7/1mAZtEoIokDP3ShoqF4fVNb6XeqgQfaUHd8wJpDWHcR2OFwv\n\
plUUI1PLTktZ9uW2WE23b+ixNwJjJGwBDJPQEQFBE+vfmH0JP503wr5INS1poWg/\n\
j25sIWeYPHYeOrFp/eXaqhISP6G+q2IeTaWTXpwZj4LzXq5YOpk4bYEQ6mvRq7D1\n\
aHWfYmlEGepfaYR8Q0YqvvhYtMte3ITnuSJs171+GDqpdKcSwHnd6FudwGO4pcCO\n\
j4WcDuXc2CTHgH8gFTNhp/Y8/SpDOhvn9QIDAQAB\n\
-----END RSA PUBLIC KEY-----",
    source: "my.telegram.org (test configuration) and DrKLO/Telegram Handshake.cpp",
}];
