/** @module The reused encode buffer: same bytes as a fresh encode, and whatever a consumer keeps is a copy. */
import { expect, test } from "bun:test";
import type net from "node:net";
import { FeedConsumer, SOCKET_HIGH_WATER } from "../../src/lsl/outlet/consumer.ts";
import { encodeFloat32Chunk, Float32ChunkEncoder } from "../../src/lsl/wire/feed-encode.ts";

const CH = 14;
const chunkOf = (count: number, t0: number) => ({
  values: Float32Array.from({ length: count * CH }, (_, i) => i * 0.5 - t0),
  // a gap after the second sample: an explicit timestamp in the middle
  timestamps: Float64Array.from({ length: count }, (_, i) => t0 + i / 500 + (i >= 2 ? 0.01 : 0)),
});

test("the encoder's reused buffer gives the bytes of a fresh encode, call after call, size after size", () => {
  const encoder = new Float32ChunkEncoder();
  for (const [count, t0] of [[5, 1], [5, 2], [1, 3], [40, 4], [5, 5]] as const) {
    const { values, timestamps } = chunkOf(count, t0);
    expect(encoder.encode(values, timestamps, CH, 500)).toEqual(
      encodeFloat32Chunk(values, timestamps, CH, 500),
    );
  }
});

test("a consumer copies a scratch chunk it writes through node:net or queues", () => {
  const kept: Uint8Array[] = [];
  const socket = {
    writableLength: 0,
    destroyed: false,
    on: () => socket,
    write(bytes: Uint8Array) {
      kept.push(bytes);
      return true;
    },
  };
  const c = new FeedConsumer(socket as unknown as net.Socket, 1000, () => {});
  const scratch = new Uint8Array(8).fill(1);
  c.push(scratch, 1, true);
  scratch.fill(2); // the next encode overwrites it
  expect([...kept[0]!]).toEqual(new Array(8).fill(1));
  socket.writableLength = SOCKET_HIGH_WATER; // now it queues
  c.push(scratch, 1, true);
  scratch.fill(3);
  socket.writableLength = 0;
  (c as unknown as { flush(): void }).flush();
  expect([...kept[1]!]).toEqual(new Array(8).fill(2));
});
