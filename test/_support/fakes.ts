/** @module Test doubles for the session/bridge unit tests: a manual clock and a scripted DeviceSource. */
import type { Clock, TimerHandle } from "../../src/core/clock.ts";
import { BridgeError } from "../../src/core/errors.ts";
import type { ErrorCode } from "../../src/protocol/errors.ts";
import type { DeviceLink, DeviceSource, LinkChunk } from "../../src/ports/device-source.ts";
import { buildPacket } from "../../src/sources/packet-builder.ts";

interface Timer {
  id: number;
  at: number;
  fn: () => void;
  every: number | null;
}

/** A clock whose time only moves in `advance`; due timers run in time order, with async work flushed between them. */
export class ManualClock implements Clock {
  #now = 1_700_000_000_000;
  #timers: Timer[] = [];
  #seq = 0;
  now = (): number => this.#now;
  setTimeout = (fn: () => void, ms: number): TimerHandle => this.#add(fn, ms, null);
  setInterval = (fn: () => void, ms: number): TimerHandle => this.#add(fn, ms, Math.max(1, ms));
  clearTimeout = (h: TimerHandle): void =>
    void (this.#timers = this.#timers.filter((t) => t.id !== h));
  clearInterval = (h: TimerHandle): void => this.clearTimeout(h);

  #add(fn: () => void, ms: number, every: number | null): number {
    const id = ++this.#seq;
    this.#timers.push({ id, at: this.#now + Math.max(0, ms), fn, every });
    return id;
  }

  /** Moves time forward by `ms`, firing every due timer (bounded to 100k firings). */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (let guard = 0; guard < 100_000; guard++) {
      await flush();
      const due = this.#timers.filter((t) =>
        t.at <= target
      ).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.#now = Math.max(this.#now, due.at);
      if (due.every === null) this.clearTimeout(due.id);
      else due.at += due.every;
      due.fn();
    }
    this.#now = target;
    await flush();
  }
}

/** Lets pending promise chains settle (a real macrotask turn, a few times). */
export async function flush(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((r) => setTimeout(r, 0));
}

/** What the next open() does. */
export type OpenStep = { fail: ErrorCode | "plain" } | { ok: true; battery?: number } | {
  hang: true;
};

/** A controllable link: push packets/bytes, end or error it. */
export interface FakeLink extends DeviceLink {
  /** Raw bytes, or a connection boundary as a replayed capture delivers it. */
  push(chunk: LinkChunk): void;
  packets(fromCounter: number, count: number): void;
  end(): void;
  fail(message: string): void;
  closed: boolean;
}

/** A DeviceSource following `steps` (the last step repeats); `links` holds every link it opened. */
export function scriptedSource(
  steps: OpenStep[],
): DeviceSource & { links: FakeLink[]; opens: number } {
  const links: FakeLink[] = [];
  const source = {
    kind: "fake",
    synthetic: true,
    description: "scripted test source",
    links,
    opens: 0,
    open({ signal }: { signal: AbortSignal }): Promise<DeviceLink> {
      const step = steps[Math.min(source.opens, steps.length - 1)]!;
      source.opens++;
      if ("fail" in step) {
        return Promise.reject(
          step.fail === "plain"
            ? new Error("boom")
            : new BridgeError(step.fail, `scripted ${step.fail}`),
        );
      }
      if ("hang" in step) {
        return new Promise((_, reject) =>
          signal.addEventListener("abort", () => reject(new Error("aborted")))
        );
      }
      const link = fakeLink(step.battery ?? 77);
      links.push(link);
      return Promise.resolve(link);
    },
  };
  return source;
}

function fakeLink(battery: number): FakeLink {
  let controller!: ReadableStreamDefaultController<LinkChunk>;
  const readable = new ReadableStream<LinkChunk>({ start: (c) => void (controller = c) });
  const link: FakeLink = {
    batteryLevel: battery,
    readable,
    closed: false,
    push: (chunk) => controller.enqueue(chunk),
    packets(fromCounter, count) {
      for (let i = 0; i < count; i++) {
        controller.enqueue(
          buildPacket({
            counter: (fromCounter + i) & 0xff,
            rawChannels: [i, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 8388607],
          }),
        );
      }
    },
    end: () => controller.close(),
    fail: (message) => controller.error(new Error(message)),
    close() {
      link.closed = true;
      try {
        controller.close();
      } catch {
        /* already closed or cancelled */
      }
      return Promise.resolve();
    },
  };
  return link;
}
