/** @module FeedConsumer with the runtime's direct write over real TCP: partial writes and a stalled reader keep bytes in order, once each. */
import { expect, test } from "bun:test";
import net from "node:net";
import { runtimeDirectWrite } from "../../src/adapters/runtime/direct-write.ts";
import { FeedConsumer } from "../../src/lsl/outlet/consumer.ts";
import { requireLoopbackOnly } from "../_support/netns.ts";
import { until } from "./outlet-raw.ts";

/** Loopback moves these 4 MB in well under a second; 10 s leaves a margin for a loaded CI machine. */
const SOON_MS = 10_000;
const CHUNK = 16 * 1024;
/** 4 MB: far beyond the kernel's socket buffers, so direct writes come back partial or 0. */
const CHUNKS = 256;

interface Pair {
  accepted: net.Socket;
  client: net.Socket;
  close(): Promise<void>;
}

/** A connected pair on 127.0.0.1: the accepted socket (the outlet's side) and the client. */
async function pair(): Promise<Pair> {
  let accepted: net.Socket | null = null;
  const server = net.createServer((s) => {
    s.on("error", () => {});
    accepted = s;
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  const client = net.connect(port, "127.0.0.1");
  client.on("error", () => {});
  await until(() => accepted !== null, SOON_MS, "the connection accepted");
  const close = async (): Promise<void> => {
    client.destroy();
    accepted?.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { accepted: accepted!, client, close };
}

async function withPair(run: (p: Pair) => Promise<void> | void): Promise<void> {
  const p = await pair();
  try {
    await run(p);
  } finally {
    await p.close();
  }
}

/** Chunk `i`: every byte says which chunk and where in it, so a swap, a gap or a repeat shows. */
const chunk = (i: number) => {
  const out = new Uint8Array(CHUNK);
  for (let k = 0; k < CHUNK; k++) out[k] = (i * 7 + k) & 0xff;
  return out;
};

test("a reader that stalls, then reads: every byte arrives once and in order", async () => {
  requireLoopbackOnly();
  await withPair(async ({ accepted, client }) => {
    client.pause(); // the kernel buffers fill: writes go partial, then node:net and the queue hold the rest
    const direct = runtimeDirectWrite()?.(accepted) ?? null;
    if ("Bun" in globalThis) expect(direct).not.toBeNull(); // the path under test on Bun
    const drops: number[] = [];
    const c = new FeedConsumer(accepted, CHUNKS * 10, (n) => drops.push(n), direct);
    for (let i = 0; i < CHUNKS; i++) c.push(chunk(i), 10);
    let received = 0;
    let wrong = -1;
    client.on("data", (d: Uint8Array) => {
      for (let k = 0; k < d.length && wrong < 0; k++) {
        const at = received + k;
        const expected = (Math.floor(at / CHUNK) * 7 + (at % CHUNK)) & 0xff;
        if (d[k] !== expected) wrong = at;
      }
      received += d.length;
    });
    client.resume();
    await until(() => received >= CHUNKS * CHUNK || wrong >= 0, SOON_MS, "all bytes read");
    expect(wrong).toBe(-1);
    expect(received).toBe(CHUNKS * CHUNK);
    expect(drops).toEqual([]);
    expect(c.waiting).toBe(0);
  });
});

test("a reader that never reads loses whole chunks from the front, never a part of one", async () => {
  await withPair(({ accepted, client }) => {
    client.pause();
    const direct = runtimeDirectWrite()?.(accepted) ?? null;
    let dropped = 0;
    // a bound of 20 chunks: what neither the kernel nor node:net's 64 KB took is queued, then dropped
    const c = new FeedConsumer(accepted, 200, (n) => (dropped += n), direct);
    // up to 64 MB: more than the kernel's largest socket buffers (32 MB read + 4 MB write by default)
    for (let i = 0; i < 4096 && dropped === 0; i++) c.push(chunk(i), 10);
    expect(dropped).toBeGreaterThan(0);
    expect(dropped % 10).toBe(0);
    expect(c.waiting).toBeLessThanOrEqual(200);
  });
});
