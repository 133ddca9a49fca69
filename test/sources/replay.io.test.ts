import { describe, expect, test } from "bun:test";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFileSink, readFileBytes } from "../../src/adapters/fs.ts";
import { BridgeError } from "../../src/core/errors.ts";
import type { DeviceSource } from "../../src/ports/device-source.ts";
import { PACKET_LEN } from "../../src/decoder/types.ts";
import { captureRecord } from "../../src/recording/capture-format.ts";
import { withCapture } from "../../src/sources/capture.ts";
import { createReplaySource } from "../../src/sources/replay.ts";
import { createSimSource, simPackets } from "../../src/sources/sim.ts";
import {
  concat,
  openOptions,
  readChunks,
  recordingLogger,
  sameBytes,
} from "../_support/source-helpers.ts";

async function openError(source: DeviceSource): Promise<BridgeError> {
  const err = await source.open(openOptions()).then(
    async (link) => {
      await link.close();
      return null;
    },
    (e: unknown) => e,
  );
  if (!(err instanceof BridgeError)) throw new Error(`expected a BridgeError, got ${String(err)}`);
  return err;
}

function memorySink() {
  const chunks: Uint8Array[] = [];
  let closed = false;
  return {
    chunks,
    get closed() {
      return closed;
    },
    write(chunk: Uint8Array) {
      chunks.push(chunk.slice());
    },
    close() {
      closed = true;
      return Promise.resolve();
    },
  };
}

describe("capture and replay", () => {
  test("capture to a file, replay at speed 0: identical bytes, the second link behind a boundary", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mw75-capture-"));
    try {
      const path = join(dir, "raw.bin");
      const sink = createFileSink(path);
      await sink.ready;
      const now = () => 1_700_000_000_000;
      const source = withCapture(
        createSimSource({ seed: 12, unthrottled: true, activationDelayMs: 0 }),
        sink,
        { now },
      );
      const seen: Uint8Array[] = [];
      for (let i = 0; i < 2; i++) {
        const link = await source.open(openOptions());
        const got = await readChunks(link.readable, { maxMs: 3000, maxBytes: 300 * PACKET_LEN });
        await link.close();
        seen.push(got.bytes);
      }
      await source.close();
      const captured = concat(seen);
      expect(captured.length).toBeGreaterThanOrEqual(600 * PACKET_LEN);
      const file = concat([seen[0]!, captureRecord(2, now()), seen[1]!]);
      expect(sameBytes(await readFileBytes(path), file)).toBe(true);

      const replay = createReplaySource({ path, speed: 0, readFile: readFileBytes });
      const link = await replay.open(openOptions());
      const replayed = await readChunks(link.readable, { maxMs: 5000 });
      expect(replayed.ended).toBe(true);
      expect(sameBytes(replayed.bytes, captured)).toBe(true);
      expect(replayed.boundaries).toEqual([{
        at: seen[0]!.length,
        boundary: { kind: "boundary", connection: 2, startedAtMs: now() },
      }]);
      expect(sameBytes(replayed.bytes.subarray(0, 300 * PACKET_LEN), simPackets(12, 0, 300))).toBe(
        true,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("boundary records become markers at their data offsets, in order, one INFO each, at speed 0 and paced", async () => {
    const a = simPackets(4, 0, 100).subarray(0, 100 * PACKET_LEN - 20); // the link dropped mid-packet
    const b = simPackets(4, 0, 100);
    const c = simPackets(4, 0, 50);
    const file = concat([
      captureRecord(1, 1000),
      a,
      captureRecord(2, 2000),
      b,
      captureRecord(3, 3000),
      c,
      captureRecord(4, 4000),
    ]);
    const data = concat([a, b, c]);
    const at = [0, a.length, a.length + b.length, data.length];
    for (const speed of [0, 5]) {
      const log = recordingLogger();
      const link = await createReplaySource({
        path: "multi.bin",
        speed,
        readFile: () => Promise.resolve(file),
      }).open(openOptions(log));
      const got = await readChunks(link.readable, { maxMs: 5000 });
      expect(got.ended).toBe(true);
      expect(sameBytes(got.bytes, data)).toBe(true);
      expect(got.boundaries.map((m) => [m.at, m.boundary.connection, m.boundary.startedAtMs]))
        .toEqual(
          at.map((offset, k) => [offset, k + 1, (k + 1) * 1000]),
        );
      expect(log.records.some((r) => r.message.includes("4 connection boundary records"))).toBe(
        true,
      );
      // 250 packets of data at 5 × 500 packets/s: the markers do not cut the pacing short
      if (speed === 5) expect(got.elapsedMs).toBeGreaterThan(100 * 0.7);
    }
  });

  test("a file without valid records replays byte for byte, with no marker", async () => {
    const bytes = concat([
      simPackets(5, 0, 20),
      new TextEncoder().encode("\n#mw75-capture v1 connection=0 unix_ms=1\n"),
      simPackets(5, 20, 20),
    ]);
    const link = await createReplaySource({
      path: "plain.bin",
      speed: 0,
      readFile: () => Promise.resolve(bytes),
    }).open(openOptions());
    const got = await readChunks(link.readable, { maxMs: 5000 });
    expect(got.ended).toBe(true);
    expect(got.boundaries).toEqual([]);
    expect(sameBytes(got.bytes, bytes)).toBe(true);
  });

  test("a missing capture file fails with CONNECTION_FAILED naming the path", async () => {
    const path = join(tmpdir(), `mw75-missing-${Date.now()}.bin`);
    const err = await openError(createReplaySource({ path, speed: 1, readFile: readFileBytes }));
    expect(err.code).toBe("CONNECTION_FAILED");
    expect(err.message).toContain(path);
  });

  test("an empty capture file fails with CONNECTION_FAILED", async () => {
    const err = await openError(
      createReplaySource({
        path: "empty.bin",
        speed: 1,
        readFile: () => Promise.resolve(new Uint8Array(0)),
      }),
    );
    expect(err.code).toBe("CONNECTION_FAILED");
    expect(err.message).toContain("empty.bin");
  });

  test("speed 1 paces by packet count at 500 packets/s; speed 5 is five times faster", async () => {
    const bytes = simPackets(1, 0, 250); // 0.5 s of data at 500 Hz
    const readFile = () => Promise.resolve(bytes);
    for (const [speed, expectedMs] of [[1, 500], [5, 100]] as const) {
      const link = await createReplaySource({ path: "mem.bin", speed, readFile }).open(
        openOptions(),
      );
      const got = await readChunks(link.readable, { maxMs: 5000 });
      expect(got.ended).toBe(true);
      expect(sameBytes(got.bytes, bytes)).toBe(true);
      // drift-free pacing cannot finish early (0.7 for timer granularity); late only by the
      // reader's wake-ups: 2× + 200 ms; a replay that ignored speed 5 would take ~500 ms, over
      // its 400-ms bound
      expect(got.elapsedMs).toBeGreaterThan(expectedMs * 0.7);
      expect(got.elapsedMs).toBeLessThan(expectedMs * 2 + 200);
    }
  });

  test("speed 0 lets the reader's event loop run timers while it reads in a tight loop", async () => {
    const bytes = new Uint8Array(64 * 1024 * 1024); // long enough to outlast the timer
    const link = await createReplaySource({
      path: "big.bin",
      speed: 0,
      readFile: () => Promise.resolve(bytes),
    }).open(openOptions());
    const reader = link.readable.getReader();
    let timerFired = false;
    const started = performance.now();
    setTimeout(() => (timerFired = true), 5);
    try {
      while (!timerFired && performance.now() - started < 3000) {
        const r = await reader.read();
        if (r.done) break;
      }
    } finally {
      reader.releaseLock();
      await link.close();
    }
    expect(timerFired).toBe(true);
    // the 5-ms timer fires within a few ms idle; a starved timer would keep the loop going to its
    // 3-s cap, so 1.5 s tells the two apart with a second's room for a loaded machine
    expect(performance.now() - started).toBeLessThan(1500);
  });

  test("an invalid speed is refused up front", () => {
    const readFile = () => Promise.resolve(new Uint8Array(1));
    expect(() => createReplaySource({ path: "x", speed: -1, readFile })).toThrow(RangeError);
    expect(() => createReplaySource({ path: "x", speed: Number.NaN, readFile })).toThrow(
      RangeError,
    );
  });

  test("a failing sink stops the capture with an ERROR log but the stream keeps flowing", async () => {
    const log = recordingLogger();
    const sink = {
      write(): void {
        throw new Error("disk full");
      },
      close: () => Promise.resolve(),
    };
    const source = withCapture(createSimSource({ unthrottled: true, activationDelayMs: 0 }), sink);
    const link = await source.open(openOptions(log));
    const got = await readChunks(link.readable, { maxMs: 3000, maxBytes: 100 * PACKET_LEN });
    await link.close();
    await source.close();
    expect(got.bytes.length).toBeGreaterThanOrEqual(100 * PACKET_LEN);
    expect(log.records.filter((r) => r.level === "ERROR" && r.message.includes("disk full")).length)
      .toBe(1);
  });

  test("the capturing source forwards failures, metadata and closes its sink once", async () => {
    const sink = memorySink();
    const source = withCapture(createSimSource({ failRfcomm: true, activationDelayMs: 0 }), sink);
    expect(source.kind).toBe("sim");
    expect(source.synthetic).toBe(true);
    expect((await openError(source)).code).toBe("RFCOMM_CONNECTION_FAILED");
    await source.close();
    await source.close();
    expect(sink.closed).toBe(true);
    expect(sink.chunks.length).toBe(0);
  });

  test("a capture file that cannot be opened reports its path through ready", async () => {
    const path = join(tmpdir(), `no-such-dir-${Date.now()}`, "raw.bin");
    const sink = createFileSink(path);
    const err = await sink.ready.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain(path);
    await sink.close();
  });

  test("readFileBytes returns a plain Uint8Array whose slices are copies", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mw75-read-"));
    try {
      const path = join(dir, "x.bin");
      await writeFile(path, new Uint8Array([1, 2, 3, 4]));
      const bytes = await readFileBytes(path);
      const part = bytes.slice(0, 2);
      part[0] = 9;
      expect(Array.from(bytes)).toEqual([1, 2, 3, 4]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
