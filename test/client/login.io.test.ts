/** @module `auth {username, password}` (docs/protocol/bridge-api.md §5.2) on a raw socket and through the SDK's `username`/`password` options, re-sent on every reconnection, against a live bridge. */
import { describe, expect, test } from "bun:test";
import { type BridgeClientError, connect } from "../../src/client/mod.ts";
import type { CloseInfo } from "../../src/client/mod.ts";
import { closeCodeWithin, welcomed } from "../_support/conformance/access-helpers.ts";
import { isError, withServer } from "../_support/conformance/helpers.ts";
import { startProxy } from "../_support/client/tcp-proxy.ts";
import { currentRuntime, until, webSocketClass } from "../_support/client/live-server.ts";
import { login, logout, usersJson, withAuthFile } from "../_support/users-file.ts";
import type { TestUser } from "../_support/users-file.ts";

const runtime = currentRuntime();
const WebSocket = await webSocketClass();
const ADA: TestUser = { username: "ada", password: "ada's pass phrase", role: "control" };
const OLGA: TestUser = { username: "olga", password: "observer-pw-1", role: "observe" };
const creds = (u: TestUser) => ({ username: u.username, password: u.password });

// hashed once (each hash is a full scrypt); each test writes its own file
const AUTH = await usersJson([ADA, OLGA]);

describe(`auth {username, password} on a socket under ${runtime}`, () => {
  test(
    "right credentials give auth_result with the role; a command sent with it runs under that role",
    async () => {
      await withAuthFile(
        AUTH,
        (path) =>
          withServer(runtime, ["--auth", path, "--max-clients", "4"], async (_srv, open) => {
            const c = await welcomed(await open());
            // one TCP write: the `set` arrives while the password is still being checked
            c.sendTogether([
              { id: "a1", type: "auth", data: creds(ADA) },
              { id: "s1", type: "set", data: { values: { subject: "by-password" } } },
            ]);
            const result = await c.next((m) => m.id === "a1", 5000, "auth_result");
            expect(result.type).toBe("auth_result");
            expect(result.data).toMatchObject({
              authenticated: true,
              role: "control",
              username: "ada",
            });
            expect((result.data["permissions"] as string[]).includes("set")).toBe(true);
            expect((await c.next((m) => m.id === "s1", 5000, "the set reply")).type).toBe(
              "settings",
            );

            const o = await welcomed(await open());
            expect((await o.request("auth", creds(OLGA))).data["role"]).toBe("observe");
            expect((await o.request("set", { values: { subject: "x" } })).data["code"]).toBe(
              "PERMISSION_DENIED",
            );
          }),
      );
    },
    30_000,
  );

  test(
    "wrong credentials: AUTH_FAILED and close 1008; token with username: INVALID_PARAMETERS",
    async () => {
      await withAuthFile(
        AUTH,
        (path) =>
          withServer(runtime, ["--auth", path, "--max-clients", "4"], async (_srv, open) => {
            for (
              const data of [{ ...creds(ADA), password: "wrong" }, {
                username: "nobody",
                password: "x",
              }]
            ) {
              const c = await welcomed(await open());
              c.send({ id: "bad", type: "auth", data });
              expect(await closeCodeWithin(c, 5000)).toBe(1008);
              expect(c.messages.find(isError("AUTH_FAILED"))?.id).toBe("bad");
            }
            const both = await welcomed(await open());
            const refused = await both.request("auth", { token: "abcdefgh1234", ...creds(ADA) });
            expect(refused.data["code"]).toBe("INVALID_PARAMETERS");
            expect((await both.request("ping")).type).toBe("pong"); // still open
            const typed = await both.request("auth", { username: 7, password: "x" });
            expect(typed.data["code"]).toBe("INVALID_PARAMETERS");
          }),
      );
    },
    30_000,
  );
});

describe(`the SDK's username and password under ${runtime}`, () => {
  test("logs in on every socket, reconnections included", async () => {
    await withAuthFile(
      AUTH,
      (path) =>
        withServer(runtime, ["--auth", path, "--max-clients", "4"], async (srv) => {
          const proxy = await startProxy(srv.port);
          const client = connect(proxy.url(), {
            WebSocket,
            ...creds(ADA),
            eeg: false,
            reconnect: { baseMs: 200, maxMs: 200, jitter: 0 },
          });
          let results = 0;
          client.on("auth_result", (data) => void (data.username === "ada" && results++));
          try {
            await client.opened();
            expect((await client.setSettings({ subject: "first" })).changed).toEqual(["subject"]);
            proxy.cut();
            // the reconnect waits 0.2 s; 10 s for a loaded machine
            await until(() => results >= 2, 10_000, "the login on the second socket");
            expect((await client.setSettings({ subject: "second" })).changed).toEqual(["subject"]);
            const other = connect(`${srv.ws}/`, { WebSocket, eeg: false });
            try {
              expect(await other.auth(creds(OLGA))).toMatchObject({
                role: "observe",
                username: "olga",
              });
            } finally {
              other.close();
            }
          } finally {
            client.close();
            await proxy.close();
          }
        }),
    );
  }, 30_000);

  test(
    "a wrong password ends the client with AUTH_FAILED; token with username is refused",
    async () => {
      await withAuthFile(AUTH, (path) =>
        withServer(runtime, ["--auth", path], async (srv) => {
          const client = connect(`${srv.ws}/`, {
            WebSocket,
            username: "ada",
            password: "no",
            eeg: false,
          });
          const closes: CloseInfo[] = [];
          client.on("close", (info) => void closes.push(info));
          await until(() => client.state === "closed", 10_000, "the client to end");
          expect(closes.map((c) => [c.code, c.reconnectInMs])).toEqual([[1008, null]]);
          const error = await client.opened().catch((e: unknown) => e);
          expect((error as BridgeClientError).code).toBe("AUTH_FAILED");
          expect(() => connect(`${srv.ws}/`, { WebSocket, token: "abcdefgh1", ...creds(ADA) }))
            .toThrow(TypeError);
          expect(() => connect(`${srv.ws}/`, { WebSocket, username: "ada" })).toThrow(TypeError);
        }));
    },
    30_000,
  );

  test(
    "a session token from POST /login works as `token`; a logout closes with the reason",
    async () => {
      await withAuthFile(AUTH, (path) =>
        withServer(runtime, ["--auth", path], async (srv) => {
          const token = String((await login(srv.http, creds(ADA))).body["token"]);
          const client = connect(`${srv.ws}/`, { WebSocket, token, eeg: false });
          const closes: CloseInfo[] = [];
          client.on("close", (info) => void closes.push(info));
          try {
            expect((await client.setSettings({ subject: "session" })).changed).toEqual(["subject"]);
            expect(await logout(srv.http, token)).toBe(204);
            await until(() => closes.length > 0, 5000, "the close after the logout");
            expect(closes[0]!.code).toBe(1008);
            expect(closes[0]!.reason).toBe("session ended: logged out");
            expect(closes[0]!.reconnectInMs).toBeNull(); // AUTH_FAILED: the token will not come back
          } finally {
            client.close();
          }
        }));
    },
    30_000,
  );
});
