//! A line buffer for emitted code that indents as it goes.
//!
//! The generator lays its output out itself (no rustfmt run): each line is indented
//! by four spaces per bracket left open by the lines before it, and a line that
//! starts by closing brackets is pulled back by as many levels. The result is the
//! same on every machine, whatever rustfmt is installed; the generated modules are
//! marked `#[rustfmt::skip]` where they are mounted.

/// Accumulates generated source.
#[derive(Debug, Default)]
pub struct Out {
    s: String,
    depth: usize,
}

impl Out {
    /// An empty buffer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends `l` (one line of code, or a comment) indented to the current depth.
    pub fn line(&mut self, l: &str) {
        let l = l.trim();
        if l.is_empty() {
            self.s.push('\n');
            return;
        }
        let (leading_closers, delta) = brackets(l);
        let indent = self.depth.saturating_sub(leading_closers);
        for _ in 0..indent {
            self.s.push_str("    ");
        }
        self.s.push_str(l);
        self.s.push('\n');
        self.depth = self.depth.saturating_add_signed(delta);
    }

    /// Appends `t` as is (a header).
    pub fn raw(&mut self, t: &str) {
        self.s.push_str(t);
    }

    /// The text.
    pub fn finish(self) -> String {
        self.s
    }
}

/// Re-indents `src` (code whose lines carry no meaningful indentation) as
/// [`Out::line`] does.
pub fn layout(src: &str) -> String {
    let mut o = Out::new();
    for l in src.lines() {
        o.line(l);
    }
    o.finish()
}

/// The closing brackets `l` starts with, and the net count of brackets it opens
/// (closers count negative), outside string literals and comments.
fn brackets(l: &str) -> (usize, isize) {
    if l.starts_with("//") {
        return (0, 0);
    }
    let leading = l
        .chars()
        .take_while(|c| matches!(c, '}' | ')' | ']'))
        .count();
    let mut delta = 0isize;
    let mut in_str = false;
    let mut escaped = false;
    let mut prev = ' ';
    for c in l.chars() {
        if in_str {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '/' if prev == '/' => break,
            '{' | '(' | '[' => delta += 1,
            '}' | ')' | ']' => delta -= 1,
            _ => {}
        }
        prev = c;
    }
    (leading, delta)
}

#[cfg(test)]
mod tests {
    use super::Out;

    #[test]
    fn indents_by_open_brackets() {
        let mut o = Out::new();
        for l in [
            "fn f() {",
            "Ok(match x {",
            "1 => \"{\",",
            "_ => 2, // }",
            "})",
            "}",
        ] {
            o.line(l);
        }
        assert_eq!(
            o.finish(),
            "fn f() {\n    Ok(match x {\n            1 => \"{\",\n            _ => 2, // }\n    })\n}\n"
        );
    }
}
