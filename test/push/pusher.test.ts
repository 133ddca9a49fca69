/**
 * @module Push mode's logic on a fake clock and a fake socket (docs/push-mode.md): order and the
 * `sent` count, the 1 → 30 s backoff, a short outage losing nothing, the 5000-message bound
 * dropping the oldest, the socket's buffered amount holding messages back, the connect timeout,
 * what the logs say (and never the credentials), and a shutdown that leaves no timer.
 */
import { describe, expect, test } from "bun:test";
import { shownUrl } from "../../src/core/shown-url.ts";
import { PushQueue } from "../../src/push/queue.ts";
import { pushTarget, pushUrl } from "../../src/push/target.ts";
import { allReceived, msgs, rig } from "../_support/push-fakes.ts";

describe("a push target", () => {
  test("sends each block's messages in order once connected, counting them as sent", () => {
    const r = rig();
    r.pusher.start();
    r.pusher.push(msgs(0, 3)); // before the socket opened: queued
    expect(r.last().received).toEqual([]);
    r.open();
    r.pusher.push(msgs(3, 2));
    expect(r.last().received).toEqual(msgs(0, 5));
    expect(r.pusher.health()).toEqual({
      url: "wss://relay.test/in?token=***",
      device_id: "sim-1",
      connected: true,
      sent: 5,
      dropped: 0,
      unflushed: 0,
    });
  });

  test("opens the URL without userinfo and sends the credentials as Basic auth", () => {
    const r = rig();
    r.pusher.start();
    expect(r.urls).toEqual(["wss://relay.test/in?token=t0k"]);
    expect(r.last().headers).toEqual({ Authorization: `Basic ${btoa("alice:s3cret")}` });
  });

  test("reconnects after 1, 2, 4, 8, 16, 30, 30 s, and from 1 s again after a success", () => {
    const r = rig();
    r.pusher.start();
    r.open();
    const delays: number[] = [];
    r.drop();
    for (let i = 0; i < 7; i++) {
      // the only timer pending is the reconnect (the connect timeout comes with the attempt)
      delays.push(...r.clock.pending);
      r.clock.advance(r.clock.pending[0]!);
      expect(r.sockets.length).toBe(i + 2);
      r.drop("connect ECONNREFUSED");
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    r.clock.advance(30_000);
    r.open();
    r.drop();
    expect(r.clock.pending).toEqual([1000]);
  });

  test("a short outage loses nothing: the messages of the outage follow, in order", () => {
    const r = rig();
    r.pusher.start();
    r.open();
    r.pusher.push(msgs(0, 100));
    r.drop();
    expect(r.pusher.health().connected).toBe(false);
    for (let i = 0; i < 5; i++) r.pusher.push(msgs(100 + i * 100, 100)); // 1 s at 500 Hz
    r.clock.advance(1000);
    r.open();
    r.pusher.push(msgs(600, 10));
    expect(allReceived(r.sockets)).toEqual(msgs(0, 610));
    expect(r.pusher.health()).toMatchObject({ connected: true, sent: 610, dropped: 0 });
  });

  test("a long outage keeps the newest 5000 messages and counts the oldest it dropped", () => {
    const r = rig();
    r.pusher.start();
    r.open();
    r.drop();
    r.pusher.push(msgs(0, 6200)); // 12.4 s at 500 Hz
    expect(r.pusher.queued).toBe(5000);
    expect(r.pusher.health().dropped).toBe(1200);
    r.clock.advance(1000);
    r.open();
    expect(r.last().received).toEqual(msgs(1200, 5000));
    expect(r.pusher.health()).toMatchObject({ sent: 5000, dropped: 1200 });
  });

  test("a full socket buffer holds messages back, and the queue drains once it empties", () => {
    const r = rig({ highWaterBytes: 1000, queueMessages: 10, retryFlushMs: 50 });
    r.pusher.start();
    r.open();
    r.last().buffered = 5000;
    r.pusher.push(msgs(0, 12));
    expect(r.last().received).toEqual([]);
    expect(r.pusher.health()).toMatchObject({ connected: true, sent: 0, dropped: 2 });
    r.last().buffered = 0;
    r.clock.advance(50);
    expect(r.last().received).toEqual(msgs(2, 10));
    expect(r.clock.pending).toEqual([]);
  });

  test("a connection the server stops reading for 30 s is dropped and reopened, its queue kept", () => {
    const r = rig({ highWaterBytes: 1000, stallMs: 30_000 });
    r.pusher.start();
    r.open();
    r.last().buffered = 5000;
    for (let i = 0; i < 30; i++) {
      r.pusher.push(msgs(i * 10, 10));
      r.clock.advance(999);
    }
    expect(r.sockets[0]!.closed).toBe(false); // 29.97 s over the mark: still waiting
    r.pusher.push(msgs(300, 10));
    r.clock.advance(50); // the next flush retry sees 30 s over the mark
    expect([r.sockets[0]!.dropped, r.pusher.health().connected]).toEqual([true, false]);
    expect(r.clock.pending).toEqual([1000]);
    expect(r.logs.at(-1)![1]).toContain("the server read nothing for 30 s");
    r.clock.advance(1000);
    r.open();
    expect(r.last().received).toEqual(msgs(0, 310));
  });

  test("a connection that does not open within the timeout is abandoned and retried", () => {
    const r = rig({ connectTimeoutMs: 10_000 });
    r.pusher.start();
    r.clock.advance(10_000);
    expect(r.sockets[0]!.closed).toBe(true);
    expect(r.clock.pending).toEqual([1000]);
    r.clock.advance(1000);
    expect(r.sockets.length).toBe(2);
  });

  test("logs one line on connect and one on loss, retries at DEBUG, never the credentials", () => {
    const r = rig();
    r.pusher.start();
    r.open();
    r.drop();
    for (let i = 0; i < 3; i++) {
      r.clock.advance(r.clock.pending[0]!);
      r.drop("connect ECONNREFUSED");
    }
    r.clock.advance(r.clock.pending[0]!);
    r.open();
    expect(r.logs.map(([level]) => level)).toEqual([
      "INFO",
      "WARNING",
      "DEBUG",
      "DEBUG",
      "DEBUG",
      "INFO",
    ]);
    const text = r.logs.map(([, m]) => m).join("\n");
    expect(text).toContain("wss://relay.test/in?token=***");
    for (const secret of ["alice", "s3cret", "t0k"]) expect(text).not.toContain(secret);
  });

  test("close() closes the socket, stops every timer and ignores what comes after", () => {
    const r = rig();
    r.pusher.start();
    r.open();
    r.drop();
    expect(r.clock.pending).toEqual([1000]);
    r.pusher.close();
    expect(r.clock.pending).toEqual([]);
    r.pusher.push(msgs(0, 5));
    r.clock.advance(60_000);
    expect(r.sockets.length).toBe(1);

    const open = rig();
    open.pusher.start();
    open.open();
    open.pusher.close();
    expect(open.last().closed).toBe(true);
    expect(open.clock.pending).toEqual([]);
    expect(open.pusher.health().connected).toBe(false);
  });
});

describe("the push queue and URLs", () => {
  test("the queue never holds more than its capacity and drops the oldest first", () => {
    const q = new PushQueue(3);
    for (const m of msgs(0, 5)) q.push(m);
    expect([q.size, q.dropped, q.peek()]).toEqual([3, 2, "m2"]);
    q.shift();
    q.push("m5");
    const out: string[] = [];
    while (q.size > 0) out.push(q.peek()!), q.shift();
    expect(out).toEqual(["m3", "m4", "m5"]);
    expect(() => new PushQueue(0)).toThrow(RangeError);
  });

  test("what is shown has no userinfo and masks secret-looking query values only", () => {
    expect(shownUrl(pushUrl("ws://u:p@h:9/x?room=lab&access_token=abc&api_key=k"))).toBe(
      "ws://h:9/x?room=lab&access_token=***&api_key=***",
    );
    expect(pushTarget("d", pushUrl("ws://h/"), "tok").headers).toEqual({
      Authorization: "Bearer tok",
    });
    // percent-encoded userinfo is decoded before it is encoded as Basic
    expect(pushTarget("d", pushUrl("ws://a%40b:p%3Aw@h/"), null).headers).toEqual({
      Authorization: `Basic ${btoa("a@b:p:w")}`,
    });
    // a non-ASCII password goes as UTF-8 (btoa alone would throw on it)
    expect(pushTarget("d", pushUrl("ws://u:gr%C3%BC%C3%9F@h/"), null).headers).toEqual({
      Authorization: "Basic dTpncsO8w58=",
    });
  });
});
