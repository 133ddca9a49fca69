/**
 * @module Password guessing limit (docs/protocol/bridge-api.md §5.2): after 5 failed logins for one
 * username within 60 s, further attempts for that username are refused (429) whatever the password,
 * until the oldest of those failures is a minute old. Known and unknown usernames are treated alike
 * (a 429 must not tell which exist); the table of unknown ones is capped.
 */

export interface LoginLimiterOptions {
  now: () => number;
  /** Failures allowed in the window (default 5). */
  maxFailures?: number;
  windowMs?: number;
  /** Unknown usernames tracked at most (default 10 000); the longest idle is forgotten first. */
  maxEntries?: number;
  /** Usernames the auth file lists: always tracked, never forgotten for room. */
  known: (username: string) => boolean;
}

/** Whether an attempt may go ahead. */
export type LoginGate = { ok: true } | { ok: false; retryAfterS: number };

export class LoginLimiter {
  #o: LoginLimiterOptions;
  /** Failure times per username, oldest first, at most maxFailures each. */
  #failures = new Map<string, number[]>();
  #unknownCount = 0;

  constructor(options: LoginLimiterOptions) {
    this.#o = options;
  }

  get #max(): number {
    return this.#o.maxFailures ?? 5;
  }
  get #window(): number {
    return this.#o.windowMs ?? 60_000;
  }

  /** Usernames with failures in the table (for tests of the bound). */
  get size(): number {
    return this.#failures.size;
  }

  /**
   * Decides an attempt and, when it may go ahead, counts it as a failure at once, so that parallel
   * attempts cannot all pass the check; `succeeded` takes it back.
   */
  begin(username: string): LoginGate {
    const now = this.#o.now();
    const times = this.#recent(username, now);
    if (times.length >= this.#max) {
      return {
        ok: false,
        retryAfterS: Math.max(1, Math.ceil((times[0]! + this.#window - now) / 1000)),
      };
    }
    times.push(now);
    this.#store(username, times);
    return { ok: true };
  }

  /** The attempt `begin` let through was right: the username's failures are forgotten. */
  succeeded(username: string): void {
    if (this.#failures.delete(username) && !this.#o.known(username)) this.#unknownCount--;
  }

  /** The failures of `username` still inside the window (the stale ones dropped). */
  #recent(username: string, now: number): number[] {
    const times = this.#failures.get(username) ?? [];
    while (times.length > 0 && now - times[0]! >= this.#window) times.shift();
    return times;
  }

  #store(username: string, times: number[]): void {
    const known = this.#o.known(username);
    const had = this.#failures.delete(username); // re-inserted last: the map's order is idleness
    if (!known && !had) {
      this.#unknownCount++;
      if (this.#unknownCount > (this.#o.maxEntries ?? 10_000)) this.#makeRoom();
    }
    this.#failures.set(username, times);
  }

  /** Drops stale entries; if none was stale, the longest-idle unknown username. */
  #makeRoom(): void {
    const now = this.#o.now();
    let oldestUnknown: string | null = null;
    for (const [name, times] of this.#failures) {
      const known = this.#o.known(name);
      if (times.length === 0 || now - times[times.length - 1]! >= this.#window) {
        this.#failures.delete(name);
        if (!known) this.#unknownCount--;
      } else if (!known && oldestUnknown === null) oldestUnknown = name;
    }
    if (this.#unknownCount > (this.#o.maxEntries ?? 10_000) && oldestUnknown !== null) {
      this.#failures.delete(oldestUnknown);
      this.#unknownCount--;
    }
  }
}
