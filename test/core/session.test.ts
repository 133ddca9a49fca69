/** @module DeviceSession state machine with a scripted source and a manual clock. */
import { describe, expect, test } from "bun:test";
import { readDecoderWasm } from "../../src/adapters/wasm-file.ts";
import type { ErrorCode } from "../../src/protocol/errors.ts";
import { DeviceSession } from "../../src/core/session.ts";
import type { Decoder } from "../../src/decoder/types.ts";
import { createDecoder } from "../../src/decoder/decoder.ts";
import { buildPacket } from "../../src/sources/packet-builder.ts";
import { createBlockBuilder } from "../../src/core/sample-blocks.ts";
import type { SampleBlock } from "../../src/core/samples.ts";
import { statusText } from "../../src/protocol/status-text.ts";
import { flush, ManualClock, scriptedSource } from "../_support/fakes.ts";
import type { OpenStep } from "../_support/fakes.ts";

type Event = { status: string; message: string; at: number } | {
  error: ErrorCode;
  message: string;
  at: number;
};

async function setup(
  steps: OpenStep[],
  options: { decoder?: Decoder; noDataTimeoutMs?: number; sourceNoDataTimeoutMs?: number } = {},
) {
  const clock = new ManualClock();
  const source = scriptedSource(steps);
  if (options.sourceNoDataTimeoutMs !== undefined) {
    Object.assign(source, { noDataTimeoutMs: options.sourceNoDataTimeoutMs });
  }
  const events: Event[] = [];
  const blocks: SampleBlock[] = [];
  const logs: string[] = [];
  const log = { log: (level: string, message: string) => void logs.push(`${level} ${message}`) };
  const session = new DeviceSession({
    source,
    decoder: options.decoder ?? (await createDecoder(await readDecoderWasm())),
    clock,
    log,
    sourceLog: log,
    blocks: createBlockBuilder(),
    noDataTimeoutMs: options.noDataTimeoutMs ?? 1500,
    events: {
      onStatus: (status, cause) =>
        void events.push({ status, message: statusText(cause), at: clock.now() }),
      onError: (error, message) => void events.push({ error, message, at: clock.now() }),
      onSamples: (block) => void blocks.push(block),
    },
  });
  const states = () => events.map((e) => ("status" in e ? e.status : `!${e.error}`));
  /** Every sample delivered so far, flattened. */
  const samples = () =>
    blocks.flatMap((b) =>
      Array.from({ length: b.count }, (_, i) => ({
        seq: b.seq[i]!,
        counter: b.counter[i]!,
        leadOff: b.leadOff[i]!,
        channels: Array.from(b.channels.subarray(i * 12, i * 12 + 12)),
      }))
    );
  return { clock, source, session, events, blocks, samples, logs, states };
}

describe("DeviceSession", () => {
  test("connect announces connecting then connected and streams eeg_data JSON", async () => {
    const t = await setup([{ ok: true, battery: 64 }]);
    t.session.connect(false);
    await flush();
    expect(t.states()).toEqual(["connecting", "connected"]);
    expect(t.session.state).toBe("connected");
    expect(t.session.batteryLevel).toBe(64);
    t.source.links[0]!.packets(254, 3);
    await flush();
    const got = t.samples();
    expect(got.map((p) => p.counter)).toEqual([254, 255, 0]);
    expect(got.map((p) => p.seq)).toEqual([0, 1, 2]);
    expect(got[0]!.leadOff).toBe(1 << 11);
    expect(got[1]!.channels[0]).toBeCloseTo(1 * 0.023842, 12);
    expect(t.session.figures().valid).toBe(3);
  });

  test("activation failure reports its code and sets error; no reconnect when disabled", async () => {
    const t = await setup([{ fail: "BLE_ACTIVATION_FAILED" }]);
    t.session.connect(false);
    await t.clock.advance(5000);
    expect(t.states()).toEqual(["connecting", "error", "!BLE_ACTIVATION_FAILED"]);
    expect(t.session.state).toBe("error");
    expect(t.source.opens).toBe(1);
  });

  test("a plain exception while starting becomes CONNECTION_FAILED", async () => {
    const t = await setup([{ fail: "plain" }]);
    t.session.connect(false);
    await flush();
    expect(t.states()).toContain("!CONNECTION_FAILED");
  });

  test("reconnect schedule 1,2,4,8,16,30… s, RECONNECT_FAILED per attempt, then RECONNECT_EXHAUSTED", async () => {
    const t = await setup([{ fail: "RFCOMM_CONNECTION_FAILED" }]);
    t.session.connect(true);
    await t.clock.advance(200_000);
    const reconnecting = t.events.filter((e) => "status" in e && e.status === "reconnecting");
    expect(reconnecting.map((e) => e.message)).toEqual(
      [1, 2, 4, 8, 16, 30, 30, 30, 30, 30].map((d, k) =>
        `Auto-reconnect attempt ${k + 1}/10 in ${d}s...`
      ),
    );
    const connecting = t.events.filter((e) => "status" in e && e.status === "connecting").slice(1);
    expect(connecting.map((e, k) => e.at - reconnecting[k]!.at)).toEqual(
      [1, 2, 4, 8, 16, 30, 30, 30, 30, 30].map((d) => d * 1000),
    );
    expect(t.events.filter((e) => "error" in e && e.error === "RECONNECT_FAILED")).toHaveLength(10);
    expect(t.states().at(-1)).toBe("!RECONNECT_EXHAUSTED");
    expect(t.session.autoReconnect).toBe(false);
    expect(t.source.opens).toBe(11);
  });

  test("a link that ends is announced as disconnected and auto-reconnected; success only once up", async () => {
    const t = await setup([{ ok: true }, { fail: "BLE_ACTIVATION_FAILED" }, { ok: true }]);
    t.session.connect(true);
    await flush();
    t.source.links[0]!.end();
    await flush();
    expect(t.session.state).toBe("disconnected");
    await t.clock.advance(1000);
    await t.clock.advance(2000);
    const tail = t.events.slice(-1)[0]!;
    expect(tail).toMatchObject({
      status: "connected",
      message: "Auto-reconnect successful after 2 attempts",
    });
    expect(t.states()).toEqual([
      "connecting",
      "connected",
      "disconnected",
      "reconnecting",
      "connecting",
      "error",
      "!RECONNECT_FAILED",
      "reconnecting",
      "connecting",
      "connected",
    ]);
    expect(t.source.links[0]!.closed).toBe(true);
  });

  test("a link error and a silent link both count as a drop; the watchdog fires within 2 s", async () => {
    const t = await setup([{ ok: true }]);
    t.session.connect(false);
    await flush();
    t.source.links[0]!.fail("EIO");
    await flush();
    expect(t.session.state).toBe("disconnected");
    t.session.connect(false);
    await flush();
    expect(t.session.state).toBe("connected");
    const before = t.clock.now();
    await t.clock.advance(1999);
    expect(t.session.state).toBe("disconnected");
    const dropped = t.events.filter((e) => "status" in e && e.status === "disconnected").at(-1)!;
    expect(dropped.at - before).toBeLessThan(2000);
    expect(t.logs.some((l) => l.startsWith("WARNING") && l.includes("no data"))).toBe(true);
  });

  test("the source's own no-data bound applies when tighter than the session's, and only then", async () => {
    // the headset bounds silence at 300 ms, the session (as if --no-data-timeout-ms were huge) never
    const tight = await setup([{ ok: true }], { noDataTimeoutMs: 1e9, sourceNoDataTimeoutMs: 300 });
    tight.session.connect(false);
    await flush();
    const before = tight.clock.now();
    await tight.clock.advance(250);
    expect(tight.session.state).toBe("connected");
    await tight.clock.advance(350);
    expect(tight.session.state).toBe("disconnected");
    const dropped = tight.events.find((e) => "status" in e && e.status === "disconnected")!;
    // past 300 ms of silence, at the next tick (a quarter of the limit)
    expect(dropped.at - before).toBeGreaterThan(300);
    expect(dropped.at - before).toBeLessThanOrEqual(300 + 75);
    expect(tight.logs.some((l) => l.startsWith("WARNING") && l.includes("no data"))).toBe(true);
    // a looser source bound (8 s) leaves the session's 1.5 s in charge
    const loose = await setup([{ ok: true }], { sourceNoDataTimeoutMs: 8000 });
    loose.session.connect(false);
    await flush();
    await loose.clock.advance(1999);
    expect(loose.session.state).toBe("disconnected");
  });

  test("disconnect while connected: disconnecting → idle, link closed, no more packets", async () => {
    const t = await setup([{ ok: true }]);
    t.session.connect(true);
    await flush();
    await t.session.disconnect();
    expect(t.states()).toEqual(["connecting", "connected", "disconnecting", "idle"]);
    expect(t.source.links[0]!.closed).toBe(true);
    expect(t.session.autoReconnect).toBe(false);
    await t.clock.advance(60_000);
    expect(t.states()).toHaveLength(4);
  });

  test("disconnect while connecting abandons the attempt without DEVICE_ERROR", async () => {
    const t = await setup([{ hang: true }]);
    t.session.connect(false);
    await flush();
    await t.session.disconnect();
    await flush();
    expect(t.states()).toEqual(["connecting", "disconnecting", "idle"]);
  });

  test("connect then disconnect in the same tick: the start is abandoned, the session ends idle", async () => {
    const t = await setup([{ ok: true }]);
    t.session.connect(true);
    expect(t.session.state).toBe("connecting"); // busy at once, before any await
    const stopping = t.session.disconnect();
    await stopping;
    await t.clock.advance(60_000);
    expect(t.states()).toEqual(["connecting", "disconnecting", "idle"]);
    expect(t.session.state).toBe("idle");
    expect(t.source.links.every((l) => l.closed)).toBe(true);
  });

  test(
    "every interleaving of connect/disconnect ends in the state of the last command",
    async () => {
      // a bit pattern per case: 1 = connect, 0 = disconnect (up to 5 commands); 0 or 2 flushes between commands
      const decoder = await createDecoder(await readDecoderWasm());
      for (let pattern = 1; pattern < 32; pattern++) {
        for (const gap of [0, 2]) {
          const t = await setup([{ ok: true }], { decoder, noDataTimeoutMs: 1e9 }); // the fake links send nothing
          const commands = pattern.toString(2).split("").map((b) => b === "1");
          for (const connect of commands) {
            if (connect && !t.session.busy) t.session.connect(false);
            else if (!connect) void t.session.disconnect();
            for (let k = 0; k < gap; k++) await flush();
          }
          await t.clock.advance(10); // let every pending continuation run
          const last = commands.at(-1)!;
          expect({ pattern, gap, state: t.session.state }).toEqual({
            pattern,
            gap,
            state: last ? "connected" : "idle",
          });
          // what was announced last is what the session holds
          expect(t.states().at(-1)).toBe(t.session.state);
          // at most one link is open, and only when connected
          expect(t.source.links.filter((l) => !l.closed).length).toBe(last ? 1 : 0);
        }
      }
    },
    20_000,
  );

  test("disconnect with no connection announces idle and cancels a waiting reconnect loop", async () => {
    const t = await setup([{ fail: "BLE_ACTIVATION_FAILED" }]);
    t.session.connect(true);
    await flush();
    await t.session.disconnect();
    expect(t.events.at(-1)).toMatchObject({
      status: "idle",
      message: "No active device connection",
    });
    await t.clock.advance(100_000);
    expect(t.source.opens).toBe(1);
  });

  test("shutdown is silent and stops everything", async () => {
    const t = await setup([{ ok: true }]);
    t.session.connect(true);
    await flush();
    const n = t.events.length;
    await t.session.shutdown();
    await t.clock.advance(60_000);
    expect(t.events).toHaveLength(n);
    expect(t.session.state).toBe("idle");
    expect(t.source.links[0]!.closed).toBe(true);
  });

  test("a capture boundary drops the unfinished packet: the next connection's counter jump is lost, not corrupt", async () => {
    const t = await setup([{ ok: true }]);
    t.session.connect(false);
    await flush();
    const link = t.source.links[0]!;
    link.packets(10, 3);
    link.push(buildPacket({ counter: 13, rawChannels: [] }).subarray(0, 40)); // the recorded link died mid-packet
    link.push({ kind: "boundary", connection: 2, startedAtMs: 1_700_000_000_000 });
    link.packets(0, 2); // the next recorded connection starts over at counter 0
    await flush();
    expect(t.samples().map((p) => p.counter)).toEqual([10, 11, 12, 0, 1]);
    expect(t.samples().map((p) => p.seq)).toEqual([0, 1, 2, 246, 247]); // the counter jump 12 → 0 is a gap of 243
    expect(t.session.figures()).toMatchObject({ valid: 5, checksum_failures: 0, lost: 243 });
    expect(
      t.logs.some((l) =>
        l.startsWith("INFO Capture connection 2 starts here") && l.includes("40 bytes")
      ),
    ).toBe(true);
    expect(t.session.state).toBe("connected");
  });

  test("an exception while decoding becomes DEVICE_ERROR and the state error", async () => {
    const broken: Decoder = {
      push: () => [],
      pushBatch: () => {
        throw new Error("decoder exploded");
      },
      stats: () => ({
        eegPackets: 0,
        eventPackets: 0,
        checksumFailures: 0,
        bytesSkipped: 0,
        lostPackets: 0,
        duplicatePackets: 0,
        nonFiniteValues: 0,
        bytesIn: 0,
      }),
      residual: () => new Uint8Array(),
      discardTail: () => 0,
      reset: () => {},
      transform: () => new TransformStream(),
    };
    const t = await setup([{ ok: true }], { decoder: broken });
    t.session.connect(false);
    await flush();
    t.source.links[0]!.push(new Uint8Array([1, 2, 3]));
    await flush();
    expect(t.states().slice(-2)).toEqual(["error", "!DEVICE_ERROR"]);
    expect(t.events.at(-1)!.message).toBe("Device error: decoder exploded");
  });
});
