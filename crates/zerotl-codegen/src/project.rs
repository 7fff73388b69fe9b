//! The code zerotl itself checks in: which schemas become which modules of
//! `crates/zerotl-types`. Shared by the `zerotl-codegen regenerate` command and the
//! freshness test that diffs the checked-in code against a fresh generation.

use std::path::{Path, PathBuf};

use crate::{check_ids, generate, parse, Config, IdMismatch, Model};

/// One generated module of `zerotl-types`.
#[derive(Debug, Clone)]
pub struct Target {
    /// Schema files (relative to the workspace root), read as one namespace.
    pub schemas: Vec<&'static str>,
    /// Output directory (relative to the workspace root).
    pub out_dir: &'static str,
    /// Generator settings.
    pub config: Config,
}

/// The modules of `zerotl-types`.
pub fn targets() -> Vec<Target> {
    let json = |fallback: Option<&str>| Config {
        module_path: String::new(),
        title: String::new(),
        schema_support: Some("crate::schema".into()),
        schema_fallback: fallback.map(str::to_owned),
        strategies: None,
        schema_cfg: Some("feature = \"schema\"".into()),
        function_decode_cfg: Some("feature = \"decode-functions\"".into()),
    };
    vec![
        Target {
            schemas: vec!["data/schema/layer230/mtproto.tl"],
            out_dir: "crates/zerotl-types/src/mtproto",
            config: Config {
                module_path: "crate::mtproto".into(),
                title: "The MTProto service schema".into(),
                // The protocol core's server side reads these requests.
                function_decode_cfg: None,
                ..json(None)
            },
        },
        Target {
            schemas: vec!["data/schema/layer122/api.tl"],
            out_dir: "crates/zerotl-types/src/layer122",
            config: Config {
                module_path: "crate::layer122".into(),
                title: "Layer 122".into(),
                strategies: Some((
                    "feature = \"proptest\"".into(),
                    vec![
                        "InputPeer".into(),
                        "ExportedChatInvite".into(),
                        "messages.exportChatInvite".into(),
                    ],
                )),
                ..json(Some("crate::mtproto::schema::SCHEMA"))
            },
        },
        Target {
            schemas: vec!["data/schema/layer230/api.tl"],
            out_dir: "crates/zerotl-types/src/layer230",
            config: Config {
                module_path: "crate::layer230".into(),
                title: "Layer 230".into(),
                ..json(Some("crate::mtproto::schema::SCHEMA"))
            },
        },
    ]
}

/// The result of generating one target.
#[derive(Debug)]
pub struct Generated {
    /// Output files: absolute path and contents.
    pub files: Vec<(PathBuf, String)>,
    /// Written ids that differ from their computed CRC32.
    pub mismatches: Vec<IdMismatch>,
}

/// Generates `target` from the schemas under `root` (the workspace root).
pub fn run(root: &Path, target: &Target) -> Result<Generated, Box<dyn std::error::Error>> {
    let mut schemas = Vec::new();
    for s in &target.schemas {
        let text =
            std::fs::read_to_string(root.join(s)).map_err(|e| format!("cannot read {s}: {e}"))?;
        schemas.push(parse(&text, s)?);
    }
    let mismatches = schemas.iter().flat_map(check_ids).collect();
    let refs: Vec<_> = schemas.iter().collect();
    let model = Model::build(&refs)?;
    let mut files = Vec::new();
    for f in generate(&model, &target.config) {
        files.push((root.join(target.out_dir).join(&f.path), f.contents));
    }
    Ok(Generated { files, mismatches })
}
