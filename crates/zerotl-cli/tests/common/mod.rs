//! Running the `zerotl` binary from the CLI's integration tests.

use std::io::Write;
use std::process::{Command, Stdio};

/// Runs `zerotl args` with `stdin`: (stdout, stderr, status).
pub fn run(args: &[&str], stdin: &str) -> (String, String, i32) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zerotl"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run zerotl");
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_owned();
    let w = std::thread::spawn(move || input.write_all(data.as_bytes()));
    let out = child.wait_with_output().unwrap();
    w.join().unwrap().unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap_or(-1),
    )
}
