/**
 * @module The MQTT publisher against fake devices and a fake broker link (no server, no broker): what
 * it publishes where (status, retained states, frames, events), devices coming and going, and that
 * it lets go of every subscription it took.
 */
import { describe, expect, test } from "bun:test";
import { systemClock } from "../../src/core/clock.ts";
import { startPublishing } from "../../src/mqtt/setup.ts";
import { STATUS_TEXT } from "../../src/protocol/status-text.ts";
import {
  fakeDevice,
  fakeDevices,
  fakeLink,
  publisherWith,
  tick,
} from "../_support/mqtt/fake-device.ts";
import type { Published } from "../_support/mqtt/fake-device.ts";

const NOW_MS = 1_700_000_000_000;
const text = (p: Published) => JSON.parse(p.payload as string);
const on = (publishes: Published[], suffix: string) =>
  publishes.filter((p) => p.topic.endsWith(suffix));

describe("MQTT publisher, fake devices", () => {
  test("the online status and each device's retained state go first, then its frames", async () => {
    const a = fakeDevice("sim-1");
    const { link, state } = fakeLink(true);
    const p = publisherWith(link, () => NOW_MS);
    p.add(a.device);
    a.emit(2);
    await tick();
    expect(state.publishes.map((m) => [m.topic, m.qos, m.retain])).toEqual([
      ["mw75/b/status", 1, true],
      ["mw75/b/sim-1/state", 1, true],
      ["mw75/b/sim-1/eeg", 0, false],
      ["mw75/b/sim-1/eeg", 0, false],
    ]);
    expect(text(state.publishes[0]!)).toEqual({
      online: true,
      bridge_id: "b",
      version: "0.0.0",
      runtime: "bun",
      started_at: 0,
      topic_prefix: "mw75/b",
      devices: [{
        device_id: "sim-1",
        name: "MW75 Neuro Sim",
        kind: "sim",
        address: "00:00:00:00:00:01",
        synthetic: true,
      }],
      eeg_frame: { num_samples: 50, interval_ms: 500, channels: 12, ref_drl: true },
    });
    // the wire's key order, not only the values
    expect(state.publishes[1]!.payload).toBe(
      '{"state":"connected","message":"","timestamp":1700000000,"battery_level":80,"device_id":"sim-1"}',
    );
    expect(state.publishes[2]!.payload).toEqual(new Uint8Array([0]));
    expect(p.health()).toMatchObject({ connected: true, published: 4, pending_samples: 100 });
  });

  test("a status change and a battery event update the retained state; events go out at QoS 1", async () => {
    const a = fakeDevice("sim-1");
    const { link, state } = fakeLink(true);
    const p = publisherWith(link, () => NOW_MS);
    p.add(a.device);
    await tick();
    a.now.batteryLevel = 70;
    a.status("connecting", { kind: "connecting" });
    await tick();
    a.event({ type: "battery", atMs: NOW_MS, level: 55 });
    await tick();
    const states = on(state.publishes, "/state").map(text);
    expect(states.slice(1)).toEqual([
      {
        state: "connecting",
        message: STATUS_TEXT.connecting,
        timestamp: NOW_MS / 1000,
        battery_level: 70,
        device_id: "sim-1",
      },
      {
        state: "connecting",
        message: STATUS_TEXT.connecting,
        timestamp: NOW_MS / 1000,
        battery_level: 55,
        device_id: "sim-1",
      },
    ]);
    const events = on(state.publishes, "/events");
    expect(events.map((m) => [m.topic, m.qos, m.retain, text(m)])).toEqual([
      ["mw75/b/sim-1/events", 1, false, {
        event_type: "battery",
        timestamp: NOW_MS / 1000,
        battery_level: 55,
        device_id: "sim-1",
      }],
    ]);
  });

  test("metrics go out on <device>/metrics at QoS 0, not retained, the data JSON as given", async () => {
    const a = fakeDevice("sim-1");
    const { link, state } = fakeLink(true);
    const p = publisherWith(link, () => NOW_MS);
    p.add(a.device);
    await tick();
    a.metrics(`{"seq":999,"window_s":2}`);
    await tick();
    const metrics = on(state.publishes, "/metrics");
    expect(metrics.map((m) => [m.topic, m.qos, m.retain, text(m)])).toEqual([
      ["mw75/b/sim-1/metrics", 0, false, { seq: 999, window_s: 2 }],
    ]);
  });

  test("while the broker is away only the newest metrics reading waits; events keep their places", async () => {
    const a = fakeDevice("sim-1");
    const { link, state } = fakeLink(true);
    const p = publisherWith(link, () => NOW_MS);
    p.add(a.device);
    await tick();
    state.connected = false;
    p.disconnected();
    a.event({ type: "battery", atMs: NOW_MS, level: 50 });
    // 2000 readings, one per tick (each would have gone out had the broker been there)
    for (let seq = 499; seq < 500 * 2000; seq += 500) {
      a.metrics(`{"seq":${seq}}`);
      await tick();
    }
    state.publishes.length = 0;
    state.connected = true;
    p.connected();
    await tick();
    expect(on(state.publishes, "/metrics").map(text)).toEqual([{ seq: 500 * 2000 - 1 }]);
    expect(on(state.publishes, "/events").map((m) => text(m).battery_level)).toEqual([50]);
  });

  test("after a reconnection the broker gets the status and every state again", async () => {
    const a = fakeDevice("sim-1");
    const b = fakeDevice("sim-2");
    const { link, state } = fakeLink(true);
    const p = publisherWith(link);
    p.add(a.device);
    p.add(b.device);
    await tick();
    state.publishes.length = 0;
    state.connected = false;
    p.disconnected();
    state.connected = true;
    p.connected();
    await tick();
    expect(state.publishes.map((m) => m.topic)).toEqual([
      "mw75/b/status",
      "mw75/b/sim-1/state",
      "mw75/b/sim-2/state",
    ]);
  });

  test("a removed device is unlisted, its subscriptions closed, its unsent samples counted as dropped", async () => {
    const a = fakeDevice("sim-1");
    const b = fakeDevice("sim-2");
    const { link, state } = fakeLink(true);
    const p = publisherWith(link);
    p.add(a.device);
    p.add(b.device);
    await tick();
    state.connected = false; // frames queue up
    a.emit(4);
    b.emit(1);
    expect(a.opened.sort()).toEqual(["batches", "events", "metrics", "state"]);
    p.remove("sim-1");
    expect(a.opened).toEqual([]);
    a.emit(3); // nobody listens any more
    expect(p.health()).toMatchObject({
      dropped: 4,
      dropped_samples: 200,
      pending_samples: 50,
      queued: 1,
    });
    state.connected = true;
    p.connected();
    await tick();
    const status = text(on(state.publishes, "/status").at(-1)!);
    expect(status.devices.map((d: { device_id: string }) => d.device_id)).toEqual(["sim-2"]);
    expect(on(state.publishes, "sim-1/eeg")).toEqual([]);
    expect(on(state.publishes, "sim-2/eeg").length).toBe(1);
  });

  test("close lets go of every device's subscriptions", () => {
    const a = fakeDevice("sim-1");
    const p = publisherWith(fakeLink(true).link);
    p.add(a.device);
    p.close();
    expect(a.opened).toEqual([]);
  });
});

describe("startPublishing", () => {
  test("publishes the devices there are and those added later; health names no credentials; close lets go", async () => {
    const a = fakeDevice("sim-1");
    const b = fakeDevice("sim-2");
    const devices = fakeDevices([a.device]);
    const running = startPublishing({
      // nothing listens on port 9 here: the link keeps retrying in the background
      settings: {
        url: "mqtt://user:secret@127.0.0.1:9",
        username: null,
        password: null,
        prefix: "lab",
        bridgeId: "b1",
      },
      devices: devices.list,
      log: { log: () => {} },
      clock: systemClock,
      info: { version: "0.0.0", runtime: "bun" },
    });
    devices.add(b.device);
    expect([a.opened.length, b.opened.length]).toEqual([4, 4]);
    expect(running.health()).toMatchObject({
      connected: false,
      broker: "mqtt://127.0.0.1:9",
      bridge_id: "b1",
      topic_prefix: "lab/b1",
    });
    expect(running.banner).toContain("lab/b1/");
    expect(running.banner).not.toContain("secret");
    devices.remove("sim-1");
    expect(a.opened).toEqual([]);
    await running.close();
    expect(b.opened).toEqual([]);
  });
});
