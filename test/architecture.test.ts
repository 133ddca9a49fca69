/** @module Keeps the runtime-neutral core free of runtime, device and adapter imports. */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";

const ROOT = new URL("../", import.meta.url).pathname;
const NEUTRAL_DIRS = ["src/core", "src/decoder", "src/protocol", "src/server", "src/client"];

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
  // the broker is the edge of the program: src/mqtt depends on the server, never the reverse
  [/^mqtt(\/|$)/, "MQTT client package"],
  [/(^|\/)mqtt\//, "MQTT publisher module"],
];
/** Runtime globals used directly in code (not in comments). */
const FORBIDDEN_GLOBALS = /(^|[^.\w])(Deno|Bun|process|Buffer)\./;

/** What src/core may not import besides FORBIDDEN: the layers above it (no wire format in core, no cycle). */
const CORE_FORBIDDEN: [RegExp, string][] = [
  [/(^|\/)protocol\//, "protocol module (wire format)"],
  [/(^|\/)server\//, "server module"],
  [/(^|\/)sources\//, "device source"],
];

/**
 * The client SDK (src/client) runs in browsers as well as in Bun, Deno and Node, without a bundler
 * resolving packages for it: its modules name no package or built-in at all (not even for types),
 * and every module it loads at run time — its own and the protocol modules it reuses — imports only
 * relative paths and touches no runtime global.
 */
const CLIENT_DIR = "src/client";
const CLIENT_GLOBALS = /(^|[^.\w])(require\s*\(|__dirname|__filename)/;

/**
 * The "./decoder" entry is published on its own: everything it imports, types included (the .d.ts
 * follow them), stays in src/decoder and names no package. The one exception: the bundled-wasm
 * loader may import node:fs/promises dynamically, reached only on file: URLs. The browser entry
 * (the "browser" condition) has not even that, so no bundler meets a node: specifier.
 */
const DECODER_ENTRY = "src/decoder/mod.ts";
const DECODER_BROWSER_ENTRY = "src/decoder/browser.ts";
const DYNAMIC_ONLY: Record<string, string[]> = {
  "src/decoder/wasm-bundled.ts": ["node:fs/promises"],
};

/** Specifiers a module imports or re-exports, comments ignored. */
function specifiers(source: string): { code: string; specs: string[] } {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");
  const specs: string[] = [];
  for (
    const match of code.matchAll(
      /(?:import|export)\s[^"';]*?from\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)|import\s+["']([^"']+)["']/g,
    )
  ) {
    specs.push(match[1] ?? match[2] ?? match[3] ?? "");
  }
  return { code, specs };
}

/** Relative specifiers a module loads at run time (`import type`/`export type` are erased, so not followed). */
export function runtimeImports(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");
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
function clientGraph(): string[] {
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
function importGraph(entries: string[]): string[] {
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

/** Violations of the core's own rule (nothing from protocol/, server/ or sources/). */
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

function filesUnder(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(join(ROOT, dir));
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(ROOT, path)).isDirectory()
      ? filesUnder(path)
      : path.endsWith(".ts")
      ? [path]
      : [];
  });
}

describe("architecture", () => {
  test("the checker recognises every forbidden kind of import", () => {
    const bad = [
      `import { readFile } from "node:fs/promises";`,
      `import { serve } from "bun";`,
      `import { Bluetooth } from 'node-ble';`,
      `import { SerialPort } from "serialport";`,
      `const m = await import("../adapters/wasm-file.ts");`,
      `export { upgradeWebSocket } from "hono/bun";`,
      `const f = Deno.open("x");`,
      `import mqtt from "mqtt";`,
      `import type { MqttPublisher } from "../mqtt/publisher.ts";`,
    ];
    for (const line of bad) {
      expect({ line, found: violations(line).length > 0 }).toEqual({ line, found: true });
    }
    expect(
      violations(
        `import { Hono } from "hono";\n// Deno.open is not used here\nimport type { X } from "./x.ts";`,
      ),
    ).toEqual([]);
  });

  test("the core checker recognises imports of the layers above the core", () => {
    expect(coreViolations(`import { eegDataJson } from "../protocol/eeg-json.ts";`)).toHaveLength(
      1,
    );
    expect(coreViolations(`import type { Hub } from "../server/hub.ts";`)).toHaveLength(1);
    expect(coreViolations(`import { simPackets } from "../sources/sim.ts";`)).toHaveLength(1);
    expect(
      coreViolations(
        `import type { Decoder } from "../decoder/types.ts";\nimport { X } from "./x.ts";`,
      ),
    ).toEqual([]);
  });

  test("the core imports nothing from protocol/, server/ or sources/ (no wire format, no import cycle)", () => {
    const files = filesUnder("src/core");
    expect(files.length).toBeGreaterThan(5);
    const problems = files.flatMap((file) =>
      coreViolations(readFileSync(join(ROOT, file), "utf8")).map((v) => `${file}: ${v}`)
    );
    expect(problems).toEqual([]);
  });

  test("the client checker recognises packages, built-ins and runtime globals, and skips erased type imports", () => {
    for (
      const line of [
        `import * as v from "valibot";`,
        `import { Hono } from "hono";`,
        `import { connect } from "node:net";`,
        `export { serve } from "bun";`,
        `const t = process.env.TOKEN;`,
        `const ws = require("ws");`,
        `const m = await import("ws");`,
      ]
    ) {
      expect({ line, found: clientViolations(line, true).length > 0 }).toEqual({
        line,
        found: true,
      });
    }
    expect(clientViolations(`import type { Context } from "hono";`, false)).toEqual([]);
    expect(clientViolations(`import type { Context } from "hono";`, true)).toHaveLength(1);
    expect(
      runtimeImports(
        `import type { A } from "./a.ts";\nexport type { B } from "./b.ts";\nimport { c } from "./c.ts";\nexport * from "./d.ts";`,
      ),
    ).toEqual(["./c.ts", "./d.ts"]);
  });

  test("the client SDK and every module it loads at run time import only relative modules and no runtime global", () => {
    const own = filesUnder(CLIENT_DIR);
    expect(own.length).toBeGreaterThan(5);
    const graph = clientGraph();
    expect(graph).toContain("src/protocol/encoders/binary-frame-reader.ts"); // the walk follows imports out of src/client
    const problems = graph.flatMap((file) =>
      clientViolations(readFileSync(join(ROOT, file), "utf8"), own.includes(file)).map((v) =>
        `${file}: ${v}`
      )
    );
    expect(problems).toEqual([]);
  });

  test("the runtime-neutral folders import no runtime, device or adapter module", () => {
    const files = NEUTRAL_DIRS.flatMap(filesUnder);
    expect(files.length).toBeGreaterThan(3);
    const problems = files.flatMap((file) => {
      const source = readFileSync(join(ROOT, file), "utf8");
      // the bundled-wasm loader's file read is allowed as a dynamic import only (see DYNAMIC_ONLY)
      const allowed = (DYNAMIC_ONLY[file] ?? []).filter((spec) => onlyDynamic(source, spec)).map((
        spec,
      ) => `imports "${spec}" (Node built-in)`);
      return violations(source).filter((v) => !allowed.includes(v)).map((v) => `${file}: ${v}`);
    });
    expect(problems).toEqual([]);
  });

  test("the decoder entry checker recognises packages, modules outside src/decoder, static built-ins and runtime globals", () => {
    const ok = "src/decoder/x.ts";
    for (
      const [file, line, browser] of [
        [ok, `import * as v from "valibot";`, false],
        [ok, `import type { Hono } from "hono";`, false],
        [ok, `const f = Deno.readFile("x");`, false],
        ["src/decoder/wasm-bundled.ts", `import { readFile } from "node:fs/promises";`, false],
        ["src/decoder/wasm-bundled.ts", `const fs = await import("node:fs/promises");`, true],
        [ok, `const fs = await import("node:fs/promises");`, false],
        ["src/core/x.ts", `export const x = 1;`, false],
      ] as const
    ) {
      expect({ file, line, found: decoderEntryViolations(file, line, browser).length > 0 }).toEqual(
        { file, line, found: true },
      );
    }
    expect(
      decoderEntryViolations(
        "src/decoder/wasm-bundled.ts",
        `const fs = await import("node:fs/promises");\nimport { a } from "./a.ts";`,
        false,
      ),
    ).toEqual([]);
  });

  for (const [entry, browser] of [[DECODER_ENTRY, false], [DECODER_BROWSER_ENTRY, true]] as const) {
    test(`the ${browser ? "browser " : ""}decoder entry ${entry} reaches only src/decoder and no package${browser ? " or built-in at all" : ""}`, () => {
      const graph = importGraph([entry]);
      expect(graph).toContain("src/decoder/decoder.ts"); // the walk follows the entry's imports
      expect(graph.includes("src/decoder/wasm-bundled.ts")).toBe(!browser);
      const problems = graph.flatMap((file) =>
        decoderEntryViolations(file, readFileSync(join(ROOT, file), "utf8"), browser).map((v) =>
          `${file}: ${v}`
        )
      );
      expect(problems).toEqual([]);
    });
  }
});
