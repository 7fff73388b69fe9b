#!/usr/bin/env node
// Decodes answers with GramJS 2.26.22's own reader (layer 198).
//
// usage: decode_answers.js MODULES_DIR < hex lines
// stdout: one JSON line per answer: {"type": className, "rest": bytes left over,
// "fields": {...}} (a Vector: {"type": "list", "items": [...]}), or {"error": "..."}.
'use strict';

const path = require('path');
const readline = require('readline');

const modules = path.resolve(process.argv[2]);
const { BinaryReader } = require(path.join(modules, 'telegram/extensions'));

function fields(o) {
    const out = {};
    for (const [k, v] of Object.entries(o)) {
        if (['CONSTRUCTOR_ID', 'SUBCLASS_OF_ID', 'className', 'classType', 'originalArgs'].includes(k)) {
            continue;
        }
        out[k] = v === undefined || v === null ? v : (typeof v === 'object' && v.className ? v.className : String(v));
    }
    return out;
}

const lines = readline.createInterface({ input: process.stdin });
lines.on('line', (line) => {
    const data = Buffer.from(line.trim(), 'hex');
    let out;
    try {
        const reader = new BinaryReader(data);
        const obj = reader.tgReadObject();
        const rest = data.length - reader.tellPosition();
        out = Array.isArray(obj)
            ? { type: 'list', items: obj.map((o) => ({ type: o.className, fields: fields(o) })), rest }
            : { type: obj.className, fields: fields(obj), rest };
    } catch (e) {
        out = { error: String(e) };
    }
    process.stdout.write(JSON.stringify(out) + '\n');
});
