/** @module Conformance scenarios for the process: banner, /health, CLI errors, SIGINT shutdown, capture → replay. */
import { expect } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runServeCli, startServer } from "../server-process.ts";
import type { Runtime } from "../server-process.ts";
import type { Msg } from "../ws-client.ts";
import {
  delay,
  health,
  healthUntil,
  isEeg,
  isStatus,
  openWelcomed,
  waitUntil,
  withServer,
} from "./helpers.ts";
import { untilCount } from "./stream-helpers.ts";

/** Banner says SYNTHETIC and the real port; /health has every documented field; GET / answers without upgrade. */
export async function bannerAndHealth(runtime: Runtime): Promise<void> {
  await withServer(runtime, [], async (srv) => {
    expect(srv.stdout()).toContain(`listening on http://127.0.0.1:${srv.port}`);
    expect(srv.port).toBeGreaterThan(0);
    expect(srv.stdout()).toContain("SYNTHETIC");
    const h = await health(srv);
    expect(h).toMatchObject({
      status: "ok",
      runtime,
      source: "sim",
      synthetic: true,
      device_state: "idle",
      clients: 0,
      battery_level: null,
      shed: 0,
    });
    expect(h["version"]).toBe(
      JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")).version,
    );
    expect(typeof h["uptime"]).toBe("number");
    expect(Object.keys(h["packets"]).sort()).toEqual([
      "checksum_failures",
      "duplicates",
      "lost",
      "rate_hz",
      "valid",
    ]);
    const root = await fetch(`${srv.http}/`);
    expect(root.status).toBe(200);
    await root.text();
  });
  await withServer(runtime, ["--sim-corruption", "0.05"], async (srv, open) => {
    const { c } = await openWelcomed(open);
    await c.request("connect", {});
    await c.next(isStatus("connected"));
    // ~0.6 s of stream at 5 % corruption; 10 s only bounds a loaded machine
    const { packets: p } = await healthUntil(
      srv,
      (h) => h["packets"]["checksum_failures"] > 0 && h["packets"]["valid"] > 300,
      10_000,
      "checksum failures among 300 valid packets",
    );
    expect(p["checksum_failures"]).toBeGreaterThan(0);
    expect(p["valid"]).toBeGreaterThan(300);
  });
}

/** Bad flags: usage on stderr and exit code 2; --help: usage on stdout, exit 0. */
export async function cliErrors(runtime: Runtime): Promise<void> {
  for (const args of [["--bogus"], ["--port", "abc"], ["--source", "floppy"], ["--max-clients"]]) {
    const r = await runServeCli(runtime, args);
    expect({ args, code: r.code }).toEqual({ args, code: 2 });
    expect(r.stderr).toContain("Usage: serve");
    expect(r.stdout).not.toContain("listening on");
  }
  const help = await runServeCli(runtime, ["--help"]);
  expect(help.code).toBe(0);
  expect(help.stdout).toContain("--max-clients");
}

/** SIGINT: clients told (disconnecting/idle/shutdown status), device torn down, exit 0. */
export async function cleanShutdown(runtime: Runtime): Promise<void> {
  await withServer(runtime, [], async (srv, open) => {
    const { c } = await openWelcomed(open);
    await c.request("connect", {});
    await c.next(isEeg);
    process.kill(srv.child.pid!, "SIGINT");
    await c.next(isStatus("disconnecting"), 5000);
    await c.next(isStatus("idle"), 5000);
    await c.next((m) => m.type === "status" && m.data["message"] === "Server shutting down", 5000);
    // shutdown takes well under a second; 8 s and 3 s only bound a loaded machine
    const code = await Promise.race([srv.exited, delay(8000).then(() => -99)]);
    expect(code).toBe(0);
    // the exit can be seen before the last of the stdout pipe is read
    await waitUntil(
      () => srv.stdout().includes("Server shutdown complete"),
      3000,
      "the shutdown line",
    );
    await Promise.race([c.closed, delay(3000)]);
    expect(c.isClosed).toBe(true);
  });
}

const eegKey = (m: Msg) =>
  JSON.stringify([
    m.data["counter"],
    m.data["ref"],
    m.data["drl"],
    m.data["channels"],
    m.data["lead_off"],
  ]);

/** A capture replayed as fast as possible yields the same eeg_data sequence as the live run. */
export async function captureThenReplay(runtime: Runtime): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "mw75-capture-"));
  const file = join(dir, "capture.bin");
  try {
    let live: string[] = [];
    const srv = await startServer(runtime, [
      "--capture",
      file,
      "--sim-seed",
      "7",
      "--sim-corruption",
      "0.01",
    ]);
    try {
      const { connectWs } = await import("../ws-client.ts");
      const c = await connectWs(`${srv.ws}/`);
      await c.request("connect", {});
      await c.next(isEeg);
      // 250 eeg_data to replay (0.5 s at 500 Hz); 8 s only bounds a loaded machine
      await untilCount(c, 0, isEeg, 250, 8000, "eeg_data to capture");
      await c.request("disconnect");
      await c.next(isStatus("idle"));
      live = c.messages.filter(isEeg).map(eegKey);
      c.close();
      process.kill(srv.child.pid!, "SIGINT");
      expect(await Promise.race([srv.exited, delay(8000).then(() => -99)])).toBe(0);
    } finally {
      srv.kill();
    }
    expect(statSync(file).size).toBeGreaterThan(live.length * 63 - 1);
    expect(live.length).toBeGreaterThan(200);

    await withServer(
      runtime,
      ["--source", `replay:${file}`, "--speed", "0"],
      async (rsrv, open) => {
        expect(rsrv.stdout()).not.toContain("SYNTHETIC");
        const { c } = await openWelcomed(open);
        await c.request("connect", {});
        await c.next(isStatus("disconnected"), 10_000); // the link ends after the last byte
        const replayed = c.messages.filter(isEeg).map(eegKey);
        // the live run may stop before the last captured chunk was decoded: it is a prefix
        expect(replayed.slice(0, live.length)).toEqual(live);
        expect(replayed.length - live.length).toBeLessThan(100);
        expect((await health(rsrv))["source"]).toBe("replay");
      },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
