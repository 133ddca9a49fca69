/** @module Reconnect timing on a manual clock: the 1, 2, 4 … 30 s schedule, jitter bounds, the reset after a welcome, and liveness. */
import { describe, expect, test } from "bun:test";
import { BACKOFF_DEFAULTS, backoffDelay, backoffOptions, connect } from "../../src/client/mod.ts";
import type { WebSocketConstructorLike } from "../../src/client/mod.ts";
import { FakeSocket, ManualTimers } from "../_support/client/manual.ts";

const Fake = FakeSocket as unknown as WebSocketConstructorLike;
const NOMINAL = [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000];

/** A client on fake sockets and a manual clock; `random` fixed so the jitter is known. */
function fakeClient(random: number, extra: Parameters<typeof connect>[1] = {}) {
  FakeSocket.reset();
  const timers = new ManualTimers();
  const client = connect("ws://bridge.test/", {
    WebSocket: Fake,
    timers,
    random: () => random,
    liveness: false,
    ...extra,
  });
  return { client, timers };
}

/** Fails the current socket; returns the delay until the client opens the next one (checked to the ms). */
function failAndMeasure(timers: ManualTimers): number {
  const before = FakeSocket.made.length;
  FakeSocket.made.at(-1)!.drop();
  const [delay] = timers.pending(); // liveness is off: the reconnect is the only timer
  if (delay === undefined) throw new Error("no reconnect scheduled");
  timers.advance(delay - 1);
  if (FakeSocket.made.length !== before) throw new Error("reconnected early");
  timers.advance(1);
  if (FakeSocket.made.length !== before + 1) throw new Error(`no reconnect after ${delay} ms`);
  return delay;
}

describe("backoffDelay", () => {
  test("doubles from 1 s and stops at 30 s with the defaults and no jitter", () => {
    const o = backoffOptions({ jitter: 0 });
    expect(NOMINAL.map((_, k) => backoffDelay(k, o, () => 0.5))).toEqual(NOMINAL);
    expect(backoffDelay(1000, o, () => 0.5)).toBe(30_000); // 2^1000 overflows to Infinity, still capped
  });

  test("jitter only shortens, by at most its share, at both ends of random's range", () => {
    const o = backoffOptions();
    expect(o.jitter).toBe(BACKOFF_DEFAULTS.jitter);
    for (const [k, nominal] of NOMINAL.entries()) {
      expect(backoffDelay(k, o, () => 0)).toBe(nominal);
      const shortest = backoffDelay(k, o, () => 0.999999);
      expect(shortest).toBeGreaterThanOrEqual(nominal * (1 - o.jitter));
      expect(shortest).toBeLessThan(nominal * (1 - o.jitter) + 1);
    }
  });

  test("options out of range are refused with the field named", () => {
    expect(() => backoffOptions({ baseMs: 0 })).toThrow(/baseMs/);
    expect(() => backoffOptions({ baseMs: 100, maxMs: 50 })).toThrow(/maxMs/);
    expect(() => backoffOptions({ jitter: 1.5 })).toThrow(/jitter/);
  });
});

describe("connect (reconnect schedule)", () => {
  test("waits 1, 2, 4 … 30 s between failed attempts when random gives no jitter", () => {
    const { client, timers } = fakeClient(0);
    expect(FakeSocket.made).toHaveLength(1); // the first attempt is immediate
    const waits = NOMINAL.map(() => failAndMeasure(timers));
    expect(waits).toEqual(NOMINAL);
    client.close();
  });

  test("waits the shortest jittered delays when random is near 1, reported by the reconnecting event", () => {
    const { client, timers } = fakeClient(0.999999, {
      reconnect: { baseMs: 1000, maxMs: 8000, jitter: 0.5 },
    });
    const announced: number[] = [];
    client.on("reconnecting", (i) => announced.push(i.delayMs));
    const waits = [0, 1, 2, 3, 4].map(() => failAndMeasure(timers));
    for (const [k, nominal] of [1000, 2000, 4000, 8000, 8000].entries()) {
      expect(waits[k]).toBeCloseTo(nominal / 2, 2);
    }
    expect(announced).toHaveLength(5);
    for (const [k, d] of announced.entries()) expect(d).toBeCloseTo(waits[k]!, 6);
    client.close();
  });

  test("starts again from the base delay after a connection the bridge welcomed", () => {
    const { client, timers } = fakeClient(0);
    expect([failAndMeasure(timers), failAndMeasure(timers), failAndMeasure(timers)]).toEqual([
      1000,
      2000,
      4000,
    ]);
    const s = FakeSocket.made.at(-1)!;
    s.open();
    s.welcome();
    expect(failAndMeasure(timers)).toBe(1000);
    client.close();
  });

  test("does not reconnect after close(), nor after an AUTH_FAILED", async () => {
    const { client, timers } = fakeClient(0);
    client.close();
    timers.advance(120_000);
    expect(FakeSocket.made).toHaveLength(1);

    const second = fakeClient(0);
    const s = FakeSocket.made.at(-1)!;
    s.open();
    s.receive({
      id: "x",
      type: "error",
      data: {
        code: "AUTH_FAILED",
        message: "Authentication failed: the token is not valid",
        timestamp: 1,
      },
    });
    s.drop(1008);
    second.timers.advance(120_000);
    expect(FakeSocket.made).toHaveLength(1);
    expect(second.client.state).toBe("closed");
    await expect(second.client.opened()).rejects.toMatchObject({ code: "AUTH_FAILED" });
  });
});

describe("connect (liveness)", () => {
  test("pings after half the timeout of silence and reconnects after the whole timeout", () => {
    const { client, timers } = fakeClient(0, { liveness: { timeoutMs: 1000 } });
    const closes: string[] = [];
    client.on("close", (i) => closes.push(i.cause));
    const s = FakeSocket.made[0]!;
    s.open();
    s.welcome();
    timers.advance(400);
    s.receive({ id: "h", type: "heartbeat", data: { timestamp: 1, battery_level: null } }); // silence restarts here
    timers.advance(499);
    expect(s.sent.filter((m) => m["type"] === "ping")).toHaveLength(0);
    timers.advance(2);
    expect(s.sent.filter((m) => m["type"] === "ping")).toHaveLength(1);
    timers.advance(498);
    expect(closes).toEqual([]);
    timers.advance(2);
    expect(closes).toEqual(["liveness"]);
    expect(s.closedWith).toBe(4000); // the fake has no terminate(): a close with the liveness code
    timers.advance(1000);
    expect(FakeSocket.made).toHaveLength(2);
    client.close();
  });

  test("keeps a connection whose pings are answered", () => {
    const { client, timers } = fakeClient(0, { liveness: { timeoutMs: 1000 } });
    let closed = 0;
    client.on("close", () => closed++);
    const s = FakeSocket.made[0]!;
    s.open();
    for (let i = 0; i < 20; i++) {
      timers.advance(600);
      const ping = s.sent.filter((m) => m["type"] === "ping").at(-1);
      expect(ping).toBeDefined();
      s.receive({ id: ping!["id"], type: "pong", data: { timestamp: i } });
    }
    expect(closed).toBe(0);
    expect(s.sent.filter((m) => m["type"] === "ping").length).toBe(20);
    client.close();
  });
});
