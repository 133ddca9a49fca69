/** @module Conformance scenarios for subscribe/unsubscribe (docs/protocol/bridge-api.md §2) and for a base client that still sees only docs/protocol/mw75.md §3. */
import { expect } from "bun:test";
import type { Runtime } from "../server-process.ts";
import type { Msg, WsClient } from "../ws-client.ts";
import { delay, expectError, isEeg, isStatus, openWelcomed, since, withServer } from "./helpers.ts";
import { framesOf, isBatch, isBinary, untilCount } from "./stream-helpers.ts";
import type { Data } from "./stream-helpers.ts";

// --- subscribe / unsubscribe ---

const ALL_CHANNELS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
const BATCH_DEFAULTS = {
  format: "json",
  num_samples: 25,
  interval_ms: 100,
  decimate: 1,
  channels: ALL_CHANNELS,
  ref_drl: false,
};
const range = (lo: number, hi: number) => new RegExp(`\\b${lo}\\b[^]*\\b${hi}\\b`);
const ANY_DECIMATION = /\b1\b[^]*\b2\b[^]*\b4\b[^]*\b5\b[^]*\b10\b[^]*\b20\b[^]*\b25\b[^]*\b50\b/;

/** [subscribe data, the field the message must name, the range it must state]. */
const BAD_OPTIONS: [unknown, string, RegExp][] = [
  [{ stream: "eeg_batch", num_samples: 0 }, "num_samples", range(1, 5000)],
  [{ stream: "eeg_batch", num_samples: 5001 }, "num_samples", range(1, 5000)],
  [{ stream: "eeg_batch", num_samples: 2.5 }, "num_samples", range(1, 5000)],
  [{ stream: "eeg_batch", interval_ms: 9 }, "interval_ms", range(10, 10000)],
  [{ stream: "eeg_batch", interval_ms: 10001 }, "interval_ms", range(10, 10000)],
  [{ stream: "eeg_batch", decimate: 3 }, "decimate", ANY_DECIMATION],
  [{ stream: "eeg_batch", format: "xml" }, "format", /json[^]*binary|binary[^]*json/],
  [{ stream: "eeg_batch", channels: [] }, "channels", range(1, 12)],
  [{ stream: "eeg_batch", channels: [0] }, "channels", range(1, 12)],
  [{ stream: "eeg_batch", channels: [13] }, "channels", range(1, 12)],
  [{ stream: "eeg_batch", channels: [2, 2] }, "channels", range(1, 12)],
  [{ stream: "eeg_batch", channels: "all" }, "channels", range(1, 12)],
  [{ stream: "eeg_batch", ref_drl: "yes" }, "ref_drl", /true[^]*false|boolean/],
  [
    { stream: "eeg_batch", since_seq: -1 },
    "since_seq",
    /≥ ?0|>= ?0|at least 0|non-negative|\b0 or (more|greater)/,
  ],
  [{ stream: "diagnostics", interval_ms: 99 }, "interval_ms", range(100, 10000)],
  [{ stream: "diagnostics", interval_ms: 10001 }, "interval_ms", range(100, 10000)],
  [{ stream: "eeg_batch", sample_count: 5 }, "sample_count", /./],
  [{ stream: "events", interval_ms: 100 }, "interval_ms", /./],
  [{ stream: "eeg", format: "json" }, "format", /./],
  [{}, "stream", /eeg_batch/],
  [{ stream: "" }, "stream", /eeg_batch/],
  [{ stream: 5 }, "stream", /eeg_batch/],
  ["eeg_batch", "stream", /./],
];

/** Sends `subscribe`/`unsubscribe` and returns the reply (matched by the echoed id). */
const sub = (c: WsClient, data: unknown) => c.request("subscribe", data);
const unsub = (c: WsClient, data: unknown) => c.request("unsubscribe", data);
const subscriptions = async (c: WsClient) => {
  const list = (await c.request("status")).data["subscriptions"] as {
    stream: string;
    options: unknown;
  }[];
  return [...list].sort((a, b) => a.stream.localeCompare(b.stream));
};
const after = (c: WsClient, reply: Msg) => since(c, c.messages.indexOf(reply) + 1);

/**
 * Acks with effective options and defaults, every bad option named with its range, UNKNOWN_STREAM,
 * the status list, replacing, per-client unsubscribe of `eeg`, and subscriptions made before `connect`.
 */
export async function subscribeAndUnsubscribe(runtime: Runtime): Promise<void> {
  await withServer(runtime, ["--max-clients", "2"], async (_srv, open) => {
    const { c: a } = await openWelcomed(open);
    const { c: b } = await openWelcomed(open);
    expect(await subscriptions(a)).toEqual([{ stream: "eeg", options: {} }]);

    const batchAck = await sub(a, { stream: "eeg_batch" });
    expect(batchAck.type).toBe("command_ack");
    expect(batchAck.data).toEqual({
      command: "subscribe",
      stream: "eeg_batch",
      options: BATCH_DEFAULTS,
    });
    expect((await sub(a, { stream: "diagnostics" })).data).toEqual({
      command: "subscribe",
      stream: "diagnostics",
      options: { interval_ms: 100 },
    });
    expect((await sub(a, { stream: "events" })).data).toEqual({
      command: "subscribe",
      stream: "events",
      options: {},
    });
    expect((await sub(a, { stream: "eeg" })).data).toEqual({
      command: "subscribe",
      stream: "eeg",
      options: {},
    });

    for (const [data, field, allowed] of BAD_OPTIONS) {
      const reply = await sub(a, data);
      expectError(reply, "INVALID_PARAMETERS", reply.id);
      const text = String(reply.data["message"]);
      if (!text.includes(field) || !allowed.test(text)) {
        throw new Error(
          `subscribe ${
            JSON.stringify(data)
          }: message "${text}" should name ${field} and match ${allowed}`,
        );
      }
    }
    for (
      const [command, data] of [["subscribe", { stream: "eeg_bach" }], ["unsubscribe", {
        stream: "nope",
      }]] as const
    ) {
      const reply = await a.request(command, data);
      expectError(reply, "UNKNOWN_STREAM", reply.id);
      expect(String(reply.data["message"])).toContain(data.stream);
    }
    const noStream = await unsub(a, {});
    expectError(noStream, "INVALID_PARAMETERS", noStream.id);
    expect(String(noStream.data["message"])).toContain("stream");
    // rejected requests changed nothing
    expect(await subscriptions(a)).toEqual([
      { stream: "diagnostics", options: { interval_ms: 100 } },
      { stream: "eeg", options: {} },
      { stream: "eeg_batch", options: BATCH_DEFAULTS },
      { stream: "events", options: {} },
    ]);
    for (const stream of ["diagnostics", "events", "eeg"]) {
      expect((await unsub(a, { stream })).data).toEqual({ command: "unsubscribe", stream });
    }

    // replacing, not merging; channels come back as a set
    const first = await sub(a, {
      stream: "eeg_batch",
      num_samples: 50,
      interval_ms: 1000,
      channels: [3, 1],
      ref_drl: true,
    });
    const firstOptions = first.data["options"] as Data;
    expect(firstOptions["num_samples"]).toBe(50);
    expect([...firstOptions["channels"]].sort((x: number, y: number) => x - y)).toEqual([1, 3]);
    expect(await subscriptions(a)).toEqual([{
      stream: "eeg_batch",
      options: first.data["options"],
    }]);

    // before connect; b connects the device
    await b.request("connect", {});
    await untilCount(a, 0, isBatch, 3, 5000, "eeg_batch on a");
    const json = a.messages.filter(isBatch);
    for (const m of json.slice(0, -1)) expect(m.data["count"]).toBe(50); // interval 1000 ms: batches close by count
    for (const m of json) expect(Object.keys(m.data["channels"] as object)).toEqual(["ch1", "ch3"]);
    expect(a.messages.some(isEeg)).toBe(false);
    expect(b.messages.some((m) => isBatch(m) || isBinary(m))).toBe(false);
    expect(b.messages.some(isEeg)).toBe(true);

    const replaced = await sub(a, { stream: "eeg_batch", format: "binary", decimate: 2 });
    expect(replaced.data["options"]).toEqual({ ...BATCH_DEFAULTS, format: "binary", decimate: 2 });
    expect(await subscriptions(a)).toEqual([{
      stream: "eeg_batch",
      options: replaced.data["options"],
    }]);
    await untilCount(a, a.messages.indexOf(replaced), isBinary, 4, 5000, "binary frames on a");
    expect(after(a, replaced).some(isBatch)).toBe(false);
    for (const f of framesOf(after(a, replaced))) {
      expect(f.sampleRate).toBe(250);
      expect(f.count).toBeLessThanOrEqual(25);
      expect(f.channels).toEqual(ALL_CHANNELS);
    }

    // subscribing to eeg twice does not double it; unsubscribe eeg stops eeg_data for that client only
    await sub(a, { stream: "eeg" });
    await sub(a, { stream: "eeg" });
    await a.next(isEeg, 3000, "eeg_data after resubscribing eeg");
    const stop = await unsub(b, { stream: "eeg" });
    const aMark = a.messages.length;
    await delay(300); // a quiet spell for b, 150 eeg_data long at 500 Hz
    expect(after(b, stop).some(isEeg)).toBe(false);
    // while a streams on: 50 eeg_data (usually there already; 3 s only bounds a loaded machine)
    await untilCount(a, aMark, isEeg, 50, 3000, "a's eeg_data after b's unsubscribe");
    expect(await subscriptions(b)).toEqual([]);
    const seqs = a.messages.filter(isEeg).map((m) => m.data["seq"]);
    expect(new Set(seqs).size).toBe(seqs.length);
    const noBatches = await unsub(a, { stream: "eeg_batch" });
    expect(noBatches.data).toEqual({ command: "unsubscribe", stream: "eeg_batch" });
    await delay(300); // a quiet spell: batches flush every 100 ms, none may come
    expect(after(a, noBatches).some((m) => isBinary(m) || isBatch(m))).toBe(false);
    expect((await b.request("status")).data["device_state"]).toBe("connected");
    await b.request("disconnect");
    await a.next(isStatus("idle"), 5000);
  });
}

// --- a base-protocol client ---

/** The base protocol's message types (docs/protocol/mw75.md §3.4) as a client that never subscribes receives them. */
const BASE_TYPES = new Set([
  "status",
  "command_ack",
  "eeg_data",
  "heartbeat",
  "pong",
  "log",
  "error",
]);
const EEG_DATA_KEYS = [
  "timestamp",
  "event_id",
  "counter",
  "seq",
  "ref",
  "drl",
  "channels",
  "feature_status",
  "lead_off",
];

/** A client that never subscribes sees only the base protocol while another subscribes to everything. */
export async function baseClientUnchanged(runtime: Runtime): Promise<void> {
  await withServer(
    runtime,
    ["--max-clients", "2", "--heartbeat-ms", "300", "--sim-lead-off", "4"],
    async (_srv, open) => {
      const { c: base } = await openWelcomed(open);
      const { c: other } = await openWelcomed(open);
      for (
        const data of [{ stream: "events" }, { stream: "diagnostics" }, {
          stream: "eeg_batch",
          format: "binary",
          ref_drl: true,
        }]
      ) {
        expect((await sub(other, data)).type).toBe("command_ack");
      }
      await base.request("connect", { log_level: "DEBUG" });
      await base.next(isStatus("connected"), 5000);
      await delay(400); // a spell of streaming in which the base client must see only base messages
      // a JSON batch subscription too, replacing the binary one
      await sub(other, { stream: "eeg_batch", num_samples: 10 });
      await base.request("ping");
      await delay(400); // another such spell, with the JSON batches
      const st = await base.request("status");
      expect(st.data).toEqual({
        device_state: "connected",
        auto_reconnect: false,
        log_level: "DEBUG",
        battery_level: 85,
        has_control: true,
        total_clients: 2,
        shed_messages: 0,
        subscriptions: [{ stream: "eeg", options: {} }],
      });
      // the other client really got every stream
      for (const type of ["event", "diagnostics", "__binary__", "eeg_batch", "eeg_data"]) {
        expect(
          other.messages.some((m) => m.type === type),
        ).toBe(true);
      }

      const types = new Set(base.messages.map((m) => m.type));
      for (const t of types) {
        if (!BASE_TYPES.has(t)) {
          throw new Error(`a base client received a "${t}" message`);
        }
      }
      for (const t of ["status", "command_ack", "eeg_data", "heartbeat", "pong", "log"]) {
        expect(
          types.has(t),
        ).toBe(true);
      }
      const eeg = base.messages.filter(isEeg);
      expect(eeg.length).toBeGreaterThan(300);
      for (const m of eeg) {
        expect(Object.keys(JSON.parse(m.raw))).toEqual(["id", "type", "data"]);
        expect(Object.keys(m.data)).toEqual(EEG_DATA_KEYS);
        expect(Object.keys(m.data["channels"] as object)).toEqual(
          ALL_CHANNELS.map((k) => `ch${k}`),
        );
        expect(m.data["lead_off"]).toEqual([4]);
        expect(m.data["event_id"]).toBe(239);
      }
      const seqs = eeg.map((m) => m.data["seq"] as number);
      expect(seqs[0]).toBe(0); // the device's first connection starts at 0 (§1)
      for (let i = 1; i < seqs.length; i++) {
        expect(seqs[i]).toBe(seqs[i - 1]! + 1);
        expect(eeg[i]!.data["counter"]).toBe(((eeg[i - 1]!.data["counter"] as number) + 1) % 256);
      }
    },
  );
}
