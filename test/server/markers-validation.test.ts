/**
 * @module Markers a recording cannot hold are refused (docs/protocol/bridge-api.md §4.2) over WebSocket and POST
 * /markers, under Bun, Deno and Node; every acknowledged marker is in `_events.csv` (in onset
 * order), and a flood of HTTP markers neither lengthens the BDF nor goes uncounted.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { RUNTIMES } from "../_support/server-process.ts";
import { isStatus, openWelcomed, withServer } from "../_support/conformance/helpers.ts";
import { csvRows, readJson, tempDir } from "../_support/conformance/recording-helpers.ts";

const HEADER_BYTES = 256 * 16;
const RECORD_BYTES = 14 * 500 * 3 + 768;
/** A 128-character label: ~5 TALs fill a record's annotation space, so 200 markers overflow a 2-s recording. */
const LONG = "x".repeat(120);
const FLOOD = 200;

type Data = Record<string, unknown>;

const post = async (http: string, body: unknown): Promise<{ status: number; body: Data }> => {
  const res = await fetch(`${http}/markers`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Data };
};

describe("marker validation and floods", () => {
  for (const runtime of RUNTIMES) {
    test(
      `${runtime}: refused with INVALID_PARAMETERS, acked ones all written, a flood counted and not padded`,
      async () => {
        const tmp = tempDir(`mw75-markers-${runtime}-`);
        try {
          await withServer(runtime, ["--recordings-dir", tmp.dir], async (srv, open) => {
            const { c } = await openWelcomed(open);
            await c.request("unsubscribe", { stream: "eeg" });
            await c.request("connect", {});
            await c.next(isStatus("connected"), 5000);
            const start = await c.request("start_recording", {
              session_name: "m",
              formats: ["bdf"],
            }, 10_000);
            expect(start.type).toBe("command_ack");
            // markers before the recording's first second would lie before its start (the past one below)
            const deadline = Date.now() + 5000; // the first sample comes within ~0.1 s; 5 s covers a loaded machine
            while (((await c.request("recording_status", {})).data["duration_s"] as number) < 1) {
              if (Date.now() > deadline) {
                throw new Error("the recording did not reach 1 s within 5 s");
              }
              await new Promise((r) => setTimeout(r, 50));
            }

            // a millisecond timestamp: refused, naming the field, the range and the likely slip
            const ms = await c.request("marker", { label: "ms", timestamp: Date.now() });
            expect(ms.type).toBe("error");
            expect(ms.data).toMatchObject({ code: "INVALID_PARAMETERS" });
            expect(String(ms.data["message"])).toMatch(
              /Invalid timestamp: .*from \d+ to \d+.*milliseconds/,
            );
            const future = await c.request("marker", {
              label: "future",
              timestamp: Date.now() / 1000 + 86_400,
            });
            expect(future.data).toMatchObject({ code: "INVALID_PARAMETERS" });
            const long = await c.request("marker", { label: "long", duration_s: 1e9 });
            expect(long.data).toMatchObject({ code: "INVALID_PARAMETERS" });
            const httpMs = await post(srv.http, { label: "ms", timestamp: Date.now() });
            expect(httpMs.status).toBe(400);
            expect(httpMs.body["code"]).toBe("INVALID_PARAMETERS");
            expect(String(httpMs.body["message"])).toContain("milliseconds");

            // accepted ones: now, and 0.8 s in the past (after a later one: the files must still be sorted)
            const acked: Data[] = [];
            const ws = await c.request("marker", { label: "now" });
            expect(ws.type).toBe("command_ack");
            acked.push(ws.data["marker"] as Data);
            const sent = Date.now() / 1000 - 0.8;
            const past = await c.request("marker", { label: "past", timestamp: sent });
            expect(past.type).toBe("command_ack");
            acked.push(past.data["marker"] as Data);
            // the flood: as fast as the server answers, 10 requests in flight
            for (let i = 0; i < FLOOD; i += 10) {
              const batch = await Promise.all(
                Array.from({ length: 10 }, (_, k) => post(srv.http, { label: `${LONG}${i + k}` })),
              );
              for (const r of batch) {
                expect(r.status).toBe(201);
                acked.push(r.body);
              }
            }
            for (const m of acked) expect(m["seq"] as number).toBeGreaterThanOrEqual(0);
            const stop = await c.request("stop_recording", {}, 10_000);
            expect(stop.type).toBe("command_ack");
            const rec = stop.data["recording"] as Data;
            checkFiles(tmp.dir, rec, acked);
          });
        } finally {
          tmp.remove();
        }
      },
      40_000,
    );
  }
});

function checkFiles(dir: string, rec: Data, acked: Data[]): void {
  const records = (statSync(join(dir, "m.bdf")).size - HEADER_BYTES) / RECORD_BYTES;
  // the BDF holds the recorded span, its last record padded: never the flood's extra records
  expect(records).toBe(Math.ceil(rec["duration_s"] as number));
  expect(rec["annotations_dropped"] as number).toBeGreaterThan(0);
  expect(rec["markers"]).toBe(acked.length);
  const meta = readJson(join(dir, "m.json"));
  expect(meta["annotations_dropped"]).toBe(rec["annotations_dropped"]);
  expect((meta["figures"] as Record<string, Data>)["bdf"]!["padding_samples"] as number)
    .toBeLessThan(500);
  const rows = csvRows(readFileSync(join(dir, "m_events.csv"), "utf8")).slice(1);
  const markerRows = rows.filter((r) => r[2] !== "gap");
  expect(markerRows.length).toBe(acked.length);
  const onsets = rows.map((r) => Number(r[0]));
  expect(onsets).toEqual([...onsets].sort((a, b) => a - b));
}
