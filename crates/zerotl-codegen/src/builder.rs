//! [`Builder`]: code generation from a `build.rs`, into `OUT_DIR`, as one file.

use std::path::{Path, PathBuf};

use crate::emit::{layout, HEADER};
use crate::{check_ids, generate, parse, Config, Model};

/// Generates the Rust module of a schema into one file, for a `build.rs`.
///
/// ```no_run
/// // build.rs
/// zerotl_codegen::Builder::new()
///     .schema("my.tl")
///     .module_path("crate::my_schema")
///     .generate()
///     .unwrap();
/// ```
///
/// and in the crate, where `module_path` says:
///
/// ```ignore
/// pub mod my_schema {
///     include!(concat!(env!("OUT_DIR"), "/my_schema.rs"));
/// }
/// ```
///
/// The file is named after the last segment of the module path. It holds no inner
/// attributes or inner docs (which `include!` cannot take), so it can be included
/// inside any module, a private one too: its modules and root items allow dead code.
/// Run from a build script (with the default output directory), it also prints the
/// `cargo:rerun-if-changed` lines of its schemas.
#[derive(Debug, Clone, Default)]
pub struct Builder {
    schemas: Vec<PathBuf>,
    module_path: Option<String>,
    title: Option<String>,
    out_dir: Option<PathBuf>,
}

/// Why [`Builder::generate`] failed.
#[derive(Debug)]
pub enum BuildError {
    /// A setting is missing (`module_path`, a schema, or `OUT_DIR` outside a build script).
    Config(String),
    /// A schema file could not be read, or the output could not be written.
    Io(PathBuf, std::io::Error),
    /// A schema does not parse.
    Parse(crate::ParseError),
    /// The schemas do not resolve (an unknown type, a name defined twice, ...).
    Schema(crate::SchemaError),
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Config(m) => write!(f, "zerotl-codegen: {m}"),
            Self::Io(p, e) => write!(f, "zerotl-codegen: {}: {e}", p.display()),
            Self::Parse(e) => write!(f, "zerotl-codegen: {e}"),
            Self::Schema(e) => write!(f, "zerotl-codegen: {e}"),
        }
    }
}

impl std::error::Error for BuildError {}

impl Builder {
    /// A builder with no schema yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a schema file; several files are read as one schema.
    pub fn schema(mut self, path: impl AsRef<Path>) -> Self {
        self.schemas.push(path.as_ref().to_owned());
        self
    }

    /// Where the crate mounts the generated module (`crate::my_schema`): the
    /// generated items name each other through this path. Required.
    pub fn module_path(mut self, path: impl Into<String>) -> Self {
        self.module_path = Some(path.into());
        self
    }

    /// The first line of the module's docs (default: derived from the module path).
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// The directory to write into (default: the `OUT_DIR` cargo gives build scripts).
    pub fn out_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.out_dir = Some(dir.as_ref().to_owned());
        self
    }

    /// The generated source, without writing it: what [`Builder::generate`] writes.
    pub fn source(&self) -> Result<String, BuildError> {
        let module_path = self
            .module_path
            .clone()
            .ok_or_else(|| BuildError::Config("module_path is not set".into()))?;
        if self.schemas.is_empty() {
            return Err(BuildError::Config("no schema file given".into()));
        }
        let mut parsed = Vec::new();
        for p in &self.schemas {
            let text = std::fs::read_to_string(p).map_err(|e| BuildError::Io(p.clone(), e))?;
            let schema = parse(&text, &p.display().to_string()).map_err(BuildError::Parse)?;
            parsed.push(schema);
        }
        let refs: Vec<_> = parsed.iter().collect();
        let model = Model::build(&refs).map_err(BuildError::Schema)?;
        let mut cfg = Config::new(module_path);
        if let Some(t) = &self.title {
            cfg.title = t.clone();
        }
        Ok(single_file(generate(&model, &cfg)))
    }

    /// Generates the module and writes it to `<out_dir>/<last segment>.rs`; returns
    /// that path. Written ids that differ from their CRC32 become `cargo:warning`s
    /// when run from a build script.
    pub fn generate(self) -> Result<PathBuf, BuildError> {
        let in_build_script = self.out_dir.is_none();
        let out_dir = match &self.out_dir {
            Some(d) => d.clone(),
            None => std::env::var_os("OUT_DIR")
                .map(PathBuf::from)
                .ok_or_else(|| {
                    BuildError::Config(
                        "OUT_DIR is not set (not in a build script?): set out_dir".into(),
                    )
                })?,
        };
        let text = self.source()?;
        let module_path = self.module_path.as_deref().unwrap_or_default();
        let name = module_path.rsplit("::").next().unwrap_or(module_path);
        let path = out_dir.join(format!("{name}.rs"));
        if in_build_script {
            for s in &self.schemas {
                println!("cargo:rerun-if-changed={}", s.display());
                if let Ok(text) = std::fs::read_to_string(s) {
                    if let Ok(schema) = parse(&text, &s.display().to_string()) {
                        for m in check_ids(&schema) {
                            println!("cargo:warning={m}");
                        }
                    }
                }
            }
        }
        std::fs::create_dir_all(&out_dir).map_err(|e| BuildError::Io(out_dir.clone(), e))?;
        std::fs::write(&path, text).map_err(|e| BuildError::Io(path.clone(), e))?;
        Ok(path)
    }
}

/// Joins the files of one generated module into one includable text: the root's
/// `pub mod x;` declarations become `pub mod x { .. }` holding the file, and the
/// root's inner docs become plain comments.
fn single_file(files: Vec<crate::File>) -> String {
    let mut root = String::new();
    let mut parts = std::collections::BTreeMap::new();
    for f in files {
        if f.path == "mod.rs" {
            root = f.contents;
        } else if let Some(name) = f.path.strip_suffix(".rs") {
            parts.insert(name.to_owned(), f.contents);
        }
    }
    let mut out = String::new();
    for line in root.lines() {
        let t = line.trim();
        if let Some(doc) = t.strip_prefix("//!") {
            out.push_str("//");
            out.push_str(doc);
            out.push('\n');
            continue;
        }
        let inlined = t
            .strip_prefix("pub mod ")
            .and_then(|r| r.strip_suffix(';'))
            .and_then(|name| parts.get(name).map(|body| (name, body)));
        match inlined {
            Some((name, body)) => {
                out.push_str(&format!("pub mod {name} {{\n"));
                for l in body.strip_prefix(HEADER).unwrap_or(body).lines() {
                    out.push_str(l);
                    out.push('\n');
                }
                out.push_str("}\n");
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    layout(&out)
}
