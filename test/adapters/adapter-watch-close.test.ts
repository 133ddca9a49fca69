/** @module The adapter watch closed while its bus is still opening destroys that connection once it opens (no listener or socket left behind). */
import { describe, expect, test } from "bun:test";
import { nodeBleAdapterWatcher } from "../../src/adapters/ble/adapter-watch.ts";
import type { BluezSession } from "../../src/adapters/ble/bluez.ts";

describe("adapter watch", () => {
  test("closed during the bus's opening: the late connection is destroyed and never listened to", async () => {
    let destroyed = 0;
    let listeners = 0;
    let opened!: (s: BluezSession) => void;
    const session = {
      bluetooth: { dbus: { on: () => listeners++, removeListener: () => {} } },
      destroy: () => void destroyed++,
      busDown: new Promise<never>(() => {}),
      busError: () => undefined,
    } as unknown as BluezSession;
    const watcher = nodeBleAdapterWatcher({
      retryMs: 60_000,
      open: () => new Promise<BluezSession>((resolve) => (opened = resolve)),
    });
    const statuses: unknown[] = [];
    const watch = watcher.watch((s) => statuses.push(s), { log: () => {} } as never);
    await watch.close();
    opened(session);
    // the watcher's continuation runs after the resolved open: bounded by a few microtask turns
    for (let i = 0; i < 10 && destroyed === 0; i++) await Promise.resolve();
    expect(destroyed).toBe(1);
    expect(listeners).toBe(0);
    expect(statuses).toEqual([]);
  });
});
