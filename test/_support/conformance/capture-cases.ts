/** @module Conformance scenario: a capture across reconnects replays and decodes as gaps, never as corruption. */
import { expect } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Runtime } from "../server-process.ts";
import type { Msg } from "../ws-client.ts";
import { delay, health, isEeg, isStatus, openWelcomed, withServer } from "./helpers.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const BIN = join(ROOT, "node_modules/.bin");
const RECORD = /\n#mw75-capture v1 connection=\d+ unix_ms=\d+\n/g;
const RECONNECTS = 3;

const reconnected = (m: Msg) =>
  m.type === "status" && String(m.data["message"]).startsWith("Auto-reconnect successful after");

/** Runs the decode CLI on `file` under `runtime` (as test/cli/decode.test.ts does) and returns its JSON lines. */
function decodeFile(runtime: Runtime, file: string): Array<Record<string, unknown>> {
  const commands: Record<Runtime, string[]> = {
    bun: [join(BIN, "bun"), "src/cli/decode.ts"],
    deno: [join(BIN, "deno"), "run", "--allow-read", "src/cli/decode.ts"],
    node: ["node", "--import", "tsx", "src/cli/decode.ts"],
  };
  const [cmd, ...args] = commands[runtime];
  const run = spawnSync(cmd!, [...args, file], {
    cwd: ROOT,
    timeout: 30_000,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  expect({ code: run.status, err: run.stderr }).toEqual({ code: 0, err: "" });
  return run.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
}

/**
 * The simulated link drops every 400 ms and auto-reconnect brings it back; `--capture` saves
 * all of it. Replaying that file (and decoding it with the CLI) must show each reconnect as
 * lost packets with zero checksum failures: every connection starts on a packet boundary.
 */
export async function captureAcrossReconnects(runtime: Runtime): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "mw75-capture-reconnects-"));
  const file = join(dir, "capture.bin");
  try {
    let liveEeg = 0;
    const args = ["--capture", file, "--sim-link-loss-ms", "400", "--reconnect-base-ms", "50"];
    await withServer(runtime, args, async (srv, open) => {
      const { c } = await openWelcomed(open);
      await c.request("connect", { auto_reconnect: true });
      await c.next(isStatus("connected"), 5000);
      for (let k = 0; k < RECONNECTS; k++) {
        await c.next(reconnected, 5000, `auto-reconnect ${k + 1}`);
      }
      await c.next(isEeg, 2000);
      await c.request("disconnect");
      await c.next(isStatus("idle"), 5000);
      liveEeg = c.messages.filter(isEeg).length;
      process.kill(srv.child.pid!, "SIGINT"); // a clean exit closes the capture file
      expect(await Promise.race([srv.exited, delay(8000).then(() => -99)])).toBe(0);
    });
    const records = (readFileSync(file).toString("latin1").match(RECORD) ?? []).length;

    let replayed: Record<string, number> = {};
    await withServer(
      runtime,
      ["--source", `replay:${file}`, "--speed", "0"],
      async (rsrv, open) => {
        const { c } = await openWelcomed(open);
        await c.request("connect", {});
        await c.next(isStatus("disconnected"), 15_000); // the link ends after the file's last byte
        replayed = (await health(rsrv))["packets"] as Record<string, number>;
      },
    );

    const lines = decodeFile(runtime, file);
    const stats = lines.at(-1)!;
    const boundaries = lines.filter((l) => l.type === "boundary").length;
    // one line with every figure, so a failure (or a run on older code) shows the whole picture
    console.log(
      `captureAcrossReconnects(${runtime}): ${
        JSON.stringify({ records, liveEeg, replay: replayed, decode: { ...stats, boundaries } })
      }`,
    );

    // the symptom first: without boundaries every reconnect costs a checksum failure
    expect(replayed["checksum_failures"]).toBe(0);
    expect(replayed["lost"]).toBeGreaterThan(0);
    expect(replayed["valid"]).toBeGreaterThanOrEqual(liveEeg);
    expect(stats["type"]).toBe("stats");
    expect(stats["checksum_failures"]).toBe(0);
    expect(stats["lost_packets"]).toBeGreaterThan(0);
    expect(records).toBeGreaterThanOrEqual(RECONNECTS);
    expect(boundaries).toBe(records);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
