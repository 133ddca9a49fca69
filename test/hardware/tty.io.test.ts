/**
 * @module The RFCOMM tty reader of the runtime running this file (Bun, Deno or Node), against a real
 * socat pty pair; under Bun the Node opener and Deno's --allow-all path also run in child processes.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BridgeError } from "../../src/core/errors.ts";
import type { ByteStreamHandle } from "../../src/ports/tty.ts";
import { feedPackets, makePackets, startPtyPair } from "../_support/pty-pair.ts";
import { currentRuntime, runtimeOpenTty, startProbe } from "../_support/runtime-tty.ts";

const runtime = currentRuntime();
const concat = (parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, (at += p.length) - p.length);
  return out;
};

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "mw75-tty-"));
}

/** Reads until `want` bytes arrived, the stream ended, or `timeoutMs` passed. */
async function readUpTo(
  handle: ByteStreamHandle,
  want: number,
  timeoutMs: number,
): Promise<Uint8Array> {
  const reader = handle.readable.getReader();
  const parts: Uint8Array[] = [];
  let got = 0;
  const deadline = Date.now() + timeoutMs;
  try {
    while (got < want && Date.now() < deadline) {
      const next = await Promise.race([
        reader.read(),
        new Promise<"timeout">((r) =>
          setTimeout(() => r("timeout"), Math.max(1, deadline - Date.now()))
        ),
      ]);
      if (next === "timeout" || next.done) break;
      parts.push(next.value);
      got += next.value.length;
    }
  } finally {
    reader.releaseLock();
  }
  return concat(parts);
}

/** Drains until the stream ends or errors; returns how it ended and when. `seen.bytes` counts as it goes. */
async function drainUntilEnd(
  handle: ByteStreamHandle,
  timeoutMs: number,
  seen = { bytes: 0 },
): Promise<{ how: string; at: number; bytes: number }> {
  const reader = handle.readable.getReader();
  let bytes = 0;
  const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), timeoutMs));
  for (;;) {
    let next;
    try {
      next = await Promise.race([reader.read(), timeout]);
    } catch (error) {
      return {
        how: error instanceof BridgeError ? `error ${error.code}` : `error ${String(error)}`,
        at: Date.now(),
        bytes,
      };
    }
    if (next === "timeout") return { how: "timeout", at: Date.now(), bytes };
    if (next.done) return { how: "end", at: Date.now(), bytes };
    bytes += next.value.length;
    seen.bytes = bytes;
  }
}

describe(`RFCOMM tty reader (${runtime} opener, socat pty)`, () => {
  test("delivers the packets written into the pty byte for byte", async () => {
    const dir = tempDir();
    const pty = await startPtyPair(join(dir, "a"), join(dir, "b"));
    let handle: ByteStreamHandle | undefined;
    try {
      const openTty = await runtimeOpenTty();
      handle = await openTty(pty.b);
      const packets = makePackets(250);
      const expected = concat(packets);
      const [sent, got] = await Promise.all([
        feedPackets(pty.a, packets, 500),
        readUpTo(handle, expected.length, 8000),
      ]);
      expect(sent).toBe(250);
      expect(got.length).toBe(expected.length);
      expect(Buffer.from(got).equals(Buffer.from(expected))).toBe(true);
    } finally {
      await handle?.close();
      pty.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 20_000);

  test("ends the stream within 2 s when the pty goes away mid-stream", async () => {
    const dir = tempDir();
    const pty = await startPtyPair(join(dir, "a"), join(dir, "b"));
    let handle: ByteStreamHandle | undefined;
    let feeding = true;
    try {
      handle = await (await runtimeOpenTty())(pty.b);
      const feeder = feedPackets(pty.a, makePackets(5000), 500, () => !feeding).catch(() => 0);
      const seen = { bytes: 0 };
      const ended = drainUntilEnd(handle, 8000, seen);
      // mid-stream: the pty goes away once a good share of bytes (100 packets, 0.2 s) came through
      // rather than after a guessed pause; 5 s bounds a feed that never starts
      const deadline = Date.now() + 5000;
      while (seen.bytes < 100 * 63 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const killedAt = Date.now();
      pty.stop();
      const result = await ended;
      feeding = false;
      await feeder;
      expect(result.bytes).toBeGreaterThan(0);
      expect(result.how).not.toBe("timeout");
      // the promise under test; the end itself is seen in ms (EIO/EOF on the next read)
      expect(result.at - killedAt).toBeLessThan(2000);
    } finally {
      feeding = false;
      await handle?.close();
      pty.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 20_000);

  test("close() ends a stream that is waiting for data", async () => {
    const dir = tempDir();
    const pty = await startPtyPair(join(dir, "a"), join(dir, "b"));
    try {
      const handle = await (await runtimeOpenTty())(pty.b);
      const ended = drainUntilEnd(handle, 5000);
      // the scenario: close() comes while a read is pending (any pause works; 0.2 s makes it so)
      await new Promise((r) => setTimeout(r, 200));
      const closedAt = Date.now();
      await handle.close();
      await handle.close(); // idempotent
      const result = await ended;
      expect(result.how).toBe("end");
      // ending the pending read is immediate (ms); 1 s is margin for a loaded machine
      expect(result.at - closedAt).toBeLessThan(1000);
    } finally {
      pty.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 15_000);

  test("a missing tty is RFCOMM_CONNECTION_FAILED naming the bind command", async () => {
    const openTty = await runtimeOpenTty();
    const error = await openTty("/dev/rfcomm-does-not-exist-75").then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BridgeError);
    expect((error as BridgeError).code).toBe("RFCOMM_CONNECTION_FAILED");
    expect((error as BridgeError).message).toContain("rfcomm bind 0");
  });

  test("a regular file is refused as not a terminal", async () => {
    const dir = tempDir();
    try {
      const file = join(dir, "plain");
      writeFileSync(file, "not a tty");
      const error = await (await runtimeOpenTty())(file).then(() => null, (e: unknown) => e);
      expect((error as BridgeError).code).toBe("RFCOMM_CONNECTION_FAILED");
      expect((error as BridgeError).message).toContain("not a terminal");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// the Node opener in its own runtime, and Deno's native path (device files need --allow-all):
// registered once (under Bun) rather than once per runtime
if (runtime === "bun") {
  for (const kind of ["node", "deno-allow-all"] as const) {
    describe(`RFCOMM tty reader (${kind} child, socat pty)`, () => {
      test("delivers the bytes and ends within 2 s when the pty goes away", async () => {
        const dir = tempDir();
        const pty = await startPtyPair(join(dir, "a"), join(dir, "b"));
        try {
          const probe = startProbe(kind, pty.b);
          expect(await probe.ready).toBe(true);
          const packets = makePackets(150);
          await feedPackets(pty.a, packets, 500);
          // the pty goes away once the probe has read every byte (a loaded machine may take a
          // while to get there: 5 s bounds a reader that lost some)
          const want = concat(packets).length;
          const deadline = Date.now() + 5000;
          while (probe.bytesRead() < want && Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 20));
          }
          pty.stop();
          const result = await probe.result;
          expect(result.outcome === "end" || result.outcome === "error").toBe(true);
          expect(Buffer.from(result.bytes).equals(Buffer.from(concat(packets)))).toBe(true);
          // endedAt runs from the last bytes read: the 20-ms poll above, then the promise under
          // test (the end seen within 2 s); the 0.3 s over 2 s absorbs the poll and a loaded machine
          expect(result.endedAt).toBeLessThan(2300);
        } finally {
          pty.stop();
          rmSync(dir, { recursive: true, force: true });
        }
      }, 30_000);

      test("a missing tty is RFCOMM_CONNECTION_FAILED", async () => {
        const result = await startProbe(kind, "/dev/rfcomm-does-not-exist-75").result;
        expect(result.outcome).toBe("open-failed");
        expect(result.code).toBe("RFCOMM_CONNECTION_FAILED");
        expect(result.message).toContain("rfcomm bind 0");
      }, 30_000);
    });
  }
}
