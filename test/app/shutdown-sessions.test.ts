/** @module The shutdown path stops the session store's expiry timer: after it no timer of the access setup is left (fake clock, fake runtime). */
import { describe, expect, test } from "bun:test";
import { buildAccess } from "../../src/app/access.ts";
import { parseServeArgs } from "../../src/app/config.ts";
import { watchShutdown } from "../../src/app/shutdown.ts";
import type { Clock } from "../../src/core/clock.ts";
import { createLogHub } from "../../src/core/log-hub.ts";
import type { RunningServer, RuntimeAdapter } from "../../src/ports/runtime.ts";
import type { StoredPassword } from "../../src/ports/password-hasher.ts";
import type { Bridge } from "../../src/server/bridge.ts";
import { UserTable } from "../../src/server/access/users.ts";

/** A clock whose timers never fire on their own: `pending` counts those set and not cleared. */
function countingClock(): Clock & { pending: () => number } {
  const live = new Set<number>();
  let next = 0;
  return {
    now: () => 1_700_000_000_000,
    setTimeout: () => (live.add(++next), next),
    clearTimeout: (h) => void live.delete(h as number),
    setInterval: () => (live.add(++next), next),
    clearInterval: (h) => void live.delete(h as number),
    pending: () => live.size,
  };
}

const password: StoredPassword = {
  cost: 1,
  verify: () => Promise.resolve(true),
  decoy: () => password,
};

describe("shutdown", () => {
  test("after the shutdown path, the session store's expiry timer is cleared", async () => {
    const clock = countingClock();
    const logs = createLogHub(clock.now);
    const users = new UserTable(new Map([["ada", { role: "control" as const, password }]]));
    const access = buildAccess(parseServeArgs([]), { tokens: [], users }, clock, logs.logger("t"));
    access.gate.passwords!.sessions.create({ username: "ada", role: "control" });
    expect(clock.pending()).toBe(1); // the expiry timer of the first session

    let signal: (name: string) => void = () => {};
    let exited: (code: number) => void = () => {};
    const exit = new Promise<number>((resolve) => (exited = resolve));
    const runtime = {
      onShutdownSignal: (handler: (name: string) => void) => (signal = handler),
      stdout: () => {},
      exit: (code: number) => exited(code),
    } as unknown as RuntimeAdapter;
    const bridge = { shutdown: async () => {} } as unknown as Bridge;
    const server = { close: async () => {} } as unknown as RunningServer;
    watchShutdown(runtime, logs, bridge, server, null, { mqtt: null, lsl: null, access });
    signal("SIGTERM");
    expect(await exit).toBe(0);
    expect(clock.pending()).toBe(0);
  });
});
