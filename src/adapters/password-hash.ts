/**
 * @module Password hashes of the auth file (docs/security.md): `scrypt$N$r$p$salt$hash` with base64
 * salt and hash, made and checked with node:crypto's asynchronous scrypt (Bun, Deno and Node), compared
 * with timingSafeEqual.
 */
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { fromBase64, toBase64 } from "../core/base64.ts";
import type { PasswordHasher, StoredPassword } from "../ports/password-hasher.ts";

/** scrypt's cost parameters and the key length. */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
  keylen: number;
}

/** What `hashPassword` uses: ~40–70 ms and 16 MiB per check on a 2-core machine (docs/security.md). */
export const DEFAULT_PARAMS: ScryptParams = { N: 16384, r: 8, p: 1, keylen: 32 };
const SALT_BYTES = 16;
// bounds for hashes read from a file: a hand-edited N = 2^30 must not take the server's memory
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;
const MAX_MEM = 256 * 1024 * 1024;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** A parsed hash line. */
export interface ScryptHash extends ScryptParams {
  salt: Uint8Array;
  hash: Uint8Array;
}

/** Reads `scrypt$N$r$p$salt$hash`; throws a RangeError naming the part that is wrong. */
export function parseScryptHash(text: string): ScryptHash {
  const parts = text.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") {
    throw new RangeError(
      "password_hash must read scrypt$N$r$p$salt$hash (make one with npm run hash-password)",
    );
  }
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const N = whole(n, "N", 2, MAX_N);
  if ((N & (N - 1)) !== 0) throw new RangeError("password_hash: N must be a power of two");
  const params = { N, r: whole(r, "r", 1, MAX_R), p: whole(p, "p", 1, MAX_P) };
  if (memoryOf(params) > MAX_MEM) {
    throw new RangeError("password_hash: N and r ask for more than 256 MiB of memory");
  }
  const saltBytes = base64(salt, "salt");
  const hashBytes = base64(hash, "hash");
  if (saltBytes.length < 8) throw new RangeError("password_hash: the salt is under 8 bytes");
  if (hashBytes.length < 16 || hashBytes.length > 64) {
    throw new RangeError("password_hash: the hash must be 16 to 64 bytes");
  }
  return { ...params, keylen: hashBytes.length, salt: saltBytes, hash: hashBytes };
}

/** The hash line of `password` with a fresh random salt. */
export async function hashPassword(
  password: string,
  params: ScryptParams = DEFAULT_PARAMS,
): Promise<string> {
  const salt = new Uint8Array(randomBytes(SALT_BYTES));
  const hash = await derive(password, salt, params);
  return `scrypt$${params.N}$${params.r}$${params.p}$${toBase64(salt)}$${toBase64(hash)}`;
}

/** True when `password` matches the parsed hash (constant-time comparison). */
export async function verifyPassword(password: string, h: ScryptHash): Promise<boolean> {
  const derived = await derive(password, h.salt, h);
  return derived.length === h.hash.length && timingSafeEqual(derived, h.hash);
}

/** The PasswordHasher the server uses. */
export const scryptHasher: PasswordHasher = { parse: (text) => stored(parseScryptHash(text)) };

function stored(h: ScryptHash): StoredPassword {
  const decoy = (): StoredPassword => {
    // same cost, random salt and hash: a full scrypt runs, and nothing matches
    const fake = {
      ...h,
      salt: new Uint8Array(randomBytes(16)),
      hash: new Uint8Array(randomBytes(h.keylen)),
    };
    return {
      cost,
      verify: async (password) => (await verifyPassword(password, fake)) && false,
      decoy,
    };
  };
  const cost = h.N * h.r * h.p; // scrypt's time grows with each of them
  return { cost, verify: (password) => verifyPassword(password, h), decoy };
}

function derive(password: string, salt: Uint8Array, p: ScryptParams): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const options = { N: p.N, r: p.r, p: p.p, maxmem: 2 * memoryOf(p) + 1024 * 1024 };
    scrypt(password.normalize("NFC"), salt, p.keylen, options, (error, key) => {
      if (error) reject(error);
      else resolve(new Uint8Array(key));
    });
  });
}

/** scrypt's working memory: 128·N·r bytes. */
function memoryOf(p: { N: number; r: number }): number {
  return 128 * p.N * p.r;
}

function whole(text: string, name: string, min: number, max: number): number {
  const n = /^\d{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) {
    throw new RangeError(`password_hash: ${name} must be an integer from ${min} to ${max}`);
  }
  return n;
}

function base64(text: string, name: string): Uint8Array {
  if (!BASE64.test(text) || text.length % 4 !== 0) {
    throw new RangeError(`password_hash: the ${name} is not base64`);
  }
  return fromBase64(text);
}
