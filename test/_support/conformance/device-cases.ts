/** @module Conformance scenarios for device failures: activation/RFCOMM/connection errors, auto-reconnect, link loss. */
import { expect } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Runtime } from "../server-process.ts";
import type { Msg } from "../ws-client.ts";
import {
  delay,
  expectError,
  health,
  isEeg,
  isError,
  isStatus,
  isStatusMessage,
  openWelcomed,
  since,
  withServer,
} from "./helpers.ts";

/** BLE activation failure without auto-reconnect; then the full reconnect schedule to RECONNECT_EXHAUSTED. */
export async function activationFailureAndExhaustion(runtime: Runtime): Promise<void> {
  // the schedule's shape is under test, not its scale: a 10-ms base runs all ten waits in 1.8 s
  const base = 10;
  await withServer(
    runtime,
    ["--sim-fail-activation", "--reconnect-base-ms", String(base)],
    async (_srv, open) => {
      const { c } = await openWelcomed(open);
      await c.request("connect", {});
      await c.next(isStatus("connecting"));
      expectError(await c.next(isError("BLE_ACTIVATION_FAILED")), "BLE_ACTIVATION_FAILED");
      expect((await c.request("status")).data["device_state"]).toBe("error");
      // a quiet spell of 8 bases: a reconnect without auto_reconnect would have begun in it
      await delay(base * 8);
      expect(c.messages.some(isStatus("reconnecting"))).toBe(false);

      const from = c.messages.length;
      const ack = await c.request("connect", { auto_reconnect: true });
      expect(ack.data["auto_reconnect"]).toBe(true);
      await c.next(isError("BLE_ACTIVATION_FAILED"));
      const exhausted = await c.next(isError("RECONNECT_EXHAUSTED"), 20_000);
      expect(exhausted.data["message"]).toBe("Auto-reconnect failed after 10 attempts");
      const run = since(c, from);
      const reconnecting = run.filter(isStatus("reconnecting"));
      const factors = [1, 2, 4, 8, 16, 30, 30, 30, 30, 30];
      const expected = factors.map(
        (f, k) => `Auto-reconnect attempt ${k + 1}/10 in ${(f * base) / 1000}s...`,
      );
      expect(reconnecting.map((m) => m.data["message"])).toEqual(expected);
      expect(run.filter(isError("RECONNECT_FAILED")).length).toBe(10);
      // each wait really lasts about its delay: status reconnecting k → next connecting status
      const times = (pred: (m: Msg) => boolean) =>
        run.filter(pred).map((m) => m.data["timestamp"] as number);
      const waits = times(isStatus("reconnecting"));
      const starts = times(isStatus("connecting")).slice(1); // the first one is the initial attempt
      for (let k = 0; k < 10; k++) {
        const waited = (starts[k]! - waits[k]!) * 1000;
        // never early (5 ms for the clocks' rounding); late is allowed, as a loaded machine is
        expect(waited).toBeGreaterThanOrEqual(factors[k]! * base - 5);
      }
      const st = await c.request("status");
      expect(st.data["auto_reconnect"]).toBe(false);
      expect(st.data["device_state"]).toBe("error");
    },
  );
}

/** RFCOMM failure code, and CONNECTION_FAILED from a replay of a missing file. */
export async function rfcommAndConnectionFailures(runtime: Runtime): Promise<void> {
  await withServer(runtime, ["--sim-fail-rfcomm"], async (_srv, open) => {
    const { c } = await openWelcomed(open);
    await c.request("connect", {});
    // an `error` state change is announced as status, then the error itself
    await c.next(isStatus("error"));
    expectError(await c.next(isError("RFCOMM_CONNECTION_FAILED")), "RFCOMM_CONNECTION_FAILED");
  });
  // a missing capture is refused at start (test/server/start-checks.test.ts); one that goes away
  // after the start fails the connect, naming the file
  const dir = mkdtempSync(join(tmpdir(), "mw75-gone-"));
  const capture = join(dir, "capture.bin");
  writeFileSync(capture, new Uint8Array(0));
  try {
    await withServer(runtime, ["--source", `replay:${capture}`], async (_srv, open) => {
      rmSync(capture);
      const { c } = await openWelcomed(open);
      await c.request("connect", {});
      const err = await c.next(isError("CONNECTION_FAILED"));
      expect(String(err.data["message"])).toContain(capture);
      expect((await c.request("status")).data["device_state"]).toBe("error");
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Two failed opens, then success: RECONNECT_FAILED once, success announced only when the link is up. */
export async function reconnectSucceeds(runtime: Runtime): Promise<void> {
  await withServer(
    runtime,
    ["--sim-fail-opens", "2", "--reconnect-base-ms", "30"],
    async (_srv, open) => {
      const { c } = await openWelcomed(open);
      await c.request("connect", { auto_reconnect: true });
      await c.next(isError("BLE_ACTIVATION_FAILED"));
      await c.next(isStatusMessage("Auto-reconnect attempt 1/10 in 0.03s..."));
      await c.next(isError("RECONNECT_FAILED"));
      await c.next(isStatusMessage("Auto-reconnect attempt 2/10 in 0.06s..."));
      const ok = await c.next(isStatus("connected"), 5000);
      expect(ok.data["message"]).toBe("Auto-reconnect successful after 2 attempts");
      expect(ok.data["battery_level"]).toBe(85);
      await c.next(isEeg, 2000);
      expect(c.messages.filter(isError("RECONNECT_FAILED")).length).toBe(1);
    },
  );
}

/** A link that drops mid-stream: status disconnected within 2 s, auto-reconnect, and disconnect stops it all. */
export async function linkLossAndReconnect(runtime: Runtime): Promise<void> {
  await withServer(
    runtime,
    ["--sim-link-loss-ms", "600", "--reconnect-base-ms", "50"],
    async (srv, open) => {
      const { c } = await openWelcomed(open);
      await c.request("connect", { auto_reconnect: false });
      await c.next(isStatus("connected"));
      const gone = await c.next(isStatus("disconnected"), 4000);
      expect(gone.data["message"]).toBe("Device connection closed");
      const lastEeg = c.messages.slice(0, c.messages.indexOf(gone)).filter(isEeg).pop()!;
      expect(lastEeg).toBeDefined();
      // the promise is 2 s; the simulated link ends its stream, so the bridge notices it at once
      // and the whole 2 s is margin for a loaded machine
      expect((gone.data["timestamp"] as number) - (lastEeg.data["timestamp"] as number))
        .toBeLessThan(2);
      await delay(300); // a quiet spell: no reconnect without auto_reconnect
      expect(c.messages.some(isStatus("reconnecting"))).toBe(false);
      expect((await health(srv))["device_state"]).toBe("disconnected");

      const from = c.messages.length;
      await c.request("connect", { auto_reconnect: true });
      await c.next(isStatus("connected"));
      await c.next(isStatus("disconnected"), 4000);
      await c.next(isStatusMessage("Auto-reconnect attempt 1/10 in 0.05s..."));
      await c.next(isStatusMessage("Auto-reconnect successful after 1 attempts"), 3000);
      await c.next(isEeg, 2000);
      // the next drop starts a fresh loop (attempt 1 again)
      await c.next(isStatus("disconnected"), 4000);
      await c.next(isStatusMessage("Auto-reconnect attempt 1/10 in 0.05s..."));
      await c.request("disconnect");
      await c.next((m) => isStatus("idle")(m));
      const mark = c.messages.length;
      await delay(400); // a quiet spell, 8 reconnect bases long: the loop must have stopped
      const later = since(c, mark);
      expect(later.some(isStatus("reconnecting")) || later.some(isStatus("connected"))).toBe(false);
      expect(since(c, from).filter(isError("DEVICE_ERROR")).length).toBe(0);
    },
  );
}
