/** @module Fakes for push mode's unit tests (test/push): a clock whose timers run only when told, a socket the test opens, fails or drops, and one Pusher wired to them. */
import type { Clock, TimerHandle } from "../../src/core/clock.ts";
import type { LogLevel } from "../../src/ports/logger.ts";
import type { PushSocket, PushSocketHandlers } from "../../src/ports/push-socket.ts";
import { Pusher } from "../../src/push/pusher.ts";
import type { PusherOptions } from "../../src/push/pusher.ts";
import { pushTarget, pushUrl } from "../../src/push/target.ts";

/** Timers that fire only when the test says so, earliest first. */
export class FakeClock implements Clock {
  t = 0;
  #timers = new Map<number, { at: number; fn: () => void; ms: number }>();
  #id = 0;
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number): TimerHandle => {
    this.#timers.set(++this.#id, { at: this.t + ms, fn, ms });
    return this.#id;
  };
  clearTimeout = (h: TimerHandle) => void this.#timers.delete(h as number);
  setInterval = (): TimerHandle => {
    throw new Error("a pusher uses no interval");
  };
  clearInterval = () => {};
  get pending(): number[] {
    return [...this.#timers.values()].map((t) => t.ms);
  }
  /** Runs every timer due within `ms`, in time order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const next = [...this.#timers.entries()].sort((a, b) => a[1].at - b[1].at)[0];
      if (next === undefined || next[1].at > end) break;
      this.#timers.delete(next[0]);
      this.t = next[1].at;
      next[1].fn();
    }
    this.t = end;
  }
}

/** One fake connection: the test opens, fails or drops it. */
export class FakeSocket implements PushSocket {
  received: string[] = [];
  buffered = 0;
  closed = false;
  /** Each message sent stays in the buffer (a remote that reads nothing). */
  holds = false;
  constructor(readonly handlers: PushSocketHandlers, readonly headers: Record<string, string>) {}
  bufferedAmount = () => this.buffered;
  send(text: string): void {
    if (this.closed) throw new Error("not open");
    this.received.push(text);
    if (this.holds) this.buffered += text.length;
  }
  dropped = false;
  close(drop = false): void {
    this.closed = true;
    this.dropped = drop;
    // some sockets report their end at once: the pusher must not count it twice
    this.handlers.onClose("closed, code 1006");
  }
}

export const TARGET = pushTarget(
  "sim-1",
  pushUrl("wss://alice:s3cret@relay.test/in?token=t0k"),
  null,
);

export function rig(options: Partial<PusherOptions> = {}) {
  const clock = new FakeClock();
  const sockets: FakeSocket[] = [];
  const urls: string[] = [];
  const logs: [LogLevel, string][] = [];
  const pusher = new Pusher(TARGET, {
    clock,
    log: { log: (level, message) => void logs.push([level, message]) },
    open: (url, headers, handlers) => {
      urls.push(url);
      const socket = new FakeSocket(handlers, { ...headers });
      sockets.push(socket);
      return socket;
    },
    ...options,
  });
  const last = () => sockets[sockets.length - 1]!;
  const drop = (detail = "closed, code 1006") => {
    last().closed = true;
    last().handlers.onClose(detail);
  };
  return { clock, sockets, urls, logs, pusher, last, drop, open: () => last().handlers.onOpen() };
}

export const msgs = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => `m${from + i}`);
export const allReceived = (sockets: FakeSocket[]) => sockets.flatMap((s) => s.received);
