//! `zerotl-codegen`: generate a module from any schema, check schemas, or regenerate
//! zerotl's own checked-in code. `zerotl-codegen --help` lists the commands and
//! `zerotl-codegen help COMMAND` explains one.
//!
//! ```text
//! zerotl-codegen generate --module-path PATH --out DIR [--title TITLE] FILE...
//! zerotl-codegen check FILE...
//! zerotl-codegen regenerate [--root DIR] [--check]   # zerotl-types and the typed errors
//! zerotl-codegen errors [--root DIR] [--check]       # only the typed errors (zerotl-errors)
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use zerotl_codegen::{ast, check_ids, generate, parse, project, Config, Model};

/// One subcommand: its name, a one-line summary and its full help.
struct Command {
    name: &'static str,
    summary: &'static str,
    help: &'static str,
}

const COMMANDS: &[Command] = &[
    Command {
        name: "generate",
        summary: "generate a Rust module from .tl schemas",
        help: "\
Generate a Rust module (types, enums, functions) from one or more .tl schemas.

Usage: zerotl-codegen generate --module-path PATH --out DIR [--title TITLE] FILE...

The files are read as one schema: a type may be defined in one file and used in
another. The module's files (mod.rs, types.rs, enums.rs, functions.rs) are written
into DIR, laid out by the generator itself (no rustfmt run); mount them with
`#[rustfmt::skip] mod my_schema;`.

Options:
  --module-path PATH  where the crate mounts the module (crate::my_schema); the
                      generated items name each other through this path
  --out DIR           the directory to write into (created if missing)
  --title TITLE       the first line of the module's docs
  -h, --help          print this help

A written constructor id that differs from the CRC32 of its definition is a
warning; an unknown type, a name defined twice or a misplaced field is an error
(status 1), the same error `zerotl-codegen check` reports.",
    },
    Command {
        name: "check",
        summary: "check .tl schemas: syntax, constructor ids, types",
        help: "\
Check .tl schemas without writing anything.

Usage: zerotl-codegen check FILE...

The files are read as one schema, as `generate` reads them, and checked as
`generate` checks them: the syntax, every type a field names (an unknown type is an
error), names defined twice, flags and Object fields in the wrong place. Written
constructor ids that differ from the CRC32 of their definition are printed on
stdout, one a line. A summary per file goes to stderr.

Exit status: 0 if everything is right, 1 on any error or id mismatch.

Options:
  -h, --help  print this help",
    },
    Command {
        name: "regenerate",
        summary: "regenerate zerotl-types and zerotl-errors (the typed errors)",
        help: "\
Regenerate the code zerotl checks in: the modules of crates/zerotl-types (layers 122
and 230, the MTProto schema) from data/schema, and zerotl-errors' typed RPC
errors from data/errors.

Usage: zerotl-codegen regenerate [--root DIR] [--check]

Options:
  --root DIR  the zerotl workspace (default: the current directory)
  --check     write nothing; list stale files and exit 1 if any
  -h, --help  print this help",
    },
    Command {
        name: "errors",
        summary: "regenerate only zerotl-errors (the typed errors)",
        help: "\
Regenerate only zerotl-errors' typed RPC errors (from data/errors and the
schemas), leaving zerotl-types alone.

Usage: zerotl-codegen errors [--root DIR] [--check]

Options:
  --root DIR  the zerotl workspace (default: the current directory)
  --check     write nothing; list stale files and exit 1 if any
  -h, --help  print this help",
    },
];

/// The overview `--help` prints.
fn overview() -> String {
    let mut s = String::from(
        "zerotl-codegen: Telegram .tl schemas to zero-copy zerotl Rust code\n\n\
         Usage: zerotl-codegen COMMAND [ARGS]\n\nCommands:\n",
    );
    for c in COMMANDS {
        s.push_str(&format!("  {:<12}{}\n", c.name, c.summary));
    }
    s.push_str(&format!(
        "  {:<12}{}\n",
        "help", "print this help, or a command's"
    ));
    s.push_str(
        "\nOptions:\n  -h, --help     print this help\n  -V, --version  print the version\n\n\
         Run `zerotl-codegen help COMMAND` for a command's options.",
    );
    s
}

/// Why a run failed.
enum Failure {
    /// Bad arguments: status 2, with a hint to the command's help.
    Usage(&'static str, String),
    /// The work failed: status 1.
    Run(Box<dyn std::error::Error>),
}

impl<E: Into<Box<dyn std::error::Error>>> From<E> for Failure {
    fn from(e: E) -> Self {
        Self::Run(e.into())
    }
}

type Res = Result<ExitCode, Failure>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(first) = args.first() else {
        eprintln!("{}", overview());
        return ExitCode::from(2);
    };
    let rest = &args[1..];
    let command = match first.as_str() {
        "-h" | "--help" => return print(&overview()),
        "-V" | "--version" => {
            return print(&format!("zerotl-codegen {}", env!("CARGO_PKG_VERSION")))
        }
        "help" => return help(rest),
        name => match COMMANDS.iter().find(|c| c.name == name) {
            Some(c) => c,
            None => {
                eprintln!(
                    "error: unknown command `{name}`\n\nRun `zerotl-codegen --help` for the commands."
                );
                return ExitCode::from(2);
            }
        },
    };
    if rest.iter().any(|a| a == "-h" || a == "--help") {
        return print(command.help);
    }
    let result = match command.name {
        "generate" => generate_cmd(rest),
        "check" => check(rest),
        "regenerate" => regenerate(rest, true),
        _ => regenerate(rest, false),
    };
    match result {
        Ok(code) => code,
        Err(Failure::Usage(name, message)) => {
            eprintln!("error: {message}\n\nRun `zerotl-codegen help {name}` for its options.");
            ExitCode::from(2)
        }
        Err(Failure::Run(e)) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Prints `text` on stdout: status 0.
fn print(text: &str) -> ExitCode {
    println!("{text}");
    ExitCode::SUCCESS
}

/// `help [COMMAND]`.
fn help(args: &[String]) -> ExitCode {
    match args {
        [] => print(&overview()),
        [name] if name == "help" => print(&overview()),
        [name] => match COMMANDS.iter().find(|c| c.name == name) {
            Some(c) => print(c.help),
            None => {
                eprintln!("error: unknown command `{name}`\n\n{}", overview());
                ExitCode::from(2)
            }
        },
        _ => {
            eprintln!("error: `help` takes at most one command\n\n{}", overview());
            ExitCode::from(2)
        }
    }
}

/// Regenerates (or with `--check`, compares) the typed errors, and zerotl-types too
/// when `types` is set.
fn regenerate(args: &[String], types: bool) -> Res {
    let name = if types { "regenerate" } else { "errors" };
    let mut root = PathBuf::from(".");
    let mut check_only = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--root" => root = value(&mut it, name, "--root")?.into(),
            "--check" => check_only = true,
            other => return Err(Failure::Usage(name, format!("unknown argument `{other}`"))),
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

/// The value after an option.
fn value<'a>(
    it: &mut impl Iterator<Item = &'a String>,
    command: &'static str,
    option: &str,
) -> Result<&'a String, Failure> {
    it.next()
        .ok_or_else(|| Failure::Usage(command, format!("{option} needs a value")))
}

/// Reads and parses `files`, then resolves them as one schema: what `generate`
/// and `check` both do, so they accept and reject the same schemas.
fn load(files: &[String]) -> Result<(Vec<ast::Schema>, Model), Failure> {
    let mut schemas = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(f).map_err(|e| format!("cannot read {f}: {e}"))?;
        schemas.push(parse(&text, f)?);
    }
    let refs: Vec<_> = schemas.iter().collect();
    let model = Model::build(&refs)?;
    Ok((schemas, model))
}

fn check(files: &[String]) -> Res {
    if let Some(flag) = files.iter().find(|f| f.starts_with('-')) {
        return Err(Failure::Usage("check", format!("unknown option `{flag}`")));
    }
    if files.is_empty() {
        return Err(Failure::Usage("check", "no schema file given".into()));
    }
    let (schemas, _) = load(files)?;
    let mut bad = false;
    for s in &schemas {
        for m in check_ids(s) {
            bad = true;
            println!("{m}");
        }
        let n = s.definitions.len();
        eprintln!(
            "{}: {n} definitions, {} built-ins",
            s.file,
            s.builtins.len()
        );
    }
    Ok(if bad {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn generate_cmd(args: &[String]) -> Res {
    let mut cfg = Config::new(String::new());
    let mut title = None;
    let mut out = None;
    let mut files = Vec::new();
    let mut it = args.iter();
    let usage = |m: &str| Failure::Usage("generate", m.to_owned());
    while let Some(a) = it.next() {
        match a.as_str() {
            "--module-path" => cfg.module_path = value(&mut it, "generate", a)?.clone(),
            "--title" => title = Some(value(&mut it, "generate", a)?.clone()),
            "--out" => out = Some(PathBuf::from(value(&mut it, "generate", a)?)),
            flag if flag.starts_with('-') => {
                return Err(usage(&format!("unknown option `{flag}`")))
            }
            f => files.push(f.to_owned()),
        }
    }
    let out = out.ok_or_else(|| usage("--out DIR is required"))?;
    if cfg.module_path.is_empty() {
        return Err(usage("--module-path PATH is required"));
    }
    cfg = Config {
        title: title.unwrap_or_default(),
        ..Config::new(cfg.module_path)
    };
    if files.is_empty() {
        return Err(usage("no schema file given"));
    }
    let (schemas, model) = load(&files)?;
    for s in &schemas {
        for m in check_ids(s) {
            eprintln!("warning: {m}");
        }
    }
    std::fs::create_dir_all(&out)?;
    for f in generate(&model, &cfg) {
        std::fs::write(out.join(&f.path), f.contents)?;
    }
    Ok(ExitCode::SUCCESS)
}
