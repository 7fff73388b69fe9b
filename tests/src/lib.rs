//! Shared helpers for zerotl's integration tests: loading the golden vectors copied
//! from GramJS into `data/vectors`, comparing JSON the way the mapping defines it,
//! and the list of vectors GramJS itself got wrong.

use std::path::PathBuf;

use serde_json::Value;

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// One line of a `data/vectors/*.jsonl` file.
#[derive(Debug, Clone)]
pub struct Vector {
    /// The API layer.
    pub layer: u32,
    /// The constructor or function name.
    pub name: String,
    /// The boxed type (or the function name).
    pub ty: String,
    /// The wire bytes.
    pub bytes: Vec<u8>,
    /// The JSON mapping of the bytes.
    pub json: Value,
}

/// Reads `data/vectors/<file>`.
pub fn vectors(file: &str) -> Vec<Vector> {
    let path = root().join("data/vectors").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("vector line is JSON");
            Vector {
                layer: v["layer"].as_u64().expect("layer") as u32,
                name: v["name"].as_str().expect("name").to_owned(),
                ty: v["type"].as_str().expect("type").to_owned(),
                bytes: unhex(v["hex"].as_str().expect("hex")),
                json: v["json"].clone(),
            }
        })
        .collect()
}

/// Hex to bytes (panics on bad hex: test data only).
pub fn unhex(s: &str) -> Vec<u8> {
    assert!(s.len() % 2 == 0, "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex digit"))
        .collect()
}

/// Bytes to lower-case hex.
pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// JSON equality where numbers compare by value (`1.5` == `1.5`, `1e300` == `1e+300`,
/// `3` == `3.0`), objects ignore key order, everything else is exact.
pub fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(p), Some(q)) => p == q,
            _ => match (x.as_u64(), y.as_u64()) {
                (Some(p), Some(q)) => p == q,
                _ => x.as_f64() == y.as_f64(),
            },
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// What GramJS got wrong in a vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Broken {
    /// The JSON GramJS printed is not what its own bytes mean (the bytes are valid).
    Json,
    /// The bytes are not valid for the schema: they do not decode.
    Bytes,
}

/// Vectors GramJS produced wrongly, with the reason. Every case is the same GramJS
/// behaviour: its random instances set fields that share one flag bit
/// independently, although the bit can only say "all present" or "all absent".
/// zerotl refuses to encode such JSON (the error names the shared bit) and refuses
/// to decode the invalid bytes; the tests check exactly that.
pub const GRAMJS_WRONG: &[(u32, &str, Broken, &str)] = &[
    (
        122,
        "account.initTakeoutSession",
        Broken::Json,
        "`files:flags.5?true` shares bit 5 with `file_max_size:flags.5?int`; GramJS prints files=false while writing file_max_size, which sets the bit (so the bytes say files=true)",
    ),
    (
        122,
        "account.uploadWallPaper",
        Broken::Bytes,
        "wallPaperSettings `second_background_color` and `rotation` share flags.4; GramJS wrote one of them, so the bytes end early",
    ),
    (
        230,
        "phone.createConferenceCall",
        Broken::Bytes,
        "`public_key`, `block` and `params` share flags.3; GramJS omitted `params` while setting the bit",
    ),
    (
        230,
        "messages.translateText",
        Broken::Bytes,
        "`peer:flags.0?InputPeer` and `id:flags.0?Vector<int>` share bit 0; GramJS wrote `peer` without `id`",
    ),
];

/// How GramJS broke this vector, if it did.
pub fn gramjs_wrong(layer: u32, name: &str) -> Option<Broken> {
    GRAMJS_WRONG
        .iter()
        .find(|w| w.0 == layer && w.1 == name)
        .map(|w| w.2)
}
