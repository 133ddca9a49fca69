/** @module Rewrites every non-ASCII character of the serve bundles in a folder as a `\uXXXX` escape. */

// bun web/ascii-bundle.ts dist/serve-RUNTIME
//
// Why: V8 and JavaScriptCore keep a script's source text in memory for lazy compilation, and one
// character above U+00FF (a "…" or "≤" in a message) makes them store the whole text as UTF-16:
// the 430-KB bundle then takes 860 KB. Bun's bundler has no ASCII-only output, so this step makes
// one. It is safe on this code because every such character sits in a string, template or
// regular-expression literal (or a comment), where `\uXXXX` means the same character; no template
// of ours is read raw (String.raw), where the escape would stay six characters.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2];
if (dir === undefined) throw new Error("usage: bun web/ascii-bundle.ts DIR");
for (const name of readdirSync(dir)) {
  if (!name.endsWith(".js")) continue;
  const path = join(dir, name);
  const text = readFileSync(path, "utf8");
  // one UTF-16 unit at a time: a character outside the BMP becomes its surrogate pair of escapes
  const ascii = text.replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  if (ascii !== text) writeFileSync(path, ascii);
}
