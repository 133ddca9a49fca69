/** @module The publisher empties a removed device's retained state (docs/protocol/bridge-api.md §11): once, after its states, again after a failure, never over a device that came back. */
import { describe, expect, test } from "bun:test";
import { fakeDevice, fakeLink, publisherWith, tick } from "../_support/mqtt/fake-device.ts";
import type { Published } from "../_support/mqtt/fake-device.ts";

const clears = (publishes: Published[]) =>
  publishes.filter((p) => p.payload === "").map((p) => [p.topic, p.qos, p.retain]);

describe("MQTT publisher, removed devices' retained state", () => {
  test("emptied once the broker is reachable, after the device's last state", async () => {
    const a = fakeDevice("sim-1");
    const b = fakeDevice("sim-2");
    const { link, state } = fakeLink(true);
    state.connected = false;
    const p = publisherWith(link);
    p.add(a.device);
    p.add(b.device);
    p.remove("sim-2"); // while the broker is away: kept until it is back
    await tick();
    expect(state.publishes).toEqual([]);
    state.connected = true;
    p.connected();
    await tick();
    expect(clears(state.publishes)).toEqual([["mw75/b/sim-2/state", 1, true]]);
    // sim-2's state never goes out after its clear
    const i = state.publishes.findIndex((m) => m.payload === "");
    expect(state.publishes.slice(i + 1).filter((m) => m.topic.includes("sim-2"))).toEqual([]);
    p.connected(); // a reconnection repeats states, not the clear
    await tick();
    expect(clears(state.publishes).length).toBe(1);
  });

  test("a failed clear is sent again; a device back under the same id keeps its new state", async () => {
    const b = fakeDevice("sim-2");
    const { link, state } = fakeLink(false);
    const p = publisherWith(link);
    p.add(b.device);
    await tick();
    p.remove("sim-2");
    await tick();
    const first = state.publishes.find((m) => m.payload === "")!;
    first.done(new Error("connection lost"));
    await tick();
    expect(clears(state.publishes).length).toBe(2);
    const again = state.publishes.filter((m) => m.payload === "")[1]!;
    const back = fakeDevice("sim-2");
    p.add(back.device); // connect_device added it again before the retry failed
    again.done(new Error("connection lost"));
    await tick();
    expect(clears(state.publishes).length).toBe(2);
    const last = state.publishes.at(-1)!;
    expect([last.topic, JSON.parse(last.payload as string)["device_id"]]).toEqual([
      "mw75/b/sim-2/state",
      "sim-2",
    ]);
  });
});
