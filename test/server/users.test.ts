/** @module The auth file's users (checked at start-up, errors naming the entry) and the `auth` data reader: token, or username and password, never both. */
import { describe, expect, test } from "bun:test";
import { hashPassword, scryptHasher } from "../../src/adapters/password-hash.ts";
import { parseAuth, parseCredentials } from "../../src/protocol/auth-request.ts";
import { readAuthFile } from "../../src/server/access/tokens.ts";
import { parseUsers } from "../../src/server/access/users.ts";

const CHEAP = { N: 1024, r: 8, p: 1, keylen: 32 };
const HASH = await hashPassword("pw-1", CHEAP);

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return String(e);
  }
  return "no error";
}

describe("readAuthFile", () => {
  test("takes tokens, users or both; neither is an error", () => {
    const users = [{ username: "ada", password_hash: HASH, role: "control" }];
    expect(readAuthFile(JSON.stringify({ users }), "a.json").tokens).toEqual([]);
    expect(readAuthFile(JSON.stringify({ users }), "a.json").users).toEqual(users);
    expect(errorOf(() => readAuthFile("{}", "a.json"))).toContain("no token and no user");
    expect(errorOf(() => readAuthFile('{"users":[]}', "a.json"))).toContain("no user");
  });
});

describe("parseUsers", () => {
  test("names the bad entry and what is wrong, never the hash", () => {
    const cases: [unknown[], string][] = [
      [
        [{ username: "ada", password_hash: "scrypt$1$2", role: "control" }],
        'users[0] ("ada"): password_hash must read',
      ],
      [[{ username: "ada", password_hash: HASH, role: "root" }], 'users[0] ("ada"): role must be'],
      [[{ username: "ada", password_hash: HASH, role: "control" }, {
        username: "ada",
        password_hash: HASH,
        role: "observe",
      }], 'users[1] ("ada"): the username is listed twice'],
      [[{ username: "a b", password_hash: HASH, role: "control" }], "users[0]: username must be"],
      [
        [{ username: "x".repeat(129), password_hash: HASH, role: "control" }],
        "users[0]: username must be",
      ],
      [[{ username: "ada", role: "control" }], 'users[0] ("ada"): password_hash must be a string'],
      [["ada"], "users[0]: must be an object"],
    ];
    for (const [entries, message] of cases) {
      const error = errorOf(() => parseUsers(entries, "auth.json", scryptHasher));
      expect({ message, named: error.includes(message), hash: error.includes(HASH) }).toEqual({
        message,
        named: true,
        hash: false,
      });
      expect(error).toContain("auth.json");
    }
  });

  test("verifies a user's password and runs the decoy for unknown names", async () => {
    const table = parseUsers(
      [{ username: "ada", password_hash: HASH, role: "observe" }],
      "auth.json",
      scryptHasher,
    );
    expect(table.enabled).toBe(true);
    expect(await table.verify("ada", "pw-1")).toEqual({ username: "ada", role: "observe" });
    expect(await table.verify("ada", "pw-2")).toBeNull();
    expect(await table.verify("bob", "pw-1")).toBeNull();
    expect(parseUsers([], "auth.json", scryptHasher).enabled).toBe(false);
  });
});

describe("parseAuth", () => {
  test("reads a token, or credentials; both, or bad types, are INVALID_PARAMETERS", () => {
    expect(parseAuth({ token: "t" })).toEqual({ ok: true, value: { token: "t" } });
    expect(parseAuth(undefined)).toEqual({ ok: true, value: { token: undefined } });
    expect(parseAuth({ username: "ada", password: "p" })).toEqual({
      ok: true,
      value: { username: "ada", password: "p" },
    });
    for (
      const bad of [
        { token: "t", username: "ada", password: "p" },
        { username: "ada" },
        { password: "p" },
        { username: 1, password: "p" },
        { username: "ada", password: "p".repeat(1025) },
      ]
    ) {
      expect({ bad, code: (parseAuth(bad) as { code?: string }).code }).toEqual({
        bad,
        code: "INVALID_PARAMETERS",
      });
    }
    expect(parseCredentials([]).ok).toBe(false);
  });
});
