/**
 * @module Every `--ws-push` target together (src/push/push-set.ts) on fake devices, sockets and
 * timers: a device removed at run time (`remove_device`) takes its targets with it — socket closed,
 * subscription ended, no reconnect ever, gone from `/health` — and leaves the others pushing.
 */
import { describe, expect, test } from "bun:test";
import type { PushSocketHandlers } from "../../src/ports/push-socket.ts";
import { startPushing } from "../../src/push/push-set.ts";
import type { PushDevice } from "../../src/push/push-set.ts";
import { pushTarget, pushUrl } from "../../src/push/target.ts";
import { FakeClock } from "../_support/push-fakes.ts";

interface Opened {
  url: string;
  handlers: PushSocketHandlers;
  sent: string[];
  closed: boolean;
}

function rig() {
  const clock = new FakeClock();
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
  return { running, opened, feeds, clock, remove: (id: string) => removed!(id) };
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
    expect(r.clock.pending).toEqual([]); // no reconnect timer left behind
    r.clock.advance(120_000);
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
    r.clock.advance(120_000);
    expect(r.opened.filter((s) => s.url === "ws://relay.test/b").length).toBe(1);
    expect(r.running.health().map((h) => h.device_id)).toEqual(["sim-1"]);
  });
});
