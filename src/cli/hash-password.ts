/**
 * @module `hash-password`: one password line from standard input → its `scrypt$N$r$p$salt$hash` line
 * for the `users` of an `--auth` file (docs/security.md). Never from the command line, where `ps`
 * and the shell history would show it.
 */
import process from "node:process";
import { hashPassword } from "../adapters/password-hash.ts";
import { MAX_PASSWORD_LENGTH } from "../ports/password-hasher.ts";
import { FirstLine, passwordProblem, TypedLine } from "./password-input.ts";

const USAGE = `Usage: npm run -s hash-password < file-with-the-password
       printf '%s\\n' "$PASSWORD" | npm run -s hash-password
Reads one line (the password) from standard input and prints its password_hash line:
  {"users":[{"username":"ada","password_hash":"<that line>","role":"control"}]}
On a terminal the password is read without echo. It is never taken from the command line.
Logins accept passwords of up to ${MAX_PASSWORD_LENGTH} characters; a longer one is refused.`;

/** The first line of standard input (without its line end), read hidden on a terminal. */
async function readPassword(): Promise<string> {
  const stdin = process.stdin as typeof process.stdin & { setRawMode?: (on: boolean) => void };
  if (stdin.isTTY && typeof stdin.setRawMode === "function") {
    process.stderr.write("Password (not shown): ");
    return await readHidden(stdin as typeof stdin & { setRawMode: (on: boolean) => void });
  }
  const input = new FirstLine();
  for await (const chunk of stdin as AsyncIterable<Uint8Array | string>) {
    if (input.push(chunk)) break;
  }
  return input.line();
}

/** Reads keys until Enter with echo off; Ctrl-C or Ctrl-D gives up. */
function readHidden(stdin: typeof process.stdin & { setRawMode: (on: boolean) => void }) {
  return new Promise<string>((resolve, reject) => {
    const keys = new TypedLine();
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off("data", onData);
      process.stderr.write("\n");
      if (error) reject(error);
      else resolve(keys.typed);
    };
    const onData = (chunk: Uint8Array | string) => {
      const state = keys.push(chunk);
      if (state === "done") done();
      else if (state === "cancelled") done(new Error("cancelled"));
    };
    stdin.setRawMode(true);
    stdin.on("data", onData);
    stdin.resume();
  });
}

async function main(args: string[]): Promise<number> {
  if (args.includes("-h") || args.includes("--help")) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.length > 0) {
    // the argument is not echoed: it may be the password itself
    process.stderr.write(
      `hash-password: takes no arguments; the password is read from standard input, never from the command line\n${USAGE}\n`,
    );
    return 2;
  }
  let password: string;
  try {
    password = await readPassword();
  } catch (e) {
    process.stderr.write(`hash-password: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  const problem = passwordProblem(password);
  if (problem !== null) {
    process.stderr.write(`hash-password: ${problem}\n`);
    return 1;
  }
  process.stdout.write(`${await hashPassword(password)}\n`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
