/** @module A deliberate disconnect is no loss, a link loss is; one reported state during an auto-reconnect wait (issue 18 items 2 and 3). */
import { describe, expect, test } from "bun:test";
import { readDecoderWasm } from "../../src/adapters/wasm-file.ts";
import { createDecoder } from "../../src/decoder/decoder.ts";
import { Device } from "../../src/core/device.ts";
import type { DeviceEvent } from "../../src/core/device-events.ts";
import { SeqTracker } from "../../src/core/seq-tracker.ts";
import { EEG_EVENT_ID } from "../../src/decoder/types.ts";
import { flush, ManualClock, scriptedSource } from "../_support/fakes.ts";
import type { OpenStep } from "../_support/fakes.ts";

const chunk = (counters: number[]) => ({
  count: counters.length,
  counter: counters,
  eventId: counters.map(() => EEG_EVENT_ID),
});

async function setup(steps: OpenStep[]) {
  const clock = new ManualClock();
  const source = scriptedSource(steps);
  const log = { log: () => {} };
  const device = new Device({
    source,
    decoder: await createDecoder(await readDecoderWasm()),
    clock,
    log,
    sourceLog: log,
    reconnectBaseMs: 1000,
  });
  const events: DeviceEvent[] = [];
  const statuses: string[] = [];
  const seqs: number[] = [];
  device.listen({
    onEvent: (e) => void events.push(e),
    onStatus: (s) => void statuses.push(s),
    onSamples: (b) => void seqs.push(...b.seq),
  });
  const gaps = () => events.flatMap((e) => (e.type === "gap" ? [e.gap] : []));
  const changes = () =>
    events.flatMap((e) => (e.type === "state_change" ? [`${e.from}>${e.to}`] : []));
  return { clock, source, device, events, statuses, seqs, gaps, changes };
}

describe("SeqTracker: why a connection ended decides whether its seq jump is a gap", () => {
  test("after a deliberate stop the seq still jumps by the elapsed time, but the jump is marked deliberate", () => {
    const t = new SeqTracker();
    t.assign(chunk([0, 1, 2]), 10_000);
    t.startConnection(false);
    const a = t.assign(chunk([40, 41]), 10_002 + 2000 + 2);
    expect(Array.from(a.seq.subarray(0, 2))).toEqual([1003, 1004]);
    expect(a.gaps).toEqual([{
      index: 0,
      seq: 1003,
      missing: 1000,
      expectedCounter: 3,
      gotCounter: 40,
      estimated: true,
      deliberate: true,
    }]);
    expect(t.gaps).toBe(0);
  });

  test("a link loss since the last sample makes it a gap even when a deliberate stop followed", () => {
    const t = new SeqTracker();
    t.assign(chunk([0]), 0);
    t.startConnection(true); // the link dropped; the reconnect delivered nothing before the user stopped it
    t.startConnection(false);
    const a = t.assign(chunk([9]), 2 + 1000);
    expect(a.gaps).toEqual([{
      index: 0,
      seq: 501,
      missing: 500,
      expectedCounter: 1,
      gotCounter: 9,
      estimated: true,
    }]);
    expect(t.gaps).toBe(1);
    // the next deliberate stop starts clean again
    t.startConnection(false);
    expect(t.assign(chunk([50]), 1002 + 2 + 1000).gaps[0]).toMatchObject({ deliberate: true });
  });
});

describe("Device: a deliberate disconnect is no gap; a link loss is", () => {
  test("connect → disconnect → 2 s idle → connect: state changes, a seq jump, no gap event", async () => {
    const t = await setup([{ ok: true }]);
    t.device.session.connect(false);
    await flush();
    t.source.links[0]!.packets(0, 50);
    await flush();
    await t.device.session.disconnect();
    await t.clock.advance(2000);
    t.device.session.connect(false);
    await flush();
    t.source.links[1]!.packets(200, 50);
    await flush();
    expect(t.gaps()).toEqual([]);
    expect(t.changes()).toEqual([
      "idle>connecting",
      "connecting>connected",
      "connected>disconnecting",
      "disconnecting>idle",
      "idle>connecting",
      "connecting>connected",
    ]);
    // the seq still jumps by the 2 s the device was off (999 samples after the last one was due), keeping time aligned
    expect(t.seqs[50]! - t.seqs[49]!).toBe(1000);
    expect(t.device.health.figures(t.clock.now()).lossRatio).toBe(0);
  });

  test("the teardown when the last client leaves (shutdown) is deliberate too", async () => {
    const t = await setup([{ ok: true }]);
    t.device.session.connect(false);
    await flush();
    t.source.links[0]!.packets(0, 10);
    await flush();
    await t.device.session.shutdown();
    await t.clock.advance(1500);
    t.device.session.connect(false);
    await flush();
    t.source.links[1]!.packets(100, 10);
    await flush();
    expect(t.gaps()).toEqual([]);
    // the teardown announces nothing, but the next state_change starts from where it left the device
    expect(t.changes().slice(-2)).toEqual(["idle>connecting", "connecting>connected"]);
  });

  test("a link loss followed by an auto-reconnect is an estimated gap", async () => {
    const t = await setup([{ ok: true }]);
    t.device.session.connect(true);
    await flush();
    t.source.links[0]!.packets(0, 10);
    await flush();
    t.source.links[0]!.end();
    await flush();
    await t.clock.advance(1000);
    t.source.links[1]!.packets(100, 10);
    await flush();
    expect(t.gaps()).toHaveLength(1);
    expect(t.gaps()[0]).toMatchObject({ estimated: true });
    expect(t.gaps()[0]!.deliberate).toBeUndefined();
  });
});

describe("Device: one state during an auto-reconnect wait", () => {
  test("the reported state and the state_change events say reconnecting while the loop waits", async () => {
    const t = await setup([{ ok: true }, { fail: "BLE_ACTIVATION_FAILED" }, { ok: true }]);
    t.device.session.connect(true);
    await flush();
    t.source.links[0]!.end();
    await flush();
    expect(t.statuses.at(-1)).toBe("reconnecting");
    expect(t.device.session.state).toBe("disconnected"); // the stored state of docs/protocol/mw75.md §3.6
    expect(t.device.session.reportedState).toBe("reconnecting");
    expect(t.device.session.reconnectWait).toMatchObject({ attempt: 1, of: 10, delayMs: 1000 });
    await t.clock.advance(1000); // attempt 1 fails: error, then the wait for attempt 2
    expect(t.device.session.reportedState).toBe("reconnecting");
    await t.clock.advance(2000);
    expect(t.device.session.reportedState).toBe("connected");
    expect(t.device.session.reconnectWait).toBeNull();
    expect(t.changes()).toEqual([
      "idle>connecting",
      "connecting>connected",
      "connected>disconnected",
      "disconnected>reconnecting",
      "reconnecting>connecting",
      "connecting>error",
      "error>reconnecting",
      "reconnecting>connecting",
      "connecting>connected",
    ]);
  });

  test("auto_reconnect switched off during a wait announces the stored state again", async () => {
    const t = await setup([{ ok: true }]);
    t.device.session.connect(true);
    await flush();
    t.source.links[0]!.end();
    await flush();
    expect(t.device.session.reportedState).toBe("reconnecting");
    t.device.session.setAutoReconnect(false);
    expect(t.device.session.reportedState).toBe("disconnected");
    expect(t.statuses.at(-1)).toBe("disconnected");
    expect(t.changes().at(-1)).toBe("reconnecting>disconnected");
    await t.clock.advance(5000);
    expect(t.source.opens).toBe(1);
  });

  test("a disconnect during a wait goes straight to idle (no extra status for base clients)", async () => {
    const t = await setup([{ ok: true }]);
    t.device.session.connect(true);
    await flush();
    t.source.links[0]!.end();
    await flush();
    const n = t.statuses.length;
    await t.device.session.disconnect();
    expect(t.statuses.slice(n)).toEqual(["idle"]);
    expect(t.changes().at(-1)).toBe("reconnecting>idle");
  });
});
