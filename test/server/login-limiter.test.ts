/** @module The login guessing limit: 5 failures per username per minute, then refusals with Retry-After until the oldest is a minute old; known and unknown names alike; a bounded table. */
import { describe, expect, test } from "bun:test";
import { LoginLimiter } from "../../src/server/access/login-limiter.ts";

function limiter(known: string[] = ["ada"], maxEntries?: number) {
  let now = 1_000_000;
  const l = new LoginLimiter({
    now: () => now,
    known: (u) => known.includes(u),
    ...(maxEntries === undefined ? {} : { maxEntries }),
  });
  return { l, advance: (ms: number) => void (now += ms) };
}

describe("LoginLimiter", () => {
  test("lets 5 failures through, then refuses the username until its oldest failure is a minute old", () => {
    const { l, advance } = limiter();
    for (let i = 0; i < 5; i++) {
      expect(l.begin("ada")).toEqual({ ok: true });
      advance(1000);
    }
    // failures at 0..4 s; now 5 s: the oldest leaves the window at 60 s, so 55 s to wait
    expect(l.begin("ada")).toEqual({ ok: false, retryAfterS: 55 });
    expect(l.begin("bob")).toEqual({ ok: true }); // another username is unaffected
    advance(54_999);
    expect(l.begin("ada").ok).toBe(false);
    advance(1);
    expect(l.begin("ada")).toEqual({ ok: true }); // one failure left the window: one more try
    expect(l.begin("ada").ok).toBe(false);
  });

  test("a success forgets the username's failures; refusals are not counted", () => {
    const { l, advance } = limiter();
    for (let i = 0; i < 4; i++) l.begin("ada");
    l.succeeded("ada");
    for (let i = 0; i < 5; i++) expect(l.begin("ada").ok).toBe(true);
    for (let i = 0; i < 20; i++) expect(l.begin("ada").ok).toBe(false);
    advance(60_000); // the refusals did not extend the lock
    expect(l.begin("ada").ok).toBe(true);
  });

  test("unknown usernames lock the same way (a 429 does not tell who exists)", () => {
    const { l } = limiter();
    for (let i = 0; i < 5; i++) expect(l.begin("ghost").ok).toBe(true);
    expect(l.begin("ghost").ok).toBe(false);
  });

  test("the table of unknown usernames stays bounded; known ones are never dropped for room", () => {
    const { l, advance } = limiter(["ada"], 100);
    for (let i = 0; i < 5; i++) l.begin("ada");
    for (let i = 0; i < 1000; i++) {
      l.begin(`guess-${i}`);
      advance(1);
    }
    expect(l.size).toBeLessThanOrEqual(101);
    expect(l.begin("ada").ok).toBe(false); // still locked after the flood
    advance(60_000);
    l.begin("fresh"); // stale entries are swept when room is needed
    expect(l.size).toBeLessThanOrEqual(101);
  });
});
