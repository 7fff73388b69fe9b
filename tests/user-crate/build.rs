//! Generates the application's own schema (`bookmarks.tl`) into `OUT_DIR/bookmarks.rs`,
//! which `src/lib.rs` mounts with one `include!`, as prost-build users do.

fn main() {
    zerotl_codegen::Builder::new()
        .schema("bookmarks.tl")
        .module_path("crate::bookmarks")
        .title("The application's bookmarks schema")
        .generate()
        .unwrap_or_else(|e| panic!("{e}"));
}
