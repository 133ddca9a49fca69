/** @module Builds the serve bundle of one runtime into dist/serve-RUNTIME, safely while other bridges run from it. */

// bun web/build-serve.ts bun|node|deno
//
// The serve scripts run a bundle (about 25 MB less RSS on Node than tsx, see
// docs/websocket-server.md "Memory"). Starting a bridge must not break another one running from
// the same checkout, so:
// - nothing is written when the bundle is newer than every source file (the usual start);
// - a build goes to a fresh temporary folder; its chunks (content-hashed names) are moved in
//   first and the entry file last, each by an atomic rename, so a bridge starting meanwhile reads
//   a whole old or a whole new entry, and one already running still finds its own chunks (old
//   chunks are left in place; `npm run build` clears dist/).
// - every non-ASCII character is written as a `\uXXXX` escape: V8 and JavaScriptCore keep a
//   script's source for lazy compilation, and one character above U+00FF makes them keep the whole
//   bundle as UTF-16 (twice the memory). Safe here because such characters only appear in string,
//   template and regular-expression literals and comments, where the escape means the same.
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";

const ENTRIES = { bun: "src/bun.ts", node: "src/node.ts", deno: "src/deno.ts" } as const;
type Runtime = keyof typeof ENTRIES;

const runtime = process.argv[2] as Runtime;
if (!(runtime in ENTRIES)) throw new Error("usage: bun web/build-serve.ts bun|node|deno");
const outDir = `dist/serve-${runtime}`;
const entryName = `${runtime}.js`;

/** Newest modification time (ms) of the files under `dir` (bounded by the tree's size). */
function newestIn(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestIn(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function upToDate(): boolean {
  try {
    const built = statSync(join(outDir, entryName)).mtimeMs;
    const sources = Math.max(
      newestIn("src"),
      statSync("package.json").mtimeMs,
      statSync("package-lock.json").mtimeMs,
    );
    return built > sources;
  } catch {
    return false;
  }
}

function asciiOnly(path: string): void {
  const text = readFileSync(path, "utf8");
  // one UTF-16 unit at a time: a character outside the BMP becomes its surrogate pair of escapes
  const ascii = text.replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  if (ascii !== text) writeFileSync(path, ascii);
}

if (!upToDate()) {
  const tmp = `dist/.build-${runtime}-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const result = await Bun.build({
    entrypoints: [ENTRIES[runtime]],
    outdir: tmp,
    target: runtime === "bun" ? "bun" : "node",
    splitting: true,
    minify: { whitespace: true, syntax: true },
    external: ["node-ble", "mqtt"],
  });
  if (!result.success) {
    for (const log of result.logs) console.error(log);
    rmSync(tmp, { recursive: true, force: true });
    process.exit(1);
  }
  mkdirSync(outDir, { recursive: true });
  const names = readdirSync(tmp).filter((n) => n.endsWith(".js"));
  for (const name of names) asciiOnly(join(tmp, name));
  for (const name of names.filter((n) => n !== entryName)) {
    renameSync(join(tmp, name), join(outDir, name));
  }
  renameSync(join(tmp, entryName), join(outDir, entryName));
  rmSync(tmp, { recursive: true, force: true });
}
