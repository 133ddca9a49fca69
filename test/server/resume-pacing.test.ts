/**
 * @module eeg_batch resume in-process (fake sockets, manual clock): a replay is paced by its
 * client's byte allowance, which a re-subscribe does not renew, and a re-subscribe or an
 * unsubscribe cancels the pending replay at once (issue 18 item 10).
 */
import { describe, expect, test } from "bun:test";
import { readDecoderWasm } from "../../src/adapters/wasm-file.ts";
import { createLogHub } from "../../src/core/log-hub.ts";
import { createDecoder } from "../../src/decoder/decoder.ts";
import { ServedDevice } from "../../src/server/served-device.ts";
import type { ClientSocket } from "../../src/ports/client-socket.ts";
import { flush, ManualClock, scriptedSource } from "../_support/fakes.ts";

/** The allowance docs/streams.md documents: 4 MiB/s per client after a 1 MiB burst. */
const BURST = 1024 * 1024;
const PER_S = 4 * 1024 * 1024;
/** One replay page (250 samples) of 12-channel JSON is about 60 kB: the debt a page may leave. */
const PAGE_BYTES = 100_000;
const RETAINED = 20_000;

function socket() {
  const texts: string[] = [];
  const sock: ClientSocket = {
    send: (text) => texts.push(text) > 0,
    sendBinary: () => true,
    bufferedAmount: () => 0, // a client that reads as fast as it is sent to
    close: () => {},
  };
  const batches = () => texts.filter((x) => x.includes('"type":"eeg_batch"'));
  const bytes = () => batches().reduce((n, x) => n + x.length, 0);
  /** Seqs of the batches after the ack of request `id`. */
  const seqsAfter = (id: string) => {
    const from = texts.findIndex((x) => x.includes(`"id":"${id}"`));
    expect(from).toBeGreaterThanOrEqual(0);
    return texts.slice(from).filter((x) => x.includes('"type":"eeg_batch"')).flatMap((x) => {
      const d = JSON.parse(x).data as { first_seq: number; count: number };
      return Array.from({ length: d.count }, (_, i) => d.first_seq + i);
    });
  };
  return { texts, sock, batches, bytes, seqsAfter };
}

/** A bridge whose ring holds RETAINED samples (seq 0 on), with a holder client keeping the device. */
async function setup() {
  const clock = new ManualClock();
  const source = scriptedSource([{ ok: true }]);
  const b = new ServedDevice({
    source,
    clock,
    maxClients: 2,
    runtime: "test",
    heartbeatMs: 60_000,
    noDataTimeoutMs: 1e9,
    decoder: await createDecoder(await readDecoderWasm()),
    logs: createLogHub(clock.now),
    limits: {
      highWaterBytes: 1_000_000,
      maxQueuedData: 4,
      maxQueuedControl: 100,
      maxQueuedControlChars: 1e6,
    },
  });
  let n = 0;
  const send = (client: ReturnType<ServedDevice["open"]>, type: string, data?: unknown): string => {
    const id = `${type}-${++n}`;
    b.message(client!, JSON.stringify({ id, type, data }));
    return id;
  };
  const holder = b.open(socket().sock, "1.1.1.1:1");
  send(holder, "unsubscribe", { stream: "eeg" });
  send(holder, "connect", {});
  await flush();
  for (let from = 0; from < RETAINED; from += 5000) {
    source.links[0]!.packets(from, 5000);
    await flush();
  }
  const r = socket();
  const client = b.open(r.sock, "2.2.2.2:2");
  send(client, "unsubscribe", { stream: "eeg" });
  return { b, clock, source, send, r, client };
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

describe("resume pacing", () => {
  test("a replay goes at the client's allowance: the burst at once, then 4 MiB/s, then live, every seq once", async () => {
    const t = await setup();
    const sub = t.send(t.client, "subscribe", {
      stream: "eeg_batch",
      num_samples: 100,
      since_seq: 0,
    });
    await t.clock.advance(0);
    const atOnce = t.r.bytes();
    expect(atOnce).toBeGreaterThan(BURST / 2);
    expect(atOnce).toBeLessThanOrEqual(BURST + PAGE_BYTES); // the whole ring (~3.3 MB) used to go at once
    await t.clock.advance(500);
    expect(t.r.bytes()).toBeLessThanOrEqual(BURST + PER_S / 2 + PAGE_BYTES);
    await t.clock.advance(2000);
    t.source.links[0]!.packets(RETAINED, 100); // caught up: these come live
    await flush();
    await t.clock.advance(200);
    expect(t.r.seqsAfter(sub)).toEqual(range(0, RETAINED + 100));
  });

  test("a re-subscribe cancels the pending replay at once and does not renew the allowance", async () => {
    const t = await setup();
    t.send(t.client, "subscribe", { stream: "eeg_batch", num_samples: 100, since_seq: 0 });
    await t.clock.advance(0); // the burst is spent
    const again = t.send(t.client, "subscribe", {
      stream: "eeg_batch",
      num_samples: 100,
      since_seq: 0,
    });
    await t.clock.advance(0);
    // the old replay sends nothing more, the new one waits for its allowance (a page may go first)
    expect(t.r.seqsAfter(again).length).toBeLessThanOrEqual(250);
    await t.clock.advance(3000);
    expect(t.r.seqsAfter(again)).toEqual(range(0, RETAINED));
  });

  test("unsubscribe cancels the pending replay: nothing of it after the ack", async () => {
    const t = await setup();
    t.send(t.client, "subscribe", { stream: "eeg_batch", num_samples: 100, since_seq: 0 });
    await t.clock.advance(0);
    const stop = t.send(t.client, "unsubscribe", { stream: "eeg_batch" });
    await t.clock.advance(3000);
    expect(t.r.seqsAfter(stop)).toEqual([]);
  });
});
