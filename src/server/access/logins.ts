/**
 * @module Password logins, for `POST /login` and `auth {username, password}` alike: the guessing
 * limit first, then the password check (as long for an unknown user as for a wrong password), with
 * at most a few checks at once (each holds 16 MiB for ~50 ms) and a bounded queue behind them.
 */
import type { Logger } from "../../ports/logger.ts";
import { LoginLimiter } from "./login-limiter.ts";
import type { UserTable, VerifiedUser } from "./users.ts";

/** What a login attempt came to. */
export type LoginOutcome =
  | { ok: true; user: VerifiedUser }
  | { ok: false; why: "failed" }
  /** The username is locked (5 failures in a minute), or too many checks are waiting. */
  | { ok: false; why: "locked" | "busy"; retryAfterS: number };

export interface LoginsOptions {
  users: UserTable;
  now: () => number;
  log: Logger;
  /** Password checks running at once (default 2: one per core of a small machine). */
  parallel?: number;
  /** Attempts waiting for a check beyond those (default 64); more are refused as busy. */
  queued?: number;
}

export class Logins {
  #o: LoginsOptions;
  #limiter: LoginLimiter;
  #running = 0;
  #waiting: Array<() => void> = [];

  constructor(options: LoginsOptions) {
    this.#o = options;
    this.#limiter = new LoginLimiter({ now: options.now, known: (u) => options.users.has(u) });
  }

  /** True when the auth file lists users. */
  get enabled(): boolean {
    return this.#o.users.enabled;
  }

  /** Checks `password` for `username`; logs the username and the outcome, never the password. */
  async attempt(username: string, password: string, from: string): Promise<LoginOutcome> {
    const o = this.#o;
    if (this.#waiting.length >= (o.queued ?? 64)) return { ok: false, why: "busy", retryAfterS: 1 };
    const gate = this.#limiter.begin(username);
    if (!gate.ok) {
      o.log.log("WARNING", `Login of ${JSON.stringify(username)} from ${from} refused: locked`);
      return { ok: false, why: "locked", retryAfterS: gate.retryAfterS };
    }
    const user = await this.#limited(() => o.users.verify(username, password));
    if (user === null) {
      o.log.log("WARNING", `Login of ${JSON.stringify(username)} from ${from} failed`);
      return { ok: false, why: "failed" };
    }
    this.#limiter.succeeded(username);
    o.log.log("INFO", `User ${JSON.stringify(username)} logged in from ${from} (${user.role})`);
    return { ok: true, user };
  }

  async #limited<T>(work: () => Promise<T>): Promise<T> {
    if (this.#running >= (this.#o.parallel ?? 2)) {
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
