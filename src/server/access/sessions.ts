/**
 * @module Session tokens (docs/protocol/bridge-api.md §5.2): random 32-byte base64url tokens held in
 * memory (a restart logs everyone out), each with its user, role and expiry. One timer per store ends
 * sessions as they expire; listeners close the sockets a session authenticated.
 */
import { toBase64Url } from "../../core/base64.ts";
import type { Clock, TimerHandle } from "../../core/clock.ts";
import type { UserRole, VerifiedUser } from "./users.ts";

/** One login. The token itself is the map key only: it is never logged nor kept elsewhere. */
export interface Session {
  /** A number that names the session in principals and logs (not secret). */
  readonly id: number;
  readonly username: string;
  readonly role: UserRole;
  /** Unix time in ms. */
  readonly expiresAtMs: number;
}

/** Why a session ended: the `close` reason of its sockets says it. */
export type SessionEnd = "expired" | "logged out" | "replaced by a newer login";

export interface SessionStoreOptions {
  clock: Clock;
  ttlMs: number;
  /** Fills `bytes` with random values (default crypto.getRandomValues, a web standard). */
  random?: (bytes: Uint8Array) => void;
  /** Sessions one username may hold; a further login ends its oldest (default 100). */
  maxPerUser?: number;
}

const TOKEN_BYTES = 32;
// a timer over 2^31 - 1 ms fires at once in some runtimes: wake at least daily and look again
const MAX_TIMER_MS = 24 * 3600_000;

export class SessionStore {
  #o: SessionStoreOptions;
  /** By token. The TTL is one for all, so insertion order is expiry order: the first ends first. */
  #sessions = new Map<string, Session>();
  #perUser = new Map<string, number>();
  #listeners = new Set<(session: Session, why: SessionEnd) => void>();
  #timer: TimerHandle | null = null;
  #nextId = 1;

  constructor(options: SessionStoreOptions) {
    this.#o = options;
  }

  /** Sessions alive now. */
  get size(): number {
    return this.#sessions.size;
  }

  /** How long a new session lasts, ms. */
  get ttlMs(): number {
    return this.#o.ttlMs;
  }

  /** A new session for `user`; its token goes to the user and nowhere else. */
  create(user: VerifiedUser): { token: string; session: Session } {
    const held = this.#perUser.get(user.username) ?? 0;
    if (held >= (this.#o.maxPerUser ?? 100)) {
      for (const [token, s] of this.#sessions) {
        if (s.username === user.username) {
          this.#end(token, s, "replaced by a newer login");
          break;
        }
      }
    }
    const bytes = new Uint8Array(TOKEN_BYTES);
    (this.#o.random ?? ((b) => crypto.getRandomValues(b)))(bytes);
    const token = toBase64Url(bytes);
    const session: Session = {
      id: this.#nextId++,
      username: user.username,
      role: user.role,
      expiresAtMs: this.#o.clock.now() + this.#o.ttlMs,
    };
    this.#sessions.set(token, session);
    this.#perUser.set(user.username, (this.#perUser.get(user.username) ?? 0) + 1);
    if (this.#timer === null) this.#arm();
    return { token, session };
  }

  /** The live session of `token`, or null (an expired one is ended here if the timer has not yet). */
  lookup(token: string): Session | null {
    const session = this.#sessions.get(token);
    if (session === undefined) return null;
    if (session.expiresAtMs > this.#o.clock.now()) return session;
    this.#end(token, session, "expired");
    return null;
  }

  /** Ends the session of `token` now (logout); null when there is none. */
  revoke(token: string): Session | null {
    const session = this.lookup(token);
    if (session !== null) this.#end(token, session, "logged out");
    return session;
  }

  /** Calls `listener` for every session that ends; returns the unsubscribe. */
  onEnded(listener: (session: Session, why: SessionEnd) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Stops the expiry timer (shutdown). */
  close(): void {
    if (this.#timer !== null) this.#o.clock.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #arm(): void {
    const first = this.#sessions.values().next().value;
    if (first === undefined) return;
    const wait = Math.min(MAX_TIMER_MS, Math.max(0, first.expiresAtMs - this.#o.clock.now()));
    this.#timer = this.#o.clock.setTimeout(() => this.#sweep(), wait);
  }

  #sweep(): void {
    this.#timer = null;
    const now = this.#o.clock.now();
    for (const [token, session] of this.#sessions) {
      if (session.expiresAtMs > now) break;
      this.#end(token, session, "expired");
    }
    this.#arm();
  }

  #end(token: string, session: Session, why: SessionEnd): void {
    if (!this.#sessions.delete(token)) return;
    const left = (this.#perUser.get(session.username) ?? 1) - 1;
    if (left > 0) this.#perUser.set(session.username, left);
    else this.#perUser.delete(session.username);
    for (const listener of [...this.#listeners]) listener(session, why);
  }
}
