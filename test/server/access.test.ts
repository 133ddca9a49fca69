/** @module The access gate's parts: host/origin policy, token file and lookup, the rate limiter, admission and the role table. */
import { describe, expect, test } from "bun:test";
import { isLoopbackHost, parseServeArgs, UsageError } from "../../src/app/config.ts";
import { AccessGate } from "../../src/server/access/gate.ts";
import { createHostPolicy } from "../../src/server/access/hosts.ts";
import { RateLimiter } from "../../src/server/access/rate-limit.ts";
import { parseAuthFile, TokenTable } from "../../src/server/access/tokens.ts";
import { permissionsOf, permits } from "../../src/protocol/permissions.ts";

describe("host policy", () => {
  test("loopback names, the listen host and --allow-origin entries; nothing else", () => {
    const p = createHostPolicy({
      listenHost: "127.0.0.1",
      localNames: ["192.168.1.5"],
      allowOrigins: ["https://app.example:8443", "lab.local"],
    });
    for (
      const ok of [
        "http://127.0.0.1:8080",
        "http://localhost:3000",
        "http://[::1]:8080",
        "https://app.example:8443",
        "http://lab.local",
        "https://lab.local:1",
      ]
    ) {
      expect({ ok, allowed: p.originAllowed(ok) }).toEqual({ ok, allowed: true });
    }
    for (
      const bad of [
        "http://evil.example",
        "https://app.example:9999",
        "http://app.example:8443",
        "null",
        "http://192.168.1.5:8080",
        "garbage",
      ]
    ) {
      expect({ bad, allowed: p.originAllowed(bad) }).toEqual({ bad, allowed: false });
    }
    expect(p.hostAllowed("127.0.0.1:8080")).toBe(true);
    expect(p.hostAllowed("[::1]:8080")).toBe(true);
    expect(p.hostAllowed("localhost")).toBe(true);
    expect(p.hostAllowed("app.example:8443")).toBe(true);
    expect(p.hostAllowed(undefined)).toBe(true); // no Host: not a browser
    expect(p.hostAllowed("evil.example:8080")).toBe(false);
    expect(p.hostAllowed("192.168.1.5:8080")).toBe(false); // only when listening on every interface
  });

  test("listening on every interface adds the local names; * allows anything", () => {
    const p = createHostPolicy({
      listenHost: "0.0.0.0",
      localNames: ["192.168.1.5", "labpc"],
      allowOrigins: [],
    });
    expect(p.originAllowed("http://192.168.1.5:8080")).toBe(true);
    expect(p.hostAllowed("LabPC:8080")).toBe(true);
    expect(p.hostAllowed("evil.example")).toBe(false);
    const open = createHostPolicy({ listenHost: "127.0.0.1", localNames: [], allowOrigins: ["*"] });
    expect(open.originAllowed("http://evil.example")).toBe(true);
    expect(open.hostAllowed("evil.example")).toBe(true);
    expect(() =>
      createHostPolicy({ listenHost: "127.0.0.1", localNames: [], allowOrigins: ["http://"] })
    ).toThrow(RangeError);
  });
});

describe("tokens", () => {
  test("the auth file format with clear errors that never quote a token", () => {
    const entries = parseAuthFile(
      JSON.stringify({
        tokens: [{ token: "c".repeat(12), role: "control", name: "lab" }, {
          token: "o".repeat(12),
          role: "observe",
        }],
      }),
      "a.json",
    );
    expect(entries).toEqual([{ token: "c".repeat(12), role: "control", name: "lab" }, {
      token: "o".repeat(12),
      role: "observe",
      name: null,
    }]);
    expect(() => parseAuthFile("{", "a.json")).toThrow("not valid JSON");
    expect(() => parseAuthFile(JSON.stringify({ tokens: [] }), "a.json")).toThrow("no token");
    expect(() =>
      parseAuthFile(JSON.stringify({ tokens: [{ token: "short", role: "control" }] }), "a.json")
    ).toThrow("at least 8");
    try {
      parseAuthFile(
        JSON.stringify({ tokens: [{ token: "secret-but-bad-role", role: "admin" }] }),
        "a.json",
      );
    } catch (e) {
      expect(String(e)).toContain("role");
      expect(String(e)).not.toContain("secret-but-bad-role");
    }
  });

  test("lookup finds the right principal and nothing for near misses", () => {
    const t = new TokenTable([{ token: "abcdefgh-1", role: "control", name: "a" }, {
      token: "abcdefgh-2",
      role: "observe",
      name: null,
    }]);
    expect(t.enabled).toBe(true);
    expect(t.lookup("abcdefgh-1")).toEqual({ role: "control", name: "a" });
    expect(t.lookup("abcdefgh-2")).toEqual({ role: "observe", name: null });
    for (const miss of ["abcdefgh-3", "abcdefgh-", "abcdefgh-11", "", "ABCDEFGH-1"]) {
      expect(t.lookup(miss)).toBeNull();
    }
    expect(new TokenTable([]).enabled).toBe(false);
  });
});

describe("AccessGate", () => {
  const gate = new AccessGate(
    new TokenTable([{ token: "control-token", role: "control", name: "c" }, {
      token: "observe-token",
      role: "observe",
      name: "o",
    }]),
  );

  test("a token in the Authorization header or the bearer subprotocol; anonymous otherwise", () => {
    expect(gate.admit({ authorization: "Bearer control-token", protocols: undefined }))
      .toMatchObject({ principal: { role: "control" }, failed: false });
    expect(gate.admit({ authorization: undefined, protocols: "mw75.bearer.observe-token" }))
      .toMatchObject({ principal: { role: "observe" }, failed: false });
    expect(gate.admit({ authorization: "Bearer nope", protocols: undefined })).toMatchObject({
      failed: true,
    });
    expect(gate.admit({ authorization: undefined, protocols: undefined })).toEqual({
      principal: { role: "anonymous", name: null },
      failed: false,
      awaitsAuth: false,
    });
    expect(gate.admit({ authorization: undefined, protocols: "mw75.auth" }).awaitsAuth).toBe(true);
    expect(gate.authenticate("observe-token")).toEqual({ role: "observe", name: "o" });
    expect(gate.authenticate(42)).toBeNull();
  });

  test("auth off: everyone controls, whatever they present", () => {
    const off = new AccessGate(new TokenTable([]));
    expect(off.admit({ authorization: "Bearer whatever", protocols: undefined })).toMatchObject({
      principal: { role: "control" },
      failed: false,
    });
    expect(off.authenticate("x")).toEqual({ role: "control", name: null });
  });

  test("the role table of BRIDGE-API §5, contract commands this version lacks included", () => {
    for (const c of ["status", "ping", "subscribe", "unsubscribe", "recording_status", "get"]) {
      expect(permits("anonymous", c)).toBe(true);
    }
    for (const c of ["connect", "disconnect", "set", "broadcast", "marker", "start_recording"]) {
      expect(permits("anonymous", c)).toBe(false);
    }
    expect(permits("observe", "marker") && permits("observe", "broadcast")).toBe(true);
    expect(permits("observe", "connect")).toBe(false);
    expect(permissionsOf("control")).toContain("connect_device");
    expect(gate.deniesUnknown({ role: "anonymous", name: null }, "start_recording")).toBe(true);
    expect(gate.deniesUnknown({ role: "anonymous", name: null }, "dance")).toBe(false);
    expect(gate.deniesUnknown({ role: "control", name: null }, "start_recording")).toBe(false);
  });
});

describe("RateLimiter", () => {
  test("bursts of 2N, then N/s; one notice per second of excess; closed after 5 s above 10×", () => {
    let now = 0;
    const r = new RateLimiter(10, () => now);
    const verdicts = Array.from({ length: 25 }, () => r.take());
    expect(verdicts.slice(0, 20).every((v) => v === "accept")).toBe(true);
    expect(verdicts.slice(20)).toEqual(["drop-and-tell", "drop", "drop", "drop", "drop"]);
    now = 500; // 5 tokens back
    expect(Array.from({ length: 6 }, () => r.take())).toEqual([
      "accept",
      "accept",
      "accept",
      "accept",
      "accept",
      "drop",
    ]);
    now = 1100;
    expect(r.take()).toBe("accept");
    // a flood of 200/s (20× the limit): closed once 5 whole seconds were abusive
    let closedAt = -1;
    for (let ms = 2000; ms < 10_000 && closedAt < 0; ms += 5) {
      now = ms;
      if (r.take() === "close") closedAt = ms;
    }
    expect(closedAt).toBeGreaterThanOrEqual(7000);
    expect(closedAt).toBeLessThan(8100);
  });

  test("a client just under 10× is never closed", () => {
    let now = 0;
    const r = new RateLimiter(10, () => now);
    for (let ms = 0; ms < 20_000; ms += 11) {
      now = ms; // ~91/s
      expect(r.take()).not.toBe("close");
    }
  });
});

describe("serve flags for access", () => {
  test("a non-loopback host needs a token, an auth file or --no-auth; TLS files go together", () => {
    expect(isLoopbackHost("127.0.0.5") && isLoopbackHost("localhost") && isLoopbackHost("[::1]"))
      .toBe(true);
    expect(isLoopbackHost("0.0.0.0") || isLoopbackHost("192.168.1.5")).toBe(false);
    expect(() => parseServeArgs(["--host", "0.0.0.0"])).toThrow(UsageError);
    expect(() => parseServeArgs(["--host", "0.0.0.0"])).toThrow("--no-auth");
    expect(parseServeArgs(["--host", "0.0.0.0", "--token", "t0ken-t0ken"]).access.token).toBe(
      "t0ken-t0ken",
    );
    expect(parseServeArgs(["--host", "0.0.0.0"], { MW75_TOKEN: "from-env-1" }).access.token).toBe(
      "from-env-1",
    );
    expect(parseServeArgs(["--host", "0.0.0.0", "--no-auth"]).access.noAuth).toBe(true);
    expect(() => parseServeArgs(["--token", "t0ken-t0ken", "--no-auth"])).toThrow(UsageError);
    expect(() => parseServeArgs(["--token", "short"])).toThrow("at least 8");
    expect(() => parseServeArgs(["--tls-cert", "c.pem"])).toThrow("go together");
    expect(
      parseServeArgs(["--allow-origin", "a.example", "--allow-origin", "*"]).access.allowOrigins,
    ).toEqual(["a.example", "*"]);
  });
});
