//! `zerotl`: decode and encode TL as JSON (see DESIGN.md's CLI contract).
//!
//! ```text
//! zerotl decode [--layer 122|230] [--type NAME] [--batch] [HEX]   -> JSON
//! zerotl encode [--layer 122|230] [--batch] [JSON]                -> hex
//! ```
//! With `--batch`, each stdin line is one input and gets exactly one output line;
//! a bad input prints `{"error": "..."}` on its line. Otherwise malformed input
//! exits with status 1 and a one-line message on stderr.

mod codec;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// zerotl: Telegram's TL wire format and MTProto, zero-copy.
#[derive(Parser)]
#[command(name = "zerotl", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Decode hex TL bytes to JSON.
    Decode(codec::DecodeArgs),
    /// Encode JSON to hex TL bytes.
    Encode(codec::EncodeArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Decode(a) => codec::decode(a),
        Command::Encode(a) => codec::encode(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("zerotl: {e}");
            ExitCode::FAILURE
        }
    }
}
