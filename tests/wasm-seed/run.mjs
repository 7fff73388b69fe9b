// Runs the no_std wasm module on the seed vectors under node: every vector must
// decode and re-encode to the same bytes, truncated inputs must be rejected, and the
// module must import nothing (no allocator, no host functions).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));
const wasmPath = process.argv[2] ?? join(here, "target/wasm32-unknown-unknown/release/zerotl_wasm_seed.wasm");
const vectors = join(here, "../../data/vectors/seed.jsonl");

const module = new WebAssembly.Module(readFileSync(wasmPath));
const imports = WebAssembly.Module.imports(module);
if (imports.length !== 0) {
  console.error("unexpected imports:", imports);
  process.exit(1);
}
const { exports } = new WebAssembly.Instance(module, {});
const kinds = { InputPeer: 0, ExportedChatInvite: 1, "messages.exportChatInvite": 2 };
let ok = 0;
let failed = 0;
for (const line of readFileSync(vectors, "utf8").split("\n")) {
  if (!line.trim()) continue;
  const v = JSON.parse(line);
  const bytes = Buffer.from(v.hex, "hex");
  const run = (input) => {
    new Uint8Array(exports.memory.buffer, exports.input_ptr(), input.length).set(input);
    const n = exports.roundtrip(kinds[v.type], input.length);
    return n < 0 ? n : Buffer.from(new Uint8Array(exports.memory.buffer, exports.output_ptr(), n));
  };
  const out = run(bytes);
  if (!Buffer.isBuffer(out) || !out.equals(bytes)) {
    console.error(`FAIL ${v.name}: got ${Buffer.isBuffer(out) ? out.toString("hex") : out}`);
    failed++;
    continue;
  }
  if (run(bytes.subarray(0, bytes.length - 1)) !== -2) {
    console.error(`FAIL ${v.name}: a truncated input was accepted`);
    failed++;
    continue;
  }
  ok++;
}
console.log(`wasm seed round trip: ${ok} ok, ${failed} failed`);
process.exit(failed === 0 && ok > 0 ? 0 : 1);
