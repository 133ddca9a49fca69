/**
 * @module Password logins, for `POST /login` and `auth {username, password}` alike: the per-address
 * budget and the per-username guessing limit first, then the password check (as long for an unknown
 * user as for a wrong password), one at a time by default (each holds a core and 16 MiB for ~50 ms,
 * so streaming keeps the other core) with a bounded queue behind.
 */
import type { Logger } from "../../ports/logger.ts";
import { LoginLimiter } from "./login-limiter.ts";
import { LoginThrottle } from "./login-throttle.ts";
import { addressOf } from "./rate-limit.ts";
import type { UserTable, VerifiedUser } from "./users.ts";

/** What a login attempt came to. */
export type LoginOutcome =
  | { ok: true; user: VerifiedUser }
  | { ok: false; why: "failed" }
  /**
   * The username is locked (5 failures in a minute), the caller's address spent its login budget
   * (`throttled`), or too many checks are waiting (`busy`).
   */
  | { ok: false; why: "locked" | "throttled" | "busy"; retryAfterS: number };

export interface LoginsOptions {
  users: UserTable;
  now: () => number;
  log: Logger;
  /** Password checks running at once (default 1: a 2-core machine keeps a core for streaming). */
  parallel?: number;
  /** Attempts per minute per remote address after a burst of half as many (default 10). */
  perAddressPerMinute?: number;
  /** Attempts waiting for a check beyond those (default 64); more are refused as busy. */
  queued?: number;
}

export class Logins {
  #o: LoginsOptions;
  #limiter: LoginLimiter;
  #throttle: LoginThrottle;
  #running = 0;
  #waiting: Array<() => void> = [];

  constructor(options: LoginsOptions) {
    this.#o = options;
    this.#limiter = new LoginLimiter({ now: options.now, known: (u) => options.users.has(u) });
    const perMinute = options.perAddressPerMinute ?? 10;
    this.#throttle = new LoginThrottle({
      now: options.now,
      perMinute,
      burst: Math.max(1, Math.ceil(perMinute / 2)),
    });
  }

  /** True when the auth file lists users. */
  get enabled(): boolean {
    return this.#o.users.enabled;
  }

  /**
   * Checks `password` for `username` from `from` (`ip:port`); logs the username and the outcome,
   * never the password.
   */
  async attempt(username: string, password: string, from: string): Promise<LoginOutcome> {
    const o = this.#o;
    if (this.#waiting.length >= (o.queued ?? 64)) return { ok: false, why: "busy", retryAfterS: 1 };
    // per address before anything queues: one client cannot keep the password checks busy
    const address = addressOf(from);
    const turn = this.#throttle.take(address);
    if (!turn.ok) {
      if (turn.first) o.log.log("WARNING", `Logins from ${address} refused for a while: too many`);
      return { ok: false, why: "throttled", retryAfterS: turn.retryAfterS };
    }
    const gate = this.#limiter.begin(username);
    if (!gate.ok) {
      this.#throttle.refund(address); // no check ran: the address's budget is not spent
      o.log.log("WARNING", `Login of ${JSON.stringify(username)} from ${from} refused: locked`);
      return { ok: false, why: "locked", retryAfterS: gate.retryAfterS };
    }
    const user = await this.#limited(() => o.users.verify(username, password));
    if (user === null) {
      o.log.log("WARNING", `Login of ${JSON.stringify(username)} from ${from} failed`);
      return { ok: false, why: "failed" };
    }
    this.#limiter.succeeded(username);
    this.#throttle.refund(address); // a right password: only failures spend the budget
    o.log.log("INFO", `User ${JSON.stringify(username)} logged in from ${from} (${user.role})`);
    return { ok: true, user };
  }

  async #limited<T>(work: () => Promise<T>): Promise<T> {
    if (this.#running >= (this.#o.parallel ?? 1)) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else this.#running++;
    try {
      return await work();
    } finally {
      // the slot passes straight to the next waiter, or is given back
      const next = this.#waiting.shift();
      if (next !== undefined) next();
      else this.#running--;
    }
  }
}
