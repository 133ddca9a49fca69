/** @module The password-hash port: the server checks passwords through it, the scrypt adapter implements it (node:crypto). */

/** Longest password a login accepts, and so the longest `hash-password` hashes (longer is refused by both). */
export const MAX_PASSWORD_LENGTH = 1024;

/** One stored password hash, read once at start-up. */
export interface StoredPassword {
  /**
   * The relative work of one check (scrypt: N·r·p): the decoy of unknown usernames copies the
   * costliest hash, and differing costs are warned about (a cheaper user answers faster).
   */
  readonly cost: number;
  /** True when `password` matches; computed off the event loop, so the server keeps serving. */
  verify(password: string): Promise<boolean>;
  /**
   * A hash of the same cost that no password matches: checked for unknown usernames, so they take
   * as long as a wrong password does.
   */
  decoy(): StoredPassword;
}

/** Reads the `password_hash` lines of an auth file. */
export interface PasswordHasher {
  /** Reads a stored hash; throws a RangeError saying what is wrong (never quoting the hash). */
  parse(stored: string): StoredPassword;
}
