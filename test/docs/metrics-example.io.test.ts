/** @module docs/metrics.md's SDK example, taken from the page as written, runs against a live bridge under this runtime and prints what the page says it does. */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { webSocketClass, withBridge } from "../_support/client/live-server.ts";

const DOC = new URL("../../docs/metrics.md", import.meta.url);
const SDK = new URL("../../src/client/mod.ts", import.meta.url).href;

/** The ```ts block after "With the client SDK" in docs/metrics.md. */
function docExample(): string {
  const text = readFileSync(DOC, "utf8");
  const at = text.indexOf("With the client SDK");
  expect(at).toBeGreaterThan(0);
  const block = /```ts\n([\s\S]*?)```/.exec(text.slice(at));
  expect(block).not.toBeNull();
  return block![1]!;
}

describe("docs/metrics.md SDK example", () => {
  test(
    "prints three metrics of ch1, 0.5 s of data apart, the first over a full 2-s window, then ends",
    async () => {
      const example = docExample();
      expect(example).toContain('from "./src/client/mod.ts"');
      expect(example).toContain('"ws://127.0.0.1:8080/"');
      // Node 20 has no global WebSocket; the page's comment says to pass ws's, here it is made global
      const g = globalThis as { WebSocket?: unknown };
      const hadWebSocket = g.WebSocket !== undefined;
      if (!hadWebSocket) g.WebSocket = await webSocketClass();
      const dir = mkdtempSync(join(tmpdir(), "mw75-metrics-doc-"));
      const lines: string[] = [];
      const log = console.log;
      try {
        await withBridge([], async (srv) => {
          const file = join(dir, "example.mts"); // .mts: ESM for tsx too, outside any package.json
          writeFileSync(
            file,
            example.replace('"./src/client/mod.ts"', JSON.stringify(SDK)).replace(
              '"ws://127.0.0.1:8080/"',
              JSON.stringify(`${srv.ws}/`),
            ),
          );
          console.log = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
          const done = import(pathToFileURL(file).href);
          // 2 s of window and 1 s for two more steps at 500 Hz; 20 s leaves room for a loaded CI host
          let timer: ReturnType<typeof setTimeout> | undefined;
          const timeout = new Promise((_, reject) => {
            timer = setTimeout(() => {
              const printed = lines.slice(-4).join(" | ");
              reject(new Error(`the example did not end within 20 s; it printed: ${printed}`));
            }, 20_000);
          });
          // cleared after: a pending timer would hold Node's test runner for the full 20 s
          await Promise.race([done, timeout]).finally(() => clearTimeout(timer));
        });
      } finally {
        console.log = log;
        if (!hadWebSocket) delete g.WebSocket;
        rmSync(dir, { recursive: true, force: true });
      }
      const heads = lines.map((l) => /^seq (\d+): ch1 (good|fair|poor|off) \((.+)\)$/.exec(l))
        .filter((m) => m !== null);
      const figures = lines.map((l) =>
        /^ {2}RMS (\S+) µV, alpha (\S+) of 1–45 Hz, peak (\S+) Hz$/.exec(l)
      ).filter((m) => m !== null);
      expect({ heads: heads.length, figures: figures.length, lines: lines.length }).toEqual({
        heads: 3,
        figures: 3,
        lines: 6,
      });
      const seqs = heads.map((m) => Number(m[1]));
      // a full window is 1000 samples, so the first message ends at seq 999 or later; 250 samples apart
      expect(seqs[0]!).toBeGreaterThanOrEqual(999);
      expect([seqs[1]! - seqs[0]!, seqs[2]! - seqs[1]!]).toEqual([250, 250]);
      for (const m of heads) {
        const reason = m[3]!;
        expect(m[2] === "good" ? reason === "no problem" : /^[a-z_]+$/.test(reason)).toBe(true);
      }
      for (const [, rms, alpha, peak] of figures) {
        // the simulator: tens of µV, a 10-Hz alpha rhythm among pink noise
        expect(Number(rms) > 1 && Number(rms) < 200).toBe(true);
        expect(Number(alpha) > 0 && Number(alpha) < 1).toBe(true);
        expect(Number(peak) >= 1 && Number(peak) <= 45).toBe(true);
      }
    },
    40_000,
  );
});
