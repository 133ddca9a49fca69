/** @module FeedConsumer against a fake socket: writes at once while the socket keeps up, queues beyond 64 KB, drops the oldest chunks. */
import { expect, test } from "bun:test";
import type net from "node:net";
import { FeedConsumer, SOCKET_HIGH_WATER } from "../../src/lsl/outlet/consumer.ts";

/** The parts of net.Socket the consumer touches. */
function fakeSocket() {
  const fake = {
    writableLength: 0,
    destroyed: false,
    written: [] as Uint8Array[],
    drain: null as (() => void) | null,
    on(event: string, fn: () => void) {
      if (event === "drain") fake.drain = fn;
      return fake;
    },
    write(bytes: Uint8Array) {
      fake.written.push(bytes);
      fake.writableLength += bytes.length;
      return true;
    },
  };
  return fake;
}

const chunk = (id: number, size = 1000) => new Uint8Array(size).fill(id);

test("writes at once below the high-water mark, queues above it, and flushes in order on drain", () => {
  const socket = fakeSocket();
  const drops: number[] = [];
  const c = new FeedConsumer(socket as unknown as net.Socket, 100, (n) => drops.push(n));
  c.push(chunk(1), 10);
  expect(socket.written).toHaveLength(1);
  socket.writableLength = SOCKET_HIGH_WATER;
  c.push(chunk(2), 10);
  c.push(chunk(3), 10);
  expect(socket.written).toHaveLength(1);
  expect(c.waiting).toBe(20);
  socket.writableLength = 0;
  socket.drain!();
  expect(socket.written.map((b) => b[0])).toEqual([1, 2, 3]);
  expect(c.waiting).toBe(0);
  expect(drops).toEqual([]);
});

test("a consumer that never drains keeps at most `bound` samples queued, dropping whole oldest chunks", () => {
  const socket = fakeSocket();
  let dropped = 0;
  const c = new FeedConsumer(socket as unknown as net.Socket, 100, (n) => (dropped += n));
  socket.writableLength = SOCKET_HIGH_WATER;
  for (let i = 0; i < 10_000; i++) c.push(chunk(i % 256, 16), 7);
  expect(c.waiting).toBeLessThanOrEqual(100);
  expect(c.waiting).toBeGreaterThan(100 - 7);
  expect(dropped + c.waiting).toBe(70_000);
  expect(c.dropped).toBe(dropped);
  // what stays is the newest: draining now writes the last chunks, in order
  socket.writableLength = 0;
  socket.drain!();
  const ids = socket.written.map((b) => b[0]);
  expect(ids.at(-1)).toBe(9999 % 256);
  expect(ids).toHaveLength(Math.floor(100 / 7));
});

test("a destroyed socket gets nothing", () => {
  const socket = fakeSocket();
  const c = new FeedConsumer(socket as unknown as net.Socket, 100, () => {});
  socket.destroyed = true;
  c.push(chunk(1), 1);
  expect(socket.written).toHaveLength(0);
});
