/** @module The decoy hash of unknown usernames copies the costliest user's hash (not the first's), and differing costs give a start-up warning naming the cheaper users. */
import { describe, expect, test } from "bun:test";
import { hashPassword, scryptHasher } from "../../src/adapters/password-hash.ts";
import type { StoredPassword } from "../../src/ports/password-hasher.ts";
import { parseUsers, UserTable } from "../../src/server/access/users.ts";

/** A stored password of `cost` whose decoy records that it ran. */
function fake(cost: number, ran: number[]): StoredPassword {
  const decoy: StoredPassword = {
    cost,
    verify: () => (ran.push(cost), Promise.resolve(false)),
    decoy: () => decoy,
  };
  return { cost, verify: () => Promise.resolve(false), decoy: () => decoy };
}

const table = (costs: Record<string, number>, ran: number[]) =>
  new UserTable(
    new Map(
      Object.entries(costs).map(([name, cost]) => [name, {
        role: "control" as const,
        password: fake(cost, ran),
      }]),
    ),
  );

describe("UserTable decoy", () => {
  test("an unknown username is checked against the costliest hash, wherever it is listed", async () => {
    for (const costs of [{ cheap: 1, dear: 8, mid: 4 }, { dear: 8, cheap: 1 }, { a: 2, b: 8 }]) {
      const ran: number[] = [];
      expect(await table(costs, ran).verify("nobody", "pw")).toBeNull();
      expect({ costs, ran }).toEqual({ costs, ran: [8] });
    }
  });

  test("differing costs warn, naming the cheaper users; equal costs do not", () => {
    expect(table({ a: 4, b: 4 }, []).costWarning).toBeNull();
    expect(new UserTable().costWarning).toBeNull();
    const warning = table({ cheap: 1, dear: 8, mid: 4 }, []).costWarning ?? "";
    expect(warning).toContain('"cheap", "mid"');
    expect(warning).not.toContain('"dear"');
    expect(warning).toContain("hash-password");
  });

  test("scrypt's cost is N·r·p", async () => {
    const small = await hashPassword("pw", { N: 1024, r: 8, p: 1, keylen: 32 });
    const large = await hashPassword("pw", { N: 2048, r: 8, p: 1, keylen: 32 });
    expect([scryptHasher.parse(small).cost, scryptHasher.parse(large).cost]).toEqual([8192, 16384]);
    const users = parseUsers(
      [
        { username: "ada", password_hash: small, role: "control" },
        { username: "bob", password_hash: large, role: "observe" },
      ],
      "auth.json",
      scryptHasher,
    );
    expect(users.costWarning).toContain('"ada"');
  });
});
