/** @module The dashboard's one-line text of each `bluetooth_status` event (describeEvent), without a browser. */
import { describe, expect, test } from "bun:test";
import { describeEvent } from "../../src/dashboard/panels.ts";

const at = (present: boolean, powered: boolean, discovering: boolean) =>
  describeEvent({ event_type: "bluetooth_status", timestamp: 1, present, powered, discovering });

describe("describeEvent: bluetooth_status", () => {
  test("says whether the adapter is there, on, and scanning", () => {
    expect(at(true, true, false)).toBe("Bluetooth adapter on");
    expect(at(true, true, true)).toBe("Bluetooth adapter on, scanning");
    expect(at(true, false, false)).toBe("Bluetooth adapter off");
    expect(at(false, false, false)).toBe("Bluetooth adapter absent");
  });
});
