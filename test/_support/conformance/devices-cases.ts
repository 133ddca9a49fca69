/** @module Conformance scenario for refused device requests (docs/protocol/bridge-api.md §6, §8): unknown device paths and ids, bad scan durations, addresses and markers, each with its code while the bridge serves on. */
import type { Runtime } from "../server-process.ts";
import { UpgradeRefused } from "../ws-client.ts";
import type { Msg } from "../ws-client.ts";
import { counters, health, isEeg, isStatus, openWelcomed, since, withServer } from "./helpers.ts";
import { Problems, until } from "./recording-helpers.ts";
import type { Data } from "./stream-helpers.ts";
import { devicePath, getDevices, postJson, rawUpgrade, statesOf } from "./devices-helpers.ts";

/** Checks that `reply` is INVALID_PARAMETERS whose message names `field`. */
function expectInvalid(p: Problems, reply: Msg, field: string, what: string): void {
  p.check(
    reply.type === "error" && reply.data["code"] === "INVALID_PARAMETERS" &&
      String(reply.data["message"]).includes(field),
    `${what}: not INVALID_PARAMETERS naming ${field}`,
    reply.raw.slice(0, 240),
  );
}

/** Bad device paths, ids, durations and addresses: each refused with its code; nothing opens, nothing else is disturbed. */
export async function unknownDevicesAndBadParameters(runtime: Runtime): Promise<void> {
  await withServer(runtime, ["--sim-devices", "3", "--max-clients", "2"], async (srv, open) => {
    const p = new Problems(`unknown devices and bad parameters (${runtime})`);
    const { c } = await openWelcomed(open, devicePath("sim-2"));
    await c.request("connect", {});
    await c.next(isStatus("connected"), 5000);

    const nope = await rawUpgrade(srv.port, "/devices/nope/ws");
    const nopeBody = String(nope.headers["content-type"]).includes("application/json")
      ? (JSON.parse(nope.body) as Data)
      : {};
    p.equal(
      [nope.status, nopeBody["code"]],
      [404, "UNKNOWN_DEVICE"],
      "upgrade of /devices/nope/ws: status and JSON body code",
    );
    const refused = await open(devicePath("nope")).then(() => null, (e: unknown) => e);
    p.check(
      refused instanceof UpgradeRefused && refused.response.status === 404,
      "a WebSocket client on /devices/nope/ws is not refused with 404",
      String(refused),
    );
    const plain = await fetch(`${srv.http}/devices/nope/ws`);
    p.equal(
      [plain.status, ((await plain.json()) as Data)["code"]],
      [404, "UNKNOWN_DEVICE"],
      "GET /devices/nope/ws without an upgrade",
    );
    for (
      const path of [
        "/devices/..%2f/ws",
        "/devices/..%5c/ws",
        "/devices/SIM-1/ws",
        "/devices/sim-4/ws",
        "/devices/sim-1%00/ws",
        `/devices/${"a".repeat(300)}/ws`,
      ]
    ) {
      const r = await rawUpgrade(srv.port, path);
      p.check(
        r.status === 404 || r.status === 400,
        `upgrade of a malformed or unknown device path not refused with 400/404`,
        `${path}: ${r.status}`,
      );
      if (r.status === 404 && r.body.startsWith("{")) {
        p.equal((JSON.parse(r.body) as Data)["code"], "UNKNOWN_DEVICE", `${path}: 404 body code`);
      }
    }
    const afterUpgrades = await health(srv);
    p.equal(
      (afterUpgrades["devices"] as Data[]).map((d) => d["clients"]),
      [0, 1, 0],
      "refused upgrades left a client behind (/health devices clients)",
    );

    for (const device_id of ["nope", "SIM-3", 7, null]) {
      const r = await c.request("marker", { device_id, label: "x" });
      p.check(
        r.type === "error" && r.data["code"] === "UNKNOWN_DEVICE",
        `marker with device_id ${JSON.stringify(device_id)}: not UNKNOWN_DEVICE`,
        r.raw.slice(0, 200),
      );
    }
    for (const device_id of ["nope", 7, null]) {
      const r = await postJson(srv, "/markers", { device_id, label: "x" });
      p.equal(
        [r.status, r.body["code"]],
        [404, "UNKNOWN_DEVICE"],
        `POST /markers with device_id ${JSON.stringify(device_id)}`,
      );
    }
    const badLabel = await c.request("marker", { device_id: "sim-3", label: "" });
    expectInvalid(p, badLabel, "label", "marker on sim-3 with an empty label");

    const t0 = performance.now();
    for (const duration_s of [0, 31, "4", -1, 0.5, true]) {
      expectInvalid(
        p,
        await c.request("scan_devices", { duration_s }),
        "duration_s",
        `scan_devices duration_s ${JSON.stringify(duration_s)}`,
      );
    }
    expectInvalid(
      p,
      await c.request("scan_devices", { duration: 4 }),
      "duration",
      "scan_devices with an unknown field",
    );
    p.check(
      performance.now() - t0 < 2000,
      "bad scan_devices are not refused at once",
      `${Math.round(performance.now() - t0)} ms for 7 refusals`,
    );
    for (
      const data of [{}, { address: "zz" }, { address: 5 }, { address: "02:00:00:00:00:0G" }, {
        address: "02:00:00:00:00:02:03",
      }]
    ) {
      expectInvalid(
        p,
        await c.request("connect_device", data),
        "address",
        `connect_device ${JSON.stringify(data)}`,
      );
    }
    expectInvalid(
      p,
      await c.request("connect_device", { address: "AA:BB:CC:DD:EE:FF", rfcomm_tty: "rfcomm1" }),
      "rfcomm_tty",
      "connect_device with a relative rfcomm_tty",
    );
    p.equal((await getDevices(srv)).length, 3, "devices after refused commands");

    // the bridge goes on: sim-2 streams without a gap, a new client of sim-3 connects and streams
    const mark = c.messages.length;
    // 400 eeg_data (0.8 s at 500/s) awaited up to 5 s: a loaded machine delivers late, a bridge
    // that stopped delivers none
    await until(() => counters(since(c, mark)).length > 400, 5000, "sim-2's eeg_data").catch(
      () => {},
    );
    const cs = counters(since(c, mark));
    p.check(
      cs.length > 400 && cs.every((n, i) => i === 0 || n === (cs[i - 1]! + 1) % 256),
      "sim-2's eeg_data after the refusals: too few or not consecutive",
      String(cs.length),
    );
    const { c: late } = await openWelcomed(open, devicePath("sim-3"));
    await late.request("connect", {});
    await late.next(isEeg, 5000, "eeg_data of sim-3");
    p.equal(statesOf(await getDevices(srv)), {
      "sim-1": "idle",
      "sim-2": "connected",
      "sim-3": "connected",
    }, "states at the end");
    p.assertNone();
  });
}
