/** @module The "./decoder" entry from source in every runtime: createDecoder() finds its own wasm, the Web Streams transform, the fetch loader's two paths. */
import { describe, expect, test } from "bun:test";
import { readDecoderWasm } from "../../src/adapters/wasm-file.ts";
import { createDecoder, createDecodeStream } from "../../src/decoder/mod.ts";
import type { DecodedPacket } from "../../src/decoder/mod.ts";
import { compileFromUrl } from "../../src/decoder/wasm-fetch.ts";
import { damagedStream, prng, randomChunks } from "../_support/streams.ts";

/** JSON through both sides, so NaN compares as null and event bytes as arrays. */
function summary(packets: DecodedPacket[]): string {
  return JSON.stringify(
    packets.map((p) => (p.type === "eeg" ? p : { ...p, raw: Array.from(p.raw) })),
  );
}

/** A readable stream that yields `chunks` one by one. */
function readableOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!);
      else controller.close();
    },
  });
}

async function collect(stream: ReadableStream<DecodedPacket[]>): Promise<DecodedPacket[][]> {
  const batches: DecodedPacket[][] = [];
  for await (const batch of stream as unknown as AsyncIterable<DecodedPacket[]>) {
    batches.push(batch);
  }
  return batches;
}

const stream = damagedStream(2000, prng(99));
const chunks = randomChunks(stream, prng(5), 300);

describe("decoder entry", () => {
  test("createDecoder() without an argument decodes like a decoder made from the committed bytes", async () => {
    const own = await createDecoder();
    const given = await createDecoder(await readDecoderWasm());
    expect(summary(own.push(stream))).toBe(summary(given.push(stream)));
    expect(own.stats()).toEqual(given.stats());
    expect(own.stats().eegPackets).toBeGreaterThan(500);
  });

  test("decoders made without an argument share the compiled module but not their state", async () => {
    const [a, b] = await Promise.all([createDecoder(), createDecoder()]);
    a.push(stream.subarray(0, 100));
    expect(a.stats().bytesIn).toBe(100);
    expect(b.stats().bytesIn).toBe(0);
  });

  test("decoder.transform() emits the packets push() gives, as non-empty batches, and keeps the stats", async () => {
    const reference = await createDecoder();
    const expected = reference.push(stream);
    const decoder = await createDecoder();
    const batches = await collect(readableOf(chunks).pipeThrough(decoder.transform()));
    expect(batches.every((b) => b.length > 0)).toBe(true);
    expect(summary(batches.flat())).toBe(summary(expected));
    expect(decoder.stats()).toEqual(reference.stats());
    expect(Array.from(decoder.residual())).toEqual(Array.from(reference.residual()));
  });

  test("createDecodeStream() makes its own decoder; a given one (or its promise) is used as is", async () => {
    const expected = summary((await createDecoder()).push(stream));
    expect(summary((await collect(readableOf(chunks).pipeThrough(createDecodeStream()))).flat()))
      .toBe(expected);
    const decoder = createDecoder();
    expect(
      summary((await collect(readableOf(chunks).pipeThrough(createDecodeStream(decoder)))).flat()),
    ).toBe(expected);
    expect((await decoder).stats().bytesIn).toBe(stream.length);
  });

  test("a chunk that is not a Uint8Array errors the stream with a message naming its type", async () => {
    const bad = new ReadableStream<unknown>({ start: (c) => (c.enqueue("text"), c.close()) });
    const error = await collect(
      bad.pipeThrough(createDecodeStream() as unknown as TransformStream<unknown, DecodedPacket[]>),
    ).catch((e: unknown) => e);
    expect(String(error)).toContain("expected a Uint8Array");
  });

  test("compileFromUrl compiles with and without the application/wasm type, and rejects what is not wasm", async () => {
    const bytes = await readDecoderWasm();
    const base64 = btoa(String.fromCharCode(...bytes));
    for (const type of ["application/wasm", "application/octet-stream"]) {
      const module = await compileFromUrl(new URL(`data:${type};base64,${base64}`));
      expect(WebAssembly.Module.exports(module).some((e) => e.name === "discard_tail")).toBe(true);
    }
    const notWasm = new URL("data:text/plain,not-wasm");
    await expect(compileFromUrl(notWasm)).rejects.toThrow();
  });
});
