/**
 * @module Every `--ws-push` target together (src/push/push-set.ts) on fake devices, sockets and
 * timers: a device removed at run time (`remove_device`) takes its targets with it — socket closed,
 * subscription ended, no reconnect ever, gone from `/health` — and leaves the others pushing.
 */
import { describe, expect, test } from "bun:test";
import type { Clock, TimerHandle } from "../../src/core/clock.ts";
import type { PushSocketHandlers } from "../../src/ports/push-socket.ts";
import { startPushing } from "../../src/push/push-set.ts";
import type { PushDevice } from "../../src/push/push-set.ts";
import { pushTarget, pushUrl } from "../../src/push/target.ts";

/** Timers run only on `advance`; `pending` counts the live ones. */
function fakeClock() {
  let t = 0;
  let id = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const clock: Clock = {
    now: () => t,
    setTimeout: (fn, ms): TimerHandle => (timers.set(++id, { at: t + ms, fn }), id),
    clearTimeout: (h) => void timers.delete(h as number),
    setInterval: () => {
      throw new Error("push mode uses no interval");
    },
    clearInterval: () => {},
  };
  const advance = (ms: number) => {
    const end = t + ms;
    for (;;) {
      const next = [...timers.entries()].sort((a, b) => a[1].at - b[1].at)[0];
      if (next === undefined || next[1].at > end) break;
      timers.delete(next[0]);
      t = next[1].at;
      next[1].fn();
    }
    t = end;
  };
  return { clock, advance, pending: () => timers.size };
}

interface Opened {
  url: string;
  handlers: PushSocketHandlers;
  sent: string[];
  closed: boolean;
}

function rig() {
  const { clock, advance, pending } = fakeClock();
  const opened: Opened[] = [];
  const feeds = new Map<string, ((messages: readonly string[]) => void) | null>();
  const device = (id: string): PushDevice => ({
    eegData: (_name, onMessages) => {
      feeds.set(id, onMessages);
      return { close: () => void feeds.set(id, null) };
    },
    keepStreaming: () => {},
  });
  let removed: ((id: string) => void) | null = null;
  const running = startPushing({
    targets: [
      pushTarget("sim-1", pushUrl("ws://relay.test/a"), null),
      pushTarget("sim-2", pushUrl("ws://relay.test/b"), null),
    ],
    device,
    onRemoved: (listener) => void (removed = listener),
    open: (url, _headers, handlers) => {
      const socket: Opened = { url, handlers, sent: [], closed: false };
      opened.push(socket);
      return {
        bufferedAmount: () => 0,
        send: (text) => void socket.sent.push(text),
        close: () => {
          socket.closed = true;
          handlers.onClose("closed, code 1000");
        },
      };
    },
    clock,
    log: { log: () => {} },
  });
  return { running, opened, feeds, advance, pending, remove: (id: string) => removed!(id) };
}

describe("push targets and remove_device", () => {
  test("a removed device's target closes for good and leaves /health; the others go on", () => {
    const r = rig();
    for (const socket of r.opened) socket.handlers.onOpen();
    r.feeds.get("sim-2")!(["b0"]);
    expect(r.running.health().map((h) => [h.device_id, h.connected, h.sent])).toEqual([
      ["sim-1", true, 0],
      ["sim-2", true, 1],
    ]);

    r.remove("sim-2");
    const b = r.opened.find((s) => s.url === "ws://relay.test/b")!;
    expect(b.closed).toBe(true);
    expect(r.feeds.get("sim-2")).toBeNull(); // its eeg_data subscription ended
    expect(r.running.health().map((h) => h.device_id)).toEqual(["sim-1"]);
    expect(r.pending()).toBe(0); // no reconnect timer left behind
    r.advance(120_000);
    expect(r.opened.length).toBe(2); // never reopened

    // the other device's target still pushes
    r.feeds.get("sim-1")!(["a0", "a1"]);
    expect(r.opened[0]!.sent).toEqual(["a0", "a1"]);
    r.remove("sim-9"); // a device without a target: nothing changes
    expect(r.running.health().map((h) => [h.device_id, h.sent])).toEqual([["sim-1", 2]]);
    r.running.close();
    expect(r.opened[0]!.closed).toBe(true);
  });

  test("a target removed while reconnecting stops retrying", () => {
    const r = rig();
    r.opened[1]!.handlers.onClose("connect ECONNREFUSED"); // sim-2's first attempt fails
    r.remove("sim-2");
    r.advance(120_000);
    expect(r.opened.filter((s) => s.url === "ws://relay.test/b").length).toBe(1);
    expect(r.running.health().map((h) => h.device_id)).toEqual(["sim-1"]);
  });
});
