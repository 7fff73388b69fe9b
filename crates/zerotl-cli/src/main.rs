//! `zerotl`: decode and encode TL as JSON, serve and invoke
//! `messages.exportChatInvite` (the README's CLI section describes every command).
//!
//! ```text
//! zerotl decode [--layer 122|230] [--type NAME] [--raw-objects] [--batch] [HEX]   -> JSON
//! zerotl encode [--layer 122|230] [--batch] [JSON]                -> hex
//! zerotl serve  [--listen ADDR] [--world FILE] [--insecure-plain] [--proxy-secret HEX]
//!                                                                  embedded test server
//! zerotl invoke [--server ADDR] [--transport T] [--layer 122|230] [--bot-token TOKEN]
//!               export-chat-invite --peer SPEC [--expire-date T] [--usage-limit N]
//!               [--title S] [--request-needed] [--legacy-revoke-permanent]
//! zerotl invoke [--layer 122|230] [--bot-token TOKEN] call JSON   any function; answer as JSON
//! zerotl demo   [--transport T] [--insecure-plain]                 server + client, checked
//! ```
//! With `--batch`, each stdin line is one input and gets exactly one output line;
//! a bad input prints `{"error": "..."}` on its line. Otherwise malformed input
//! exits with status 1 and a one-line message on stderr. `invoke`'s options may
//! come before or after its subcommand.

/// `println!` that never panics: when stdout is closed (`zerotl demo | head -1`)
/// the program ends quietly with status 1, as other Unix tools do.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::print_line(format_args!($($arg)*))
    };
}

mod call;
mod codec;
mod failure;
mod layer230;
mod net;
mod peer;
mod typed_errors;

use std::io::Write as _;
use std::process::ExitCode;

/// Writes one line to stdout and flushes it; exits (status 1) if stdout is gone.
fn print_line(line: std::fmt::Arguments<'_>) {
    let mut stdout = std::io::stdout().lock();
    let written = stdout
        .write_fmt(line)
        .and_then(|()| stdout.write_all(b"\n"))
        .and_then(|()| stdout.flush());
    if written.is_err() {
        std::process::exit(1);
    }
}

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
    /// Run the embedded test server (messages.exportChatInvite on a world).
    Serve(net::ServeArgs),
    /// Call a function on a server and print the typed result or error.
    Invoke(net::InvokeArgs),
    /// Start the server in-process, call it, and check every answer.
    Demo(net::DemoArgs),
}

fn main() -> ExitCode {
    // Malformed arguments (a bad `--peer`, an unknown flag) are malformed input: exit 1
    // with clap's message, like any other bad input; `--help`/`--version` exit 0.
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match cli.command {
        Command::Decode(a) => codec::decode(a),
        Command::Encode(a) => codec::encode(a),
        Command::Serve(a) => net::serve(a),
        Command::Invoke(a) => net::invoke(a),
        Command::Demo(a) => net::demo(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("zerotl: {e}");
            ExitCode::FAILURE
        }
    }
}
