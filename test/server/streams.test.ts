/** @module Subscriptions in-process (fake sockets, manual clock): shared encodings, resume paced by the socket, unsubscribe, diagnostics. */
import { describe, expect, test } from "bun:test";
import { readDecoderWasm } from "../../src/adapters/wasm-file.ts";
import { createLogHub } from "../../src/core/log-hub.ts";
import { createDecoder } from "../../src/decoder/decoder.ts";
import { ServedDevice } from "../../src/server/served-device.ts";
import type { ClientSocket } from "../../src/ports/client-socket.ts";
import { flush, ManualClock, scriptedSource } from "../_support/fakes.ts";

function socket() {
  const s = { texts: [] as string[], frames: [] as Uint8Array[], buffered: 0 };
  const sock: ClientSocket = {
    send: (text) => s.texts.push(text) > 0,
    sendBinary: (bytes) => s.frames.push(bytes) > 0,
    bufferedAmount: () => s.buffered,
    close: () => {},
  };
  const parsed = () => s.texts.map((t) => JSON.parse(t));
  const ofType = (type: string) => parsed().filter((m) => m.type === type);
  return { s, sock, parsed, ofType };
}

async function setup(maxClients = 2, ringSamples?: number) {
  const clock = new ManualClock();
  const source = scriptedSource([{ ok: true }]);
  const b = new ServedDevice({
    source,
    clock,
    maxClients,
    runtime: "test",
    heartbeatMs: 60_000,
    noDataTimeoutMs: 1e9,
    decoder: await createDecoder(await readDecoderWasm()),
    logs: createLogHub(clock.now),
    limits: {
      highWaterBytes: 1000,
      maxQueuedData: 4,
      maxQueuedControl: 100,
      maxQueuedControlChars: 1e6,
    },
    ...(ringSamples !== undefined ? { ringSamples } : {}),
  });
  const send = (client: ReturnType<ServedDevice["open"]>, type: string, data?: unknown) =>
    b.message(client!, JSON.stringify({ id: `${type}-1`, type, data }));
  return { b, clock, source, send };
}

/** Feeds `count` packets from counter `from` and lets the bridge process them. */
async function feed(t: Awaited<ReturnType<typeof setup>>, from: number, count: number) {
  t.source.links[0]!.packets(from, count);
  await flush();
}

const seqsOf = (batches: Array<{ data: { first_seq: number; count: number } }>) =>
  batches.flatMap((m) => Array.from({ length: m.data.count }, (_, i) => m.data.first_seq + i));

describe("subscriptions", () => {
  test("two clients with the same eeg_batch options get the very same encoded message", async () => {
    const t = await setup();
    const a = socket();
    const b = socket();
    const ca = t.b.open(a.sock, "1.1.1.1:1");
    const cb = t.b.open(b.sock, "2.2.2.2:2");
    for (const c of [ca, cb]) t.send(c, "subscribe", { stream: "eeg_batch", num_samples: 10 });
    t.send(ca, "connect", {});
    await flush();
    await feed(t, 0, 20);
    const batchesA = a.s.texts.filter((x) => x.includes('"type":"eeg_batch"'));
    const batchesB = b.s.texts.filter((x) => x.includes('"type":"eeg_batch"'));
    expect(batchesA).toHaveLength(2);
    expect(batchesA).toEqual(batchesB);
    // one shared encoding: identical ids (each encoding draws a fresh one)
    expect(JSON.parse(batchesA[0]!).id).toBe(JSON.parse(batchesB[0]!).id);
  });

  test("unsubscribe eeg stops this client's eeg_data only", async () => {
    const t = await setup();
    const a = socket();
    const b = socket();
    const ca = t.b.open(a.sock, "1.1.1.1:1");
    t.b.open(b.sock, "2.2.2.2:2");
    t.send(ca, "unsubscribe", { stream: "eeg" });
    expect(a.ofType("command_ack").at(-1)!.data).toEqual({ command: "unsubscribe", stream: "eeg" });
    t.send(ca, "connect", {});
    await flush();
    await feed(t, 0, 5);
    expect(a.ofType("eeg_data")).toHaveLength(0);
    expect(b.ofType("eeg_data").map((m) => m.data.seq)).toEqual([0, 1, 2, 3, 4]);
    t.send(ca, "status");
    expect(a.ofType("status").at(-1)!.data.subscriptions).toEqual([]);
  });

  test("since_seq replays the ring exactly once, paced by the socket (nothing shed), then continues live", async () => {
    const t = await setup();
    const holder = socket();
    const ch = t.b.open(holder.sock, "1.1.1.1:1");
    t.send(ch, "connect", {});
    await flush();
    await feed(t, 0, 200); // seqs 0…199 retained
    const r = socket();
    const cr = t.b.open(r.sock, "2.2.2.2:2");
    t.send(cr, "unsubscribe", { stream: "eeg" });
    t.send(cr, "subscribe", { stream: "eeg_batch", num_samples: 20, since_seq: 50 });
    r.s.buffered = 5000; // the socket is backed up: the replay must wait, not queue or shed
    const ack = r.ofType("command_ack").at(-1)!;
    expect(ack.data.options).toMatchObject({ since_seq: 50, num_samples: 20 });
    expect(ack.data.options.resumed_from).toBeUndefined();
    await t.clock.advance(50);
    expect(r.ofType("eeg_batch")).toHaveLength(0);
    r.s.buffered = 0;
    await t.clock.advance(50);
    await feed(t, 200, 40); // live data arrives while (or after) the replay finishes
    await t.clock.advance(200); // interval flush of the last partial batch
    const seqs = seqsOf(r.ofType("eeg_batch"));
    expect(seqs).toEqual(Array.from({ length: 190 }, (_, i) => 50 + i));
    t.send(cr, "status");
    expect(r.ofType("status").at(-1)!.data.shed_messages).toBe(0);
  });

  test("since_seq older than the ring says where the replay really starts, and starts there", async () => {
    const t = await setup(2, 50);
    const holder = socket();
    const ch = t.b.open(holder.sock, "1.1.1.1:1");
    t.send(ch, "connect", {});
    await flush();
    await feed(t, 0, 200); // a 50-sample ring keeps 150…199
    const r = socket();
    const cr = t.b.open(r.sock, "2.2.2.2:2");
    t.send(cr, "subscribe", { stream: "eeg_batch", num_samples: 25, since_seq: 10 });
    expect(r.ofType("command_ack").at(-1)!.data.options).toMatchObject({
      since_seq: 10,
      resumed_from: 150,
    });
    await t.clock.advance(500);
    expect(seqsOf(r.ofType("eeg_batch"))).toEqual(Array.from({ length: 50 }, (_, i) => 150 + i));
  });

  test("since_seq far ahead (a seq from an earlier bridge process) goes live at once and says so", async () => {
    const t = await setup();
    const holder = socket();
    const ch = t.b.open(holder.sock, "1.1.1.1:1");
    t.send(ch, "connect", {});
    await flush();
    await feed(t, 0, 200);
    const r = socket();
    const cr = t.b.open(r.sock, "2.2.2.2:2");
    t.send(cr, "subscribe", { stream: "eeg_batch", num_samples: 10, since_seq: 90_000 });
    expect(r.ofType("command_ack").at(-1)!.data.options).toMatchObject({
      since_seq: 90_000,
      resumed_from: 200,
    });
    await t.clock.advance(20);
    await feed(t, 200, 20);
    await t.clock.advance(20); // the link reader yields on the manual clock now and then
    expect(seqsOf(r.ofType("eeg_batch"))).toEqual(Array.from({ length: 20 }, (_, i) => 200 + i));
  });

  test("binary batches go out as frames; diagnostics tick at their interval, also while idle", async () => {
    const t = await setup(1);
    const a = socket();
    const ca = t.b.open(a.sock, "1.1.1.1:1");
    t.send(ca, "subscribe", { stream: "diagnostics", interval_ms: 200 });
    await t.clock.advance(1000);
    const idle = a.ofType("diagnostics");
    expect(idle).toHaveLength(5);
    expect(idle[0]!.data).toMatchObject({
      device_state: "idle",
      rate_hz: 0,
      expected_rate_hz: 500,
      packets: { valid: 0 },
      clients: 1,
    });
    t.send(ca, "subscribe", {
      stream: "eeg_batch",
      format: "binary",
      num_samples: 5,
      channels: [1, 2],
    });
    t.send(ca, "connect", {});
    await flush();
    await feed(t, 0, 10);
    expect(a.s.frames).toHaveLength(2);
    const view = new DataView(a.s.frames[0]!.buffer, a.s.frames[0]!.byteOffset);
    expect(view.getUint32(0, false)).toBe(0x4d573735); // "MW75"
    expect(view.getUint32(8, true)).toBe(5);
    expect(view.getFloat64(16, true)).toBe(0);
    expect(a.s.frames[0]!.byteLength).toBe(36 + 4 * 2 * 5 + 2 * 5);
    t.send(ca, "unsubscribe", { stream: "diagnostics" });
    const n = a.ofType("diagnostics").length;
    await t.clock.advance(1000);
    expect(a.ofType("diagnostics")).toHaveLength(n);
  });
});
