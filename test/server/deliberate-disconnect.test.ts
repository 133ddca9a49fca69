/**
 * @module Issue 18 items 2 and 3 under Bun, Deno and Node: a deliberate disconnect is no data loss
 * anywhere (events, diagnostics, /health, /metrics, a recording), and during an auto-reconnect wait
 * the status broadcast, the status reply, /health and the events stream report one state.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  health,
  isEeg,
  isStatus,
  openWelcomed,
  since,
  withServer,
} from "../_support/conformance/helpers.ts";
import { tempDir, until } from "../_support/conformance/recording-helpers.ts";
import { isEvent } from "../_support/conformance/stream-helpers.ts";
import { RUNTIMES } from "../_support/server-process.ts";
import type { Runtime, ServerProcess } from "../_support/server-process.ts";
import type { Msg, WsClient } from "../_support/ws-client.ts";

/** The device's `mw75_packets_lost_total` from GET /metrics. */
async function metricLost(srv: ServerProcess): Promise<number> {
  const text = await (await fetch(`${srv.http}/metrics`)).text();
  const m = /^mw75_packets_lost_total\{[^}]*\} (\d+)$/m.exec(text);
  if (m === null) throw new Error(`no mw75_packets_lost_total in /metrics:\n${text.slice(0, 400)}`);
  return Number(m[1]);
}

const stateChanges = (msgs: Msg[]) =>
  msgs.filter(isEvent("state_change")).map((m) => `${m.data["from_state"]}>${m.data["to_state"]}`);

/** Waits until `n` eeg_data messages arrived from index `from` on (500/s: n / 500 s, bounded by `timeoutMs`). */
function eegAfter(c: WsClient, from: number, n: number, timeoutMs: number): Promise<void> {
  return until(() => since(c, from).filter(isEeg).length >= n, timeoutMs, `${n} eeg_data messages`);
}

async function deliberatePause(runtime: Runtime): Promise<void> {
  const rec = tempDir("mw75-deliberate-");
  try {
    await withServer(runtime, ["--recordings-dir", rec.dir], async (srv, open) => {
      const { c } = await openWelcomed(open);
      await c.request("subscribe", { stream: "events" });
      await c.request("subscribe", { stream: "diagnostics", interval_ms: 100 });
      await c.request("connect", {});
      await c.next(isStatus("connected"), 5000);
      await c.request("start_recording", { session_name: "pause", formats: ["bdf", "csv"] });
      await eegAfter(c, 0, 600, 5000); // > 1 s: the recording holds a whole data record before the pause
      const lostBefore = {
        health: (await health(srv))["packets"]["lost"] as number,
        metrics: await metricLost(srv),
      };

      await c.request("disconnect");
      await c.next(isStatus("idle"), 5000);
      // the pause under test (not a readiness wait): 1.5 s off is ~750 samples of seq jump
      await new Promise((r) => setTimeout(r, 1500));
      const from = c.messages.length;
      await c.request("connect", {});
      await c.next(isStatus("connected"), 5000);
      // 0.5 s of the new connection: its first block (and any gap event, sent before it) is long in
      await eegAfter(c, from, 250, 5000);
      const stopped = (await c.request("stop_recording", {}, 10_000)).data["recording"] as Record<
        string,
        unknown
      >;
      await c.request("ping"); // a round trip: every event queued before it has arrived

      const msgs = since(c, 0);
      expect(msgs.filter(isEvent("gap")).map((m) => m.data)).toEqual([]);
      const eeg = msgs.filter(isEeg).map((m) => m.data["seq"] as number);
      const jumps = eeg.flatMap((
        s,
        i,
      ) => (i > 0 && s !== eeg[i - 1]! + 1 ? [s - eeg[i - 1]! - 1] : []));
      expect(jumps).toHaveLength(1); // the seq still jumps by the time off, keeping time aligned
      expect(jumps[0]!).toBeGreaterThan(500); // ≥ 1 s of the 1.5 s pause (+ reconnect time), whatever the load
      expect(stateChanges(msgs)).toEqual([
        "idle>connecting",
        "connecting>connected",
        "connected>disconnecting",
        "disconnecting>idle",
        "idle>connecting",
        "connecting>connected",
      ]);
      const diagnostics = msgs.filter((m) => m.type === "diagnostics").map((m) => m.data);
      expect(diagnostics.filter((d) => d["device_state"] === "connected").length).toBeGreaterThan(
        3,
      );
      expect(
        diagnostics.filter((d) =>
          d["loss_ratio"] !== 0 || (d["packets"] as Record<string, number>)["lost"] !== 0
        ),
      ).toEqual([]);
      const h = await health(srv);
      expect([h["packets"]["lost"], await metricLost(srv)]).toEqual([
        lostBefore.health,
        lostBefore.metrics,
      ]);
      expect(h["devices"][0]["packets"]["lost"]).toBe(lostBefore.health);

      // the recording spans the pause (zeros, time aligned) but counts and annotates no gap
      expect(stopped).toMatchObject({ state: "stopped", gaps: 0 });
      const events = readFileSync(join(rec.dir, "pause_events.csv"), "utf8");
      expect(events.split("\n").filter((l) => l.includes(",gap,"))).toEqual([]);
      expect(events).toContain(",device_off,");
      const bdf = readFileSync(join(rec.dir, "pause.bdf")).toString("latin1");
      expect(bdf).not.toMatch(/gap \d+ samples/);
      expect(bdf).toMatch(/device off \d+ samples/);
      const meta = JSON.parse(readFileSync(join(rec.dir, "pause.json"), "utf8")) as Record<
        string,
        unknown
      >;
      expect(meta).toMatchObject({ lost: 0, gaps: 0 });
    });
  } finally {
    rec.remove();
  }
}

/** Default single-client policy: the last client leaving tears the device down; that is deliberate too. */
async function teardownThenConnect(runtime: Runtime): Promise<void> {
  await withServer(runtime, [], async (srv, open) => {
    const first = (await openWelcomed(open)).c;
    await first.request("connect", {});
    await eegAfter(first, 0, 250, 5000);
    first.close();
    // the teardown is silent: poll /health until the device is idle and nobody holds it
    const deadline = Date.now() + 5000;
    for (
      let h = await health(srv);
      h["clients"] !== 0 || h["device_state"] !== "idle";
      h = await health(srv)
    ) {
      if (Date.now() > deadline) {
        throw new Error(`no teardown within 5 s: ${JSON.stringify(h).slice(0, 200)}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    const { c } = await openWelcomed(open);
    await c.request("subscribe", { stream: "events" });
    await c.request("connect", {});
    await eegAfter(c, 0, 250, 5000);
    await c.request("ping");
    const seqs = since(c, 0).filter(isEeg).map((m) => m.data["seq"] as number);
    const lastBefore = since(first, 0).filter(isEeg).at(-1)!.data["seq"] as number;
    expect(seqs[0]!).toBeGreaterThan(lastBefore + 1); // seq jumped across the teardown
    expect(since(c, 0).filter(isEvent("gap")).map((m) => m.data)).toEqual([]);
    expect(stateChanges(since(c, 0))).toEqual(["idle>connecting", "connecting>connected"]);
    expect((await health(srv))["packets"]["lost"]).toBe(0);
  });
}

async function oneStateWhileWaiting(runtime: Runtime): Promise<void> {
  // the link drops 0.6 s into each connection; the first wait lasts 3 s, room for 3 HTTP/WS round
  // trips even on a loaded machine (each takes milliseconds; checked below against the wait's end)
  await withServer(
    runtime,
    ["--sim-link-loss-ms", "600", "--reconnect-base-ms", "3000"],
    async (srv, open) => {
      const { c } = await openWelcomed(open);
      await c.request("subscribe", { stream: "events" });
      await c.request("connect", { auto_reconnect: true });
      const broadcast = await c.next(isStatus("reconnecting"), 5000);
      const waitEnds = Date.now() + 3000;
      const reply = await c.request("status");
      const h = await health(srv);
      const metrics = await (await fetch(`${srv.http}/metrics`)).text();
      await until(
        () => stateChanges(since(c, 0)).includes("disconnected>reconnecting"),
        2000,
        "the state_change to reconnecting",
      );
      expect(Date.now()).toBeLessThan(waitEnds); // still inside the wait: every answer above describes it

      expect(broadcast.data["message"]).toBe("Auto-reconnect attempt 1/10 in 3s...");
      // the base reply keeps its six states (docs/protocol/mw75.md §3.6); the wait is named beside it
      expect(reply.data["device_state"]).toBe("disconnected");
      expect(reply.data["reconnecting"]).toMatchObject({ attempt: 1, of: 10, delay_ms: 3000 });
      expect([h["device_state"], h["devices"][0]["state"]]).toEqual([
        "reconnecting",
        "reconnecting",
      ]);
      expect(metrics).toMatch(/mw75_device_connected\{device="[^"]+",state="reconnecting"\} 0/);
      expect(stateChanges(since(c, 0)).slice(-2)).toEqual([
        "connected>disconnected",
        "disconnected>reconnecting",
      ]);

      await c.request("disconnect");
      await c.next(isStatus("idle"), 5000);
      await c.request("ping");
      expect(stateChanges(since(c, 0)).at(-1)).toBe("reconnecting>idle");
      expect((await health(srv))["device_state"]).toBe("idle");
      expect((await c.request("status")).data["reconnecting"]).toBeUndefined();
    },
  );
}

for (const runtime of RUNTIMES) {
  describe(`deliberate disconnect and reconnect wait (${runtime})`, () => {
    test(
      "connect → disconnect → 1.5 s idle → connect: no gap event, no loss counted, state changes, a gap-free recording",
      () => deliberatePause(runtime),
      40_000,
    );
    test(
      "the teardown when the last client leaves, then a new client connects: no gap event",
      () => teardownThenConnect(runtime),
      30_000,
    );
    test(
      "during an auto-reconnect wait the broadcast, the status reply, /health and the events stream say reconnecting",
      () => oneStateWhileWaiting(runtime),
      30_000,
    );
  });
}
