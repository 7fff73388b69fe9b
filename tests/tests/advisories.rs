//! The offline advisories check: every package locked in the repository's
//! Cargo.lock files against the hand-kept list in tools/advisories.txt (see its
//! header for why it is offline). A locked version inside the affected range of
//! an advisory with status `check` fails; `accepted` advisories are reported.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Version(u64, u64, u64);

fn parse_version(s: &str) -> Option<Version> {
    // Build metadata and pre-release tags are ignored (`1.1.3+spec-1.1.0`).
    let core = s.trim().split(['+', '-']).next()?;
    let mut parts = core.split('.').map(|p| p.parse::<u64>().ok());
    let major = parts.next()??;
    let minor = parts.next().unwrap_or(Some(0))?;
    let patch = parts.next().unwrap_or(Some(0))?;
    Some(Version(major, minor, patch))
}

/// Whether `v` is in `range`: `*`, or alternatives separated by `;`, each a
/// comma-separated list of `<`, `<=`, `>`, `>=`, `=` bounds.
fn in_range(v: Version, range: &str) -> Result<bool, String> {
    if range.trim() == "*" {
        return Ok(true);
    }
    for alternative in range.split(';') {
        let mut all = true;
        for bound in alternative.split(',') {
            let bound = bound.trim();
            let (op, rest) = ["<=", ">=", "<", ">", "="]
                .iter()
                .find_map(|op| bound.strip_prefix(op).map(|r| (*op, r)))
                .ok_or_else(|| format!("bad bound {bound:?}"))?;
            let b = parse_version(rest).ok_or_else(|| format!("bad version in {bound:?}"))?;
            let holds = match op {
                "<=" => v <= b,
                ">=" => v >= b,
                "<" => v < b,
                ">" => v > b,
                _ => v == b,
            };
            all &= holds;
        }
        if all {
            return Ok(true);
        }
    }
    Ok(false)
}

struct Advisory {
    id: String,
    krate: String,
    range: String,
    accepted: Option<String>,
}

fn advisories(root: &Path) -> Vec<Advisory> {
    let text = std::fs::read_to_string(root.join("tools/advisories.txt")).unwrap();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|line| {
            let fields: Vec<&str> = line.splitn(4, " | ").collect();
            assert_eq!(fields.len(), 4, "bad line: {line}");
            let accepted = match fields[3] {
                "check" => None,
                s => Some(
                    s.strip_prefix("accepted: ")
                        .unwrap_or_else(|| panic!("bad status in: {line}"))
                        .to_owned(),
                ),
            };
            Advisory {
                id: fields[0].to_owned(),
                krate: fields[1].to_owned(),
                range: fields[2].to_owned(),
                accepted,
            }
        })
        .collect()
}

/// `(name, version)` of every package in a Cargo.lock.
fn locked(lock: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(lock).unwrap();
    let mut out = Vec::new();
    let mut name = None;
    for line in text.lines() {
        if let Some(n) = line.strip_prefix("name = ") {
            name = Some(n.trim_matches('"').to_owned());
        } else if let Some(v) = line.strip_prefix("version = ") {
            if let Some(n) = name.take() {
                out.push((n, v.trim_matches('"').to_owned()));
            }
        }
    }
    out
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

#[test]
fn no_locked_package_has_an_open_advisory() {
    let root = root();
    let list = advisories(&root);
    assert!(list.iter().any(|a| a.id == "RUSTSEC-2023-0071"));
    let locks = ["Cargo.lock", "fuzz/Cargo.lock"];
    let mut failures = Vec::new();
    let mut checked = 0;
    for lock in locks {
        let path = root.join(lock);
        if !path.exists() {
            continue;
        }
        for (name, version) in locked(&path) {
            checked += 1;
            let v = parse_version(&version).unwrap_or_else(|| panic!("{name} {version}"));
            for a in list.iter().filter(|a| a.krate == name) {
                if in_range(v, &a.range).unwrap_or_else(|e| panic!("{}: {e}", a.id)) {
                    match &a.accepted {
                        Some(reason) => {
                            eprintln!("{lock}: {name} {version}: {} accepted: {reason}", a.id)
                        }
                        None => failures.push(format!("{lock}: {name} {version}: {}", a.id)),
                    }
                }
            }
        }
    }
    assert!(checked > 50, "only {checked} packages read");
    assert!(
        failures.is_empty(),
        "open advisories:\n{}",
        failures.join("\n")
    );
}

#[test]
fn ranges_match_as_documented() {
    let v = |s| parse_version(s).unwrap();
    let tokio = "<1.38.2; >=1.39.0, <1.42.1; >=1.43.0, <1.43.1; >=1.44.0, <1.44.2";
    assert!(in_range(v("1.38.1"), tokio).unwrap());
    assert!(!in_range(v("1.38.2"), tokio).unwrap());
    assert!(in_range(v("1.40.0"), tokio).unwrap());
    assert!(!in_range(v("1.43.1"), tokio).unwrap());
    assert!(!in_range(v("1.54.1"), tokio).unwrap());
    assert!(in_range(v("0.9.10"), "*").unwrap());
    assert!(in_range(v("1.1.3+spec-1.1.0"), "=1.1.3").unwrap());
    assert!(in_range(v("2.0.0"), "~2").is_err());
}
