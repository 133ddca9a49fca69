/** @module The package-level rules of src/: what the runtime-neutral folders, the core and hub, the client SDK and the decoder entry may load. */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  filesUnder,
  ROOT,
  specifiers as allSpecifiers,
  stripComments,
} from "./architecture-graph.ts";

/** Folders that run unchanged on every runtime (hub/ is new with issue 20; an absent folder has no files). */
export const NEUTRAL_DIRS = [
  "src/core",
  "src/hub",
  "src/decoder",
  "src/protocol",
  "src/server",
  "src/client",
  "src/push",
];

/** Module specifiers the neutral core must never load, with the reason shown on failure. */
const FORBIDDEN: [RegExp, string][] = [
  [/^node:/, "Node built-in"],
  [/^(bun|bun:.*)$/, "Bun built-in"],
  [/^(npm:|jsr:)/, "Deno specifier"],
  [/^node-ble$/, "BLE device package"],
  [/^(serialport|@serialport\/.*)$/, "serial device package"],
  [/^@hono\/node-(server|ws)/, "Node server adapter"],
  [/^hono\/(bun|deno)$/, "runtime-specific Hono adapter"],
  [/(^|\/)adapters\//, "adapter module"],
  // the broker is the edge of the program: src/mqtt attaches to the hub, nothing neutral loads it
  [/^mqtt(\/|$)/, "MQTT client package"],
  [/(^|\/)mqtt\//, "MQTT publisher module"],
];
/** Runtime globals used directly in code (not in comments). */
const FORBIDDEN_GLOBALS = /(^|[^.\w])(Deno|Bun|process|Buffer)\./;

/** What src/core and src/hub may not import besides FORBIDDEN: the layers above them (no wire format, no cycle). */
const CORE_FORBIDDEN: [RegExp, string][] = [
  [/(^|\/)protocol\//, "protocol module (wire format)"],
  [/(^|\/)server\//, "server module"],
  [/(^|\/)sources\//, "device source"],
];
export const CORE_DIRS = ["src/core", "src/hub"];

/**
 * The client SDK (src/client) runs in browsers as well as in Bun, Deno and Node, without a bundler
 * resolving packages for it: its modules name no package or built-in at all (not even for types),
 * and every module it loads at run time — its own and the protocol modules it reuses — imports only
 * relative paths and touches no runtime global.
 */
export const CLIENT_DIR = "src/client";
const CLIENT_GLOBALS = /(^|[^.\w])(require\s*\(|__dirname|__filename)/;

/**
 * The "./decoder" entry is published on its own: everything it imports, types included (the .d.ts
 * follow them), stays in src/decoder and names no package. The one exception: the bundled-wasm
 * loader may import node:fs/promises dynamically, reached only on file: URLs. The browser entry
 * (the "browser" condition) has not even that, so no bundler meets a node: specifier.
 */
export const DECODER_ENTRY = "src/decoder/mod.ts";
export const DECODER_BROWSER_ENTRY = "src/decoder/browser.ts";
export const DYNAMIC_ONLY: Record<string, string[]> = {
  "src/decoder/wasm-bundled.ts": ["node:fs/promises"],
};

/** Specifiers a module imports or re-exports, comments ignored. */
function specifiers(source: string): { code: string; specs: string[] } {
  return { code: stripComments(source), specs: allSpecifiers(source) };
}

/** Relative specifiers a module loads at run time (`import type`/`export type` are erased, so not followed). */
export function runtimeImports(source: string): string[] {
  const code = stripComments(source);
  const specs: string[] = [];
  for (
    const match of code.matchAll(
      /(?:import|export)\s[^"';]*?from\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)|import\s+["']([^"']+)["']/g,
    )
  ) {
    if (/^(import|export)\s+type\s/.test(match[0])) continue;
    specs.push(match[1] ?? match[2] ?? match[3] ?? "");
  }
  return specs;
}

/** Violations of the client rule in one module: bare specifiers (packages, built-ins) and runtime globals. */
export function clientViolations(source: string, typesToo: boolean): string[] {
  const { code, specs } = specifiers(source);
  const checked = typesToo ? specs : runtimeImports(source);
  const found = checked.filter((s) => !s.startsWith("./") && !s.startsWith("../")).map((s) =>
    `imports "${s}" (the SDK loads no package or built-in)`
  );
  const global = code.match(FORBIDDEN_GLOBALS) ?? code.match(CLIENT_GLOBALS);
  if (global) found.push(`uses the runtime global ${global[2]}`);
  return found;
}

/** Every module the client SDK loads at run time: src/client and what its runtime imports reach. */
export function clientGraph(): string[] {
  const seen = new Set<string>();
  const todo = filesUnder(CLIENT_DIR);
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of runtimeImports(readFileSync(join(ROOT, file), "utf8"))) {
      if (spec.startsWith("./") || spec.startsWith("../")) todo.push(join(dirname(file), spec));
    }
  }
  return [...seen].sort();
}

/** Whether `spec` is only ever loaded by `import("…")`, never by a static import or re-export. */
export function onlyDynamic(source: string, spec: string): boolean {
  const quoted = `["']${spec.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}["']`;
  return !new RegExp(`from\\s*${quoted}|import\\s+${quoted}`).test(specifiers(source).code);
}

/** Violations of the decoder entry rule in one module of the entry's graph. */
export function decoderEntryViolations(file: string, source: string, browser: boolean): string[] {
  const found = file.startsWith("src/decoder/")
    ? []
    : ["lies outside src/decoder (the entry would publish more than the decoder)"];
  const { code, specs } = specifiers(source);
  for (const spec of specs) {
    if (spec.startsWith("./") || spec.startsWith("../")) continue;
    const allowed = !browser && (DYNAMIC_ONLY[file] ?? []).includes(spec) &&
      onlyDynamic(source, spec);
    if (!allowed) {
      found.push(
        `imports "${spec}"${browser ? " (the browser entry loads no package or built-in)" : ""}`,
      );
    }
  }
  const global = code.match(FORBIDDEN_GLOBALS) ?? code.match(CLIENT_GLOBALS);
  if (global) found.push(`uses the runtime global ${global[2]}`);
  return found;
}

/** Every module reachable from `entries` through relative imports of any kind, type imports included. */
export function importGraph(entries: string[]): string[] {
  const seen = new Set<string>();
  const todo = [...entries];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of specifiers(readFileSync(join(ROOT, file), "utf8")).specs) {
      if (spec.startsWith("./") || spec.startsWith("../")) todo.push(join(dirname(file), spec));
    }
  }
  return [...seen].sort();
}

/** Violations of the core's and the hub's own rule (nothing from protocol/, server/ or sources/). */
export function coreViolations(source: string): string[] {
  return specifiers(source).specs.flatMap((s) =>
    CORE_FORBIDDEN.filter(([p]) => p.test(s)).map(([, why]) => `imports "${s}" (${why})`)
  );
}

/** Returns one line per violation found in a module's source text. */
export function violations(source: string): string[] {
  const found: string[] = [];
  const { code, specs } = specifiers(source);
  for (const specifier of specs) {
    for (const [pattern, why] of FORBIDDEN) {
      if (pattern.test(specifier)) found.push(`imports "${specifier}" (${why})`);
    }
  }
  const global = code.match(FORBIDDEN_GLOBALS);
  if (global) found.push(`uses the runtime global ${global[2]}`);
  return found;
}
