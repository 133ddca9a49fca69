/**
 * @module Runs a documentation page's SDK example as written against a live bridge under this runtime
 * (the README's, docs/metrics.md's): the ```ts block after a heading, pointed at the repo's SDK and
 * the bridge, its console output collected until it ends.
 */
import { expect } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { webSocketClass, withBridge } from "./client/live-server.ts";

const SDK = new URL("../../src/client/mod.ts", import.meta.url).href;

/** The ```ts block after `heading` in `doc`; it must import the SDK and open the default URL. */
export function docExample(doc: URL, heading: string): string {
  const text = readFileSync(doc, "utf8");
  const at = text.indexOf(heading);
  expect(at).toBeGreaterThan(0);
  const block = /```ts\n([\s\S]*?)```/.exec(text.slice(at));
  expect(block).not.toBeNull();
  const example = block![1]!;
  expect(example).toContain('from "./src/client/mod.ts"');
  expect(example).toContain('"ws://127.0.0.1:8080/"');
  return example;
}

/**
 * Runs `example` against a fresh bridge and returns the lines it printed. It must end by itself
 * within `timeoutMs` (polled every 20 ms: no timer outlives the run to hold Node's test runner).
 */
export async function runExample(example: string, timeoutMs: number): Promise<string[]> {
  // Node 20 has no global WebSocket; the docs say to pass ws's, here it is made global
  const g = globalThis as { WebSocket?: unknown };
  const hadWebSocket = g.WebSocket !== undefined;
  if (!hadWebSocket) g.WebSocket = await webSocketClass();
  const dir = mkdtempSync(join(tmpdir(), "mw75-doc-example-"));
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
      let settled = false;
      const done = import(pathToFileURL(file).href).finally(() => (settled = true));
      done.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
      const deadline = Date.now() + timeoutMs;
      while (!settled) {
        if (Date.now() > deadline) {
          throw new Error(
            `the example did not end within ${timeoutMs} ms; it printed: ${
              lines.slice(-5).join(" | ")
            }`,
          );
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      await done;
    });
  } finally {
    console.log = log;
    if (!hadWebSocket) delete g.WebSocket;
    rmSync(dir, { recursive: true, force: true });
  }
  return lines;
}
