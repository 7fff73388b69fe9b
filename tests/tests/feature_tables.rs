//! Every crate's README and crate docs list its features, and docs.rs is told to
//! document them all: a feature added to a manifest without a line in both tables
//! fails here.

use std::path::{Path, PathBuf};

fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates")
}

/// The names declared in a manifest's `[features]` table (without `default`).
fn features(manifest: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut inside = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            inside = line == "[features]";
            continue;
        }
        if !inside || line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some((name, _)) = line.split_once('=') {
            let name = name.trim();
            // Continuation lines of a multi-line array hold no `=`.
            if !name.starts_with('"') && name != "default" {
                names.push(name.to_owned());
            }
        }
    }
    names
}

/// The feature column of the `## Features` table in `text` (`| \`name\` | ...`).
fn table(text: &str, prefix: &str) -> Option<Vec<String>> {
    let heading = format!("{prefix}## Features");
    let start = text.find(&heading)?;
    let rows = text[start..]
        .lines()
        .skip(1)
        .map(|l| l.strip_prefix(prefix.trim_end()).unwrap_or(l).trim())
        .skip_while(|l| l.is_empty())
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .filter_map(|row| {
            let cell = row.trim_start_matches('|').split('|').next()?.trim();
            Some(cell.trim_matches('`').to_owned())
        })
        .collect();
    Some(rows)
}

#[test]
fn every_feature_is_in_the_readme_and_the_crate_docs() {
    let mut crates: Vec<PathBuf> = std::fs::read_dir(crates_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("Cargo.toml").exists())
        .collect();
    crates.sort();
    assert!(crates.len() >= 8, "{crates:?}");
    for dir in crates {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        assert!(
            manifest.contains("readme = \"README.md\""),
            "{name}: no readme in Cargo.toml"
        );
        assert!(
            manifest.contains("[package.metadata.docs.rs]\nall-features = true"),
            "{name}: docs.rs is not told to build every feature"
        );
        let mut declared = features(&manifest);
        declared.sort();
        let readme = std::fs::read_to_string(dir.join("README.md"))
            .unwrap_or_else(|_| panic!("{name}: no README.md"));
        let mut documented =
            table(&readme, "").unwrap_or_else(|| panic!("{name}: README has no feature table"));
        documented.retain(|f| f != "(none)");
        documented.sort();
        assert_eq!(documented, declared, "{name}: README's feature table");
        let lib = dir.join("src/lib.rs");
        if lib.exists() {
            let docs = std::fs::read_to_string(&lib).unwrap();
            let mut in_docs = table(&docs, "//! ")
                .unwrap_or_else(|| panic!("{name}: crate docs have no feature table"));
            in_docs.retain(|f| f != "(none)");
            in_docs.sort();
            assert_eq!(in_docs, declared, "{name}: the crate docs' feature table");
        }
    }
}

#[test]
fn feature_names_are_read_from_manifests() {
    let manifest = "[package]\nname = \"x\"\n\n[features]\ndefault = [\"a\"]\n## docs\na = []\nb = [\n    \"a\",\n]\n\n[dependencies]\nc = \"1\"\n";
    assert_eq!(features(manifest), ["a", "b"]);
    let readme = "# x\n\n## Features\n\n| feature | default | what |\n| --- | --- | --- |\n| `a` | yes | A |\n| `b` | no | B |\n\nmore\n";
    assert_eq!(table(readme, "").unwrap(), ["a", "b"]);
    assert_eq!(table("no table", ""), None);
}
