/** @module Conformance scenarios for the diagnostics stream (docs/protocol/bridge-api.md §2.3): its fields, its interval by the server's own timestamps, idle and connected figures, and no loss across a deliberate reconnect. */
import { expect } from "bun:test";
import type { Runtime } from "../server-process.ts";
import type { Msg, WsClient } from "../ws-client.ts";
import { isEeg, isStatus, openWelcomed, since, waitUntil, withServer } from "./helpers.ts";
import type { Data } from "./stream-helpers.ts";

/** The fields of §2.3 with their types. */
function expectDiagnosticsShape(d: Data): void {
  for (
    const k of [
      "timestamp",
      "rate_hz",
      "expected_rate_hz",
      "loss_ratio",
      "jitter_ms",
      "buffered_bytes",
      "shed",
      "clients",
    ]
  ) {
    if (typeof d[k] !== "number") {
      throw new Error(`diagnostics.${k} is ${JSON.stringify(d[k])}, not a number`);
    }
  }
  expect(typeof d["device_state"]).toBe("string");
  for (const k of ["valid", "lost", "duplicates", "checksum_failures", "skipped_bytes"]) {
    expect(typeof d["packets"]?.[k]).toBe("number");
  }
  for (const k of ["decode", "send_queue"]) expect(typeof d["latency_ms"]?.[k]).toBe("number");
  expect(Array.isArray(d["lead_off"])).toBe(true);
  expect("battery_level" in d).toBe(true);
  expect(d["expected_rate_hz"]).toBe(500);
}

const diagnosticsIn = (msgs: Msg[]) =>
  msgs.filter((m) => m.type === "diagnostics").map((m) => m.data as Data);

/**
 * The 8 diagnostics reports from `from` on, once they came, checked for the 200-ms interval by
 * their own timestamps (the server's clock): how many a busy test process has read within a fixed
 * window would also measure its own lag.
 */
async function reportsAtInterval(c: WsClient, from: number): Promise<Data[]> {
  // 8 reports take 1.6 s; 10 s leaves a loaded machine 6× that
  await waitUntil(() => diagnosticsIn(since(c, from)).length >= 8, 10_000, "8 diagnostics reports");
  const reports = diagnosticsIn(since(c, from)).slice(0, 8);
  const stamps = reports.map((d) => d["timestamp"] as number);
  const meanGap = (stamps.at(-1)! - stamps[0]!) / (stamps.length - 1);
  // 0.15..0.35 s: a timer may fire late on a loaded machine, never much early; a broken interval
  // (1 s, or one report per chunk) falls outside
  expect(meanGap).toBeGreaterThan(0.15);
  expect(meanGap).toBeLessThan(0.35);
  return reports;
}

/** interval_ms 200 → about 5 a second, idle (zeros) and connected (rate ≈ 500, lead-off channels); unsubscribe stops them. */
export async function diagnosticsStream(runtime: Runtime): Promise<void> {
  await withServer(runtime, ["--sim-lead-off", "2,11"], async (_srv, open) => {
    const { c } = await openWelcomed(open);
    const ack = await c.request("subscribe", { stream: "diagnostics", interval_ms: 200 });
    const idleFrom = c.messages.indexOf(ack);
    const idle = await reportsAtInterval(c, idleFrom);
    for (const d of idle) {
      expectDiagnosticsShape(d);
      expect(d).toMatchObject({
        device_state: "idle",
        rate_hz: 0,
        loss_ratio: 0,
        jitter_ms: 0,
        battery_level: null,
        shed: 0,
        clients: 1,
        lead_off: [],
        packets: { valid: 0, lost: 0, duplicates: 0, checksum_failures: 0, skipped_bytes: 0 },
      });
      expect(d["latency_ms"]["decode"]).toBe(0);
    }

    await c.request("connect", {});
    await c.next(isStatus("connected"), 5000);
    // rate_hz and lead_off look back 1 s: wait until a report has a full second behind it
    const settledFrom = c.messages.length;
    await waitUntil(
      () =>
        diagnosticsIn(since(c, settledFrom)).some((d) =>
          d["rate_hz"] > 400 && (d["lead_off"] as number[]).length === 2
        ),
      10_000,
      "diagnostics with a full second of stream behind them",
    );
    const live = await reportsAtInterval(c, c.messages.length);
    let previous: Data | null = null;
    for (const d of live) {
      expectDiagnosticsShape(d);
      expect(d).toMatchObject({
        device_state: "connected",
        battery_level: 85,
        lead_off: [2, 11],
        clients: 1,
      });
      // 500 Hz over the last second; +20 % is what 10-ms delivery ticks and a late report can skew,
      // −30 % also what a simulator starved on a loaded machine can fall behind in one second (388
      // was seen at load 13); a rate counted in packets of two samples or over two seconds still fails
      expect(d["rate_hz"]).toBeGreaterThan(350);
      expect(d["rate_hz"]).toBeLessThan(600);
      expect(d["packets"]["lost"]).toBe(0);
      expect(d["loss_ratio"]).toBe(0);
      expect(d["jitter_ms"]).toBeGreaterThanOrEqual(0);
      if (previous !== null) {
        expect(d["packets"]["valid"]).toBeGreaterThan(previous["packets"]["valid"]);
        expect(d["timestamp"]).toBeGreaterThan(previous["timestamp"]);
      }
      previous = d;
    }
    // the report is fresh: a stamp from the right clock is milliseconds old; 5 s tells a wrong
    // clock or unit (seconds vs ms) apart whatever the load
    expect(Math.abs(previous!["timestamp"] - Date.now() / 1000)).toBeLessThan(5);

    const stop = await c.request("unsubscribe", { stream: "diagnostics" });
    // a quiet spell longer than the 200-ms interval, on the server's own clock: 150 eeg_data
    // (300 ms of packets) after the ack; nothing of diagnostics may arrive in it
    const after = c.messages.indexOf(stop);
    await waitUntil(() => since(c, after).filter(isEeg).length >= 150, 5000, "300 ms of eeg_data");
    expect(diagnosticsIn(since(c, after)).length).toBe(0);
  });
}

/**
 * A deliberate disconnect and reconnect loses no packet: diagnostics' `loss_ratio` (lost / expected)
 * stays 0 like `packets.lost`, and `jitter_ms` describes chunk arrivals, not the time spent idle.
 */
export async function diagnosticsAfterReconnect(runtime: Runtime): Promise<void> {
  await withServer(runtime, [], async (_srv, open) => {
    const { c } = await openWelcomed(open);
    await c.request("subscribe", { stream: "diagnostics", interval_ms: 200 });
    await c.request("connect", {});
    await c.next(isStatus("connected"), 5000);
    // some stream before the disconnect: three connected reports (600 ms at 200 ms)
    const streaming = c.messages.length;
    await waitUntil(
      () =>
        diagnosticsIn(since(c, streaming)).filter((d) => d["device_state"] === "connected")
          .length >= 3,
      5000,
      "three connected reports",
    );
    await c.request("disconnect");
    await c.next(isStatus("idle"), 5000);
    // the idle spell that must count neither as loss nor as jitter: ten idle reports (2 s), so
    // that idle time counted as one chunk interval would give a jitter (the interval's standard
    // deviation) of ≥ 2000/√50 ≈ 280 ms even over the 1 s of ~50 chunks read below
    const idleFrom = c.messages.length;
    await waitUntil(
      () =>
        diagnosticsIn(since(c, idleFrom)).filter((d) => d["device_state"] === "idle").length >= 10,
      8000,
      "ten idle reports",
    );
    await c.request("connect", {});
    await c.next(isStatus("connected"), 5000);
    const from = c.messages.length;
    const connectedIn = () =>
      diagnosticsIn(since(c, from)).filter((d) => d["device_state"] === "connected");
    // 5 reports (1 s at 200 ms); 10 s only bounds a loaded machine
    await waitUntil(() => connectedIn().length >= 5, 10_000, "5 connected diagnostics");
    const live = connectedIn();
    const wrong = live.filter((d) =>
      // 150 ms: ≥ 1.8× below the defect's 280 ms, and 3× the 50.8 ms real chunks showed from a
      // Node server on a CI machine at load 8
      d["packets"]["lost"] === 0 && (d["loss_ratio"] > 0.01 || d["jitter_ms"] > 150)
    );
    if (wrong.length > 0) {
      const d = wrong[0]!;
      throw new Error(
        `after a reconnect without packet loss, diagnostics report loss_ratio ${
          d["loss_ratio"]
        } and jitter_ms ${d["jitter_ms"]} ` +
          `(packets ${
            JSON.stringify(d["packets"])
          }): the idle time counts as lost samples and as a chunk interval`,
      );
    }
  });
}
