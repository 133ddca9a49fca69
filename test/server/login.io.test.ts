/** @module Password logins and session tokens (docs/protocol/bridge-api.md §5.2) against a live bridge under the runtime running the test: POST /login, /logout, lockout, bad bodies, expiry, start-up checks. */
import { describe, expect, test } from "bun:test";
import { bearer, closeCodeWithin, welcomed } from "../_support/conformance/access-helpers.ts";
import { isError, waitUntil, withServer } from "../_support/conformance/helpers.ts";
import { currentRuntime } from "../_support/client/live-server.ts";
import { runServeCli } from "../_support/server-process.ts";
import {
  getWith,
  login,
  logout,
  median,
  rawAuthFile,
  STATIC_TOKEN,
  usersJson,
  withAuthFile,
} from "../_support/users-file.ts";
import type { TestUser } from "../_support/users-file.ts";

const runtime = currentRuntime();
const ADA: TestUser = { username: "ada", password: "ada's pass phrase", role: "control" };
const OLGA: TestUser = { username: "olga", password: "observer-pw-1", role: "observe" };
const TIM: TestUser = { username: "tim", password: "timing-pw-2", role: "control" };
const EVE: TestUser = { username: "eve", password: "locked-out-pw-3", role: "control" };
const creds = (u: TestUser) => ({ username: u.username, password: u.password });
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/; // 32 random bytes, base64url without padding

// more failures from one address than its default login budget (5, then 10 a minute) allows
const roomy = (path: string) => ["--auth", path, "--login-rate", "600"];
// hashed once (each hash is a full scrypt); each test writes its own file
const AUTH = await usersJson([ADA, OLGA, TIM, EVE]);

describe(`password logins under ${runtime}`, () => {
  test(
    "a login's token works on sockets (header, subprotocol, auth message), on GET /recordings and across reconnections",
    async () => {
      await withAuthFile(
        AUTH,
        (path) =>
          withServer(runtime, ["--auth", path, "--max-clients", "8"], async (srv, open) => {
            const health = await (await fetch(`${srv.http}/health`)).json();
            expect(health).toMatchObject({ auth_required: true, password_login: true });
            const r = await login(srv.http, creds(ADA));
            expect(r.status).toBe(200);
            expect(r.headers.get("cache-control")).toBe("no-store");
            const token = String(r.body["token"]);
            expect(token).toMatch(TOKEN_SHAPE);
            expect(r.body["role"]).toBe("control");
            // default --session-ttl 12 h; a minute of margin for the clocks of two processes
            expect(Math.abs(Number(r.body["expires_at"]) - (Date.now() / 1000 + 43_200)))
              .toBeLessThan(
                60,
              );
            expect(await getWith(srv.http, "/recordings", token)).toBe(200);
            expect(await getWith(srv.http, "/metrics", token)).toBe(200);

            const viaHeader = await welcomed(await open(bearer(token)));
            expect((await viaHeader.request("set", { values: { subject: "a" } })).type).toBe(
              "settings",
            );
            viaHeader.close();
            await viaHeader.closed;
            // a reconnection with the same token, this time as a browser would send it
            const viaProtocol = await welcomed(await open({ protocols: [`mw75.bearer.${token}`] }));
            expect((await viaProtocol.request("set", { values: { subject: "b" } })).type).toBe(
              "settings",
            );
            const viaMessage = await welcomed(await open());
            const result = await viaMessage.request("auth", { token });
            expect(result.type).toBe("auth_result");
            expect(result.data).toMatchObject({
              authenticated: true,
              role: "control",
              username: "ada",
            });

            const observer = await login(srv.http, creds(OLGA));
            expect(observer.body["role"]).toBe("observe");
            const olga = await welcomed(await open(bearer(String(observer.body["token"]))));
            const denied = await olga.request("set", { values: { subject: "c" } });
            expect(denied.data["code"]).toBe("PERMISSION_DENIED");
            expect((await olga.request("marker", { label: "ok" })).type).toBe("command_ack");
            await login(srv.http, { username: "ada", password: "a wrong guess" });
            // the log names users, never a password, a hash or a token; its lines come through a
            // pipe the test reads on its own schedule, so wait for the last one first
            await waitUntil(
              () => (srv.stdout() + srv.stderr()).includes('Login of "ada"'),
              5000,
              "the failed login's log line",
            );
            const log = srv.stdout() + srv.stderr();
            expect(log).toContain('User "ada" logged in');
            expect(log).toContain('Login of "ada"');
            const hashes = (AUTH as { users: { password_hash: string }[] }).users;
            for (const secret of [ADA.password, "a wrong guess", token, hashes[0]!.password_hash]) {
              expect({ secret, logged: log.includes(secret) }).toEqual({ secret, logged: false });
            }
          }),
      );
    },
    30_000,
  );

  test(
    "logout answers 204 and closes that session's sockets 1008 at once; the token is refused after",
    async () => {
      await withAuthFile(
        AUTH,
        (path) =>
          withServer(runtime, ["--auth", path, "--max-clients", "8"], async (srv, open) => {
            const first = String((await login(srv.http, creds(ADA))).body["token"]);
            const second = String((await login(srv.http, creds(ADA))).body["token"]);
            const byHeader = await welcomed(await open(bearer(first)));
            const byMessage = await welcomed(await open());
            expect((await byMessage.request("auth", { token: first })).type).toBe("auth_result");
            const other = await welcomed(await open(bearer(second)));

            expect(await logout(srv.http, first)).toBe(204);
            for (const c of [byHeader, byMessage]) {
              // "at once": well within 3 s, the bound leaving room for a loaded 2-core machine
              expect(await closeCodeWithin(c, 3000)).toBe(1008);
              const told = c.messages.find(isError("AUTH_FAILED"));
              expect(String(told?.data["message"])).toContain("session ended (logged out)");
            }
            expect((await other.request("ping")).type).toBe("pong"); // another session of ada's lives on

            expect(await getWith(srv.http, "/recordings", first)).toBe(401);
            const late = await open(bearer(first));
            expect(await closeCodeWithin(late, 3000)).toBe(1008);
            expect(late.messages.some(isError("AUTH_FAILED"))).toBe(true);
            expect(await logout(srv.http, first)).toBe(401);
            expect(await logout(srv.http, STATIC_TOKEN)).toBe(401); // a static token is no session
            expect(await getWith(srv.http, "/recordings", STATIC_TOKEN)).toBe(200); // and still works
            expect(await logout(srv.http, "no-such-token-at-all")).toBe(401);
          }),
      );
    },
    30_000,
  );

  test(
    "an unknown user and a wrong password get the same 401 body, after about the same time",
    async () => {
      await withAuthFile(AUTH, (path) =>
        withServer(runtime, roomy(path), async (srv) => {
          await login(srv.http, { username: "warm-up", password: "x" }); // first scrypt, first request
          const wrong: number[] = [];
          const unknown: number[] = [];
          const bodies = new Set<string>();
          // 4 each: tim stays under the lock of 5 failures; each unknown name is fresh
          for (let i = 0; i < 4; i++) {
            const w = await login(srv.http, { username: TIM.username, password: `wrong-${i}` });
            const u = await login(srv.http, { username: `nobody-${i}`, password: `wrong-${i}` });
            expect([w.status, u.status]).toEqual([401, 401]);
            bodies.add(JSON.stringify(w.body)).add(JSON.stringify(u.body));
            wrong.push(w.ms);
            unknown.push(u.ms);
          }
          expect([...bodies]).toEqual([
            JSON.stringify({ code: "AUTH_FAILED", message: "Wrong username or password" }),
          ]);
          // both run one scrypt of the same cost (~40–70 ms); a skipped hash would be ~1 ms, a ratio
          // over 20. The bound 3 leaves room for a loaded machine; it only has to catch that.
          const [mw, mu] = [median(wrong), median(unknown)];
          expect({ wrongMs: mw, unknownMs: mu, ratio: Math.max(mw, mu) / Math.min(mw, mu) < 3 })
            .toMatchObject({ ratio: true });
        }));
    },
    30_000,
  );

  test(
    "after 5 failures in a minute a username gets 429 whatever the password; others are unaffected",
    async () => {
      await withAuthFile(
        AUTH,
        (path) =>
          withServer(runtime, [...roomy(path), "--max-clients", "4"], async (srv, open) => {
            for (let i = 0; i < 5; i++) {
              expect(
                (await login(srv.http, { username: EVE.username, password: `no-${i}` })).status,
              )
                .toBe(401);
            }
            const locked = await login(srv.http, creds(EVE));
            expect(locked.status).toBe(429);
            expect(locked.body["code"]).toBe("RATE_LIMITED");
            const retry = Number(locked.headers.get("retry-after"));
            expect(retry >= 1 && retry <= 60).toBe(true);
            expect((await login(srv.http, { username: EVE.username, password: "no" })).status).toBe(
              429,
            );
            expect((await login(srv.http, creds(ADA))).status).toBe(200);
            // unknown usernames are counted alike, so a 429 does not tell who exists
            for (let i = 0; i < 5; i++) {
              expect((await login(srv.http, { username: "ghost", password: "x" })).status).toBe(
                401,
              );
            }
            expect((await login(srv.http, { username: "ghost", password: "x" })).status).toBe(429);
            // on the socket: RATE_LIMITED and close 1008
            const c = await welcomed(await open());
            c.send({ id: "a1", type: "auth", data: creds(EVE) });
            expect(await closeCodeWithin(c, 5000)).toBe(1008);
            expect(c.messages.find(isError("RATE_LIMITED"))?.id).toBe("a1");
          }),
      );
    },
    30_000,
  );

  test("bad bodies get 400 with a message naming the problem; an oversized one 413", async () => {
    await withAuthFile(AUTH, (path) =>
      withServer(runtime, ["--auth", path], async (srv) => {
        const cases: [unknown, string][] = [
          ["not json", "INVALID_JSON"],
          [[1, 2], "INVALID_PARAMETERS"],
          [{ username: "ada" }, "INVALID_PARAMETERS"],
          [{ username: 5, password: "x" }, "INVALID_PARAMETERS"],
          [{ username: "", password: "x" }, "INVALID_PARAMETERS"],
          [{ username: "a".repeat(129), password: "x" }, "INVALID_PARAMETERS"],
          [{ username: "ada", password: "p".repeat(1025) }, "INVALID_PARAMETERS"],
        ];
        for (const [body, code] of cases) {
          const r = await login(srv.http, body);
          expect({ body, status: r.status, code: r.body["code"] }).toEqual({
            body,
            status: 400,
            code,
          });
          expect(String(r.body["message"]).length).toBeGreaterThan(10);
        }
        expect((await login(srv.http, { username: "ada", password: "p".repeat(5000) })).status)
          .toBe(413);
        expect((await login(srv.http, creds(ADA))).status).toBe(200); // none of it counted as a failure
      }));
  }, 30_000);

  test(
    "a session ends after --session-ttl: its sockets are closed 1008 and its token refused",
    async () => {
      await withAuthFile(
        AUTH,
        (path) =>
          withServer(runtime, ["--auth", path, "--session-ttl", "2"], async (srv, open) => {
            const started = Date.now();
            const r = await login(srv.http, creds(ADA));
            const token = String(r.body["token"]);
            expect(Number(r.body["expires_at"]) - started / 1000).toBeLessThan(3);
            const c = await welcomed(await open(bearer(token)));
            // expiry at 2 s: closed after at least 1.5 s (0.5 s for the login's own time) and within
            // 2 s + 4 s of margin for a loaded machine
            expect(await closeCodeWithin(c, 6000)).toBe(1008);
            expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
            const told = c.messages.find(isError("AUTH_FAILED"));
            expect(String(told?.data["message"])).toContain("session ended (expired)");
            expect(await getWith(srv.http, "/recordings", token)).toBe(401);
          }),
      );
    },
    30_000,
  );
});

describe(`start-up checks of users under ${runtime}`, () => {
  test(
    "a malformed users entry stops the bridge with exit 2, naming the entry and never the hash",
    async () => {
      const hash = (AUTH as { users: { password_hash: string }[] }).users[0]!.password_hash;
      const cases: [unknown, string][] = [
        [
          { users: [{ username: "ada", password_hash: "md5$abc", role: "control" }] },
          'users[0] ("ada"): password_hash must read',
        ],
        [{
          users: [{ username: "ada", password_hash: hash, role: "control" }, {
            username: "ada",
            password_hash: hash,
            role: "observe",
          }],
        }, 'users[1] ("ada"): the username is listed twice'],
        [
          { users: [{ username: "bob", password_hash: hash, role: "admin" }] },
          'users[0] ("bob"): role must be',
        ],
      ];
      for (const [json, message] of cases) {
        const f = rawAuthFile(json);
        try {
          const r = await runServeCli(runtime, ["--port", "0", "--auth", f.path]);
          expect({ code: r.code, named: r.stderr.includes(message) }).toEqual({
            code: 2,
            named: true,
          });
          expect(r.stderr.includes(hash)).toBe(false);
        } finally {
          f.cleanup();
        }
      }
    },
    60_000,
  );
});
