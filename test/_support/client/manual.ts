/**
 * @module Hand-driven time and a scripted WebSocket for the SDK's unit tests: `ManualTimers.advance(ms)`
 * runs due timers in order; `FakeSocket`s record what the client sent and let the test open, feed and
 * close them.
 */
import { connect } from "../../../src/client/mod.ts";
import type { ClientOptions, Timers, WebSocketConstructorLike } from "../../../src/client/mod.ts";

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

export class ManualTimers implements Timers {
  #now = 0;
  #seq = 0;
  #timers = new Map<number, Timer>();

  now(): number {
    return this.#now;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.#seq;
    this.#timers.set(id, { at: this.#now + ms, seq: id, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }
  /** Delays of the pending timers, soonest first. */
  pending(): number[] {
    return [...this.#timers.values()].map((t) => t.at - this.#now).sort((a, b) => a - b);
  }
  /** Moves time forward by `ms`, running every timer that falls due (also ones they set). */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      const due = [...this.#timers.values()].filter((t) =>
        t.at <= end
      ).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (due === undefined) {
        break;
      }
      this.#timers.delete(due.seq);
      this.#now = due.at;
      due.fn();
    }
    this.#now = end;
  }
}

/** A WebSocket stand-in; every instance lands in `FakeSocket.made`. */
export class FakeSocket {
  static made: FakeSocket[] = [];
  static reset(): void {
    FakeSocket.made = [];
  }
  readonly args: unknown[];
  binaryType = "blob";
  readyState = 0;
  sent: Array<Record<string, unknown>> = [];
  onopen: ((e: unknown) => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onclose: ((e: { code?: number; reason?: string }) => void) | null = null;
  onerror: ((e: unknown) => void) | null = null;
  closedWith: number | null = null;

  constructor(...args: unknown[]) {
    this.args = args;
    FakeSocket.made.push(this);
  }
  send(text: string): void {
    this.sent.push(JSON.parse(text) as Record<string, unknown>);
  }
  close(code = 1000): void {
    this.closedWith = code;
    this.readyState = 3;
  }
  // --- driven by the test ---
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(message: unknown): void {
    this.onmessage?.({ data: typeof message === "string" ? message : JSON.stringify(message) });
  }
  /** The welcome status a bridge sends first. */
  welcome(): void {
    this.receive({
      id: "w",
      type: "status",
      data: {
        state: "idle",
        message: "Client connected to MW75 server",
        timestamp: 1,
        battery_level: null,
      },
    });
  }
  drop(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code, reason: "" });
  }
}

/**
 * A client on FakeSockets and ManualTimers with its first socket open: the common start of the
 * SDK's unit tests (no jitter, no liveness probes, a 100-ms reconnect base unless `options` say).
 */
export function scriptedClient(options: ClientOptions = {}) {
  FakeSocket.reset();
  const timers = new ManualTimers();
  const client = connect("ws://bridge.test/", {
    WebSocket: FakeSocket as unknown as WebSocketConstructorLike,
    timers,
    random: () => 0,
    liveness: false,
    reconnect: { baseMs: 100 },
    ...options,
  });
  const socket = () => FakeSocket.made.at(-1)!;
  socket().open();
  return { client, timers, socket };
}
