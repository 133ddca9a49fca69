/**
 * @module The HTTP rate guard on its own (runtime-neutral: a Hono app and a fake clock): one
 * bucket per bearer token, else per IP address whatever the port, the WebSocket budget (rate,
 * bursts of 2·rate), 429 RATE_LIMITED with Retry-After, refilled as time passes.
 */
import { describe, expect, test } from "bun:test";
import { Hono } from "hono";
import { bodyGuard, rateGuard } from "../../src/server/access/http-guards.ts";

function appWith(
  rate: number | undefined,
  remote: { value: string },
  clock: { now: number },
): Hono {
  const app = new Hono();
  app.use("*", bodyGuard(64));
  // tokens named "token-*" are the ones the gate knows
  const known = (a: string | undefined) => /^Bearer token-/.test(a ?? "");
  app.post(
    "/x",
    rateGuard(rate, () => remote.value, known, () => clock.now),
    (c) => c.text("ok", 201),
  );
  return app;
}

const post = (app: Hono, headers: Record<string, string> = {}, body = "{}") =>
  app.request("/x", { method: "POST", headers, body });

async function statuses(
  app: Hono,
  n: number,
  headers: Record<string, string> = {},
): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await post(app, headers)).status);
  return out;
}

describe("HTTP rate guard", () => {
  test("bursts of 2·rate per IP address, whatever the port; 429 with Retry-After; refilled by time", async () => {
    const remote = { value: "10.0.0.1:40000" };
    const clock = { now: 1_000_000 };
    const app = appWith(3, remote, clock);
    expect(await statuses(app, 6)).toEqual([201, 201, 201, 201, 201, 201]);
    remote.value = "10.0.0.1:40001"; // a new connection of the same client
    const refused = await post(app);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(((await refused.json()) as Record<string, unknown>)["code"]).toBe("RATE_LIMITED");
    // another address has its own bucket
    remote.value = "10.0.0.2:40000";
    expect((await post(app)).status).toBe(201);
    // one second later the first address has 3 more
    remote.value = "10.0.0.1:40002";
    clock.now += 1000;
    expect(await statuses(app, 4)).toEqual([201, 201, 201, 429]);
  });

  test("a bearer token is its own client, across addresses", async () => {
    const remote = { value: "10.0.0.1:1" };
    const clock = { now: 0 };
    const app = appWith(1, remote, clock);
    const a = { authorization: "Bearer token-a-123456" };
    expect(await statuses(app, 3, a)).toEqual([201, 201, 429]);
    remote.value = "10.0.0.9:2";
    expect(await statuses(app, 1, a)).toEqual([429]);
    expect(await statuses(app, 2, { authorization: "Bearer token-b-123456" })).toEqual([201, 201]);
    expect(await statuses(app, 2)).toEqual([201, 201]);
  });

  test("an unknown token is no bucket of its own: a fresh token per request is still one address", async () => {
    const remote = { value: "10.0.0.1:1" };
    const app = appWith(1, remote, { now: 0 });
    const got: number[] = [];
    for (let i = 0; i < 3; i++) {
      got.push((await post(app, { authorization: `Bearer random-${i}` })).status);
    }
    expect(got).toEqual([201, 201, 429]);
  });

  test("no --rate-limit: no limit; the body guard still answers 413 BODY_TOO_LARGE as JSON", async () => {
    const app = appWith(undefined, { value: "10.0.0.1:1" }, { now: 0 });
    expect(await statuses(app, 50)).toEqual(Array(50).fill(201));
    const big = await post(app, { "content-type": "application/json" }, "x".repeat(65));
    expect(big.status).toBe(413);
    expect(((await big.json()) as Record<string, unknown>)["code"]).toBe("BODY_TOO_LARGE");
    // no length given: counted as it streams in, refused once past the limit
    const pieces = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new Uint8Array(40));
        c.enqueue(new Uint8Array(40));
        c.close();
      },
    });
    const streamed = await app.request(
      "/x",
      { method: "POST", body: pieces, duplex: "half" } as RequestInit,
    );
    expect(streamed.status).toBe(413);
  });
});
