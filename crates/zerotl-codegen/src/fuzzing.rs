//! Fuzz body for the `.tl` parser (the `tl_parser` target in `fuzz/`): any text must
//! parse or fail with a positioned error, and whatever parses must resolve or fail
//! with a positioned error, and whatever resolves must generate code — no panics.

use crate::{check_ids, generate, parse, Config, Model};

/// Runs the parser, the id check, the resolver and the emitter on `data`.
pub fn parse_schema(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(schema) = parse(&text, "fuzz.tl") else {
        return;
    };
    let _ = check_ids(&schema);
    let Ok(model) = Model::build(&[&schema]) else {
        return;
    };
    let cfg = Config {
        module_path: "crate::fuzz".into(),
        title: "fuzz".into(),
        schema_support: Some("crate::schema".into()),
        schema_fallback: None,
        strategies: None,
        schema_cfg: None,
        function_decode_cfg: None,
    };
    let files = generate(&model, &cfg);
    assert!(!files.is_empty());
}

#[cfg(test)]
mod tests {
    #[test]
    fn odd_inputs() {
        for s in [
            "",
            "a",
            "a#1 = A;",
            "a#1 x:flags.0?int = A;",
            "---functions---\nf#1 {X:Type} q:!X = X;",
            "a#ffffffffff = A;",
            "x:#",
            "a#1 b:Vector<Vector<int>> = A;",
        ] {
            super::parse_schema(s.as_bytes());
        }
    }
}
