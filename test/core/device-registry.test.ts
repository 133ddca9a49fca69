/** @module DeviceRegistry: ids, order, the default device, lookups and listeners. */
import { describe, expect, test } from "bun:test";
import { deviceIdFor, DeviceRegistry, isDeviceId } from "../../src/core/device-registry.ts";
import type { DeviceIdentity } from "../../src/core/device-registry.ts";

const entry = (
  id: string,
  kind: DeviceIdentity["kind"] = "sim",
  address: string | null = null,
) => ({ identity: { id, kind, name: id, address } });

describe("DeviceRegistry", () => {
  test("ids: <kind>-<n>, and mw75-<address without colons> for a known headset", () => {
    expect(deviceIdFor("sim", null, 2)).toBe("sim-2");
    expect(deviceIdFor("replay", null, 1)).toBe("replay-1");
    expect(deviceIdFor("mw75", "aa:bb:cc:dd:ee:0f", 3)).toBe("mw75-AABBCCDDEE0F");
    expect(deviceIdFor("mw75", null, 1)).toBe("mw75-1");
    for (const ok of ["sim-1", "mw75-AABBCCDDEEFF", "replay-12"]) {
      expect(`${ok}: ${isDeviceId(ok)}`).toBe(`${ok}: true`);
    }
    for (const bad of ["", "..", "sim-1/ws", "Sim-1", "sim--1", "a".repeat(65), 7, null]) {
      expect(`${String(bad)}: ${isDeviceId(bad)}`).toBe(`${String(bad)}: false`);
    }
  });

  test("keeps the order of adding; the first is the default; lookups by id and by test", () => {
    const r = new DeviceRegistry<ReturnType<typeof entry>>();
    expect(() => r.default).toThrow(/empty/);
    const seen: string[] = [];
    r.onAdd((e) => seen.push(e.identity.id));
    r.add(entry("sim-1"));
    r.add(entry("mw75-AABBCCDDEEFF", "mw75", "AA:BB:CC:DD:EE:FF"));
    r.add(entry("sim-2"));
    expect(r.list().map((e) => e.identity.id)).toEqual(["sim-1", "mw75-AABBCCDDEEFF", "sim-2"]);
    expect(seen).toEqual(["sim-1", "mw75-AABBCCDDEEFF", "sim-2"]);
    expect(r.default.identity.id).toBe("sim-1");
    expect(r.get("sim-2")?.identity.id).toBe("sim-2");
    expect(r.get("sim-3")).toBeUndefined();
    expect(r.find((e) => e.identity.address === "AA:BB:CC:DD:EE:FF")?.identity.id).toBe(
      "mw75-AABBCCDDEEFF",
    );
    expect([r.count("sim"), r.count("mw75"), r.count("replay"), r.size]).toEqual([2, 1, 0, 3]);
  });

  test("refuses a taken or malformed id", () => {
    const r = new DeviceRegistry<ReturnType<typeof entry>>();
    r.add(entry("sim-1"));
    expect(() => r.add(entry("sim-1"))).toThrow(/already in use/);
    expect(() => r.add(entry("../x"))).toThrow(/Invalid device id/);
    expect(r.size).toBe(1);
  });
});
