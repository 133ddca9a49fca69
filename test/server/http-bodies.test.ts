/**
 * @module Issue 18 item 8 and the listing of a recordings path that is a file: POST bodies are
 * limited (413, decided before they are read) and rate-limited like WebSocket messages (429), with
 * a bystander client that must lose nothing; GET /recordings answers 503, not 500, for a bad directory.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RUNTIMES } from "../_support/server-process.ts";
import type { ServerProcess } from "../_support/server-process.ts";
import { delay, withServer } from "../_support/conformance/helpers.ts";
import { bystander, MB, rawRequest } from "../_support/http-hardening.ts";

describe("issue 18: HTTP request bodies and the recordings listing", () => {
  for (const runtime of RUNTIMES) {
    test(
      `${runtime}: oversized marker bodies get 413 before they are read, floods 429; a bystander loses nothing`,
      async () => {
        await withServer(runtime, ["--rate-limit", "5"], async (srv, open) => {
          const b = await bystander(open);
          // 64 MB declared: refused on the header alone, after the first MiB at most has been sent
          const declared = await rawRequest(
            srv.port,
            `POST /markers HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${
              64 * MB
            }\r\n\r\n`,
            (write) => {
              write(Buffer.alloc(MB, "z"));
            },
          );
          expect(declared.status).toBe(413);
          expect(declared.head.toLowerCase()).toContain("content-type: application/json");
          // chunked, no length: counted while it arrives, refused once past the limit (2 MB sent at most)
          const chunked = await rawRequest(
            srv.port,
            "POST /markers HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
            async (write) => {
              const piece = Buffer.alloc(64 * 1024, "z");
              for (let i = 0; i < 32; i++) {
                write(`${piece.length.toString(16)}\r\n`);
                write(piece);
                write("\r\n");
                // paced, not a readiness wait: a refused body stops being read, and the answer must come first
                await delay(2);
              }
            },
          );
          expect(chunked.status).toBe(413);
          const small = await fetch(`${srv.http}/markers`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ label: "x".repeat(17_000) }),
          });
          expect(small.status).toBe(413);
          const err = (await small.json()) as Record<string, unknown>;
          expect(err["code"]).toBe("BODY_TOO_LARGE");
          expect(String(err["message"])).toContain("16384");
          // the rate limit of WebSocket messages: 5/s with bursts of 10; 20 at once leave some refused
          const statuses: number[] = [];
          let retryAfter: string | null = null;
          for (let i = 0; i < 20; i++) {
            const r = await fetch(`${srv.http}/markers`, {
              method: "POST",
              body: JSON.stringify({ label: `m${i}` }),
            });
            statuses.push(r.status);
            if (r.status === 429) {
              retryAfter ??= r.headers.get("retry-after");
              expect(((await r.json()) as Record<string, unknown>)["code"]).toBe("RATE_LIMITED");
            } else await r.arrayBuffer();
          }
          expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(5);
          expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(5);
          expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
          expect(b.jumps()).toEqual([]);
          expect((await fetch(`${srv.http}/health`)).status).toBe(200);
        });
      },
      60_000,
    );

    test(
      `${runtime}: GET /recordings with --recordings-dir naming a file answers 503 RECORDINGS_UNAVAILABLE`,
      async () => {
        const root = mkdtempSync(join(tmpdir(), "mw75-notdir-"));
        try {
          writeFileSync(join(root, "file"), "not a directory");
          await withServer(
            runtime,
            ["--recordings-dir", join(root, "file")],
            async (srv: ServerProcess) => {
              const res = await fetch(`${srv.http}/recordings`);
              const body = (await res.json()) as Record<string, unknown>;
              expect([res.status, body["code"]]).toEqual([503, "RECORDINGS_UNAVAILABLE"]);
              expect(String(body["message"])).toContain(join(root, "file"));
              expect((await fetch(`${srv.http}/recordings/x.csv`)).status).toBe(404);
            },
          );
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      },
      30_000,
    );
  }
});
