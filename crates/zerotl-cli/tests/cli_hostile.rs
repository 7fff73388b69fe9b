//! `zerotl decode --batch` and `encode --batch` on hostile input: exactly one output
//! line per input line, an error object for every malformed line, never a crash.

use std::io::Write;
use std::process::{Command, Stdio};

fn batch(args: &[&str], input: Vec<u8>) -> (Vec<String>, i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zerotl"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let w = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    w.join().unwrap().unwrap();
    let text = String::from_utf8(out.stdout).expect("output is UTF-8");
    (
        text.lines().map(str::to_owned).collect(),
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A deterministic generator (xorshift) so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn hostile_lines(rng: &mut Rng, n: usize) -> Vec<Vec<u8>> {
    let seeds: [&[u8]; 6] = [
        b"4c53f70d63e89b1787d61200",
        b"bc052efcfeffffff00000000",
        b"15c4b51cffffff7f",
        b"e6e2ba17e6e2ba17e6e2ba17e6e2ba17",
        b"{\"_\":\"inputPeerChat\",\"chat_id\":1}",
        b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    ];
    (0..n)
        .map(|_| {
            let mut line: Vec<u8> = match rng.below(4) {
                // Random bytes (any value but the newline).
                0 => (0..rng.below(200))
                    .map(|_| (rng.next() as u8).max(b'\n' + 1))
                    .collect(),
                // Random hex digits of random length.
                1 => (0..rng.below(300))
                    .map(|_| b"0123456789abcdef"[rng.below(16) as usize])
                    .collect(),
                // A good input with bytes flipped or cut.
                _ => {
                    let mut s = seeds[rng.below(seeds.len() as u64) as usize].to_vec();
                    let cut = rng.below(s.len() as u64 + 1) as usize;
                    s.truncate(cut);
                    if !s.is_empty() && rng.below(2) == 0 {
                        let i = rng.below(s.len() as u64) as usize;
                        s[i] = b"0123456789abcdef{}\"_:,"[rng.below(22) as usize];
                    }
                    s
                }
            };
            line.retain(|&b| b != b'\n');
            line
        })
        .collect()
}

#[test]
fn decode_batch_survives_hostile_lines() {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let lines = hostile_lines(&mut rng, 400);
    let mut input: Vec<u8> = lines.join(&b'\n');
    input.push(b'\n');
    for args in [
        &["decode", "--batch"][..],
        &["decode", "--layer", "230", "--batch"],
        &["decode", "--type", "InputPeer", "--batch"],
    ] {
        let (out, code, err) = batch(args, input.clone());
        assert_eq!(code, 0, "{args:?}: {err}");
        assert_eq!(out.len(), lines.len(), "{args:?}: one line per input line");
        for (i, o) in out.iter().enumerate() {
            let v: serde_json::Value =
                serde_json::from_str(o).unwrap_or_else(|e| panic!("line {i}: {o}: {e}"));
            assert!(
                v.get("_").is_some() || v.is_array() || v["error"].is_string(),
                "line {i}: {o}"
            );
        }
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn encode_batch_survives_hostile_lines() {
    let mut rng = Rng(0x5eed_1234_abcd_0002);
    let lines = hostile_lines(&mut rng, 400);
    let mut input: Vec<u8> = lines.join(&b'\n');
    input.push(b'\n');
    let (out, code, err) = batch(&["encode", "--batch"], input);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.len(), lines.len());
    for o in &out {
        assert!(
            o.bytes().all(|b| b.is_ascii_hexdigit()) || o.starts_with("{\"error\":"),
            "{o}"
        );
    }
}

#[test]
fn a_huge_line_and_deep_json_fail_on_their_lines_only() {
    // 70 MiB of hex on one line (more than the 64 MiB line limit), then a good line.
    let mut input = vec![b'a'; 70 << 20];
    input.extend_from_slice(b"\n4c53f70dc97ea07d\n");
    let (out, code, _) = batch(&["decode", "--batch"], input);
    assert_eq!(code, 0);
    assert_eq!(out.len(), 2);
    assert!(
        out[0].contains("longer than"),
        "{}",
        &out[0][..out[0].len().min(200)]
    );
    assert!(out[1].contains("messages.exportChatInvite"));
    // JSON nested 100 000 deep: serde_json's recursion limit, not a stack overflow.
    let deep = "[".repeat(100_000) + "\n{\"_\":\"inputPeerSelf\"}\n";
    let (out, code, _) = batch(&["encode", "--batch"], deep.into_bytes());
    assert_eq!(code, 0);
    assert_eq!(out.len(), 2);
    assert!(out[0].contains("error"));
    assert_eq!(out[1], "c97ea07d");
}
