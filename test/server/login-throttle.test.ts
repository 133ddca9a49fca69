/** @module The per-address login budget (a burst of 5, then 10 a minute, successes given back, a bounded table) and Logins running one password check at a time. */
import { describe, expect, test } from "bun:test";
import type { StoredPassword } from "../../src/ports/password-hasher.ts";
import { LoginThrottle } from "../../src/server/access/login-throttle.ts";
import { Logins } from "../../src/server/access/logins.ts";
import { UserTable } from "../../src/server/access/users.ts";

function throttle(maxEntries?: number) {
  let now = 1_000_000;
  const t = new LoginThrottle({
    now: () => now,
    ...(maxEntries === undefined ? {} : { maxEntries }),
  });
  return { t, advance: (ms: number) => void (now += ms) };
}

describe("LoginThrottle", () => {
  test("5 at once, then one every 6 s, with Retry-After until the next; other addresses unaffected", () => {
    const { t, advance } = throttle();
    for (let i = 0; i < 5; i++) expect(t.take("10.0.0.1")).toEqual({ ok: true });
    expect(t.take("10.0.0.1")).toEqual({ ok: false, retryAfterS: 6, first: true });
    expect(t.take("10.0.0.1")).toEqual({ ok: false, retryAfterS: 6, first: false });
    expect(t.take("10.0.0.2")).toEqual({ ok: true });
    advance(5_999);
    expect(t.take("10.0.0.1")).toMatchObject({ ok: false, retryAfterS: 1 });
    advance(1);
    expect(t.take("10.0.0.1")).toEqual({ ok: true });
    expect(t.take("10.0.0.1").ok).toBe(false);
    // a minute idle: 10 tokens' worth, but never more than the burst
    advance(60_000);
    for (let i = 0; i < 5; i++) expect(t.take("10.0.0.1").ok).toBe(true);
    expect(t.take("10.0.0.1")).toMatchObject({ ok: false, first: true });
  });

  test("a refunded token (a right password) is not spent; the burst is the ceiling", () => {
    const { t } = throttle();
    for (let i = 0; i < 20; i++) {
      expect(t.take("10.0.0.1").ok).toBe(true);
      t.refund("10.0.0.1");
    }
    t.refund("10.0.0.1"); // over the burst: no sixth token
    for (let i = 0; i < 5; i++) expect(t.take("10.0.0.1").ok).toBe(true);
    expect(t.take("10.0.0.1").ok).toBe(false);
  });

  test("the table stays bounded: the longest-idle address is forgotten first", () => {
    const { t, advance } = throttle(100);
    const others = (from: number, n: number) => {
      for (let i = from; i < from + n; i++) {
        t.take(`10.1.${i >> 8}.${i & 255}`);
        advance(1);
      }
    };
    for (let i = 0; i < 5; i++) t.take("busy");
    others(0, 50);
    expect(t.take("busy").ok).toBe(false); // refused, but touched: now among the most recent
    others(50, 90);
    expect(t.size).toBe(100);
    expect(t.take("busy").ok).toBe(false); // 90 newer ones did not push it out
    others(140, 100);
    expect(t.size).toBe(100);
    expect(t.take("busy").ok).toBe(true); // 100 newer ones did: forgotten, a fresh burst
  });
});

/** A password check that takes until `release()`: counts how many run at once. */
function slowUsers() {
  let running = 0;
  let most = 0;
  const pending: Array<() => void> = [];
  const password: StoredPassword = {
    cost: 1,
    decoy: () => password,
    verify: async (pw) => {
      most = Math.max(most, ++running);
      await new Promise<void>((r) => pending.push(r));
      running--;
      return pw === "right";
    },
  };
  const users = new UserTable(new Map([["ada", { role: "control" as const, password }]]));
  return { users, most: () => most, release: () => pending.splice(0).forEach((r) => r()) };
}

const quiet = { log: () => {} };

describe("Logins", () => {
  test("one password check at a time by default; the others wait their turn", async () => {
    const u = slowUsers();
    const logins = new Logins({ users: u.users, now: () => 0, log: quiet });
    const all = Promise.all(
      [1, 2, 3].map((i) => logins.attempt("ada", i === 3 ? "right" : "no", `10.0.0.${i}:5`)),
    );
    for (let i = 0; i < 6; i++) {
      await new Promise((r) => setTimeout(r, 0));
      u.release();
    }
    const outcomes = await all;
    expect(outcomes.map((o) => o.ok)).toEqual([false, false, true]);
    expect(u.most()).toBe(1);
  });

  test("the 6th quick attempt from one address is throttled whatever the username; a right password is not counted", async () => {
    let now = 0;
    const u = slowUsers();
    const logins = new Logins({ users: u.users, now: () => now, log: quiet });
    const attempt = async (username: string, password: string, from: string) => {
      const p = logins.attempt(username, password, from);
      for (let i = 0; i < 3; i++) {
        await new Promise((r) => setTimeout(r, 0));
        u.release();
      }
      return await p;
    };
    for (let i = 0; i < 3; i++) expect((await attempt("ada", "right", "10.0.0.1:1")).ok).toBe(true);
    for (let i = 0; i < 5; i++) {
      expect(await attempt(`user-${i}`, "guess", `10.0.0.1:${i}`)).toEqual({
        ok: false,
        why: "failed",
      });
    }
    expect(await attempt("user-9", "guess", "10.0.0.1:99")).toEqual({
      ok: false,
      why: "throttled",
      retryAfterS: 6,
    });
    expect(await attempt("ada", "right", "10.0.0.2:1")).toMatchObject({ ok: true });
    now += 6_000;
    expect((await attempt("user-9", "guess", "10.0.0.1:7")).ok).toBe(false);
    expect(await attempt("user-9", "guess", "10.0.0.1:8")).toMatchObject({ why: "throttled" });
  });
});
