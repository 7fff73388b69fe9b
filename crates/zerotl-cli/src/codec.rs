//! `zerotl decode` and `zerotl encode`.

use std::io::{self, BufRead, Write};

use clap::Args;
use serde_json::Value;
use zerotl_types::json;
use zerotl_types::schema::Schema;

/// Longest input line `--batch` reads (64 MiB): enough for any TL message (strings
/// stop at 16 MiB), small enough that a hostile line cannot exhaust memory.
const MAX_LINE: usize = 64 << 20;

/// Arguments of `zerotl decode`.
#[derive(Args)]
pub struct DecodeArgs {
    /// The API layer: 122 (the seed layer) or 230.
    #[arg(long, default_value_t = 122)]
    layer: u32,
    /// Decode as this type (`InputPeer`, `inputPeerChat` for a bare constructor,
    /// `Vector<long>`, ...) instead of a boxed object read by its id.
    #[arg(long = "type")]
    ty: Option<String>,
    /// Read one hex input per stdin line; write one line per input.
    #[arg(long)]
    batch: bool,
    /// Show an Object field (rpc_result.result, invokeWithLayer.query, ...) whose
    /// bytes do not decode as {"_": "<raw>", "bytes": "<base64>"} instead of failing.
    #[arg(long)]
    raw_objects: bool,
    /// The hex bytes (whitespace ignored).
    hex: Option<String>,
}

/// Arguments of `zerotl encode`.
#[derive(Args)]
pub struct EncodeArgs {
    /// The API layer: 122 (the seed layer) or 230.
    #[arg(long, default_value_t = 122)]
    layer: u32,
    /// Read one JSON input per stdin line; write one line per input.
    #[arg(long)]
    batch: bool,
    /// The JSON object (`{"_": "name", ...}`).
    json: Option<String>,
}

/// The schema of a layer number.
pub fn layer(n: u32) -> Result<&'static Schema, String> {
    match n {
        122 => Ok(&zerotl_types::layer122::schema::SCHEMA),
        230 => Ok(&zerotl_types::layer230::schema::SCHEMA),
        other => Err(format!(
            "unknown layer {other} (this build has 122 and 230)"
        )),
    }
}

/// Parses hex, ignoring ASCII whitespace.
pub fn parse_hex(s: &str) -> Result<Vec<u8>, String> {
    let digits: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if digits.is_empty() {
        return Err("empty input".into());
    }
    if digits.len() % 2 != 0 {
        return Err(format!("odd number of hex digits ({})", digits.len()));
    }
    let val = |c: u8, at: usize| match c {
        b'0'..=b'9' => Ok(c - b'0'),
        b'a'..=b'f' => Ok(c - b'a' + 10),
        b'A'..=b'F' => Ok(c - b'A' + 10),
        _ => Err(format!("invalid hex digit {:?} at digit {at}", c as char)),
    };
    digits
        .chunks(2)
        .enumerate()
        .map(|(i, p)| Ok(val(p[0], 2 * i)? << 4 | val(p[1], 2 * i + 1)?))
        .collect()
}

/// Lower-case hex.
pub fn to_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn decode_one(
    layer: &'static Schema,
    options: json::DecodeOptions,
    ty: Option<&str>,
    input: &str,
) -> Result<String, String> {
    let bytes = parse_hex(input)?;
    let v = match ty {
        None => options.bytes_to_json(layer, &bytes),
        Some(t) => options.bytes_to_json_as(layer, t, &bytes),
    }
    .map_err(|e| match e {
        json::JsonDecodeError::Object { .. } => {
            format!("{e}; --raw-objects shows such bytes as base64")
        }
        json::JsonDecodeError::UnknownId { id, .. } if id == zerotl::VECTOR_ID => {
            format!("{e}; --type names it (Vector<long>, Vector<InputPeer>, ...)")
        }
        other => other.to_string(),
    })?;
    serde_json::to_string(&v).map_err(|e| e.to_string())
}

fn encode_one(layer: &'static Schema, input: &str) -> Result<String, String> {
    let input = input.trim();
    if input.is_empty() {
        return Err("empty input".into());
    }
    let v: Value = serde_json::from_str(input).map_err(|e| format!("invalid JSON: {e}"))?;
    json::json_to_bytes(layer, &v)
        .map(|b| to_hex(&b))
        .map_err(|e| e.to_string())
}

/// Runs `f` on every stdin line, writing exactly one output line per input line.
fn batch(f: impl Fn(&str) -> Result<String, String>) -> Result<(), String> {
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut line = Vec::new();
    loop {
        line.clear();
        let (n, too_long) = read_line_bounded(&mut input, &mut line).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        let result = if too_long {
            Err(format!("line longer than {MAX_LINE} bytes"))
        } else {
            match std::str::from_utf8(&line) {
                Ok(s) => f(s.trim_end_matches(['\n', '\r'])),
                Err(_) => Err("line is not UTF-8".into()),
            }
        };
        let text = match result {
            Ok(s) => s,
            Err(e) => serde_json::json!({ "error": e }).to_string(),
        };
        writeln!(out, "{text}").map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())
}

/// Reads one line (through `\n`) into `buf`, keeping at most [`MAX_LINE`] bytes and
/// discarding the rest. Returns the bytes consumed and whether the line was cut.
fn read_line_bounded(r: &mut impl BufRead, buf: &mut Vec<u8>) -> io::Result<(usize, bool)> {
    let mut consumed = 0;
    let mut too_long = false;
    loop {
        let chunk = r.fill_buf()?;
        if chunk.is_empty() {
            return Ok((consumed, too_long));
        }
        let (part, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (&chunk[..=i], true),
            None => (chunk, false),
        };
        let room = MAX_LINE.saturating_sub(buf.len());
        if part.len() > room {
            too_long = true;
        }
        buf.extend_from_slice(&part[..part.len().min(room)]);
        let n = part.len();
        r.consume(n);
        consumed += n;
        if done {
            return Ok((consumed, too_long));
        }
    }
}

fn single_input(arg: Option<String>, what: &str) -> Result<String, String> {
    match arg {
        Some(s) => Ok(s),
        None => {
            let mut s = String::new();
            io::stdin()
                .lock()
                .read_line(&mut s)
                .map_err(|e| e.to_string())?;
            if s.trim().is_empty() {
                Err(format!(
                    "no {what} given (pass it as an argument, or use --batch)"
                ))
            } else {
                Ok(s)
            }
        }
    }
}

/// `zerotl decode`.
pub fn decode(a: DecodeArgs) -> Result<(), String> {
    let layer = layer(a.layer)?;
    let ty = a.ty.as_deref();
    let options = json::DecodeOptions::default().raw_objects(a.raw_objects);
    if a.batch {
        return batch(|line| decode_one(layer, options, ty, line));
    }
    let input = single_input(a.hex, "hex input")?;
    out!("{}", decode_one(layer, options, ty, &input)?);
    Ok(())
}

/// `zerotl encode`.
pub fn encode(a: EncodeArgs) -> Result<(), String> {
    let layer = layer(a.layer)?;
    if a.batch {
        return batch(|line| encode_one(layer, line));
    }
    let input = single_input(a.json, "JSON input")?;
    out!("{}", encode_one(layer, &input)?);
    Ok(())
}
