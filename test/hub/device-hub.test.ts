/** @module The per-device subscription hub: shared batch pipelines, their release, the back-pressure policy, the subscriber list and resume. */
import { describe, expect, test } from "bun:test";
import type { Device, DeviceListener } from "../../src/core/device.ts";
import { SampleRing } from "../../src/core/sample-ring.ts";
import type { SampleBatch } from "../../src/core/samples.ts";
import { DeviceHub } from "../../src/hub/device-hub.ts";
import { receiverAllowance } from "../../src/hub/resume.ts";
import { SHED } from "../../src/hub/subscribers.ts";
import type { BatchSpec, Delivery, Encoding } from "../../src/hub/subscribers.ts";
import { ManualClock } from "../_support/fakes.ts";
import { makeBlock, range } from "../recording/edf-reader.ts";

/** A device as the hub sees it: a listener slot, a ring, figures. */
function setup() {
  const clock = new ManualClock();
  let listener!: DeviceListener;
  const ring = new SampleRing(5000);
  const device = {
    listen: (l: DeviceListener) => ((listener = l), () => {}),
    ring,
  } as unknown as Device;
  const errors: string[] = [];
  const hub = new DeviceHub(device, clock, { log: (_level, text) => void errors.push(text) });
  /** What the device does with a block: into the ring, then to its listener. */
  const samples = (from: number, to: number) => {
    const block = makeBlock(range(from, to), () => 1);
    ring.push(block);
    listener.onSamples!(block);
  };
  return { clock, hub, listener: () => listener, samples, errors };
}

const SPEC: BatchSpec = { numSamples: 10, intervalMs: 1000, decimate: 1 };

/** An encoding that counts its calls; the message names the batch's first seq. */
function countingEncoding(key: string) {
  const counter = { calls: 0 };
  const encoding: Encoding<SampleBatch, string> = {
    key,
    encode: (b) => (counter.calls++, `${key}@${b.firstSeq}`),
  };
  return { counter, encoding };
}

describe("DeviceHub batches", () => {
  test("20 subscribers of equal spec and encoding share one pipeline and one encoded message per batch", () => {
    const { hub, samples } = setup();
    const { counter, encoding } = countingEncoding("json");
    const got: string[][] = [];
    for (let i = 0; i < 20; i++) {
      const mine: string[] = [];
      got.push(mine);
      hub.batches({
        name: `s${i}`,
        delivery: SHED,
        spec: { ...SPEC },
        encoding,
        onBatch: (m) => void mine.push(m),
      });
    }
    expect(hub.sharedPipelines).toBe(1);
    samples(0, 50);
    expect(counter.calls).toBe(5);
    for (const mine of got) {
      expect(mine).toEqual(["json@0", "json@10", "json@20", "json@30", "json@40"]);
    }
  });

  test("a different spec or encoding key gets a pipeline of its own; closing the last member releases it", () => {
    const { hub, samples } = setup();
    const a = countingEncoding("a");
    const b = countingEncoding("b");
    const subscribe = (spec: BatchSpec, encoding: Encoding<SampleBatch, string>) =>
      hub.batches({ name: "x", delivery: SHED, spec, encoding, onBatch: () => {} });
    const subs = [
      subscribe(SPEC, a.encoding),
      subscribe(SPEC, a.encoding),
      subscribe(SPEC, b.encoding),
      subscribe({ ...SPEC, numSamples: 25 }, a.encoding),
    ];
    expect(hub.sharedPipelines).toBe(3);
    samples(0, 50);
    expect([a.counter.calls, b.counter.calls]).toEqual([5 + 2, 5]);
    subs[0]!.close();
    expect(hub.sharedPipelines).toBe(3);
    subs[1]!.close();
    subs[1]!.close(); // idempotent
    expect(hub.sharedPipelines).toBe(2);
    subs[2]!.close();
    subs[3]!.close();
    expect(hub.sharedPipelines).toBe(0);
    expect(hub.subscribers()).toEqual([]);
    samples(50, 100);
    expect([a.counter.calls, b.counter.calls]).toEqual([7, 5]);
  });

  test("since_seq: a private pipeline replays the ring from that seq, then goes live, each sample once", async () => {
    const { clock, hub, samples } = setup();
    samples(0, 1000);
    const firsts: number[] = [];
    let room = false;
    const sub = hub.batches({
      name: "resumer",
      delivery: SHED,
      spec: SPEC,
      encoding: { key: "r", encode: (b) => b.firstSeq },
      onBatch: (first) => void firsts.push(first),
      resume: {
        sinceSeq: 500,
        canSend: () => room,
        allowance: receiverAllowance(clock),
        sizeOf: () => 100,
      },
    });
    expect(sub.resumedFrom).toBeUndefined();
    expect(hub.sharedPipelines).toBe(0);
    await clock.advance(100);
    expect(firsts).toEqual([]); // no room: the replay waits rather than send
    room = true;
    for (let i = 0; i < 100 && firsts.length < 50; i++) await clock.advance(20);
    samples(1000, 1020);
    expect(firsts).toEqual(range(500, 1020).filter((s) => s % 10 === 0));
    sub.close();
    samples(1020, 1040);
    expect(firsts.length).toBe(52);
  });

  test("since_seq older than the ring says where the replay really starts", () => {
    const { clock, hub, samples } = setup();
    samples(0, 6000); // the ring keeps 5000: 1000..5999
    const sub = hub.batches({
      name: "old",
      delivery: SHED,
      spec: SPEC,
      encoding: { key: "r", encode: () => "" },
      onBatch: () => {},
      resume: {
        sinceSeq: 10,
        canSend: () => true,
        allowance: receiverAllowance(clock),
        sizeOf: () => 1,
      },
    });
    expect(sub.resumedFrom).toBe(1000);
    sub.close();
  });
});

describe("DeviceHub back-pressure policy", () => {
  test("only lossless subscribers are asked for pressure; the first that is behind holds the source", () => {
    const { hub, listener } = setup();
    let shedAsked = 0;
    // a shed subscriber that (wrongly) offers pressure is never asked
    const sneaky = { mode: "shed", pressure: () => (shedAsked++, Promise.resolve()) } as Delivery;
    hub.blocks({ name: "socket", delivery: sneaky, onBlock: () => {} });
    let behind: Promise<void> | null = null;
    let asked = 0;
    const recorder = hub.blocks({
      name: "recorder",
      delivery: { mode: "lossless", pressure: () => (asked++, behind) },
      onBlock: () => {},
    });
    expect(listener().pressure!()).toBeNull();
    behind = Promise.resolve();
    expect(listener().pressure!()).toBe(behind);
    expect([asked, shedAsked]).toEqual([2, 0]);
    recorder.close();
    expect(listener().pressure!()).toBeNull();
    expect(shedAsked).toBe(0);
  });

  test("each block reaches the shed subscribers and the batch pipelines before the lossless ones", () => {
    const { hub, samples } = setup();
    const order: string[] = [];
    const lossless: Delivery = { mode: "lossless", pressure: () => null };
    hub.blocks({
      name: "recorder",
      delivery: lossless,
      onBlock: () => void order.push("recorder"),
    });
    hub.blocks({ name: "socket", delivery: SHED, onBlock: () => void order.push("socket") });
    hub.batches({
      name: "batch",
      delivery: SHED,
      spec: { numSamples: 10, intervalMs: 1000, decimate: 1 },
      encoding: { key: "b", encode: () => "" },
      onBatch: () => void order.push("batch"),
    });
    samples(0, 10);
    expect(order).toEqual(["socket", "batch", "recorder"]);
  });

  test("a throwing subscriber is isolated from the others", () => {
    const { hub, samples, errors } = setup();
    let got = 0;
    hub.blocks({
      name: "bad",
      delivery: SHED,
      onBlock: () => {
        throw new Error("boom");
      },
    });
    hub.blocks({ name: "good", delivery: SHED, onBlock: () => void got++ });
    samples(0, 10);
    expect(got).toBe(1);
    expect(errors).toEqual(["A device consumer failed: boom"]);
  });

  test("a throwing batch subscriber or encoding keeps the batch from no one: members, resumes, the recorder", () => {
    const { hub, samples, errors } = setup();
    const got: string[] = [];
    hub.blocks({
      name: "recorder",
      delivery: { mode: "lossless", pressure: () => null },
      onBlock: () => void got.push("recorder"),
    });
    const member = (name: string, onBatch: () => void) =>
      hub.batches({
        name,
        delivery: SHED,
        spec: SPEC,
        encoding: { key: "shared", encode: (b) => `m@${b.firstSeq}` },
        onBatch,
      });
    member("bad", () => {
      throw new Error("boom");
    });
    member("good", () => void got.push("good"));
    hub.batches({
      name: "bad encoding",
      delivery: SHED,
      spec: SPEC,
      encoding: {
        key: "broken",
        encode: () => {
          throw new Error("cannot encode");
        },
      },
      onBatch: () => void got.push("never"),
    });
    samples(0, 10);
    expect(got).toEqual(["good", "recorder"]);
    expect(errors).toEqual([
      "A device consumer failed: boom",
      "A device consumer failed: cannot encode",
    ]);
  });
});

describe("DeviceHub subscribers()", () => {
  test("lists who receives this device's output, with kind, options and delivery", () => {
    const { hub } = setup();
    const eeg: Encoding<unknown, string> = { key: "eeg_data", encode: () => "" };
    hub.blocks({ name: "socket 1", delivery: SHED, encoding: eeg, onBlock: () => {} });
    hub.blocks({
      name: "recorder",
      delivery: { mode: "lossless", pressure: () => null },
      onBlock: () => {},
    });
    hub.batches({
      name: "mqtt",
      delivery: SHED,
      spec: SPEC,
      encoding: { key: "bin", encode: () => 0 },
      onBatch: () => {},
    });
    hub.events({ name: "socket 1", onEvent: () => {} });
    hub.state({ name: "status broadcasts" });
    const ticks = hub.ticks({ name: "socket 1", intervalMs: 1000, onTick: () => {} });
    expect(hub.subscribers()).toEqual([
      { kind: "blocks", name: "socket 1", delivery: "shed", options: { encoding: "eeg_data" } },
      { kind: "blocks", name: "recorder", delivery: "lossless", options: {} },
      { kind: "batches", name: "mqtt", delivery: "shed", options: { ...SPEC, encoding: "bin" } },
      { kind: "events", name: "socket 1", delivery: "shed", options: {} },
      { kind: "state", name: "status broadcasts", delivery: "shed", options: {} },
      { kind: "ticks", name: "socket 1", delivery: "shed", options: { intervalMs: 1000 } },
    ]);
    ticks.close();
    expect(hub.subscribers().map((s) => s.kind)).not.toContain("ticks");
  });

  test("events are encoded once per encoding key for all their subscribers", () => {
    const { hub, listener } = setup();
    let calls = 0;
    const enc = (key: string): Encoding<unknown, string> => ({ key, encode: () => (calls++, key) });
    const got: string[] = [];
    for (const key of ["a", "a", "b", "a"]) {
      hub.events({ name: key, encoding: enc(key), onEvent: (_e, m) => void got.push(m) });
    }
    listener().onEvent!({ type: "battery", atMs: 0, level: 50 });
    expect(got).toEqual(["a", "a", "b", "a"]);
    expect(calls).toBe(2);
  });
});

describe("DeviceHub windows", () => {
  test("windows of `size` samples every `hop`, shared per (size, hop); a gap shortens or skips them", () => {
    const { hub, samples } = setup();
    const got: Array<{ first: number; last: number; count: number }> = [];
    const seen: unknown[] = [];
    for (let i = 0; i < 2; i++) {
      hub.windows({
        name: `metrics ${i}`,
        size: 100,
        hop: 50,
        onWindow: (w) => {
          seen.push(w);
          if (i === 0) got.push({ first: w.seq[0]!, last: w.seq[w.count - 1]!, count: w.count });
        },
      });
    }
    for (let s = 0; s < 320; s += 20) samples(s, s + 20);
    expect(got).toEqual(
      [99, 149, 199, 249, 299].map((e) => ({ first: e - 99, last: e, count: 100 })),
    );
    expect(seen[0]).toBe(seen[1]); // one window object for both
    samples(1000, 1020); // the ends 349…999 fell in the gap: skipped
    samples(1020, 1060);
    expect(got.slice(5)).toEqual([{ first: 1000, last: 1049, count: 50 }]);
    expect(hub.subscribers().filter((s) => s.kind === "windows").map((s) => s.options)).toEqual([
      { size: 100, hop: 50 },
      { size: 100, hop: 50 },
    ]);
    expect(() => hub.windows({ name: "x", size: 0, hop: 1, onWindow: () => {} })).toThrow(
      RangeError,
    );
  });
});
