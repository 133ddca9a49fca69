/** @module Per-client outbox: direct sends while the socket keeps up, bounded queue and shedding when it does not. */
import { describe, expect, test } from "bun:test";
import { Outbox } from "../../src/server/outbox.ts";
import type { ClientSocket } from "../../src/ports/client-socket.ts";

function fakeSocket() {
  const sent: string[] = [];
  const s = { sent, buffered: 0, refuse: false };
  const socket: ClientSocket = {
    send: (text) => {
      if (s.refuse) return false;
      sent.push(text);
      return true;
    },
    sendBinary: (bytes) => {
      if (s.refuse) return false;
      sent.push(`bin:${bytes.length}`);
      return true;
    },
    bufferedAmount: () => s.buffered,
    close: () => {},
  };
  return { s, socket };
}
const limits = {
  highWaterBytes: 1000,
  maxQueuedData: 3,
  maxQueuedControl: 5,
  maxQueuedControlChars: 1000,
};

describe("Outbox", () => {
  test("sends straight through while the socket is below the high-water mark", () => {
    const { s, socket } = fakeSocket();
    const box = new Outbox(socket, limits);
    box.sendData("d1");
    box.sendControl("c1");
    expect(s.sent).toEqual(["d1", "c1"]);
    expect(box.pending).toBe(0);
  });

  test("backed up: data queued up to its limit then shed; control always queued, order kept", () => {
    const { s, socket } = fakeSocket();
    const box = new Outbox(socket, limits);
    s.buffered = 5000;
    for (let i = 0; i < 6; i++) box.sendData(`d${i}`);
    expect(box.sendControl("c1")).toBe(true);
    box.sendData("d6");
    expect(box.shed).toBe(4);
    expect(box.pending).toBe(4);
    expect(s.sent).toEqual([]);
    s.buffered = 0;
    expect(box.drain()).toBe(0);
    expect(s.sent).toEqual(["d0", "d1", "d2", "c1"]);
    // after draining, the next message goes straight out again
    box.sendData("d7");
    expect(s.sent.at(-1)).toBe("d7");
  });

  test("a control backlog beyond its limit reports overflow instead of growing", () => {
    const { s, socket } = fakeSocket();
    const box = new Outbox(socket, limits);
    s.buffered = 5000;
    const results = Array.from({ length: 7 }, (_, i) => box.sendControl(`c${i}`));
    expect(results.slice(0, 5).every(Boolean)).toBe(true);
    expect(results[5]).toBe(false);
  });

  test("a control backlog beyond its size limit overflows even with few messages; draining frees the budget", () => {
    const { s, socket } = fakeSocket();
    const box = new Outbox(socket, limits);
    s.buffered = 5000;
    expect(box.sendControl("x".repeat(600))).toBe(true);
    expect(box.sendControl("y".repeat(600))).toBe(false); // 1200 chars > 1000, only 2 messages
    s.buffered = 0;
    expect(box.drain()).toBe(0);
    s.buffered = 5000;
    expect(box.sendControl("z".repeat(900))).toBe(true);
  });

  test("binary frames go out as binary, queue and shed as whole messages, and the queue's age is known", () => {
    const { s, socket } = fakeSocket();
    let now = 1000;
    const box = new Outbox(socket, limits, () => now);
    box.sendData(new Uint8Array(50));
    expect(s.sent).toEqual(["bin:50"]);
    s.buffered = 5000;
    for (let i = 0; i < 5; i++) box.sendData(new Uint8Array(10 + i));
    expect(box.pending).toBe(3);
    expect(box.shed).toBe(2);
    now = 1250;
    expect(box.queueAgeMs()).toBe(250);
    s.buffered = 0;
    box.drain();
    expect(s.sent).toEqual(["bin:50", "bin:10", "bin:11", "bin:12"]);
    expect(box.queueAgeMs()).toBe(0);
  });

  test("a message the runtime refuses: data counts as shed, control stays queued for a retry", () => {
    const { s, socket } = fakeSocket();
    const box = new Outbox(socket, limits);
    s.refuse = true;
    box.sendData("d0");
    expect(box.shed).toBe(1);
    box.sendControl("c0");
    expect(box.pending).toBe(1);
    expect(box.drain()).toBe(1);
    s.refuse = false;
    expect(box.drain()).toBe(0);
    expect(s.sent).toEqual(["c0"]);
  });
});

describe("Outbox.sendDataBatch", () => {
  test("sends a whole chunk when the socket keeps up, queues/sheds it when backed up", () => {
    const { s, socket } = fakeSocket();
    const box = new Outbox(socket, limits);
    box.sendDataBatch(["a", "b"]);
    expect(s.sent).toEqual(["a", "b"]);
    s.buffered = 5000;
    box.sendDataBatch(["c", "d", "e", "f", "g"]);
    expect(box.pending).toBe(3);
    expect(box.shed).toBe(2);
  });
});
