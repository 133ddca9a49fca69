/** @module Bridge.removeDevice with scripted devices whose teardown the test ends (docs/protocol/bridge-api.md §11): the same headset added back only after the removal, its tty held until then, the listeners and the `devices` list even when the teardown fails, Ctrl-C waiting for it, the list only to roles that may ask for it. */
import { describe, expect, test } from "bun:test";
import { Bridge } from "../../src/server/bridge.ts";
import type { ServedDevice } from "../../src/server/served-device.ts";
import type { DeviceIdentity } from "../../src/core/device-registry.ts";
import type { DevicePort } from "../../src/ports/discovery.ts";
import type { Principal } from "../../src/server/access/principal.ts";
import { soloBridge } from "../../src/server/device-info.ts";

const A = "AA:BB:CC:DD:EE:01";
const B = "AA:BB:CC:DD:EE:02";
const TTY = "/dev/rfcomm0";

/** A device whose shutdown the test settles; `sent` keeps each broadcast with the filter it had. */
function scripted(identity: DeviceIdentity) {
  let settle: (error?: Error) => void = () => {};
  const ended = new Promise<void>((resolve, reject) => {
    settle = (error) => (error === undefined ? resolve() : reject(error));
  });
  const sent: Array<{ text: string; to: (p: Principal) => boolean }> = [];
  const device = {
    identity,
    busy: false,
    keepConnected: () => {},
    connectOnce: () => Promise.resolve(),
    describe: () => ({ device_id: identity.id }),
    shutdown: () => ended,
    broadcast: (text: string, to: (p: Principal) => boolean = () => true) =>
      void sent.push({ text, to }),
  } as unknown as ServedDevice;
  return { device, sent, settle };
}

const headset = (address: string): DeviceIdentity => ({
  id: `mw75-${address.replaceAll(":", "")}`,
  kind: "mw75",
  name: `MW75 ${address}`,
  address,
});

/** A bridge of a default device and the headset A on TTY; `events` logs adds and removals in order. */
function rig() {
  const made: ServedDevice[] = [];
  const bridge = new Bridge({
    discovery: null,
    headsetTty: () => TTY,
    headsets: { open: () => ({}) } as unknown as DevicePort,
    makeDevice: (identity) => {
      const d = scripted(identity).device;
      made.push(d);
      return Promise.resolve(d);
    },
    log: { log: () => {} },
  });
  const first = scripted({ id: "sim-1", kind: "sim", name: "sim", address: null });
  const old = scripted(headset(A));
  bridge.add(first.device);
  bridge.add(old.device, TTY);
  const events: string[] = [];
  const who = (d: ServedDevice) => (d === old.device ? "old" : made.includes(d) ? "new" : "?");
  bridge.onAdded((d) => void events.push(`added ${who(d)}`));
  bridge.onRemoved((d) => void events.push(`removed ${who(d)}`));
  return { bridge, first, old, made, events };
}

/** Lets every pending callback run (no timing: a removal waiting on a teardown stays waiting). */
const drained = () => new Promise((r) => setTimeout(r, 0));

describe("Bridge.removeDevice", () => {
  test("connect_device of the address being removed waits for the teardown; the tty is held until then", async () => {
    const r = rig();
    const id = r.old.device.identity.id;
    const removing = r.bridge.removeDevice(id);
    expect(r.bridge.get(id)).toBeUndefined(); // gone from the list at once
    const again = r.bridge.connectDevice(A, null);
    // another headset on the tty the removed one still holds is refused
    const other = await r.bridge.connectDevice(B, TTY).catch((e: { code: string }) => e.code);
    expect(other).toBe("INVALID_PARAMETERS");
    await drained();
    expect(r.made).toEqual([]);
    expect(r.events).toEqual([]);

    r.old.settle();
    await removing;
    expect(await again).toEqual({ deviceId: id, added: true });
    // the listeners got the removed device, before its successor of the same id was added
    expect(r.events).toEqual(["removed old", "added new"]);
    expect(r.bridge.get(id)).toBe(r.made[0]!);
  });

  test("a failed teardown still withdraws the device and announces the list; the removal rejects", async () => {
    const r = rig();
    const removing = r.bridge.removeDevice(r.old.device.identity.id);
    r.old.settle(new Error("headset gone"));
    await expect(removing).rejects.toThrow("headset gone");
    expect(r.events).toEqual(["removed old"]);
    expect(r.first.sent.map((s) => JSON.parse(s.text).type)).toEqual(["devices"]);
    // its tty is free again: the headset B may take it
    expect((await r.bridge.connectDevice(B, TTY)).added).toBe(true);
  });

  test("shutdown (Ctrl-C) waits for a removal under way", async () => {
    const r = rig();
    const removing = r.bridge.removeDevice(r.old.device.identity.id);
    r.first.settle(); // the default device shuts down at once
    let down = false;
    const shutdown = r.bridge.shutdown().then(() => void (down = true));
    await drained();
    expect(down).toBe(false);
    r.old.settle();
    await Promise.all([removing, shutdown]);
    expect(down).toBe(true);
  });

  test("the `devices` list goes only to clients with a token (those GET /devices answers)", async () => {
    const r = rig();
    const removing = r.bridge.removeDevice(r.old.device.identity.id);
    r.old.settle();
    await removing;
    const { to } = r.first.sent[0]!;
    expect(to({ role: "anonymous", name: null })).toBe(false);
    expect([to({ role: "observe", name: "v" }), to({ role: "control", name: "lab" })])
      .toEqual([true, true]);
  });

  test("Ctrl-C while connect_device waits for a removal: nothing is added after shutdown", async () => {
    const r = rig();
    const removing = r.bridge.removeDevice(r.old.device.identity.id);
    const again = r.bridge.connectDevice(A, null).catch((e: Error) => e.message);
    r.first.settle();
    const shutdown = r.bridge.shutdown();
    r.old.settle();
    await Promise.all([removing, shutdown]);
    expect(await again).toBe("The bridge is shutting down");
    expect(r.bridge.list().map((d) => d.identity.id)).toEqual(["sim-1"]);
    expect(await r.bridge.connectDevice(B, TTY).catch((e: Error) => e.message))
      .toBe("The bridge is shutting down");
  });

  test("the refusals: one text for the bridge and a device served alone", async () => {
    const r = rig();
    const text = (p: Promise<unknown>) => p.catch((e: Error) => e.message);
    const solo = soloBridge({
      describe: () => r.first.device.describe(),
      identity: r.first.device.identity,
      recordingCommands: {} as never,
    });
    expect(await text(solo.removeDevice("sim-1"))).toBe(await text(r.bridge.removeDevice("sim-1")));
    expect(await text(solo.removeDevice("sim-9"))).toBe(await text(r.bridge.removeDevice("sim-9")));
  });
});
