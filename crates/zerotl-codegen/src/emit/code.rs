//! A line buffer for emitted code (rustfmt lays it out afterwards).

/// Accumulates generated source.
#[derive(Debug, Default)]
pub struct Out {
    s: String,
}

impl Out {
    /// An empty buffer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends `l` and a newline.
    pub fn line(&mut self, l: &str) {
        self.s.push_str(l);
        self.s.push('\n');
    }

    /// Appends `t` as is.
    pub fn raw(&mut self, t: &str) {
        self.s.push_str(t);
    }

    /// The text.
    pub fn finish(self) -> String {
        self.s
    }
}
