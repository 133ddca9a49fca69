/** @module One metrics computation per device and option set, shared by every listener; its release and isolation. */
import { describe, expect, test } from "bun:test";
import type { Device, DeviceListener } from "../../src/core/device.ts";
import { SampleRing } from "../../src/core/sample-ring.ts";
import { DeviceHub } from "../../src/hub/device-hub.ts";
import { MetricsFeeds } from "../../src/server/streams/metrics-feeds.ts";
import type { MetricsOutput } from "../../src/server/streams/metrics-feeds.ts";
import { ManualClock } from "../_support/fakes.ts";
import { sine, span, windowOf } from "./blocks.ts";

function setup() {
  let listener!: DeviceListener;
  const ring = new SampleRing(5000);
  const device = {
    listen: (l: DeviceListener) => ((listener = l), () => {}),
    ring,
  } as unknown as Device;
  const errors: string[] = [];
  const hub = new DeviceHub(device, new ManualClock(), {
    log: (_l, text) => void errors.push(text),
  });
  const feeds = new MetricsFeeds(hub, "sim-1");
  const tone = sine(10, 20);
  /** Samples from..to in blocks of 5, as the simulator delivers them. */
  const samples = (from: number, to: number) => {
    for (let s = from; s <= to; s += 5) {
      const block = windowOf(span(s, Math.min(to, s + 4)), [tone]);
      ring.push(block);
      listener.onSamples!(block);
    }
  };
  return { hub, feeds, samples, errors };
}

const OPTIONS = { interval_ms: 100, window_s: 2 };

describe("MetricsFeeds", () => {
  test("20 listeners of equal options share one hub subscriber, one computation, one message", () => {
    const { hub, feeds, samples } = setup();
    const got: MetricsOutput[][] = Array.from({ length: 20 }, () => []);
    const subs = got.map((mine) => feeds.attach({ ...OPTIONS }, (o) => void mine.push(o)));
    expect(hub.subscribers().filter((s) => s.kind === "windows")).toHaveLength(1);
    expect(feeds.health()).toEqual([{ interval_ms: 100, window_s: 2, subscribers: 20 }]);
    samples(0, 1999);
    // the first window ends at seq 999 (full), then one every 50 samples: 999, 1049, …, 1999
    expect(got[0]!.map((o) => o.data.seq)).toEqual(span(0, 20).map((i) => 999 + 50 * i));
    for (const mine of got) {
      expect(mine.map((o) => o.message(false))).toEqual(got[0]!.map((o) => o.message(false)));
      mine.forEach((o, i) => expect(o).toBe(got[0]![i]!)); // the same object: computed once
    }
    const first = JSON.parse(got[0]![0]!.message(true));
    expect([first.type, first.data.device_id, JSON.parse(got[0]![0]!.dataJson()).device_id])
      .toEqual(["metrics", "sim-1", undefined]);
    for (const s of subs) s.close();
    expect(hub.subscribers()).toEqual([]);
    expect(feeds.health()).toEqual([]);
  });

  test("a computation started on a streaming device answers from the retained samples at once", () => {
    const { feeds, samples } = setup();
    samples(0, 2999);
    const got: number[] = [];
    feeds.attach({ ...OPTIONS }, (o) => void got.push(o.data.seq));
    samples(3000, 3004);
    expect(got).toEqual([3000]); // not 3999: the ring already held a full window
  });

  test("after a jump in seq (a reconnect) the stream waits until the window is half full again", () => {
    const { feeds, samples } = setup();
    const got: MetricsOutput[] = [];
    feeds.attach({ ...OPTIONS }, (o) => void got.push(o));
    samples(0, 1999);
    got.length = 0;
    samples(10_000, 11_999); // 16 s missing: windows ending after the jump hold only new samples
    const seqs = got.map((o) => o.data.seq);
    expect(seqs[0]).toBe(10_499); // the first with 500 of its 1000 samples
    expect(seqs.at(-1)).toBe(11_999);
    // a window of a few samples would look flat; none was judged on so little
    const levels = new Set(got.map((o) => o.data.channels["ch1"]!.quality));
    expect([...levels]).toEqual(["good"]);
  });

  test("33 and 34 ms are one computation (both 17 samples)", () => {
    const { feeds } = setup();
    feeds.attach({ interval_ms: 33, window_s: 2 }, () => {});
    feeds.attach({ interval_ms: 34, window_s: 2 }, () => {});
    expect(feeds.health()).toEqual([{ interval_ms: 33, window_s: 2, subscribers: 2 }]);
  });

  test("different options are different computations; closing one leaves the other", () => {
    const { hub, feeds, samples } = setup();
    const a: number[] = [], b: number[] = [];
    const subA = feeds.attach({ interval_ms: 100, window_s: 2 }, (o) => void a.push(o.data.seq));
    feeds.attach({ interval_ms: 1000, window_s: 1 }, (o) => void b.push(o.data.seq));
    expect(feeds.health()).toHaveLength(2);
    subA.close();
    subA.close(); // idempotent
    expect(hub.subscribers().filter((s) => s.kind === "windows")).toHaveLength(1);
    samples(0, 1999);
    expect(a).toEqual([]);
    expect(b).toEqual([499, 999, 1499, 1999]);
  });

  test("a listener that throws does not keep the window from the others; the hub logs it", () => {
    const { feeds, samples, errors } = setup();
    const good: number[] = [];
    feeds.attach({ ...OPTIONS }, () => {
      throw new Error("socket gone");
    });
    feeds.attach({ ...OPTIONS }, (o) => void good.push(o.data.seq));
    samples(0, 1099);
    expect(good).toEqual([999, 1049, 1099]);
    // detached after its first throw: logged once, not once per window
    expect(errors.filter((e) => e.includes("socket gone"))).toHaveLength(1);
  });
});
