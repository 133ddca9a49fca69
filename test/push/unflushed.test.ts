/**
 * @module `unflushed` (docs/push-mode.md) on a fake socket: the messages a lost connection's
 * buffer still held, read from `bufferedAmount` at the loss or (where a closed socket reads 0)
 * from the last reading before; a 30-s stall counts them too; the count stays bounded by what
 * the buffer holds, however many messages went before.
 */
import { describe, expect, test } from "bun:test";
import { InFlight } from "../../src/push/in-flight.ts";
import { allReceived, msgs, rig } from "../_support/push-fakes.ts";

describe("unflushed", () => {
  test("a loss counts as unflushed the messages the socket's buffer still held", () => {
    const r = rig();
    r.pusher.start();
    r.open();
    r.pusher.push(msgs(0, 5)); // written at once (buffer 0): delivered as far as the bridge knows
    r.last().holds = true;
    r.pusher.push(msgs(5, 4)); // 2 bytes each: 8 bytes buffered, 4 messages in flight
    r.last().buffered = 4; // the first two of them left
    r.pusher.push([]); // any block reads the buffer again
    // Deno's and ws's sockets read 0 once closed: the last reading before counts
    r.last().buffered = 0;
    r.drop();
    expect(r.pusher.health()).toMatchObject({ sent: 9, dropped: 0, unflushed: 2 });

    // a reading taken at the loss (Bun's socket keeps it) counts when it is not 0
    r.clock.advance(1000);
    r.open();
    r.last().holds = true;
    r.pusher.push(msgs(9, 3)); // 6 bytes buffered
    r.last().buffered = 2;
    r.drop();
    expect(r.pusher.health()).toMatchObject({ sent: 12, unflushed: 3 });
    // every message is received, dropped or unflushed: m0..m4, m7, m8 reached the remote
    expect(allReceived(r.sockets).length).toBe(12);
  });

  test("a stalled connection dropped after 30 s counts what its buffer held; the queue resends the rest", () => {
    const r = rig({ highWaterBytes: 10, stallMs: 30_000 });
    r.pusher.start();
    r.open();
    r.last().holds = true;
    r.pusher.push(msgs(10, 20)); // 3 bytes each: taken until the buffer passes 10 bytes (4 of them)
    expect(r.last().received).toEqual(msgs(10, 4));
    for (let i = 0; i < 31; i++) r.clock.advance(1000);
    expect(r.sockets[0]!.dropped).toBe(true);
    expect(r.pusher.health()).toMatchObject({ connected: false, sent: 4, unflushed: 4 });
    r.clock.advance(1000);
    r.open();
    expect(r.last().received).toEqual(msgs(14, 16)); // the queue follows on from the last taken
  });

  test("unflushed counts only what the last reading says is buffered, however much was sent", () => {
    const r = rig();
    r.pusher.start();
    r.open();
    for (let i = 0; i < 1000; i++) {
      r.pusher.push(msgs(10_000 + i * 10, 10)); // 6 bytes each
      r.last().buffered = 18; // the buffer holds the last 18 bytes: 3 messages
    }
    r.pusher.push([]);
    r.drop();
    expect(r.pusher.health()).toMatchObject({ sent: 10_000, unflushed: 3 });
  });

  test("a message handed after the last reading counts as unflushed when the loss reads 0", () => {
    const f = new InFlight();
    f.sent(3);
    f.sent(3);
    f.sample(3); // the first left the buffer
    f.sent(3);
    expect(f.lost(0)).toBe(2);
    expect(f.size).toBe(0); // starts over for the next connection
  });
});
