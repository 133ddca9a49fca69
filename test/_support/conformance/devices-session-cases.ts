/** @module Conformance scenarios for what each device keeps to itself (docs/protocol/bridge-api.md §4, §6): forwarded logs, markers naming a device, simultaneous recordings. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Runtime } from "../server-process.ts";
import type { Msg, WsClient } from "../ws-client.ts";
import { delay, isEeg, isStatus, openWelcomed, withServer } from "./helpers.ts";
import { checkCsv } from "./recording-csv-checks.ts";
import { csvRows, Problems, seen, tempDir } from "./recording-helpers.ts";
import { untilBatchesCover } from "./recording-seq-helpers.ts";
import { batchSamplesBySeq, isEvent } from "./stream-helpers.ts";
import type { Data } from "./stream-helpers.ts";
import { CHANNELS, devicePath, getDevices, postJson, SIM_IDS } from "./devices-helpers.ts";

/** The device a logger name is scoped to (`mw75.session[sim-2]` → sim-2), or null for a server-wide logger. */
const scopeOf = (logger: unknown) => /\[([^\]]+)\]$/.exec(String(logger))?.[1] ?? null;
const isMarkerLabelled = (label: string) => (m: Msg) =>
  isEvent("marker")(m) && (m.data["marker"] as Data)?.["label"] === label;

/** Opens one socket per device, subscribed to events. */
async function socketsWithEvents(
  open: (path?: string) => Promise<WsClient>,
): Promise<Map<string, WsClient>> {
  const out = new Map<string, WsClient>();
  for (const id of SIM_IDS) {
    const { c } = await openWelcomed(open, devicePath(id));
    await c.request("subscribe", { stream: "events" });
    out.set(id, c);
  }
  return out;
}

/**
 * Log forwarding at DEBUG (by connect on sim-1 and sim-2, by `set` on sim-3) shows each device's
 * clients that device's records and server-wide ones, never another device's; a marker naming
 * sim-3 sent on sim-1's socket (and POST /markers naming sim-2) lands on that device's events only.
 */
export async function logsAndMarkersStayOnTheirDevice(runtime: Runtime): Promise<void> {
  await withServer(runtime, ["--sim-devices", "3", "--max-clients", "2"], async (srv, open) => {
    const p = new Problems(`logs and markers per device (${runtime})`);
    const sockets = await socketsWithEvents(open);
    const s = (id: string) => sockets.get(id)!;
    await s("sim-1").request("connect", { log_level: "DEBUG" });
    await s("sim-2").request("connect", { log_level: "DEBUG" });
    await s("sim-3").request("connect", {});
    for (const id of SIM_IDS) await s(id).next(isStatus("connected"), 5000, `${id} connected`);
    const set = await s("sim-3").request("set", { values: { log_level: "DEBUG" } });
    p.check(
      set.type === "settings" && (set.data["values"] as Data)["log_level"] === "DEBUG",
      "set log_level DEBUG on sim-3",
      set.raw.slice(0, 200),
    );
    const mark3 = s("sim-3").messages.indexOf(set);

    // markers: sim-1's socket marks sim-3; POST /markers marks sim-2, and without device_id the default device
    await s("sim-3").next(isEeg, 3000);
    const lastSim3Seq = s("sim-3").messages.filter(isEeg).at(-1)!.data["seq"] as number;
    const ack = await s("sim-1").request("marker", {
      device_id: "sim-3",
      label: "cross",
      value: 2,
    });
    const placed = (ack.data["marker"] ?? {}) as Data;
    p.check(
      ack.type === "command_ack" && placed["label"] === "cross" && placed["value"] === 2,
      "marker naming sim-3: ack",
      ack.raw.slice(0, 240),
    );
    p.check(
      Math.abs((placed["seq"] as number) - lastSim3Seq) <= 250,
      "marker naming sim-3: seq not near sim-3's stream",
      `${placed["seq"]} vs ${lastSim3Seq}`,
    );
    const onSim3 = await seen(
      s("sim-3"),
      isMarkerLabelled("cross"),
      3000,
      "the cross marker on sim-3's events",
    );
    p.equal(
      [onSim3.data["device_id"], onSim3.data["marker"]],
      ["sim-3", placed],
      "sim-3's marker event ≠ the ack's marker",
    );
    const http = await postJson(srv, "/markers", { device_id: "sim-2", label: "http-cross" });
    p.equal([http.status, http.body["label"]], [201, "http-cross"], "POST /markers naming sim-2");
    const onSim2 = await seen(
      s("sim-2"),
      isMarkerLabelled("http-cross"),
      3000,
      "the POST marker on sim-2's events",
    );
    p.equal(
      [onSim2.data["device_id"], onSim2.data["marker"]],
      ["sim-2", http.body],
      "sim-2's marker event ≠ POST's answer",
    );
    const plain = await postJson(srv, "/markers", { label: "default-device" });
    p.equal(plain.status, 201, "POST /markers without device_id");
    await seen(
      s("sim-1"),
      isMarkerLabelled("default-device"),
      3000,
      "the device-less POST marker on sim-1 (the default device)",
    );

    // records on every device: a client comes and goes on each, sim-1 and sim-3 disconnect
    for (const id of SIM_IDS) (await openWelcomed(open, devicePath(id))).c.close();
    await delay(300); // not a readiness wait: the sessions' logs record the comings and goings
    for (const id of ["sim-1", "sim-3"]) {
      await s(id).request("disconnect");
      await s(id).next(isStatus("idle"), 5000, `${id} idle`);
    }
    // not a readiness wait: 0.5 s in which a marker event would have reached a wrong device's client
    await delay(500);
    const where = new Map([["cross", "sim-3"], ["http-cross", "sim-2"], [
      "default-device",
      "sim-1",
    ]]);
    for (const id of SIM_IDS) {
      const msgs = s(id).messages.slice();
      const strays = msgs.filter((m) =>
        isEvent("marker")(m) && where.get((m.data["marker"] as Data)?.["label"] as string) !== id
      );
      p.equal(
        strays.map((m) => (m.data["marker"] as Data)["label"]),
        [],
        `${id}: marker events of other devices`,
      );
      const logs = msgs.filter((m) => m.type === "log");
      const foreign = logs.filter((m) =>
        scopeOf(m.data["logger"]) !== null && scopeOf(m.data["logger"]) !== id
      );
      p.check(
        foreign.length === 0,
        `${id}: log records of other devices forwarded`,
        () =>
          [...new Set(foreign.map((m) => String(m.data["message"]).slice(9, 100)))].slice(0, 3)
            .join(" | "),
      );
      const own = (id === "sim-3" ? msgs.slice(mark3) : msgs).filter((m) =>
        m.type === "log" && scopeOf(m.data["logger"]) === id
      );
      const loggers = new Set(own.map((m) => String(m.data["logger"]).replace(/\[.*$/, "")));
      p.check(
        loggers.has("mw75.server") && loggers.has("mw75.session"),
        `${id}: its own server and session records not forwarded at DEBUG`,
        [...loggers].join(","),
      );
      p.check(
        own.every((m) => String(m.data["message"]).includes(` - ${m.data["logger"]} - `)),
        `${id}: log message without its logger name`,
      );
      // sim-1 and sim-2 asked for DEBUG at connect (the link's DEBUG records follow); sim-3 forwarded nothing before its `set`
      if (id !== "sim-3") {
        p.check(own.some((m) => m.data["level"] === "DEBUG"), `${id}: no DEBUG record of its own`);
      } else {p.equal(
          msgs.slice(0, mark3).filter((m) => m.type === "log").length,
          0,
          "sim-3: log records forwarded before set log_level (connect without log_level forwards ERROR only)",
        );}
    }
    p.assertNone();
  });
}

/** A recording's CSV rows by Seq → the 12 channel values as text. */
function csvChannels(text: string): Map<number, string> {
  const rows = csvRows(text).slice(1).filter((f) => f.length === 20);
  return new Map(rows.map((f) => [Number(f[18]), JSON.stringify(f.slice(5, 17).map(Number))]));
}

/** sim-2 and sim-3 record at once (default names): each CSV holds exactly its device's streamed samples; names start with the device id. */
export async function recordingsPerDevice(runtime: Runtime): Promise<void> {
  const { dir, remove } = tempDir(`mw75-devrec-${runtime}-`);
  await withServer(runtime, ["--sim-devices", "3", "--recordings-dir", dir], async (srv, open) => {
    const p = new Problems(`recordings of two devices at once (${runtime})`);
    const ids = ["sim-2", "sim-3"];
    const clients = new Map<string, WsClient>();
    for (const id of ids) {
      const { c } = await openWelcomed(open, devicePath(id));
      await c.request("unsubscribe", { stream: "eeg" });
      await c.request("subscribe", { stream: "eeg_batch", num_samples: 25 });
      await c.request("connect", {});
      clients.set(id, c);
    }
    for (const id of ids) {
      await clients.get(id)!.next(isStatus("connected"), 5000, `${id} connected`);
    }
    await delay(300); // not a readiness wait: the recordings start mid-stream
    const starts = await Promise.all(
      ids.map((id) => clients.get(id)!.request("start_recording", { formats: ["csv"] }, 10_000)),
    );
    const names = starts.map((m) =>
      ((m.data["recording"] ?? {}) as Data)["session_name"] as string
    );
    for (const [i, id] of ids.entries()) {
      p.check(
        starts[i]!.type === "command_ack" && names[i]!.startsWith(`${id}-rec-`),
        `${id}: default session name does not start with ${id}-rec-`,
        starts[i]!.raw.slice(0, 240),
      );
    }
    const during = await getDevices(srv);
    p.equal(during.map((d) => (d["recording"] as Data | null)?.["session_name"] ?? null), [
      null,
      ...names,
    ], "GET /devices recording per device");
    await delay(3000); // the recordings' length (1200…3000 samples are allowed below)
    const stops = await Promise.all(
      ids.map((id) => clients.get(id)!.request("stop_recording", {}, 10_000)),
    );
    // the broadcast may come before or after the ack
    const isStopped = (name: string) => (m: Msg) =>
      m.type === "recording" && m.data["state"] === "stopped" && m.data["session_name"] === name;
    const stopped = await Promise.all(
      ids.map((id, i) =>
        seen(
          clients.get(id)!,
          isStopped(names[i]!),
          10_000,
          `${id}: the stopped recording broadcast`,
        )
      ),
    );
    for (const [i, id] of ids.entries()) {
      await untilBatchesCover(clients.get(id)!, stopped[i]!.data as Data, `${id}'s recording`);
    }
    const streamed = new Map(ids.map((id) => [id, batchSamplesBySeq(clients.get(id)!.messages)]));
    for (const [i, id] of ids.entries()) {
      const r = stopped[i]!.data as Data;
      p.equal(stops[i]!.type, "command_ack", `${id}: stop_recording reply`);
      const other = clients.get(ids[1 - i]!)!.messages.filter((m) =>
        m.type === "recording" && m.data["session_name"] === names[i]
      );
      p.equal(other.length, 0, `${id}: its recording broadcasts reached the other device's client`);
      p.check(
        r["samples"] >= 1200 && r["samples"] <= 3000 && r["gaps"] === 0,
        `${id}: ~3 s recorded without gaps`,
        JSON.stringify(r).slice(0, 300),
      );
      const text = readFileSync(join(dir, `${names[i]}.csv`), "utf8");
      checkCsv(p, text, streamed.get(id)!, r["first_seq"], r["first_seq"] + r["samples"] - 1);
      // …and not the other device's values: no row equals the other stream at the same seq
      const rows = csvChannels(text);
      const theirs = streamed.get(ids[1 - i]!)!;
      const same = [...rows].filter(([seq, values]) =>
        theirs.has(seq) &&
        JSON.stringify(CHANNELS.map((ch) => theirs.get(seq)!.channels[ch])) === values
      );
      p.check(
        rows.size >= 1200 && same.length === 0,
        `${id}: CSV rows equal to the other device's samples`,
        `${same.length} of ${rows.size}`,
      );
    }
    const listed =
      (((await (await fetch(`${srv.http}/recordings`)).json()) as Data)["recordings"] as Data[])
        .map((r) => r["session_name"]);
    p.check(
      names.every((n) => listed.includes(n)),
      "GET /recordings does not list both devices' recordings",
      listed.join(","),
    );
    p.assertNone();
  });
  remove();
}
