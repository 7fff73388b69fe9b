//! Decoding runs of fixed-size fields with one bounds check.
//!
//! A run is a stretch of consecutive fields that are all fixed-size (`int`, `long`,
//! `double`, `int128`, `int256`), whether always present or `flags.N?`, possibly with
//! `flags.N?true` fields (no bytes) between them. The flags words are read before the
//! run starts, so its length is known up front: the always-present sizes plus, for
//! each conditional field, its size when its bit is set. The generated decoder reads
//! the whole run with one bounds check, then takes each field at its offset.
//!
//! For `chatInviteExported` (`link:string admin_id:long date:int start_date:flags.4?int
//! expire_date:flags.1?int usage_limit:flags.2?int usage:flags.3?int
//! requested:flags.7?int subscription_expired:flags.10?int ...`) this is
//!
//! ```text
//! let run = zerotl::tri!(r.read_slice(12 + zerotl::fixed::count_flags::<0x49e>(flags) * 4));
//! let admin_id = zerotl::fixed::i64_at(run, 0);
//! let date = zerotl::fixed::i32_at(run, 8);
//! let mut run_at = 12;
//! let start_date = if flags & (1 << 4) != 0 { let v = zerotl::fixed::i32_at(run, run_at); run_at += 4; Some(v) } else { None };
//! ...
//! ```
//!
//! The length has no branch, so a pass that does not use the values (the validation
//! of a `Vector`, or an iteration reading one field) compiles to the length sum and
//! one check. The offsets are computed from the same flags as the length, so every
//! read is in range (the `fixed` accessors cannot panic either way).
//!
//! The cost: a truncated run fails as one `UnexpectedEnd` at the run's start, naming
//! the run's size, not at the field where the bytes ran out.

use super::{Ctx, Out};
use crate::analysis::{Combinator, FieldKind, Ty};

/// Conditional fields of one size under one flags word from this many on are sized
/// with one `zerotl::fixed::count_flags` (a few instructions, even without a
/// popcount instruction) instead of a test per field.
const POPCOUNT_MIN_FIELDS: usize = 3;

/// What a field contributes to a run.
enum Part<'c> {
    /// Always present, `ty` bytes.
    Fixed(&'c Ty),
    /// Present when `bit` of the flags field at index `flags` is set.
    Optional { flags: usize, bit: u8, ty: &'c Ty },
    /// `flags.N?true`: no bytes.
    Free,
}

impl Part<'_> {
    fn of(kind: &FieldKind) -> Option<Part<'_>> {
        match kind {
            FieldKind::Plain { ty, lazy: false } if ty.fixed_size().is_some() => {
                Some(Part::Fixed(ty))
            }
            FieldKind::Conditional { ty: Ty::True, .. } => Some(Part::Free),
            FieldKind::Conditional {
                flags,
                bit,
                ty,
                lazy: false,
            } if ty.fixed_size().is_some() => Some(Part::Optional {
                flags: *flags,
                bit: *bit,
                ty,
            }),
            _ => None,
        }
    }

    fn consumes(&self) -> bool {
        !matches!(self, Part::Free)
    }

    fn size(&self) -> usize {
        match self {
            Part::Fixed(ty) | Part::Optional { ty, .. } => ty.fixed_size().unwrap_or(0),
            Part::Free => 0,
        }
    }
}

/// Whether a field of this kind can be part of a run: a fixed-size scalar (always
/// present or conditional) or a `flags.N?true`.
pub(super) fn is_fixed_layout(kind: &FieldKind) -> bool {
    Part::of(kind).is_some()
}

/// The runs of `c` as (first index, end index): maximal stretches of [`Part`]s that
/// start and end with a field that has bytes and hold at least two of them.
pub(super) fn decode_runs(c: &Combinator) -> Vec<(usize, usize)> {
    let parts: Vec<Option<Part<'_>>> = c.fields.iter().map(|f| Part::of(&f.kind)).collect();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < parts.len() {
        if !parts[i].as_ref().is_some_and(Part::consumes) {
            i += 1;
            continue;
        }
        let mut end = i + 1;
        let mut last = i;
        while let Some(p) = parts.get(end).and_then(Option::as_ref) {
            if p.consumes() {
                last = end;
            }
            end += 1;
        }
        let count = parts[i..=last]
            .iter()
            .filter(|p| p.as_ref().is_some_and(Part::consumes))
            .count();
        if count >= 2 {
            runs.push((i, last + 1));
        }
        i = last + 1;
    }
    runs
}

/// Where the next field of a run starts.
enum Offset {
    /// Known when generating (no conditional field before it).
    Const(usize),
    /// In the local `run_at`.
    Dynamic,
}

impl Offset {
    fn expr(&self) -> String {
        match self {
            Offset::Const(n) => n.to_string(),
            Offset::Dynamic => "run_at".into(),
        }
    }
}

impl Ctx<'_> {
    /// Reads fields `start..end` of `c` (a run of [`decode_runs`]) into locals.
    pub(super) fn decode_run(o: &mut Out, c: &Combinator, start: usize, end: usize) {
        let fields = &c.fields[start..end];
        let parts: Vec<Part<'_>> = fields.iter().filter_map(|f| Part::of(&f.kind)).collect();
        let fixed: usize = parts
            .iter()
            .filter(|p| matches!(p, Part::Fixed(_)))
            .map(Part::size)
            .sum();
        let has_optional = parts.iter().any(|p| matches!(p, Part::Optional { .. }));
        if has_optional {
            let len = Self::run_len(c, &parts, fixed);
            o.line(&format!("let run = zerotl::tri!(r.read_slice({len}));"));
        } else {
            o.line(&format!(
                "let run = zerotl::tri!(r.read_array::<{fixed}>());"
            ));
        }
        let flags_local = |i: usize| Self::local(&c.fields[i].ident);
        let mut at = Offset::Const(0);
        for (k, (f, p)) in fields.iter().zip(&parts).enumerate() {
            let l = Self::local(&f.ident);
            let more = parts[k + 1..].iter().any(Part::consumes);
            let get = |ty: &Ty| Self::fixed_accessor(ty).0;
            match p {
                Part::Free => {
                    if let FieldKind::Conditional { flags, bit, .. } = &f.kind {
                        let fl = flags_local(*flags);
                        o.line(&format!("let {l} = {fl} & (1 << {bit}) != 0;"));
                    }
                }
                Part::Fixed(ty) => {
                    o.line(&format!(
                        "let {l} = zerotl::fixed::{}(run, {});",
                        get(ty),
                        at.expr()
                    ));
                    match &mut at {
                        Offset::Const(n) => *n += p.size(),
                        Offset::Dynamic if more => o.line(&format!("run_at += {};", p.size())),
                        Offset::Dynamic => {}
                    }
                }
                Part::Optional { flags, bit, ty } => {
                    if let (Offset::Const(n), true) = (&at, more) {
                        o.line(&format!("let mut run_at = {n};"));
                        at = Offset::Dynamic;
                    }
                    let fl = flags_local(*flags);
                    let read = format!("zerotl::fixed::{}(run, {})", get(ty), at.expr());
                    if more {
                        o.line(&format!(
                            "let {l} = if {fl} & (1 << {bit}) != 0 {{ let v = {read}; run_at += {}; Some(v) }} else {{ None }};",
                            p.size()
                        ));
                    } else {
                        o.line(&format!(
                            "let {l} = if {fl} & (1 << {bit}) != 0 {{ Some({read}) }} else {{ None }};"
                        ));
                    }
                }
            }
        }
    }

    /// The length of a run with conditional fields: the always-present bytes plus, per
    /// flags word and size, a `count_flags` of the bits (or one test per bit when there
    /// are few).
    fn run_len(c: &Combinator, parts: &[Part<'_>], fixed: usize) -> String {
        // (flags index, size) -> bits, in order of first appearance.
        let mut groups: Vec<((usize, usize), Vec<u8>)> = Vec::new();
        for p in parts {
            if let Part::Optional { flags, bit, .. } = p {
                let key = (*flags, p.size());
                match groups.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, bits)) => bits.push(*bit),
                    None => groups.push((key, vec![*bit])),
                }
            }
        }
        let mut terms = Vec::new();
        if fixed > 0 {
            terms.push(fixed.to_string());
        }
        for ((flags, size), bits) in groups {
            let fl = Self::local(&c.fields[flags].ident);
            // A bit may guard several fields (`views:flags.2?int forwards:flags.2?int`).
            let mut per_bit: Vec<(u8, usize)> = Vec::new();
            for b in bits {
                match per_bit.iter_mut().find(|(x, _)| *x == b) {
                    Some((_, n)) => *n += 1,
                    None => per_bit.push((b, 1)),
                }
            }
            let single: Vec<u8> = per_bit.iter().filter(|p| p.1 == 1).map(|p| p.0).collect();
            let counted = single.len() >= POPCOUNT_MIN_FIELDS;
            if counted {
                let mask: u32 = single.iter().fold(0, |m, b| m | 1 << b);
                terms.push(format!(
                    "zerotl::fixed::count_flags::<{mask:#x}>({fl}) * {size}"
                ));
            }
            for (b, n) in per_bit {
                if !(counted && n == 1) {
                    terms.push(format!(
                        "if {fl} & (1 << {b}) != 0 {{ {} }} else {{ 0 }}",
                        size * n
                    ));
                }
            }
        }
        terms.join(" + ")
    }
}
