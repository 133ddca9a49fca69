/**
 * @module A recording killed by SIGKILL, under Bun, Deno and Node: after the restart GET
 * /recordings and the metadata show the repaired counts and state "recovered", not zeros.
 */
import { describe, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { join } from "node:path";
import { RUNTIMES, startServer } from "../_support/server-process.ts";
import { isStatus, withServer } from "../_support/conformance/helpers.ts";
import { readJson, tempDir, until } from "../_support/conformance/recording-helpers.ts";
import { connectWs } from "../_support/ws-client.ts";

type Data = Record<string, unknown>;
const HEADER_BYTES = 256 * 16;
const RECORD_BYTES = 14 * 500 * 3 + 768;

describe("recovered recordings", () => {
  for (const runtime of RUNTIMES) {
    test(
      `${runtime}: after SIGKILL the restart lists the recording with its samples, duration and markers`,
      async () => {
        const tmp = tempDir(`mw75-recovered-${runtime}-`);
        const args = ["--recordings-dir", tmp.dir];
        try {
          const srv = await startServer(runtime, args);
          try {
            const c = await connectWs(`${srv.ws}/`);
            await c.request("unsubscribe", { stream: "eeg" });
            await c.request("connect", {});
            await c.next(isStatus("connected"), 5000);
            await c.request(
              "start_recording",
              { session_name: "crash", formats: ["bdf", "csv"] },
              10_000,
            );
            const acked = await c.request("marker", { label: "early" });
            expect(acked.type).toBe("command_ack");
            // killed once the BDF holds 2 whole records (flushed as each completes): 2.x s of recording
            const bdf = join(tmp.dir, "crash.bdf");
            await until(
              () => statSync(bdf).size >= HEADER_BYTES + 2 * RECORD_BYTES,
              8000,
              "2 records in the BDF",
            );
            process.kill(srv.child.pid!, "SIGKILL");
            await Promise.race([srv.exited, new Promise((r) => setTimeout(r, 5000))]);
            c.close();
          } finally {
            srv.kill();
          }
          await withServer(runtime, args, async (srv2) => {
            // the start-up scan runs before the server listens; the listing must already be right
            const list = (await (await fetch(`${srv2.http}/recordings`)).json()) as {
              recordings: Data[];
            };
            const rec = list.recordings.find((r) => r["session_name"] === "crash")!;
            const meta = readJson(join(tmp.dir, "crash.json"));
            const records = (statSync(join(tmp.dir, "crash.bdf")).size - HEADER_BYTES) /
              RECORD_BYTES;
            expect(records).toBeGreaterThanOrEqual(2);
            for (const [what, o] of [["GET /recordings", rec], ["metadata", meta]] as const) {
              expect({
                what,
                state: o["state"],
                duration_s: o["duration_s"],
                markers: o["markers"],
              }).toEqual({ what, state: "recovered", duration_s: records, markers: 1 });
              // the records' span less what the stream lost (zero-filled in the BDF)
              expect({ what, samples: o["samples"] }).toEqual({
                what,
                samples: records * 500 - (meta["lost"] as number),
              });
            }
          });
        } finally {
          tmp.remove();
        }
      },
      40_000,
    );
  }
});
