/** @module The per-address login budget against a live bridge under the runtime running the test: the 6th quick POST /login from one address, whatever the username, is a 429 with Retry-After, and streaming goes on. */
import { describe, expect, test } from "bun:test";
import { bearer, welcomed } from "../_support/conformance/access-helpers.ts";
import { isEeg, waitUntil, withServer } from "../_support/conformance/helpers.ts";
import { currentRuntime } from "../_support/client/live-server.ts";
import { login, STATIC_TOKEN, usersJson, withAuthFile } from "../_support/users-file.ts";

const runtime = currentRuntime();
const ADA = { username: "ada", password: "ada's pass phrase", role: "control" as const };
const AUTH = await usersJson([ADA]);

describe(`the per-address login budget under ${runtime}`, () => {
  test(
    "5 quick failed logins with varied usernames pass to the check, the 6th gets 429 (even with the right password); the stream goes on",
    async () => {
      await withAuthFile(
        AUTH,
        (path) =>
          withServer(runtime, ["--auth", path], async (srv, open) => {
            const c = await welcomed(await open(bearer(STATIC_TOKEN)));
            expect((await c.request("connect", {})).type).toBe("command_ack");
            await waitUntil(() => c.messages.some(isEeg), 10_000, "the first eeg_data");

            // each username fresh (the per-username lock never engages), all from 127.0.0.1
            const statuses: number[] = [];
            for (let i = 0; i < 5; i++) {
              statuses.push(
                (await login(srv.http, { username: `guess-${i}`, password: "x" })).status,
              );
            }
            const sixth = await login(srv.http, { username: "guess-5", password: "x" });
            statuses.push(sixth.status);
            expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
            expect(sixth.body["code"]).toBe("RATE_LIMITED");
            // the next token comes 6 s after the burst began (10 a minute): at most 6 s to wait
            const retry = Number(sixth.headers.get("retry-after"));
            expect(retry >= 1 && retry <= 6).toBe(true);
            expect(sixth.body["message"]).toBe(
              `Too many logins from this address: try again in ${retry} s`,
            );
            expect((await login(srv.http, ADA)).status).toBe(429); // refused before any check
            // the warning travels through the server's stdout pipe, which the test reads on its own
            // schedule: the 429 response can come first, so wait for the line (5 s: a loaded machine)
            const refusal = /Logins from \S*127\.0\.0\.1\S* refused/;
            await waitUntil(
              () => refusal.test(srv.stdout() + srv.stderr()),
              5000,
              "the refusal log",
            );

            // the stream still flows: 10 more eeg_data batches (well under a second's worth at 500 Hz)
            // within 5 s, the margin for a loaded 2-core machine
            const before = c.messages.filter(isEeg).length;
            await waitUntil(
              () => c.messages.filter(isEeg).length > before + 10,
              5000,
              "eeg_data after the refused logins",
            );
          }),
      );
    },
    30_000,
  );
});
