/** @module The `scrypt$N$r$p$salt$hash` format: parsing with errors that name the part, hashing, verifying, and the decoy for unknown users. */
import { describe, expect, test } from "bun:test";
import {
  DEFAULT_PARAMS,
  hashPassword,
  parseScryptHash,
  scryptHasher,
  verifyPassword,
} from "../../src/adapters/password-hash.ts";

// a cheap cost for the tests that only check the format (N = 1024: about 1 ms)
const CHEAP = { N: 1024, r: 8, p: 1, keylen: 32 };
const SALT = "c2FsdHNhbHRzYWx0c2FsdA=="; // 16 bytes
const HASH = "A".repeat(43) + "="; // 32 bytes

describe("hashPassword", () => {
  test("writes the default cost and 16-byte salt, and the line verifies only its password", async () => {
    const line = await hashPassword("correct horse");
    expect(line).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    const parsed = parseScryptHash(line);
    expect({ N: parsed.N, r: parsed.r, p: parsed.p, keylen: parsed.keylen }).toEqual(
      DEFAULT_PARAMS,
    );
    expect(await verifyPassword("correct horse", parsed)).toBe(true);
    expect(await verifyPassword("correct horse ", parsed)).toBe(false);
    expect(await verifyPassword("", parsed)).toBe(false);
  });

  test("salts every hash afresh, and a password written in another Unicode form still matches", async () => {
    const [a, b] = [await hashPassword("pw", CHEAP), await hashPassword("pw", CHEAP)];
    expect(a).not.toBe(b);
    const composed = await hashPassword("caf\u00e9", CHEAP);
    expect(await verifyPassword("cafe\u0301", parseScryptHash(composed))).toBe(true);
  });
});

describe("parseScryptHash", () => {
  test("refuses each malformed part with a message naming it, never quoting the hash", () => {
    const cases: [string, string][] = [
      ["bcrypt$2b$10$abc", "scrypt$N$r$p$salt$hash"],
      [`scrypt$16384$8$1$${SALT}`, "scrypt$N$r$p$salt$hash"],
      [`scrypt$1000$8$1$${SALT}$${HASH}`, "power of two"],
      [`scrypt$x$8$1$${SALT}$${HASH}`, "N must be"],
      [`scrypt$${2 ** 21}$8$1$${SALT}$${HASH}`, "N must be"],
      [`scrypt$16384$0$1$${SALT}$${HASH}`, "r must be"],
      [`scrypt$16384$8$99$${SALT}$${HASH}`, "p must be"],
      [`scrypt$1048576$32$1$${SALT}$${HASH}`, "256 MiB"],
      [`scrypt$16384$8$1$not*base64$${HASH}`, "salt is not base64"],
      [`scrypt$16384$8$1$${SALT}$QUJD`, "16 to 64 bytes"],
      [`scrypt$16384$8$1$QUJD$${HASH}`, "under 8 bytes"],
    ];
    for (const [text, message] of cases) {
      let error = "";
      try {
        parseScryptHash(text);
      } catch (e) {
        error = String(e);
      }
      expect({ text, named: error.includes(message), quoted: error.includes(HASH) }).toEqual({
        text,
        named: true,
        quoted: false,
      });
    }
  });
});

describe("scryptHasher", () => {
  test("a stored hash verifies its password; its decoy runs the same scrypt and matches nothing", async () => {
    const stored = scryptHasher.parse(await hashPassword("s3cret", CHEAP));
    expect(await stored.verify("s3cret")).toBe(true);
    expect(await stored.verify("s3cre")).toBe(false);
    const decoy = stored.decoy();
    for (const guess of ["s3cret", "", "anything"]) expect(await decoy.verify(guess)).toBe(false);
  });
});
