/** @module Keeps the runtime-neutral folders free of runtime, device and adapter imports, the SDK browser-safe and the decoder entry self-contained. */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { filesUnder, ROOT } from "../_support/architecture-graph.ts";
import {
  CLIENT_DIR,
  clientGraph,
  clientViolations,
  CORE_DIRS,
  coreViolations,
  DECODER_BROWSER_ENTRY,
  DECODER_ENTRY,
  decoderEntryViolations,
  DYNAMIC_ONLY,
  importGraph,
  NEUTRAL_DIRS,
  onlyDynamic,
  runtimeImports,
  violations,
} from "../_support/architecture-rules.ts";

describe("architecture: runtime-neutral folders", () => {
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

  test("the core and the hub import nothing from protocol/, server/ or sources/ (no wire format, no import cycle)", () => {
    const files = CORE_DIRS.flatMap(filesUnder);
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
