/** @module The README's SDK example, taken from the README as written, runs against a live bridge under this runtime. */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { webSocketClass, withBridge } from "../_support/client/live-server.ts";

const README = new URL("../../README.md", import.meta.url);
const SDK = new URL("../../src/client/mod.ts", import.meta.url).href;

/** The ```ts block after "Apps use the typed client" in the README. */
function readmeExample(): string {
  const text = readFileSync(README, "utf8");
  const at = text.indexOf("Apps use the typed client");
  expect(at).toBeGreaterThan(0);
  const block = /```ts\n([\s\S]*?)```/.exec(text.slice(at));
  expect(block).not.toBeNull();
  return block![1]!;
}

describe("README SDK example", () => {
  test(
    "connects the headset, prints the status and two seconds of batches, then ends",
    async () => {
      const example = readmeExample();
      expect(example).toContain('from "./src/client/mod.ts"');
      expect(example).toContain('"ws://127.0.0.1:8080/"');
      // Node 20 has no global WebSocket; the README's comment says to pass ws's, here it is made global
      const g = globalThis as { WebSocket?: unknown };
      const hadWebSocket = g.WebSocket !== undefined;
      if (!hadWebSocket) g.WebSocket = await webSocketClass();
      const dir = mkdtempSync(join(tmpdir(), "mw75-readme-"));
      const lines: string[] = [];
      const log = console.log;
      try {
        await withBridge([], async (srv) => {
          const file = join(dir, "example.mts"); // .mts: ESM for tsx too, outside any package.json;
          writeFileSync(
            file,
            example.replace('"./src/client/mod.ts"', JSON.stringify(SDK)).replace(
              '"ws://127.0.0.1:8080/"',
              JSON.stringify(`${srv.ws}/`),
            ),
          );
          console.log = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
          const done = import(pathToFileURL(file).href);
          const timeout = new Promise((_, reject) =>
            setTimeout(() =>
              reject(
                new Error(
                  `the example did not end within 20 s; it printed: ${lines.slice(-5).join(" | ")}`,
                ),
              ), 20_000)
          );
          await Promise.race([done, timeout]);
        });
      } finally {
        console.log = log;
        if (!hadWebSocket) {
          delete g.WebSocket;
        }
        rmSync(dir, { recursive: true, force: true });
      }
      expect(lines).toContain("device: connected");
      const batches = lines.filter((l) => /^\d+ -?\d/.test(l)).map((l) => l.split(" ").map(Number));
      expect(batches.length).toBeGreaterThanOrEqual(2);
      // batches of up to 50 (the 100-ms interval may send one early) in seq order, channel 1 a finite
      // µV value, ending once seq 999 was reached
      for (let i = 1; i < batches.length; i++) {
        const step = batches[i]![0]! - batches[i - 1]![0]!;
        expect(step > 0 && step <= 50).toBe(true);
      }
      for (const [, uv] of batches) expect(Number.isFinite(uv) && Math.abs(uv!) < 1000).toBe(true);
      expect(batches.at(-1)![0]! + 49).toBeGreaterThanOrEqual(999);
      expect(batches.at(-1)![0]!).toBeLessThanOrEqual(999);
    },
    40_000,
  );
});
