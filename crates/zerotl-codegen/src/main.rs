//! `zerotl-codegen`: regenerate zerotl-types, check schema ids, or generate a module
//! from any schema.
//!
//! ```text
//! zerotl-codegen regenerate [--root DIR] [--check]   # zerotl-types and the typed errors
//! zerotl-codegen errors [--root DIR] [--check]       # only the typed errors (zerotl-errors)
//! zerotl-codegen check FILE...
//! zerotl-codegen generate --module-path PATH --title TITLE --out DIR FILE...
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use zerotl_codegen::{check_ids, format, generate, parse, project, Config, Model};

fn usage() -> ExitCode {
    eprintln!(
        "usage:\n  zerotl-codegen regenerate [--root DIR] [--check]\n  zerotl-codegen errors [--root DIR] [--check]\n  zerotl-codegen check FILE...\n  zerotl-codegen generate --module-path PATH --title TITLE --out DIR FILE..."
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("regenerate") => regenerate(&args[1..], true),
        Some("errors") => regenerate(&args[1..], false),
        Some("check") => check(&args[1..]),
        Some("generate") => generate_cmd(&args[1..]),
        _ => return usage(),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

type Res = Result<ExitCode, Box<dyn std::error::Error>>;

/// Regenerates (or with `--check`, compares) the typed errors, and zerotl-types too
/// when `types` is set.
fn regenerate(args: &[String], types: bool) -> Res {
    let mut root = PathBuf::from(".");
    let mut check_only = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--root" => root = it.next().ok_or("--root needs a value")?.into(),
            "--check" => check_only = true,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let mut outputs = Vec::new();
    for t in project::targets().into_iter().filter(|_| types) {
        let g = project::run(&root, &t)?;
        for m in &g.mismatches {
            eprintln!("warning: {m}");
        }
        outputs.extend(g.files);
    }
    outputs.extend(zerotl_codegen::errors::run(&root)?);
    let mut stale = false;
    for (path, text) in outputs {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        if old != text {
            stale = true;
            if check_only {
                eprintln!("stale: {}", path.display());
            } else {
                std::fs::write(&path, text)?;
                eprintln!("wrote {}", path.display());
            }
        }
    }
    Ok(if check_only && stale {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn check(files: &[String]) -> Res {
    let mut bad = false;
    for f in files {
        let text = std::fs::read_to_string(f)?;
        let s = parse(&text, f)?;
        for m in check_ids(&s) {
            bad = true;
            println!("{m}");
        }
        let n = s.definitions.len();
        eprintln!("{f}: {n} definitions, {} built-ins", s.builtins.len());
    }
    Ok(if bad {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn generate_cmd(args: &[String]) -> Res {
    let mut cfg = Config {
        module_path: String::new(),
        title: String::new(),
        schema_support: None,
        schema_fallback: None,
        strategies: None,
    };
    let mut out = None;
    let mut files = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--module-path" => {
                cfg.module_path = it.next().ok_or("--module-path needs a value")?.clone()
            }
            "--title" => cfg.title = it.next().ok_or("--title needs a value")?.clone(),
            "--out" => out = Some(PathBuf::from(it.next().ok_or("--out needs a value")?)),
            f => files.push(f.to_owned()),
        }
    }
    let out = out.ok_or("--out is required")?;
    if cfg.module_path.is_empty() || files.is_empty() {
        return Err("--module-path and at least one schema file are required".into());
    }
    let mut schemas = Vec::new();
    for f in &files {
        schemas.push(parse(&std::fs::read_to_string(f)?, f)?);
    }
    for s in &schemas {
        for m in check_ids(s) {
            eprintln!("warning: {m}");
        }
    }
    let refs: Vec<_> = schemas.iter().collect();
    let model = Model::build(&refs)?;
    std::fs::create_dir_all(&out)?;
    for f in generate(&model, &cfg) {
        let text = format::rustfmt(&f.contents).unwrap_or(f.contents);
        std::fs::write(out.join(&f.path), text)?;
    }
    Ok(ExitCode::SUCCESS)
}
