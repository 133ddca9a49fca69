/** @module With auth on, anonymous GET /health keeps liveness figures but names no device, session, file or broker; a token sees everything (Bun, Deno, Node). */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bearer, welcomed } from "../_support/conformance/access-helpers.ts";
import { withServer } from "../_support/conformance/helpers.ts";
import { RUNTIMES } from "../_support/server-process.ts";
import type { ServerProcess } from "../_support/server-process.ts";

const TOKEN = "health-policy-5e1d9c";
const SESSION = "patient-0042-baseline";
const LIVENESS = [
  "status",
  "version",
  "runtime",
  "uptime",
  "source",
  "synthetic",
  "device_state",
  "clients",
  "max_clients",
  "packets",
  "shed",
  "auth_required",
  "bluetooth", // the adapter's status: null here (simulated devices), an object with real headsets
];

async function getHealth(srv: ServerProcess, token?: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${srv.http}/health`, token === undefined ? {} : bearer(token));
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

for (const runtime of RUNTIMES) {
  describe(`GET /health with auth on under ${runtime}`, () => {
    test(
      "anonymous: liveness only, no device ids, names, session names or paths; with a token: everything",
      async () => {
        const dir = mkdtempSync(join(tmpdir(), "mw75-health-"));
        try {
          await withServer(runtime, [
            "--token",
            TOKEN,
            "--sim-devices",
            "2",
            "--recordings-dir",
            dir,
          ], async (srv, open) => {
            const ctl = await welcomed(await open({ path: "/devices/sim-2/ws", ...bearer(TOKEN) }));
            expect((await ctl.request("connect", {})).type).toBe("command_ack");
            const ack = await ctl.request("start_recording", {
              session_name: SESSION,
              formats: ["csv"],
            }, 10_000);
            expect(ack.type).toBe("command_ack");

            const full = await getHealth(srv, TOKEN);
            const fullText = JSON.stringify(full);
            expect(fullText).toContain(SESSION);
            expect((full["devices"] as Array<Record<string, unknown>>).map((d) => d["device_id"]))
              .toEqual(["sim-1", "sim-2"]);

            const anon = await getHealth(srv);
            const anonText = JSON.stringify(anon);
            for (const secret of [SESSION, "sim-2", "Simulated MW75", dir]) {
              expect({ secret, shown: anonText.includes(secret) }).toEqual({
                secret,
                shown: false,
              });
            }
            expect(anon["devices"]).toBeUndefined();
            expect(anon["source_description"]).toBeUndefined();
            for (const key of LIVENESS) {
              expect({ key, present: key in anon }).toEqual({ key, present: true });
            }
            expect(anon).toMatchObject({
              status: "ok",
              auth_required: true,
              device_state: "idle",
              source: "sim",
            });
            // a wrong token is anonymous too, not an error: /health stays a liveness probe
            const wrong = await getHealth(srv, "not-the-token-123");
            expect({
              devices: "devices" in wrong,
              session: JSON.stringify(wrong).includes(SESSION),
            }).toEqual({ devices: false, session: false });
          });
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
      30_000,
    );

    test("without auth the body is unchanged: devices and recordings listed", async () => {
      await withServer(runtime, ["--sim-devices", "2"], async (srv) => {
        const h = await getHealth(srv);
        expect(h["auth_required"]).toBe(false);
        expect((h["devices"] as Array<Record<string, unknown>>).map((d) => d["device_id"])).toEqual(
          ["sim-1", "sim-2"],
        );
        expect(typeof h["source_description"]).toBe("string");
      });
    }, 30_000);
  });
}
