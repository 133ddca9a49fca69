/**
 * @module Conformance scenario for the recording commands and routes (docs/protocol/bridge-api.md §4.1, §4.2, §9):
 * the error codes and INVALID_PARAMETERS naming the field with nothing written, recording_status,
 * never overwriting, the broadcast to a second client and the events stream, GET /recordings and
 * downloads by listed name only.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Runtime } from "../server-process.ts";
import type { Msg, WsClient } from "../ws-client.ts";
import { delay, isStatus, openWelcomed, withServer } from "./helpers.ts";
import { Problems, seen, snapshot, tempDir } from "./recording-helpers.ts";
import { rawGet } from "./recording-readers.ts";
import { isEvent } from "./stream-helpers.ts";
import type { Data } from "./stream-helpers.ts";

/** start_recording data that must be refused, and the field the message must name. */
const BAD_STARTS: Array<[Data, string]> = [
  [{ formats: [] }, "formats"],
  [{ formats: ["xls"] }, "formats"],
  [{ formats: "bdf" }, "formats"],
  [{ duration_s: 0 }, "duration_s"],
  [{ duration_s: -1 }, "duration_s"],
  [{ duration_s: "10" }, "duration_s"],
  [{ session_name: "../x" }, "session_name"],
  [{ session_name: "a/b" }, "session_name"],
  [{ session_name: "" }, "session_name"],
  [{ session_name: "x".repeat(65) }, "session_name"],
  [{ subject: "s".repeat(65) }, "subject"],
];

/** marker data that must be refused. */
const BAD_MARKERS: Array<[Data, string]> = [
  [{ label: "" }, "label"],
  [{ label: "l".repeat(129) }, "label"],
  [{ label: 5 }, "label"],
  [{ label: "ok", value: "x" }, "value"],
  [{ label: "ok", duration_s: -1 }, "duration_s"],
];

/** Paths that must not reach a file: encoded dots and slashes, sub-paths, names not in the list. */
const BAD_PATHS = [
  "/recordings/..%2fcmd.bdf",
  "/recordings/%2e%2e",
  "/recordings/%2e%2e%2fcmd.bdf",
  "/recordings/a/b",
  "/recordings/nothere.bdf",
  "/recordings/..%2f..%2fetc%2fpasswd",
  "/recordings/.cmd.json.tmp",
];

/** Sends `type` with `data`; the reply must be `error {code}` (id echoed) whose message names `field`. */
async function refused(
  p: Problems,
  c: WsClient,
  type: string,
  data: unknown,
  code: string,
  field?: string,
): Promise<Msg> {
  const r = await c.request(type, data, 10_000);
  const what = `${type} ${JSON.stringify(data).slice(0, 60)}`;
  p.equal([r.type, d(r)["code"]], ["error", code], `${code} expected`);
  if (field !== undefined) {
    p.check(
      String(d(r)["message"]).includes(field),
      "INVALID_PARAMETERS message does not name the field",
      () => `${what}: ${d(r)["message"]}`,
    );
  }
  return r;
}

/** A message's data, read field by field. */
const d = (m: Msg): Data => m.data as Data;

/** The contents of every file in `dir` by name, without dot-files (atomic writes in flight). */
const contents = (dir: string) =>
  Object.fromEntries(
    readdirSync(dir).filter((n) => !n.startsWith(".")).sort().map((
      n,
    ) => [n, readFileSync(join(dir, n)).toString("base64")]),
  );

/** Scenario 4: commands, errors, status, no overwrite, broadcasts, events, HTTP list and downloads. */
export async function recordingCommandsAndErrors(runtime: Runtime): Promise<void> {
  const tmp = tempDir(`mw75-rec-cmd-${runtime}-`);
  const dir = join(tmp.dir, "recordings"); // not there yet: a refused start must not create it
  const p = new Problems(`recording commands on ${runtime}`);
  try {
    await withServer(
      runtime,
      ["--recordings-dir", dir, "--max-clients", "2"],
      async (srv, open) => {
        const { c: a } = await openWelcomed(open);
        const { c: b } = await openWelcomed(open);
        for (const c of [a, b]) await c.request("unsubscribe", { stream: "eeg" });
        await a.request("subscribe", { stream: "events" });

        const none = await a.request("recording_status", {});
        p.equal(none.type, "recording", "recording_status before any recording: reply type");
        await refused(p, a, "stop_recording", {}, "NOT_RECORDING");
        for (const [data, field] of BAD_STARTS) {
          await refused(p, a, "start_recording", data, "INVALID_PARAMETERS", field);
          p.equal(
            snapshot(dir),
            "absent",
            `a refused start_recording wrote to the recordings dir (${field})`,
          );
        }

        await a.request("connect", {});
        await a.next(isStatus("connected"), 5000);
        const ack = await a.request("start_recording", {
          session_name: "cmd",
          formats: ["bdf", "csv"],
          subject: "s1",
        }, 10_000);
        p.equal(
          [
            ack.type,
            d(ack)["command"],
            d(ack)["recording"]?.["state"],
            d(ack)["recording"]?.["session_name"],
          ],
          ["command_ack", "start_recording", "recording", "cmd"],
          "start_recording ack",
        );
        const started = await seen(
          b,
          (m) => m.type === "recording" && d(m)["state"] === "recording",
          5000,
          "the recording broadcast on the second client",
        );
        p.equal(
          started.data["id"],
          (d(ack)["recording"] as Data | undefined)?.["id"],
          "broadcast to the second client: recording id",
        );
        await seen(
          a,
          (m) => isEvent("recording")(m) && d(m)["recording"]?.["state"] === "recording",
          5000,
          "the recording event (recording)",
        );

        const before = snapshot(dir);
        await refused(p, a, "start_recording", {}, "RECORDING_ALREADY_ACTIVE");
        await refused(
          p,
          a,
          "start_recording",
          { session_name: "other" },
          "RECORDING_ALREADY_ACTIVE",
        );
        p.equal(Object.keys(snapshot(dir)), Object.keys(before), "a second start created files");
        const active = await a.request("recording_status", {});
        p.equal([active.type, d(active)["state"], d(active)["session_name"]], [
          "recording",
          "recording",
          "cmd",
        ], "recording_status while recording");

        const events = join(dir, "cmd_events.csv");
        const eventsBefore = readFileSync(events, "utf8");
        for (const [data, field] of BAD_MARKERS) {
          await refused(p, a, "marker", data, "INVALID_PARAMETERS", field);
        }
        const post = await fetch(`${srv.http}/markers`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ label: "" }),
        });
        p.equal(
          [post.status, ((await post.json()) as Data)["code"]],
          [400, "INVALID_PARAMETERS"],
          "POST /markers with an empty label",
        );
        await delay(600); // a flush: a wrongly placed marker would show in the sidecar by now
        p.equal(
          readFileSync(events, "utf8"),
          eventsBefore,
          "a refused marker reached the events sidecar",
        );
        p.equal(
          (await a.request("recording_status", {})).data["markers"],
          0,
          "a refused marker was counted",
        );

        const mark = await a.request("marker", { label: "good", value: 1.5 });
        p.equal([mark.type, d(mark)["marker"]?.["label"], d(mark)["marker"]?.["value"]], [
          "command_ack",
          "good",
          1.5,
        ], "marker ack");
        const event = await seen(a, isEvent("marker"), 5000, "the marker event");
        p.equal(d(event)["marker"], d(mark)["marker"], "the marker event carries the ack's marker");

        // not a readiness wait: the recording runs on a while after the marker before it stops
        await delay(800);
        const stop = await a.request("stop_recording", {}, 10_000);
        p.equal([stop.type, d(stop)["recording"]?.["state"], d(stop)["recording"]?.["markers"]], [
          "command_ack",
          "stopped",
          1,
        ], "stop_recording ack");
        await seen(
          b,
          (m) => m.type === "recording" && d(m)["state"] === "stopped",
          5000,
          "the stopped broadcast on the second client",
        );
        await seen(
          a,
          (m) => isEvent("recording")(m) && d(m)["recording"]?.["state"] === "stopped",
          5000,
          "the recording event (stopped)",
        );
        const last = await a.request("recording_status", {});
        p.equal([last.type, d(last)["state"], d(last)["session_name"]], [
          "recording",
          "stopped",
          "cmd",
        ], "recording_status after the stop: the last recording");
        await refused(p, a, "stop_recording", {}, "NOT_RECORDING");

        const files = contents(dir);
        for (const [data, field] of BAD_STARTS) {
          await refused(p, a, "start_recording", data, "INVALID_PARAMETERS", field);
        }
        await refused(p, a, "start_recording", { session_name: "cmd" }, "RECORDING_EXISTS");
        await refused(
          p,
          a,
          "start_recording",
          { session_name: "cmd", formats: ["edf"] },
          "RECORDING_EXISTS",
        );
        // not a readiness wait: 0.3 s in which a wrongly accepted start would have written its files
        await delay(300);
        p.equal(contents(dir), files, "a refused start changed or added files");

        const list = (await (await fetch(`${srv.http}/recordings`)).json()) as Data;
        const listed = (list["recordings"] as Data[] | undefined)?.find((r) =>
          r["session_name"] === "cmd"
        );
        p.equal(
          [listed?.["state"], listed?.["markers"]],
          ["stopped", 1],
          "GET /recordings: the recording",
        );
        for (const f of (listed?.["files"] ?? []) as Data[]) {
          const res = await fetch(`${srv.http}/recordings/${f["name"]}`);
          const body = new Uint8Array(await res.arrayBuffer());
          p.equal([res.status, Buffer.from(body).toString("base64") === files[f["name"]]], [
            200,
            true,
          ], `GET /recordings/${f["name"]}: the file`);
        }
        const root = await rawGet(srv.port, "/");
        for (const path of BAD_PATHS) {
          const r = await rawGet(srv.port, path);
          // every runtime's Request resolves a bare dot segment (`%2e%2e` is `..` in WHATWG URLs) before routing
          if (r.status === 200 && r.body === root.body) {
            p.note(
              `GET ${path} was resolved to / by the runtime's URL parsing: the root page, no file`,
            );
          } else p.equal(r.status, 404, `GET ${path}`);
        }
      },
    );
  } finally {
    tmp.remove();
  }
  p.assertNone();
}
