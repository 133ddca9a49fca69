/** @module `npm run hash-password` under Bun, Deno and Node: a password piped in gives a hash line that verifies; an argument or an empty line is refused. */
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseScryptHash, verifyPassword } from "../../src/adapters/password-hash.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const BIN = join(ROOT, "node_modules/.bin");
const COMMANDS: Record<string, string[]> = {
  bun: [join(BIN, "bun"), "src/cli/hash-password.ts"],
  // node:crypto's scrypt needs no permission under Deno
  deno: [join(BIN, "deno"), "run", "src/cli/hash-password.ts"],
  node: ["node", "--import", "tsx", "src/cli/hash-password.ts"],
};

function hashPassword(runtime: string, args: string[], input: string) {
  const [cmd, ...rest] = COMMANDS[runtime]!;
  const run = spawnSync(cmd!, [...rest, ...args], {
    cwd: ROOT,
    input,
    timeout: 60_000,
    encoding: "utf8",
  });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

describe("hash-password", () => {
  test("the npm script runs the Bun entry (bun is a dev dependency: it works from a fresh clone)", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    expect(pkg.scripts["hash-password"]).toBe("bun src/cli/hash-password.ts");
  });

  for (const runtime of Object.keys(COMMANDS)) {
    test(
      `under ${runtime}: the first line of stdin is hashed, and the hash verifies it`,
      async () => {
        const r = hashPassword(runtime, [], "pass phrase with spaces \n");
        expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: "" });
        const line = r.out.trim();
        expect(line.split("\n")).toHaveLength(1);
        expect(await verifyPassword("pass phrase with spaces ", parseScryptHash(line))).toBe(true);
        expect(await verifyPassword("pass phrase with spaces", parseScryptHash(line))).toBe(false);
      },
      60_000,
    );

    test(
      `under ${runtime}: an argument (maybe the password), an empty and an over-long password are refused`,
      () => {
        const withArg = hashPassword(runtime, ["my-secret-pw"], "");
        expect(withArg.code).toBe(2);
        expect(withArg.out).toBe("");
        expect(withArg.err).toContain("never from the command line");
        expect(withArg.err).not.toContain("my-secret-pw");
        for (const input of ["", "\n", "\r\n"]) {
          const empty = hashPassword(runtime, [], input);
          expect({ input, code: empty.code, out: empty.out }).toEqual({ input, code: 1, out: "" });
          expect(empty.err).toContain("empty");
        }
        // longer than a login accepts: refused, as the login would refuse it
        const long = hashPassword(runtime, [], `${"p".repeat(1025)}\n`);
        expect({ code: long.code, out: long.out }).toEqual({ code: 1, out: "" });
        expect(long.err).toContain("logins refuse passwords over 1024");
      },
      60_000,
    );
  }
});
