/**
 * @module POST /markers refuses a client that has no token or no rate budget left before it reads a
 * byte of the body (issue 18 item 8): a chunked body that never ends still gets its 401 or 429, on
 * Bun, Deno and Node. Before the guards were ordered, the body limit read the body first, so such a
 * request got no answer at all.
 */
import { describe, expect, test } from "bun:test";
import { RUNTIMES } from "../_support/server-process.ts";
import { withServer } from "../_support/conformance/helpers.ts";
import { rawRequest } from "../_support/http-hardening.ts";

const CHUNKED_HEAD = (auth: string) =>
  `POST /markers HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${auth}Transfer-Encoding: chunked\r\n\r\n`;
// one chunk of a body that is never finished: a guard that reads the body waits for the rest forever
const halfBody = (write: (b: string) => boolean) => void write('5\r\n{"lab\r\n');

describe("POST /markers: token and rate guards answer before the body is read", () => {
  for (const runtime of RUNTIMES) {
    test(
      `${runtime}: an unfinished chunked body gets 401 without a token and 429 over the rate`,
      async () => {
        await withServer(
          runtime,
          ["--token", "secret-token-123456", "--rate-limit", "1"],
          async (srv) => {
            // rawRequest's 5-s bound: an answer decided on the headers comes in milliseconds
            expect((await rawRequest(srv.port, CHUNKED_HEAD(""), halfBody)).status).toBe(401);
            const auth = "Authorization: Bearer secret-token-123456\r\n";
            // bursts of 2 at 1/s: the third within a second is over the budget
            const statuses: number[] = [];
            for (let i = 0; i < 3; i++) {
              const last = i === 2;
              const r = await rawRequest(srv.port, CHUNKED_HEAD(auth), (write) => {
                if (last) return halfBody(write);
                write(`${(14).toString(16)}\r\n{"label":"ok"}\r\n0\r\n\r\n`);
              });
              statuses.push(r.status);
            }
            expect(statuses).toEqual([201, 201, 429]);
          },
        );
      },
      30_000,
    );
  }
});
