/**
 * @module The users of the auth file (docs/protocol/bridge-api.md §5.2): `{username, password_hash,
 * role}` entries checked at start-up (each error names the entry, never a hash), and the password
 * check of a login, which takes as long for an unknown username as for a wrong password.
 */
import type { PasswordHasher, StoredPassword } from "../../ports/password-hasher.ts";
import { MAX_USERNAME_LENGTH as MAX_USERNAME } from "../../protocol/auth-request.ts";

/** What a login may become. */
export type UserRole = "control" | "observe";

/** A user who proved their password. */
export interface VerifiedUser {
  username: string;
  role: UserRole;
}

interface User {
  role: UserRole;
  password: StoredPassword;
}

// printable characters without white space (control characters would garble the log)
const USERNAME = /^[^\s\p{Cc}]+$/u;

/** Reads the `users` entries; throws an Error naming the bad entry (its index and username, never its hash). */
export function parseUsers(
  entries: readonly unknown[],
  path: string,
  hasher: PasswordHasher,
): UserTable {
  const users = new Map<string, User>();
  entries.forEach((entry, i) => {
    const fail = (what: string, name?: string) => {
      const who = name === undefined ? "" : ` (${JSON.stringify(name)})`;
      return new Error(`Cannot read auth file ${path}: users[${i}]${who}: ${what}`);
    };
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
      throw fail("must be an object {username, password_hash, role}");
    }
    const { username, password_hash: hash, role } = entry as Record<string, unknown>;
    if (
      typeof username !== "string" || !USERNAME.test(username) || username.length > MAX_USERNAME
    ) {
      throw fail(`username must be a string of 1 to ${MAX_USERNAME} characters without spaces`);
    }
    if (role !== "control" && role !== "observe") {
      throw fail('role must be "control" or "observe"', username);
    }
    if (typeof hash !== "string") throw fail("password_hash must be a string", username);
    let password: StoredPassword;
    try {
      password = hasher.parse(hash);
    } catch (e) {
      throw fail(e instanceof Error ? e.message : String(e), username);
    }
    if (users.has(username)) throw fail("the username is listed twice", username);
    users.set(username, { role, password });
  });
  return new UserTable(users);
}

/** The users and their password checks. */
export class UserTable {
  #users: ReadonlyMap<string, User>;
  #decoy: StoredPassword | null;
  #costs: Set<number>;

  constructor(users: ReadonlyMap<string, User> = new Map()) {
    this.#users = users;
    // unknown usernames are checked against a hash as costly as the costliest user's: a user whose
    // check took longer than the decoy's would stand out as existing
    let costliest: StoredPassword | null = null;
    for (const { password } of users.values()) {
      if (costliest === null || password.cost > costliest.cost) costliest = password;
    }
    this.#decoy = costliest?.decoy() ?? null;
    this.#costs = new Set([...users.values()].map((u) => u.password.cost));
  }

  /**
   * A start-up warning when the hashes differ in cost (null when they agree): the wrong password of
   * a cheaper user answers faster than an unknown username, so timing tells that user exists.
   */
  get costWarning(): string | null {
    if (this.#costs.size < 2) return null;
    const cheaper = [...this.#users].filter(([, u]) => u.password.cost < this.#decoy!.cost);
    const names = cheaper.map(([name]) => JSON.stringify(name)).join(", ");
    return `The auth file's password hashes differ in cost; unknown usernames are checked at the ` +
      `highest, so logins of ${names} answer faster and show those users exist: hash their ` +
      `passwords again with npm run hash-password`;
  }

  /** True when the file lists any user (`/health.password_login`). */
  get enabled(): boolean {
    return this.#users.size > 0;
  }

  /** True for a username the file lists (the login limiter keeps these apart). */
  has(username: string): boolean {
    return this.#users.has(username);
  }

  /** The user `username` when `password` is theirs; null otherwise, after the same amount of work. */
  async verify(username: string, password: string): Promise<VerifiedUser | null> {
    const user = this.#users.get(username);
    if (user === undefined) {
      await this.#decoy?.verify(password);
      return null;
    }
    return (await user.password.verify(password)) ? { username, role: user.role } : null;
  }
}
