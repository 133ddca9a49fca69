/** @module Conformance scenario for when devices connect and tear down (docs/protocol/bridge-api.md §6): --autoconnect keeps them without clients; without it a device stops when its own last client leaves. */
import type { Runtime } from "../server-process.ts";
import { counters, health, isEeg, isStatus, openWelcomed, since, withServer } from "./helpers.ts";
import { Problems } from "./recording-helpers.ts";
import type { Data } from "./stream-helpers.ts";
import { devicePath, getDevices, statesOf, untilAsync, untilDevices } from "./devices-helpers.ts";

/** `--autoconnect`: connected without clients and kept when one leaves; without it a device a client started stops when its last client leaves, alone. */
export async function autoconnectAndTeardown(runtime: Runtime): Promise<void> {
  await withServer(runtime, ["--sim-devices", "3", "--autoconnect"], async (srv, open) => {
    const p = new Problems(`--autoconnect (${runtime})`);
    const all = await untilDevices(
      srv,
      (ds) => ds.every((d) => d["state"] === "connected"),
      8000,
      "every device connected without a client",
    );
    p.equal(all.map((d) => d["clients"]), [0, 0, 0], "clients with --autoconnect and nobody there");
    p.equal(((await health(srv))["devices"] as Data[]).map((d) => d["auto_reconnect"]), [
      true,
      true,
      true,
    ], "/health auto_reconnect with --autoconnect");
    const { c, welcome } = await openWelcomed(open, devicePath("sim-2"));
    p.equal(
      [welcome.data["state"], welcome.data["device_id"]],
      ["connected", "sim-2"],
      "welcome of sim-2 with --autoconnect",
    );
    await c.next(isEeg, 3000, "eeg_data of an autoconnected device");
    const before = ((await health(srv))["devices"] as Data[])[1]!["packets"]["valid"] as number;
    c.close();
    const validOf2 = async () =>
      ((await health(srv))["devices"] as Data[])[1]!["packets"]["valid"] as number;
    // 500 packets (1 s) with nobody there, awaited up to 6 s on a loaded machine; without
    // --autoconnect the teardown comes within milliseconds and they never arrive
    await untilAsync(async () => (await validOf2()) - before >= 500, 6000).catch(() => {});
    const after = await getDevices(srv);
    p.equal([statesOf(after), after.map((d) => d["clients"])], [{
      "sim-1": "connected",
      "sim-2": "connected",
      "sim-3": "connected",
    }, [0, 0, 0]], "states after the client left");
    const grown = (await validOf2()) - before;
    p.check(
      grown >= 500,
      "sim-2 stopped streaming when its client left (--autoconnect)",
      String(grown),
    );
    p.assertNone();
  });
  await withServer(runtime, ["--sim-devices", "3", "--max-clients", "2"], async (srv, open) => {
    const p = new Problems(`teardown per device without --autoconnect (${runtime})`);
    const { c: a } = await openWelcomed(open, devicePath("sim-1"));
    const { c: b } = await openWelcomed(open, devicePath("sim-2"));
    await a.request("connect", {});
    await b.request("connect", {});
    await a.next(isStatus("connected"), 5000);
    await b.next(isStatus("connected"), 5000);
    const mark = a.messages.length;
    // sim-1 streams a while (250 packets, 0.5 s) before sim-2's teardown
    await untilAsync(() => Promise.resolve(counters(since(a, mark)).length >= 250), 5000)
      .catch(() => {});
    b.close();
    const idle = await untilDevices(
      srv,
      (ds) => ds[1]!["state"] === "idle",
      4000,
      "sim-2 torn down after its last client left",
    );
    p.equal(
      statesOf(idle),
      { "sim-1": "connected", "sim-2": "idle", "sim-3": "idle" },
      "states after sim-2's client left",
    );
    const valid = async () =>
      ((await health(srv))["devices"] as Data[]).map((d) => d["packets"]["valid"] as number);
    const v1 = await valid();
    // the window in which the torn-down sim-2 must not stream: until sim-1 grew by 400 (0.8 s at
    // 500/s) and its client has 600 eeg_data since the mark, up to 5 s on a loaded machine; a
    // stopped stream reaches neither
    await untilAsync(
      async () => (await valid())[0]! - v1[0]! >= 400 && counters(since(a, mark)).length >= 600,
      5000,
    ).catch(() => {});
    const v2 = await valid();
    p.check(
      v2[0]! - v1[0]! >= 400,
      "sim-1 stopped streaming when sim-2's client left",
      `${v1[0]} → ${v2[0]}`,
    );
    p.check(v2[1]! - v1[1]! <= 5, "sim-2 still streams after its teardown", `${v1[1]} → ${v2[1]}`);
    const window = since(a, mark);
    const cs = counters(window);
    p.check(
      cs.length >= 600 && cs.every((n, i) => i === 0 || n === (cs[i - 1]! + 1) % 256),
      "sim-1's eeg_data across sim-2's teardown: too few or not consecutive",
      String(cs.length),
    );
    p.equal(
      window.filter((m) => m.type === "status").map((m) => m.raw.slice(0, 120)),
      [],
      "sim-1's client heard statuses of sim-2's teardown",
    );
    const { welcome } = await openWelcomed(open, devicePath("sim-2"));
    p.equal(welcome.data["state"], "idle", "welcome of sim-2 after its teardown");
    p.assertNone();
  });
}
