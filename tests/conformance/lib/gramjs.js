"use strict";
// Builds GramJS's runtime `Api` from OUR schema text instead of the schema GramJS
// ships. `telegram/tl/api.js` builds its classes when it is loaded, from the
// strings exported by `telegram/tl/apiTl.js` and `telegram/tl/schemaTl.js`
// (parsed by `parseTl` in `telegram/tl/generationHelpers.js`); we put our text in
// the module cache under those two names and load `api.js` afresh for each schema.

const helpers = require("telegram/tl/generationHelpers");
const { parseSchema, idHex } = require("./tl");

const API_JS = require.resolve("telegram/tl/api.js");
const API_TL = require.resolve("telegram/tl/apiTl.js");
const SCHEMA_TL = require.resolve("telegram/tl/schemaTl.js");

// GramJS's parser drops these ids everywhere (its CORE_TYPES). `error` and `null`
// are ordinary constructors of the API schema that zerotl lists, so we let GramJS
// keep them; boolFalse/boolTrue/true stay dropped (zerotl's tables do not list them
// either: Bool and `true` are primitives).
const KEEP_FROM_CORE_TYPES = [0xc4b9f9bb /* error */, 0x56730bcc /* null */];

function fakeModule(file, exports) {
  return { id: file, filename: file, loaded: true, exports, children: [], paths: [] };
}

/**
 * The text GramJS parses for one schema file: our lines without the built-in type
 * declarations GramJS cannot parse (`int ? = Int;`, `vector {t:Type} ...`,
 * `int128 4*[ int ] = Int128;`) and with the id Telegram's rule gives added to
 * the lines that have none (GramJS computes those ids wrongly: see README.md).
 */
function gramjsText(combinators) {
  return combinators
    .map((c) => (c.explicitId ? c.line : c.line.replace(/^([\w.]+)/, `$1#${idHex(c.id).slice(2)}`)))
    .join("\n");
}

/** The ids GramJS itself computes for lines without `#id` (for the id audit). */
function gramjsOwnIds(combinators) {
  return combinators
    .filter((c) => !c.explicitId)
    .map((c) => ({ name: c.name, id: helpers.fromLine(c.line, c.function).constructorId >>> 0 }));
}

/** Loads GramJS's `Api` built from `apiText` (its "API" slot) and `schemaText` (its "MTProto" slot). */
function loadApi(apiText, schemaText) {
  for (const id of KEEP_FROM_CORE_TYPES) helpers.CORE_TYPES.delete(id);
  require.cache[API_TL] = fakeModule(API_TL, apiText);
  require.cache[SCHEMA_TL] = fakeModule(SCHEMA_TL, schemaText);
  delete require.cache[API_JS];
  return require(API_JS).Api;
}

/**
 * GramJS classes for one schema file's combinators: returns a map name -> class,
 * and the list of combinators GramJS gave no class with the right id.
 * Each file is loaded into its own `Api` so that equal class names of the two
 * files (`message` of the API and the bare MTProto `message`) do not overwrite
 * each other.
 */
function classesFor(combinators, slot) {
  const text = gramjsText(combinators);
  const api = slot === "api" ? loadApi(text, "") : loadApi("", text);
  const classes = new Map();
  const missing = [];
  for (const c of combinators) {
    let ns = api;
    let name = c.name;
    const dot = name.indexOf(".");
    if (dot >= 0) {
      ns = api[name.slice(0, dot)] || {};
      name = name.slice(dot + 1);
    }
    const cls = ns[helpers.snakeToCamelCase(name)];
    if (!cls || cls.CONSTRUCTOR_ID >>> 0 !== c.id) {
      missing.push({
        name: c.name,
        reason: cls
          ? `GramJS's class ${cls.className} has id ${idHex(cls.CONSTRUCTOR_ID)}, not ${idHex(c.id)} (name collision)`
          : "GramJS built no class for it",
      });
      continue;
    }
    classes.set(c.name, cls);
  }
  return { classes, missing };
}

/** GramJS's camelCase name of a schema field. */
function argName(field) {
  return helpers.variableSnakeToCamelCase(field);
}

module.exports = { classesFor, gramjsOwnIds, argName, parseSchema };
