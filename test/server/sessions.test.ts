/** @module Session tokens on an injected clock: random base64url tokens, expiry by one timer, revocation, the per-user cap, and who hears of an ended session. */
import { describe, expect, test } from "bun:test";
import { SessionStore } from "../../src/server/access/sessions.ts";
import type { Session, SessionEnd } from "../../src/server/access/sessions.ts";
import { ManualClock } from "../_support/fakes.ts";

const ADA = { username: "ada", role: "control" as const };
const OLGA = { username: "olga", role: "observe" as const };

function store(ttlMs = 10_000, maxPerUser?: number) {
  const clock = new ManualClock();
  let timers = 0;
  const counting = {
    ...clock,
    now: clock.now,
    setTimeout: (fn: () => void, ms: number) => (timers++, clock.setTimeout(fn, ms)),
    clearTimeout: clock.clearTimeout,
    setInterval: clock.setInterval,
    clearInterval: clock.clearInterval,
  };
  const s = new SessionStore({
    clock: counting,
    ttlMs,
    ...(maxPerUser === undefined ? {} : { maxPerUser }),
  });
  const ended: [Session, SessionEnd][] = [];
  s.onEnded((session, why) => void ended.push([session, why]));
  return { s, clock, ended, timers: () => timers };
}

describe("SessionStore", () => {
  test("issues distinct 32-byte base64url tokens that carry the user, role and expiry", () => {
    const { s, clock } = store();
    const a = s.create(ADA);
    const b = s.create(ADA);
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.token).not.toBe(b.token);
    expect(s.lookup(a.token)).toEqual({
      id: a.session.id,
      username: "ada",
      role: "control",
      expiresAtMs: clock.now() + 10_000,
    });
    expect(s.lookup("nope")).toBeNull();
  });

  test("ends sessions at their expiry with one timer for all, telling the listeners", async () => {
    const { s, clock, ended, timers } = store();
    const first = s.create(ADA);
    await clock.advance(4000);
    const second = s.create(OLGA);
    await clock.advance(5999);
    expect(ended).toEqual([]);
    await clock.advance(1);
    expect(ended.map(([x, why]) => [x.username, why])).toEqual([["ada", "expired"]]);
    expect(s.lookup(first.token)).toBeNull();
    expect(s.lookup(second.token)?.username).toBe("olga");
    await clock.advance(4000);
    expect(ended.map(([x]) => x.username)).toEqual(["ada", "olga"]);
    expect(s.size).toBe(0);
    expect(timers()).toBe(2); // armed for the first expiry, then re-armed once for the second
  });

  test("revoke ends a session at once; a revoked or unknown token gives null", () => {
    const { s, ended } = store();
    const a = s.create(ADA);
    const b = s.create(ADA);
    expect(s.revoke(a.token)?.id).toBe(a.session.id);
    expect(ended.map(([x, why]) => [x.id, why])).toEqual([[a.session.id, "logged out"]]);
    expect(s.lookup(a.token)).toBeNull();
    expect(s.revoke(a.token)).toBeNull();
    expect(s.lookup(b.token)?.id).toBe(b.session.id);
  });

  test("a login beyond the per-user cap ends that user's oldest session only", () => {
    const { s, ended } = store(10_000, 2);
    const a1 = s.create(ADA);
    const o = s.create(OLGA);
    s.create(ADA);
    s.create(ADA);
    expect(ended.map(([x, why]) => [x.id, why])).toEqual([[
      a1.session.id,
      "replaced by a newer login",
    ]]);
    expect(s.lookup(o.token)).not.toBeNull();
    expect(s.size).toBe(3);
  });

  test("an expired session is refused even before its timer runs", () => {
    let now = 0;
    const clock = { ...new ManualClock(), now: () => now, setTimeout: () => 0, clearTimeout() {} };
    const s = new SessionStore({ clock: clock as unknown as ManualClock, ttlMs: 1000 });
    const a = s.create(ADA);
    now = 999;
    expect(s.lookup(a.token)).not.toBeNull();
    now = 1000;
    expect(s.lookup(a.token)).toBeNull();
  });
});
