#!/usr/bin/env node
"use strict";
// Random instances of every constructor and function of zerotl's schemas
// (data/schema/layer{122,230}/{api,mtproto}.tl), serialized by GramJS 2.26.22.
//
//   node generate.js [--seed S] [--count N] [--layer 122|230] [--only NAME] [--max-depth D]
//
// Prints JSON lines on stdout (see README.md):
//   {"layer":122,"name":"inputPeerChat","type":"InputPeer","hex":"...","json":{...}}   a case
//   {"layer":122,"excluded":"NAME","section":"api","reason":"..."}   a combinator with no case, and why
//   {"layer":122,"workaround":"NAME","reason":"..."}      GramJS needed help with it, and how
//   {"layer":122,"id_audit":"NAME","section":"mtproto","line":"...","rule_id":"0x..","gramjs_id":"0x.."}
//     a line without `#id`: the id by Telegram's rule (used for the cases) and GramJS's own
// Cases come first per combinator, `count` of them: the first sets every optional
// field and every `?true` flag, the second leaves them all unset (empty vectors,
// nested objects minimal), the others are random.

const fs = require("fs");
const path = require("path");

const { parseSchema, idHex } = require("./lib/tl");
const { classesFor, gramjsOwnIds, argName } = require("./lib/gramjs");
const R = require("./lib/random");

const SCHEMA_DIR = path.join(__dirname, "..", "..", "data", "schema");

// Combinators the tool makes no case for, by layer, file ("api"/"mtproto") and
// name, with the reason: { layers: [122, 230], section, name, reason }.
// (None today: every combinator of both layers gets cases. Add entries here, with
// the reason, rather than skipping anything silently.)
const EXCLUDED = [];

// Where GramJS needs help to serialize a combinator right, and what the tool
// does about it (printed as `workaround` records; see README.md).
const WORKAROUNDS = [
  {
    names: ["msg_container", "future_salts"],
    reason:
      "bare vector elements (`vector<message>`, `vector<future_salt>`): GramJS writes every element with its constructor id (for `future_salt` it even rewrites the type to the boxed `FutureSalt`); the tool hands GramJS each element as its own GramJS bytes minus the 4-byte id, and GramJS writes the rest",
  },
  {
    names: [
      "message",
      "tlsClientHello",
      "tlsBlockString",
      "tlsBlockRandom",
      "tlsBlockZero",
      "tlsBlockGrease",
      "tlsBlockScope",
    ],
    reason:
      "no `#id` in the schema: GramJS computes the id as CRC32 of `name = Type` without the fields (its `fromLine` reads the fields after hashing); the tool gives GramJS the id by Telegram's rule (CRC32 of the normalized line), see the id audit",
  },
  {
    names: ["error", "null"],
    reason:
      "GramJS drops these ids when it parses a schema (its CORE_TYPES); the tool takes them out of that set so GramJS builds their classes",
  },
];

function parseArgs(argv) {
  const opts = { seed: "1", count: 3, layers: [122, 230], only: null, maxDepth: 3 };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === "--seed") opts.seed = next();
    else if (a === "--count") opts.count = Number(next());
    else if (a === "--layer") opts.layers = [Number(next())];
    else if (a === "--only") opts.only = next();
    else if (a === "--max-depth") opts.maxDepth = Number(next());
    else if (a === "--help" || a === "-h") {
      process.stdout.write(fs.readFileSync(__filename, "utf8").split("\n").slice(2, 16).join("\n") + "\n");
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!Number.isInteger(opts.count) || opts.count < 1) throw new Error("--count must be a positive integer");
  for (const l of opts.layers) if (l !== 122 && l !== 230) throw new Error(`no layer ${l} (122 or 230)`);
  return opts;
}

/** JSON text of a generated value: BigInt longs exactly, doubles as docs/json.md maps them. */
function toJson(v) {
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (v instanceof R.Double) {
    const x = v.value;
    if (Number.isNaN(x)) return '"NaN"';
    if (x === Infinity) return '"Infinity"';
    if (x === -Infinity) return '"-Infinity"';
    if (Object.is(x, -0)) return "-0.0";
    if (Number.isInteger(x) && Math.abs(x) < 1e21) return `${x}.0`;
    return String(x);
  }
  if (Array.isArray(v)) return "[" + v.map(toJson).join(",") + "]";
  return "{" + Object.entries(v).map(([k, x]) => JSON.stringify(k) + ":" + toJson(x)).join(",") + "}";
}

/** One layer's combinators, types and GramJS classes, and the value generator over them. */
class World {
  constructor(layer, maxDepth) {
    this.layer = layer;
    this.maxDepth = maxDepth;
    const read = (f) => fs.readFileSync(path.join(SCHEMA_DIR, `layer${layer}`, f), "utf8");
    this.sections = {
      api: parseSchema(read("api.tl"), "api"),
      mtproto: parseSchema(read("mtproto.tl"), "mtproto"),
    };
    this.all = [...this.sections.api, ...this.sections.mtproto];
    this.byName = { api: new Map(), mtproto: new Map() };
    this.types = { api: new Map(), mtproto: new Map() };
    for (const c of this.all) {
      this.byName[c.section].set(c.name, c);
      if (!c.function) {
        const list = this.types[c.section].get(c.result) || [];
        list.push(c);
        this.types[c.section].set(c.result, list);
      }
    }
    this.classes = new Map();
    this.missing = [];
    for (const section of ["api", "mtproto"]) {
      const { classes, missing } = classesFor(this.sections[section], section);
      for (const [name, cls] of classes) this.classes.set(`${section}:${name}`, cls);
      for (const m of missing) this.missing.push({ ...m, section });
    }
    this.computeCosts();
    this.objectCtors = this.all.filter((c) => !c.function && this.classes.has(key(c)));
    this.functions = this.sections.api.filter((c) => c.function && this.classes.has(key(c)));
  }

  /** The constructors of a boxed type, looked up in the field's own file first. */
  ctorsOf(name, section) {
    const other = section === "api" ? "mtproto" : "api";
    const list = this.types[section].get(name) || this.types[other].get(name);
    if (!list) throw new Error(`layer ${this.layer}: no type ${name}`);
    return list;
  }

  bareCtor(name, section) {
    const other = section === "api" ? "mtproto" : "api";
    const c = this.byName[section].get(name) || this.byName[other].get(name);
    if (!c) throw new Error(`layer ${this.layer}: no constructor ${name}`);
    return c;
  }

  /**
   * How much nesting a combinator needs at least (required boxed fields, counted
   * recursively): at the depth limit the generator picks the cheapest constructor,
   * which keeps recursive types (RichText, PageBlock, !X queries) bounded.
   */
  computeCosts() {
    this.cost = new Map(this.all.map((c) => [c, Infinity]));
    const tyCost = (ty, section) => {
      switch (ty.kind) {
        case "boxed":
          return Math.min(...this.ctorsOf(ty.name, section).map((c) => this.cost.get(c)));
        case "bare":
          return this.cost.get(this.bareCtor(ty.name, section));
        case "Object":
        case "generic":
          return 1;
        default:
          return 0; // primitives; vectors can be empty; conditionals can be absent
      }
    };
    for (let changed = true; changed; ) {
      changed = false;
      for (const c of this.all) {
        const cost = 1 + c.fields.reduce((s, f) => s + tyCost(f.ty, c.section), 0);
        if (cost < this.cost.get(c)) {
          this.cost.set(c, cost);
          changed = true;
        }
      }
    }
  }

  cheapest(rng, ctors) {
    const usable = ctors.filter((c) => this.classes.has(key(c)));
    const best = Math.min(...usable.map((c) => this.cost.get(c)));
    return rng.pick(usable.filter((c) => this.cost.get(c) === best));
  }

  choose(rng, ctors, depth) {
    if (depth >= this.maxDepth) return this.cheapest(rng, ctors);
    const usable = ctors.filter((c) => this.classes.has(key(c)));
    return rng.pick(usable);
  }

  /** A random value of a field type: { j: JSON value, g: GramJS argument }. */
  value(ty, ctx, depth, section) {
    const { rng } = ctx;
    switch (ty.kind) {
      case "int":
        return R.int(rng);
      case "long":
        return R.long(rng);
      case "double":
        return R.double(rng);
      case "int128":
        return R.largeInt(rng, 16);
      case "int256":
        return R.largeInt(rng, 32);
      case "string":
        return R.string(rng);
      case "bytes":
        return R.bytes(rng);
      case "Bool":
        return R.bool(rng);
      case "vector": {
        let n;
        if (ctx.mode === "empty" || depth >= this.maxDepth) n = 0;
        else if (ctx.mode === "full" && depth === 0) n = rng.int(1, 3);
        else n = rng.int(0, depth === 0 ? 3 : 2);
        const items = [];
        for (let i = 0; i < n; i++) {
          if (ty.elem.kind === "bare") {
            // GramJS would write a bare element with its id: give it the bytes without.
            const x = this.object(this.bareCtor(ty.elem.name, section), ctx, depth + 1);
            items.push({ j: x.j, g: bareBytes(x.g) });
          } else {
            items.push(this.value(ty.elem, ctx, depth, section));
          }
        }
        return { j: items.map((x) => x.j), g: items.map((x) => x.g) };
      }
      case "boxed":
        return this.object(this.choose(rng, this.ctorsOf(ty.name, section), depth + 1), ctx, depth + 1);
      case "bare":
        // GramJS drops the wrong buffer (the outer id) for a bare field outside a
        // vector; no schema line has one today.
        throw new Error(`bare field type ${ty.name} outside a vector is not supported`);
      case "Object":
        return this.object(this.choose(rng, this.objectCtors, depth + 1), ctx, depth + 1);
      case "generic":
        return this.object(this.choose(rng, this.functions, depth + 1), ctx, depth + 1);
      default:
        throw new Error(`unexpected field type ${JSON.stringify(ty)}`);
    }
  }

  /** A random instance of a combinator, built as a GramJS object. */
  object(c, ctx, depth) {
    const { rng } = ctx;
    const cls = this.classes.get(key(c));
    if (!cls) throw new Error(`layer ${this.layer}: no GramJS class for ${c.name}`);
    let presence;
    if (ctx.mode === "empty" || depth >= this.maxDepth) presence = 0;
    else if (depth === 0) presence = ctx.mode === "full" ? 1 : 0.5;
    else presence = 0.4;
    // Fields sharing one flag bit are all present or all absent (and a `?true`
    // on that bit equals their presence): decide per bit, not per field.
    const bits = new Map();
    const j = { _: c.name };
    const g = {};
    for (let i = 0; i < c.fields.length; i++) {
      const f = c.fields[i];
      const arg = argName(f.name);
      if (f.ty.kind === "flags") continue; // computed by GramJS, omitted from JSON
      if (f.name === "bytes" && f.ty.kind === "int" && c.fields[i + 1] && c.fields[i + 1].ty.kind === "Object") {
        // `message`'s `bytes:int` is the size of the `body:Object` that follows.
        const body = this.value(c.fields[i + 1].ty, ctx, depth, c.section);
        const size = body.g.getBytes().length;
        j[f.name] = size;
        g[arg] = size;
        j[c.fields[i + 1].name] = body.j;
        g[argName(c.fields[i + 1].name)] = body.g;
        i++;
        continue;
      }
      if (f.ty.kind === "cond") {
        const bit = `${f.ty.flags}.${f.ty.bit}`;
        if (!bits.has(bit)) bits.set(bit, rng.chance(presence));
        const on = bits.get(bit);
        if (f.ty.ty.kind === "true") {
          j[f.name] = on;
          g[arg] = on;
        } else if (on) {
          const v = this.value(f.ty.ty, ctx, depth, c.section);
          j[f.name] = v.j;
          g[arg] = v.g;
        } else {
          g[arg] = undefined;
        }
        continue;
      }
      const v = this.value(f.ty, ctx, depth, c.section);
      j[f.name] = v.j;
      g[arg] = v.g;
    }
    const inst = new cls(g);
    // GramJS's constructor replaces a falsy `randomId` by a random one; we want ours.
    for (const [k, v] of Object.entries(g)) inst[k] = v;
    return { j, g: inst };
  }
}

/** A bare value for GramJS: the boxed value's GramJS bytes without the 4-byte id. */
function bareBytes(inst) {
  return { getBytes: () => inst.getBytes().subarray(4) };
}

function key(c) {
  return `${c.section}:${c.name}`;
}

function main() {
  const opts = parseArgs(process.argv);
  const castErrors = [];
  const consoleError = console.error;
  // GramJS reports type mismatches through console.error and serializes anyway:
  // collect them, so a generator mistake cannot pass unnoticed.
  console.error = (...a) => castErrors.push(a.map(String).join(" "));
  const out = [];
  let bytesOut = 0;
  const emit = (line) => {
    out.push(line);
    bytesOut += line.length + 1;
    if (bytesOut > 1 << 20) flush();
  };
  const flush = () => {
    if (out.length) process.stdout.write(out.join("\n") + "\n");
    out.length = 0;
    bytesOut = 0;
  };
  const stats = [];
  for (const layer of opts.layers) {
    const world = new World(layer, opts.maxDepth);
    for (const section of ["api", "mtproto"]) {
      const own = new Map(gramjsOwnIds(world.sections[section]).map((x) => [x.name, x.id]));
      for (const c of world.sections[section].filter((c) => !c.explicitId)) {
        emit(
          toJson({
            layer,
            id_audit: c.name,
            section,
            line: c.line,
            rule_id: idHex(c.ruleId),
            gramjs_id: idHex(own.get(c.name)),
          }),
        );
      }
    }
    const excluded = new Map();
    for (const e of EXCLUDED) {
      if (e.layers.includes(layer)) excluded.set(`${e.section}:${e.name}`, { ...e });
    }
    for (const m of world.missing) excluded.set(`${m.section}:${m.name}`, m);
    for (const e of excluded.values()) {
      emit(toJson({ layer, excluded: e.name, section: e.section, reason: e.reason }));
    }
    for (const w of WORKAROUNDS) {
      for (const name of w.names) {
        if (world.byName.mtproto.has(name) || world.byName.api.has(name)) {
          emit(toJson({ layer, workaround: name, reason: w.reason }));
        }
      }
    }
    let cases = 0;
    for (const c of world.all) {
      if (excluded.has(key(c))) continue;
      if (opts.only && c.name !== opts.only) continue;
      for (let i = 0; i < opts.count; i++) {
        const mode = i === 0 ? "full" : i === 1 ? "empty" : "random";
        const ctx = { rng: new R.Rng(`${opts.seed}/${layer}/${c.section}/${c.name}/${i}`), mode };
        const before = castErrors.length;
        const v = world.object(c, ctx, 0);
        const hex = v.g.getBytes().toString("hex");
        if (castErrors.length > before) {
          throw new Error(`GramJS rejected the generated ${c.name}: ${castErrors.slice(before).join("; ")}`);
        }
        emit(toJson({ layer, name: c.name, type: c.function ? c.name : c.result, hex, json: v.j }));
        cases++;
      }
    }
    stats.push(`layer ${layer}: ${world.all.length} combinators, ${excluded.size} excluded, ${cases} cases`);
  }
  flush();
  console.error = consoleError;
  process.stderr.write(stats.join("\n") + "\n");
}

try {
  main();
} catch (e) {
  process.stderr.write(`generate.js: ${e.stack || e}\n`);
  process.exit(1);
}
