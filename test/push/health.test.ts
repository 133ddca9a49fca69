/** @module `/health` `ws_push`: null without push mode (as `mqtt` and `lsl`), the targets' entries with it. */
import { describe, expect, test } from "bun:test";
import { bridgeHealth } from "../../src/server/health.ts";
import type { HealthBridge, HealthSource } from "../../src/server/health.ts";
import type { DeviceEntry } from "../../src/protocol/messages.ts";

const device: HealthSource = {
  identity: { id: "sim-1", kind: "sim" },
  health: () => ({ status: "ok" }),
  describe: () => ({ recording: null }) as unknown as DeviceEntry,
  metricsHealth: () => [],
};

describe("/health ws_push", () => {
  test("is null without --ws-push and lists each target with it", () => {
    const off: HealthBridge = { default: device, list: () => [device] };
    expect(bridgeHealth(off)["ws_push"]).toBeNull();
    const entry = {
      url: "wss://r/x",
      device_id: "sim-1",
      connected: false,
      sent: 3,
      dropped: 1,
      unflushed: 2,
    };
    const on: HealthBridge = { ...off, wsPushHealth: () => [entry] };
    expect(bridgeHealth(on)["ws_push"]).toEqual([entry]);
  });
});
