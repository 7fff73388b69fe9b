//! Generates `shapes.tl` into `OUT_DIR/shapes.rs`, mounted by `src/lib.rs`.

fn main() {
    zerotl_codegen::Builder::new()
        .schema("shapes.tl")
        .module_path("crate::shapes")
        .title("The shapes fixture")
        .generate()
        .unwrap_or_else(|e| panic!("{e}"));
}
