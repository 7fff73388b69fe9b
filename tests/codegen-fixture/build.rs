//! Generates `shapes.tl` into `OUT_DIR/shapes.rs` and `notes.tl` into
//! `OUT_DIR/notes.rs`, both mounted by `src/lib.rs` (the second one privately).

fn main() {
    zerotl_codegen::Builder::new()
        .schema("shapes.tl")
        .module_path("crate::shapes")
        .title("The shapes fixture")
        .generate()
        .unwrap_or_else(|e| panic!("{e}"));
    zerotl_codegen::Builder::new()
        .schema("notes.tl")
        .module_path("crate::notes")
        .title("The notes fixture (private)")
        .generate()
        .unwrap_or_else(|e| panic!("{e}"));
}
