/** @module Subscriptions on scripted sockets: resubscribe with since_seq, de-duplication, and every kind of reported loss. */
import { describe, expect, test } from "bun:test";
import type { BridgeClient, ClientOptions, DataLoss } from "../../src/client/mod.ts";
import { FakeSocket, type ManualTimers, scriptedClient } from "../_support/client/manual.ts";

function setup(extra: ClientOptions = {}) {
  const { client, timers, socket } = scriptedClient(extra);
  const losses: DataLoss[] = [];
  client.on("data_loss", (l) => losses.push(l));
  return { client, timers, losses, socket };
}

/** Answers the latest `subscribe` on `s` with an ack carrying `options`; returns the request's data. */
function ackSubscribe(
  s: FakeSocket,
  options: Record<string, unknown> = {},
): Record<string, unknown> {
  const req = s.sent.filter((m) => m["type"] === "subscribe").at(-1)!;
  const data = req["data"] as Record<string, unknown>;
  s.receive({
    id: req["id"],
    type: "command_ack",
    data: { command: "subscribe", stream: data["stream"], options: { ...data, ...options } },
  });
  return data;
}

/** A JSON eeg_batch of `count` samples from `first`, ch1 = seq (so a value tells where it came from). */
function jsonBatch(first: number, count: number) {
  const seqs = Array.from({ length: count }, (_, i) => first + i);
  return {
    id: "b",
    type: "eeg_batch",
    data: {
      first_seq: first,
      count,
      sample_rate: 500,
      decimate: 1,
      timestamps: seqs.map((q) => 1000 + q / 500),
      counters: seqs.map((q) => q % 256),
      ref: seqs.map(() => 0),
      drl: seqs.map(() => 0),
      channels: { ch1: seqs, ch2: seqs.map(() => null) },
      lead_off: [],
    },
  };
}

/** Drops the socket and lets the client open the next one. */
function reconnect(timers: ManualTimers): FakeSocket {
  const before = FakeSocket.made.length;
  FakeSocket.made.at(-1)!.drop();
  timers.advance(100);
  expect(FakeSocket.made.length).toBe(before + 1);
  const s = FakeSocket.made.at(-1)!;
  s.open();
  return s;
}

async function take(
  sub: AsyncIterator<{ channels: ReadonlyMap<number, Float32Array> }>,
  n: number,
): Promise<number[]> {
  const values: number[] = [];
  for (let i = 0; i < n; i++) values.push(...(await sub.next()).value!.channels.get(1)!);
  return values;
}

describe("BridgeClient.subscribe", () => {
  test("resubscribes after a reconnect from the seq after the last one delivered, cutting off what overlaps", async () => {
    const { client, timers, socket, losses } = setup();
    const sub = client.subscribe("eeg_batch", { format: "json", num_samples: 10 });
    expect(ackSubscribe(socket())).toEqual({
      stream: "eeg_batch",
      format: "json",
      num_samples: 10,
    });
    socket().receive(jsonBatch(0, 10));
    const s = reconnect(timers);
    expect(ackSubscribe(s)).toEqual({
      stream: "eeg_batch",
      format: "json",
      num_samples: 10,
      since_seq: 10,
    });
    s.receive(jsonBatch(5, 10)); // overlaps 5..9
    s.receive(jsonBatch(15, 10));
    expect(await take(sub, 3)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(losses).toEqual([]);
    client.close();
    expect((await sub.next()).done).toBe(true);
  });

  test("reports the range a resume could not recover (resumed_from past since_seq)", async () => {
    const { client, timers, socket, losses } = setup();
    const sub = client.subscribe("eeg_batch", { format: "json" });
    ackSubscribe(socket());
    socket().receive(jsonBatch(0, 10));
    const s = reconnect(timers);
    ackSubscribe(s, { resumed_from: 40 });
    s.receive(jsonBatch(40, 5));
    expect(losses).toEqual([{ stream: "eeg_batch", reason: "retention", fromSeq: 10, toSeq: 39 }]);
    expect(await take(sub, 2)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 40, 41, 42, 43, 44]);
    client.close();
  });

  test("a restarted bridge (resumed_from below since_seq) is reported and its new seqs are delivered, ack and batch in one dispatch", async () => {
    const { client, timers, socket, losses } = setup();
    const sub = client.subscribe("eeg_batch", { format: "json" });
    ackSubscribe(socket());
    socket().receive(jsonBatch(100, 10));
    const s = reconnect(timers);
    // back to back, as `ws` emits the messages of one TCP read: the ack must be handled before the batch
    ackSubscribe(s, { resumed_from: 3 });
    s.receive(jsonBatch(3, 4));
    expect(losses).toEqual([{ stream: "eeg_batch", reason: "restart", fromSeq: 110, toSeq: null }]);
    expect(await take(sub, 2)).toEqual([
      100,
      101,
      102,
      103,
      104,
      105,
      106,
      107,
      108,
      109,
      3,
      4,
      5,
      6,
    ]);
    client.close();
  });

  test("a consumer that falls behind loses the oldest batches, reported", async () => {
    const { client, socket, losses } = setup({ maxQueued: 2 });
    const sub = client.subscribe("eeg_batch", { format: "json" });
    ackSubscribe(socket());
    for (const first of [0, 10, 20, 30]) socket().receive(jsonBatch(first, 10));
    expect(losses).toEqual([
      { stream: "eeg_batch", reason: "overflow", fromSeq: 0, toSeq: 9 },
      { stream: "eeg_batch", reason: "overflow", fromSeq: 10, toSeq: 19 },
    ]);
    expect((await take(sub, 2))[0]).toBe(20);
    client.close();
  });

  test("the base eeg stream reports a jump across a reconnect (it has no since_seq)", async () => {
    const { client, timers, socket, losses } = setup();
    const sub = client.subscribe("eeg");
    const eeg = (seq: number) => ({
      id: "e",
      type: "eeg_data",
      data: {
        timestamp: seq,
        event_id: 239,
        counter: seq % 256,
        seq,
        ref: 0,
        drl: 0,
        channels: {},
        feature_status: 0,
      },
    });
    ackSubscribe(socket());
    for (let q = 0; q < 5; q++) socket().receive(eeg(q));
    const s = reconnect(timers);
    ackSubscribe(s);
    s.receive(eeg(9));
    s.receive(eeg(10));
    expect(losses).toEqual([{ stream: "eeg", reason: "no_resume", fromSeq: 5, toSeq: 8 }]);
    const seqs: number[] = [];
    for (let i = 0; i < 7; i++) seqs.push((await sub.next()).value!.seq);
    expect(seqs).toEqual([0, 1, 2, 3, 4, 9, 10]);
    client.close();
  });

  test("eeg: false unsubscribes the base stream on every socket; by default nothing is sent", () => {
    const off = setup({ eeg: false });
    expect(off.socket().sent.map((m) => [m["type"], m["data"]])).toEqual([["unsubscribe", {
      stream: "eeg",
    }]]);
    expect(reconnect(off.timers).sent.map((m) => m["type"])).toEqual(["unsubscribe"]);
    off.client.close();
    const on = setup();
    expect(on.socket().sent).toEqual([]);
    on.client.close();
  });

  test("ending the iteration unsubscribes, and the stream is not renewed after a reconnect", async () => {
    const { client, timers, socket } = setup();
    const sub = client.subscribe("diagnostics", { interval_ms: 500 });
    ackSubscribe(socket());
    await sub.return();
    expect(socket().sent.map((m) => m["type"])).toEqual(["subscribe", "unsubscribe"]);
    expect(reconnect(timers).sent).toEqual([]);
    client.close();
  });
});

describe("BridgeClient.on", () => {
  test("a throwing listener does not stop the other listeners or the stream", async () => {
    const { client, socket } = setup();
    const seen: string[] = [];
    const errors: unknown[] = [];
    const original = globalThis.queueMicrotask;
    globalThis.queueMicrotask = (fn) =>
      original(() => {
        try {
          fn();
        } catch (e) {
          errors.push(e);
        }
      });
    try {
      client.on("heartbeat", () => {
        throw new Error("listener bug");
      });
      client.on("heartbeat", (d) => seen.push(`hb ${d.timestamp}`));
      const sub = client.subscribe("events");
      ackSubscribe(socket());
      socket().receive({ id: "h", type: "heartbeat", data: { timestamp: 7, battery_level: null } });
      socket().receive({
        id: "v",
        type: "event",
        data: { event_type: "battery", timestamp: 8, battery_level: 50 },
      });
      expect(seen).toEqual(["hb 7"]);
      expect((await sub.next()).value).toEqual({
        event_type: "battery",
        timestamp: 8,
        battery_level: 50,
      });
      await Promise.resolve();
      expect(errors).toHaveLength(1);
    } finally {
      globalThis.queueMicrotask = original;
      (client as BridgeClient).close();
    }
  });
});
