//! Formatting generated code with `rustfmt`.

use std::io::Write;
use std::process::{Command, Stdio};

/// Runs `rustfmt --edition 2021` over `src` and returns the formatted text.
///
/// The generator's output is laid out by rustfmt so that the checked-in code passes
/// `cargo fmt --check`; rustfmt ships with every rustup toolchain.
pub fn rustfmt(src: &str) -> std::io::Result<String> {
    let rustfmt = std::env::var("RUSTFMT").unwrap_or_else(|_| "rustfmt".to_owned());
    let mut child = Command::new(rustfmt)
        .args(["--edition", "2021", "--emit", "stdout", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| std::io::Error::other("no stdin"))?;
    let input = src.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output()?;
    writer
        .join()
        .map_err(|_| std::io::Error::other("rustfmt writer thread panicked"))??;
    if !out.status.success() {
        return Err(std::io::Error::other(format!(
            "rustfmt failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    String::from_utf8(out.stdout).map_err(std::io::Error::other)
}
