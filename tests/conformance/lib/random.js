"use strict";
// Seeded randomness and random primitive values with the edge cases that matter
// on the wire. Every value is returned twice: `j`, what the JSON mapping of
// docs/json.md prints, and `g`, what GramJS's constructors take.

/** A 128-bit seed from a string (cyrb128-style mixing). */
function hashSeed(text) {
  let h1 = 1779033703,
    h2 = 3144134277,
    h3 = 1013904242,
    h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  return [(h1 ^ h2 ^ h3 ^ h4) >>> 0, (h2 ^ h1) >>> 0, (h3 ^ h1) >>> 0, (h4 ^ h1) >>> 0];
}

/** A small fast PRNG (sfc32) seeded from a string. */
class Rng {
  constructor(seedText) {
    [this.a, this.b, this.c, this.d] = hashSeed(String(seedText));
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** A uniform 32-bit unsigned integer. */
  u32() {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  float() {
    return this.u32() / 4294967296;
  }

  /** An integer in [lo, hi] (inclusive). */
  int(lo, hi) {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  /** True with probability p. */
  chance(p) {
    return this.float() < p;
  }

  /** One element of a non-empty array. */
  pick(items) {
    return items[this.int(0, items.length - 1)];
  }

  /** n random bytes. */
  bytes(n) {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.u32() & 0xff;
    return b;
  }
}

/** A `double` for the JSON writer: NaN, the infinities and -0 need care. */
class Double {
  constructor(value) {
    this.value = value;
  }
}

const INT_EDGES = [0, 1, -1, 2147483647, -2147483648, 255, 256, -256];
const TWO_63 = 1n << 63n;
const LONG_EDGES = [
  0n,
  1n,
  -1n,
  (1n << 53n) + 1n,
  -(1n << 53n) - 1n,
  (1n << 62n) + 12345n,
  TWO_63 - 1n,
  -TWO_63,
  4294967296n,
];
const DOUBLE_EDGES = [
  0,
  -0,
  1,
  -2.25,
  Math.PI,
  1e300,
  -1e-300,
  5e-324,
  1.7976931348623157e308,
  0.1,
  NaN,
  Infinity,
  -Infinity,
];

function int(rng) {
  const v = rng.chance(0.4) ? rng.pick(INT_EDGES) : rng.u32() | 0;
  return { j: v, g: v };
}

function long(rng) {
  let v;
  if (rng.chance(0.4)) {
    v = rng.pick(LONG_EDGES);
  } else {
    v = BigInt.asIntN(64, (BigInt(rng.u32()) << 32n) | BigInt(rng.u32()));
  }
  return { j: v, g: v };
}

function double(rng) {
  let v;
  if (rng.chance(0.5)) {
    v = rng.pick(DOUBLE_EDGES);
  } else {
    v = rng.bytes(8).readDoubleLE(0);
    if (!Number.isFinite(v)) v = (rng.float() - 0.5) * 1e6;
  }
  return { j: new Double(v), g: v };
}

/** int128/int256: lowercase hex of the wire bytes; GramJS takes the little-endian value. */
function largeInt(rng, size) {
  let b;
  const r = rng.float();
  if (r < 0.1) b = Buffer.alloc(size, 0xff);
  else if (r < 0.15) b = Buffer.alloc(size, 0);
  else {
    b = rng.bytes(size);
    if (rng.chance(0.5)) b[size - 1] |= 0x80; // the top bit: negative if read signed
  }
  const value = BigInt("0x" + Buffer.from(b).reverse().toString("hex"));
  return { j: b.toString("hex"), g: value };
}

// Characters by UTF-8 length, including JSON escapes and control characters.
const CHARS = {
  1: ["a", "Z", "0", " ", "/", ":", "_", '"', "\\", "\n", "\t", "\u0000", "\u001f", "\u007f"],
  2: ["é", "ж", "\u0080", "\u07ff"],
  3: ["中", "€", "\u2028", "\uffff", "\u0800"],
  4: ["😀", "\u{10ffff}", "\u{1f1fa}"],
};

/** A string whose UTF-8 encoding has exactly `n` bytes, mixing 1-4 byte characters. */
function utf8OfLength(rng, n, ascii = false) {
  let s = "";
  let left = n;
  while (left > 0) {
    const width = ascii ? 1 : rng.int(1, Math.min(4, left));
    s += rng.pick(CHARS[width]);
    left -= width;
  }
  return s;
}

/** A byte length with the edges of the TL length prefix (253/254) well covered. */
function tlLength(rng) {
  const r = rng.float();
  if (r < 0.15) return 0;
  if (r < 0.55) return rng.int(1, 24);
  if (r < 0.85) return rng.int(250, 258);
  if (r < 0.95) return rng.int(259, 1100);
  return rng.int(1, 3);
}

function string(rng) {
  const s = utf8OfLength(rng, tlLength(rng), rng.chance(0.2));
  return { j: s, g: s };
}

function bytes(rng) {
  const b = rng.bytes(tlLength(rng));
  return { j: b.toString("base64"), g: b };
}

function bool(rng) {
  const v = rng.chance(0.5);
  return { j: v, g: v };
}

module.exports = { Rng, Double, int, long, double, largeInt, string, bytes, bool, utf8OfLength };
