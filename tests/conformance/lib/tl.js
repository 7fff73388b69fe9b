"use strict";
// A small reader for the .tl schema files, independent of zerotl and of GramJS:
// it gives the generator each combinator's name, id, fields and result type, and
// computes constructor ids by Telegram's rule (docs/wire.md section 2) for lines without one.

const PRIMITIVES = new Set([
  "int",
  "long",
  "double",
  "int128",
  "int256",
  "string",
  "bytes",
  "Bool",
  "true",
]);

// Lines of the schema files that declare built-in types rather than combinators
// (zerotl's tables do not list them, and GramJS's parser cannot read them).
const CORE_LINE =
  /^(int|long|double|string) \? = \w+;$|^vector[ #]|^int(128|256) \d\*\[ int \] = Int\d+;$|^(boolFalse|boolTrue|true)#/;

let crcTable = null;

/** IEEE CRC32 of a UTF-8 string. */
function crc32(text) {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, "utf8")) {
    crc = crcTable[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * The text Telegram's constructor id is the CRC32 of (docs/wire.md section 2): no `#id`,
 * no `;`, no `x:flags.N?true` parameters, `{X:Type}` as `X:Type`, `Vector<T>` as
 * `Vector T`, a field of type `bytes` as `string`. (`Vector<bytes>` stays: the
 * explicit ids of e.g. `messages.sendVote#10ea6184 ... options:Vector<bytes>` only
 * match that way.)
 */
function normalizedLine(line) {
  return line
    .replace(/;\s*$/, "")
    .replace(/^([\w.]+)#[0-9a-fA-F]+/, "$1")
    .split(/\s+/)
    .filter((tok) => !/^\w+:\w+\.\d+\?true$/.test(tok))
    .map((tok) =>
      tok
        .replace(/^\{(.*)\}$/, "$1")
        .replace(/([:?])bytes$/, "$1string")
        .replace(/</g, " ")
        .replace(/>/g, ""),
    )
    .join(" ");
}

/** Parses one field type (`int`, `flags.3?Vector<User>`, `!X`, `vector<%message>`). */
function parseType(text, typeParams) {
  if (text === "#") return { kind: "flags" };
  const cond = text.match(/^(\w+)\.(\d+)\?(.+)$/);
  if (cond) {
    return {
      kind: "cond",
      flags: cond[1],
      bit: Number(cond[2]),
      ty: parseType(cond[3], typeParams),
    };
  }
  if (text.startsWith("!")) return { kind: "generic" };
  if (typeParams.has(text)) return { kind: "generic" };
  const vec = text.match(/^([Vv])ector<(.+)>$/);
  if (vec) {
    return { kind: "vector", boxed: vec[1] === "V", elem: parseType(vec[2], typeParams) };
  }
  if (PRIMITIVES.has(text)) return { kind: text };
  if (text === "Object") return { kind: "Object" };
  const name = text.replace(/^%/, "");
  const last = name.split(".").pop();
  if (text.startsWith("%") || /^[a-z]/.test(last)) return { kind: "bare", name };
  return { kind: "boxed", name };
}

/**
 * Reads a schema file. `section` is "api" or "mtproto". Returns the combinators
 * in file order: { name, id, explicitId, fields: [{name, ty}], result, function,
 * section, line }.
 */
function parseSchema(text, section) {
  const out = [];
  let functions = false;
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\/\/.*$/, "").trim();
    if (!line) continue;
    const sep = line.match(/^---(\w+)---$/);
    if (sep) {
      functions = sep[1] === "functions";
      continue;
    }
    if (CORE_LINE.test(line)) continue;
    const m = line.match(/^([\w.]+)(?:#([0-9a-fA-F]+))?((?:\s+[^=\s]+)*)\s*=\s*([^;]+);$/);
    if (!m) throw new Error(`cannot parse schema line: ${line}`);
    const typeParams = new Set();
    const fields = [];
    for (const tok of m[3].trim().split(/\s+/).filter(Boolean)) {
      const param = tok.match(/^\{(\w+):Type\}$/);
      if (param) {
        typeParams.add(param[1]);
        continue;
      }
      const f = tok.match(/^(\w+):(.+)$/);
      if (!f) throw new Error(`cannot parse field ${tok} in: ${line}`);
      fields.push({ name: f[1], ty: parseType(f[2], typeParams) });
    }
    const ruleId = crc32(normalizedLine(line));
    out.push({
      name: m[1],
      id: m[2] ? parseInt(m[2], 16) >>> 0 : ruleId,
      explicitId: Boolean(m[2]),
      ruleId,
      fields,
      result: m[4].trim(),
      function: functions,
      section,
      line,
    });
  }
  return out;
}

/** `0x` + 8 lowercase hex digits. */
function idHex(id) {
  return "0x" + (id >>> 0).toString(16).padStart(8, "0");
}

module.exports = { parseSchema, normalizedLine, crc32, idHex, CORE_LINE };
