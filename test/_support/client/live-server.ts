/**
 * @module What the SDK's live tests share: a bridge server started under the runtime running the
 * tests, the WebSocket constructor of that runtime (Node 20 has no global one: the `ws` package's),
 * and bounded waits.
 */
import { startServer } from "../server-process.ts";
import type { Runtime, ServerProcess } from "../server-process.ts";
import type { WebSocketConstructorLike } from "../../../src/client/mod.ts";

/** The runtime executing this test file. */
export function currentRuntime(): Runtime {
  if ("Bun" in globalThis) return "bun";
  if ("Deno" in globalThis) return "deno";
  return "node";
}

/** The global WebSocket, or `ws`'s where there is none (Node 20). */
export async function webSocketClass(): Promise<WebSocketConstructorLike> {
  const global = (globalThis as { WebSocket?: WebSocketConstructorLike }).WebSocket;
  if (global !== undefined) return global;
  const name = "ws"; // a variable: ws ships no types, and only Node 20 ever loads it
  const mod = (await import(name)) as { WebSocket: WebSocketConstructorLike };
  return mod.WebSocket;
}

/** Starts the bridge (simulated headset) under this runtime and runs `body`; the server is killed after. */
export async function withBridge(
  args: string[],
  body: (srv: ServerProcess) => Promise<void>,
): Promise<void> {
  const srv = await startServer(currentRuntime(), args);
  try {
    await body(srv);
  } finally {
    srv.kill();
  }
}

export const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `cond` every 10 ms until it holds; throws naming `what` after `timeoutMs`. */
export async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await delay(10);
  }
}

/** Every seq a batch covers. */
export function batchSeqs(b: { firstSeq: number; count: number; decimate: number }): number[] {
  return Array.from({ length: b.count }, (_, i) => b.firstSeq + i * b.decimate);
}

/** Describes what is wrong with a seq list that should be consecutive and unique ("" when nothing). */
export function seqProblems(seqs: number[], step = 1): string {
  const problems: string[] = [];
  for (let i = 1; i < seqs.length && problems.length < 5; i++) {
    const d = seqs[i]! - seqs[i - 1]!;
    if (d !== step) {
      problems.push(
        d <= 0
          ? `duplicate/backwards ${seqs[i - 1]} → ${seqs[i]}`
          : `missing ${seqs[i - 1]! + step}..${seqs[i]! - step}`,
      );
    }
  }
  return problems.join("; ");
}
