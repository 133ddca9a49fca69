/** @module withCapture's boundary records: none before a lone first connection, one before every other. */
import { describe, expect, test } from "bun:test";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFileSink, readFileBytes } from "../../src/adapters/fs.ts";
import type {
  DeviceLink,
  DeviceSource,
  LinkBoundary,
  LinkChunk,
} from "../../src/ports/device-source.ts";
import { captureRecord } from "../../src/recording/capture-format.ts";
import { withCapture } from "../../src/sources/capture.ts";
import type { CaptureSink } from "../../src/ports/capture-sink.ts";
import { concat, openOptions, readChunks, recordingLogger } from "../_support/source-helpers.ts";

const NOW = 1_700_000_123_456;
const now = () => NOW;

/** A source whose k-th open streams `links[k]` and then ends. */
function listSource(links: LinkChunk[][]): DeviceSource {
  let opens = 0;
  return {
    kind: "list",
    synthetic: true,
    description: "test list source",
    open(): Promise<DeviceLink> {
      const chunks = links[opens++] ?? [];
      const readable = new ReadableStream<LinkChunk>({
        start(c) {
          for (const chunk of chunks) c.enqueue(chunk);
          c.close();
        },
      });
      return Promise.resolve({ batteryLevel: null, readable, close: () => Promise.resolve() });
    },
  };
}

/** Remembers every write; `bytesAtOpen` as given (absent: the sink does not say). */
function memorySink(
  bytesAtOpen?: Promise<number>,
): CaptureSink & { writes: Uint8Array[]; bytes(): Uint8Array } {
  const writes: Uint8Array[] = [];
  return {
    writes,
    bytes: () => concat(writes),
    write: (chunk) => void writes.push(chunk.slice()),
    close: () => Promise.resolve(),
    ...(bytesAtOpen !== undefined ? { bytesAtOpen } : {}),
  };
}

/** Opens and drains `count` links of `source`, returning what each link delivered. */
async function drain(source: DeviceSource, count: number) {
  const seen = [];
  for (let i = 0; i < count; i++) {
    const link = await source.open(openOptions());
    const got = await readChunks(link.readable, { maxMs: 3000 });
    expect(got.ended).toBe(true);
    await link.close();
    seen.push(got);
  }
  return seen;
}

const one = Uint8Array.of(0xaa, 1, 2, 3);
const two = Uint8Array.of(0xaa, 4, 5);
const three = Uint8Array.of(0xaa, 6);

describe("withCapture (boundary records)", () => {
  test("writes no record before the first link of an empty sink, one before the second", async () => {
    const sink = memorySink(Promise.resolve(0));
    const source = withCapture(listSource([[one], [two, three]]), sink, { now });
    await drain(source, 2);
    await source.close();
    expect(Array.from(sink.bytes())).toEqual(
      Array.from(concat([one, captureRecord(2, NOW), two, three])),
    );
  });

  test("a sink that does not tell its size counts as empty", async () => {
    const sink = memorySink();
    const source = withCapture(listSource([[one]]), sink, { now });
    await drain(source, 1);
    await source.close();
    expect(Array.from(sink.bytes())).toEqual(Array.from(one));
  });

  test("writes a record before the first link when the sink already held bytes, even if the size comes late", async () => {
    let tell!: (n: number) => void;
    const sink = memorySink(new Promise<number>((resolve) => (tell = resolve)));
    const source = withCapture(listSource([[one], [two]]), sink, { now });
    const link = await source.open(openOptions());
    const reader = link.readable.getReader();
    expect(await reader.read()).toEqual({ done: false, value: one }); // the stream does not wait for the sink
    setTimeout(() => tell(1234), 20);
    expect((await reader.read()).done).toBe(true);
    reader.releaseLock();
    await drain(source, 1);
    await source.close();
    expect(Array.from(sink.bytes())).toEqual(
      Array.from(concat([captureRecord(1, NOW), one, captureRecord(2, NOW), two])),
    );
  });

  test("passes markers of an inner link on and writes them as records, numbered by this run", async () => {
    const recorded: LinkBoundary = {
      kind: "boundary",
      connection: 7,
      startedAtMs: 1_600_000_000_000,
    };
    const unknown: LinkBoundary = { kind: "boundary", connection: 8, startedAtMs: null };
    const sink = memorySink(Promise.resolve(0));
    const source = withCapture(listSource([[one, recorded, two, unknown, three]]), sink, { now });
    const [got] = await drain(source, 1);
    await source.close();
    expect(got!.boundaries).toEqual([{ at: 4, boundary: recorded }, { at: 7, boundary: unknown }]);
    expect(Array.from(sink.bytes())).toEqual(
      Array.from(
        concat([one, captureRecord(2, 1_600_000_000_000), two, captureRecord(3, NOW), three]),
      ),
    );
  });

  test("a sink that cannot tell its size stops the capture with an ERROR, the stream keeps flowing", async () => {
    const size = Promise.reject(new Error("stat failed"));
    size.catch(() => {});
    const sink = memorySink(size);
    const log = recordingLogger();
    const source = withCapture(listSource([[one, two]]), sink, { now });
    const link = await source.open(openOptions(log));
    const got = await readChunks(link.readable, { maxMs: 3000 });
    await source.close();
    expect(Array.from(got.bytes)).toEqual(Array.from(concat([one, two])));
    expect(sink.writes).toEqual([]);
    expect(
      log.records.filter((r) => r.level === "ERROR" && r.message.includes("stat failed")).length,
    ).toBe(1);
  });

  test("a marker whose time cannot be written stops the capture, not the stream", async () => {
    const odd: LinkBoundary = { kind: "boundary", connection: 2, startedAtMs: -5 };
    const sink = memorySink(Promise.resolve(0));
    const log = recordingLogger();
    const source = withCapture(listSource([[one, odd, two]]), sink, { now });
    const link = await source.open(openOptions(log));
    const got = await readChunks(link.readable, { maxMs: 3000 });
    await source.close();
    expect(got.ended).toBe(true);
    expect(Array.from(got.bytes)).toEqual(Array.from(concat([one, two])));
    expect(Array.from(sink.bytes())).toEqual(Array.from(one));
    expect(
      log.records.filter((r) => r.level === "ERROR" && r.message.startsWith("Capture stopped"))
        .length,
    ).toBe(1);
  });

  test("createFileSink reports the size of the file it appends to, and the record lands before the new bytes", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mw75-capture-append-"));
    try {
      const path = join(dir, "raw.bin");
      await writeFile(path, three);
      const fresh = createFileSink(join(dir, "new.bin"));
      await fresh.ready;
      expect(await fresh.bytesAtOpen).toBe(0);
      await fresh.close();

      const sink = createFileSink(path);
      await sink.ready;
      expect(await sink.bytesAtOpen).toBe(three.length);
      const source = withCapture(listSource([[one]]), sink, { now });
      await drain(source, 1);
      await source.close();
      expect(Array.from(await readFileBytes(path))).toEqual(
        Array.from(concat([three, captureRecord(1, NOW), one])),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
