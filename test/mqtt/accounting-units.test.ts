/**
 * @module The MQTT publisher's accounting without a broker (issue 18 item 15): a fake device and a
 * fake broker link script what a frozen broker does (writes accepted, pings never answered, or the
 * socket full), and every sample must end up confirmed, pending or counted as dropped.
 */
import { describe, expect, test } from "bun:test";
import type { BrokerLink } from "../../src/mqtt/connection.ts";
import { MqttPublisher } from "../../src/mqtt/publisher.ts";
import { PublishQueue } from "../../src/mqtt/queue.ts";
import { bridgeTopics } from "../../src/mqtt/topics.ts";
import type { ServedDevice } from "../../src/server/served-device.ts";

const tick = () => new Promise((r) => setTimeout(r, 0));

/** A device whose `emit(n)` produces n frames of 50 samples on the publisher's tap. */
function fakeDevice() {
  let tap: ((message: Uint8Array, batch: { count: number }) => void) | null = null;
  let seq = 0;
  const bridge = {
    identity: { id: "sim-1", name: "MW75 Neuro Sim", kind: "sim", address: "00:00:00:00:00:01" },
    source: { synthetic: true },
    session: { state: "connected", batteryLevel: 80 },
    tapBatches: (_n: string, _o: unknown, cb: typeof tap) => (
      (tap = cb), { close: () => (tap = null) }
    ),
    deviceHub: { state: () => ({ close: () => {} }), events: () => ({ close: () => {} }) },
  } as unknown as ServedDevice;
  const emit = (frames: number) => {
    for (let i = 0; i < frames; i++, seq += 50) tap!(new Uint8Array([seq & 255]), { count: 50 });
  };
  return { bridge, emit };
}

/** A link that is up; `publishes` keeps the done callbacks, `pings` those of the confirmations. */
function fakeLink(answerPublish: boolean) {
  const state = {
    connected: true,
    publishes: [] as Array<{ topic: string; done: (e?: Error) => void }>,
    pings: [] as Array<() => void>,
  };
  const link: BrokerLink = {
    get connected() {
      return state.connected;
    },
    publish(topic, _payload, _qos, _retain, done) {
      state.publishes.push({ topic, done });
      if (answerPublish) done();
    },
    confirm(done) {
      state.pings.push(done);
    },
    close: async () => {},
  };
  return { link, state };
}

function publisherWith(link: BrokerLink) {
  const clock = { now: () => Date.now() } as never;
  const p = new MqttPublisher({
    bridgeId: "b",
    topics: bridgeTopics("mw75", "b"),
    clock,
    log: { log: () => {} } as never,
    info: {},
  });
  p.use(link);
  return p;
}

const eegSent = (s: { publishes: Array<{ topic: string }> }) =>
  s.publishes.filter((p) => p.topic.endsWith("/eeg")).length;

describe("MQTT accounting (issue 18 item 15)", () => {
  test("frames written to a broker that never answers are given up and counted, never forgotten", async () => {
    const { bridge, emit } = fakeDevice();
    const { link, state } = fakeLink(true);
    const p = publisherWith(link);
    p.add(bridge);
    // 20 s of frames at 500 Hz, one at a time as the stream produces them: all written, none confirmed
    for (let i = 0; i < 200; i++) {
      emit(1);
      await tick();
    }
    const frozen = p.health();
    expect(eegSent(state)).toBe(200);
    state.connected = false;
    p.disconnected();
    const closed = p.health();
    // 10 000 samples produced: each is pending (queued again) or dropped, never both, never neither
    const total = (h: Record<string, unknown>) =>
      (h["dropped_samples"] as number) + 50 * (h["queued"] as number);
    // while connected all of it is pending; once left, the 10-s queue keeps 5000 and counts the rest
    expect({
      frozen: [frozen["pending_samples"], frozen["dropped_samples"]],
      closed: total(closed),
      queuedSamples: closed["pending_samples"],
    }).toEqual({ frozen: [10_000, 0], closed: 10_000, queuedSamples: 5000 });
    expect(closed["confirmed_samples"]).toBe(0);
  });

  test("confirmed, pending and dropped samples add up to what the device produced", async () => {
    const { bridge, emit } = fakeDevice();
    const { link, state } = fakeLink(true);
    const p = publisherWith(link);
    p.add(bridge);
    emit(10);
    await tick();
    state.pings.shift()!(); // the broker answers the first ping: those 10 frames are confirmed
    await tick();
    emit(5);
    await tick();
    const h = p.health();
    expect([h["confirmed_samples"], h["pending_samples"], h["dropped_samples"]]).toEqual([
      500,
      250,
      0,
    ]);
  });

  test("a publish stuck behind a full socket frees its slot when the connection closes", async () => {
    const { bridge, emit } = fakeDevice();
    const { link, state } = fakeLink(false);
    const p = publisherWith(link);
    p.add(bridge);
    emit(100);
    await tick();
    // the pump hands over at most 64 messages; mqtt.js would call back on a 'drain' that never comes
    const before = state.publishes.length;
    expect(before).toBe(64);
    state.connected = false;
    p.disconnected();
    state.connected = true;
    p.connected();
    await tick();
    // after the reconnection the queue flows again: 64 new slots (the status, the state, 62 frames)
    expect(state.publishes.length - before).toBe(64);
  });
});

describe("PublishQueue overflow", () => {
  const frame = (seq: number) => ({
    topic: "t/eeg",
    payload: String(seq),
    qos: 0 as const,
    retain: false,
    samples: 50,
  });

  test("drops frames never sent before those put back unconfirmed (which the broker may have)", () => {
    const q = new PublishQueue(5000);
    for (let i = 0; i < 60; i++) q.push(frame(i));
    const sent = Array.from({ length: 60 }, () => q.shift()!);
    for (let i = 60; i < 100; i++) q.push(frame(i));
    for (const m of sent) q.putBack(m);
    for (let i = 100; i < 110; i++) q.push(frame(i));
    const order: string[] = [];
    for (let m = q.shift(); m !== undefined; m = q.shift()) order.push(m.payload as string);
    expect([q.dropped, q.droppedSamples, order.length]).toEqual([10, 500, 100]);
    expect(order.slice(0, 61)).toEqual([...Array.from({ length: 60 }, (_, i) => String(i)), "70"]);
  });

  test("with only unconfirmed frames left, drops the newest: the oldest are those a broker may have routed", () => {
    const q = new PublishQueue(5000);
    const sent = [];
    // 120 frames handed over as they come (never more than 100 queued at once)
    for (let i = 0; i < 120; i++) {
      q.push(frame(i));
      sent.push(q.shift()!);
    }
    for (const m of sent) q.putBack(m);
    q.push(frame(120));
    const order: string[] = [];
    for (let m = q.shift(); m !== undefined; m = q.shift()) order.push(m.payload as string);
    expect([q.dropped, order.length, order[0], order[99]]).toEqual([21, 100, "0", "99"]);
  });
});
