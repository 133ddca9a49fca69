/**
 * @module A bridge replaying the metrics capture (metrics-capture.ts) in real time, started under a
 * given runtime for the metrics tests, with the capture written to a temporary file and removed after.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer } from "./server-process.ts";
import type { Runtime, ServerProcess } from "./server-process.ts";
import { metricsCaptureBytes } from "./metrics-capture.ts";

/**
 * Long enough that no test outlives one pass: at its end the replay reconnects and starts over,
 * and a window across that seam would mix two phases of every tone.
 */
export const CAPTURE_SECONDS = 40;

/** The capture's bytes, made once per process (40 s: 1.26 MB, ~50 ms to build). */
let bytes: Uint8Array | null = null;

/**
 * Starts `serve` on the capture at speed 1, connected from start-up (`--autoconnect`, so the
 * replay runs without a controlling client), with `extra` flags; runs `body`, then kills it.
 */
export async function withMetricsBridge(
  runtime: Runtime,
  extra: string[],
  body: (srv: ServerProcess) => Promise<void>,
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "mw75-metrics-"));
  const path = join(dir, "known.bin");
  await writeFile(path, bytes ??= metricsCaptureBytes(CAPTURE_SECONDS));
  let srv: ServerProcess | null = null;
  try {
    srv = await startServer(runtime, [
      "--source",
      `replay:${path}`,
      "--speed",
      "1",
      "--autoconnect",
      ...extra,
    ]);
    await body(srv);
  } finally {
    srv?.kill();
    await rm(dir, { recursive: true, force: true });
  }
}

/** GET /health as parsed JSON. */
// deno-lint-ignore no-explicit-any -- parsed JSON that the tests walk field by field
export async function health(srv: ServerProcess): Promise<Record<string, any>> {
  // deno-lint-ignore no-explicit-any -- parsed JSON that the tests walk field by field
  return (await (await fetch(`${srv.http}/health`)).json()) as Record<string, any>;
}

/** Polls `check` every 20 ms until it holds; throws naming `what` after `timeoutMs`. */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
