/**
 * @module Access tokens: the `--auth FILE` format, `--token`, and constant-time lookup. A token is
 * never logged or reported; only its `name` is.
 */
import * as v from "valibot";
import type { Principal } from "./principal.ts";

/**
 * `{"tokens":[{"token":"…","role":"control"|"observe","name":"…"}], "users":[…]}`: tokens, users
 * (users.ts checks each), or both.
 */
export const AuthFileSchema = v.object({
  tokens: v.optional(v.pipe(
    v.array(v.object({
      token: v.pipe(v.string(), v.minLength(8, "a token must have at least 8 characters")),
      role: v.picklist(["control", "observe"], 'role must be "control" or "observe"'),
      name: v.optional(v.string()),
    })),
    v.minLength(1, "the file lists no token"),
  )),
  users: v.optional(v.pipe(v.array(v.unknown()), v.minLength(1, "the file lists no user"))),
});

/** One accepted token. */
export interface TokenEntry {
  token: string;
  role: "control" | "observe";
  name: string | null;
}

/** An auth file's tokens, and its `users` entries as written (users.ts reads them). */
export interface AuthFile {
  tokens: TokenEntry[];
  users: unknown[];
}

/** Reads an auth file's tokens; throws an Error that says what is wrong (never quoting a token). */
export function parseAuthFile(text: string, path: string): TokenEntry[] {
  return readAuthFile(text, path).tokens;
}

/** Reads an auth file's text; throws an Error that says what is wrong (never quoting a token). */
export function readAuthFile(text: string, path: string): AuthFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`Cannot read auth file ${path}: not valid JSON`);
  }
  const parsed = v.safeParse(AuthFileSchema, json);
  if (!parsed.success) {
    const issue = parsed.issues[0]!;
    const where = issue.path?.map((p) => String(p.key)).join(".") ?? "";
    throw new Error(`Cannot read auth file ${path}: ${where ? `${where}: ` : ""}${issue.message}`);
  }
  const { tokens = [], users = [] } = parsed.output;
  if (tokens.length === 0 && users.length === 0) {
    throw new Error(`Cannot read auth file ${path}: the file lists no token and no user`);
  }
  return {
    tokens: tokens.map((t) => ({ token: t.token, role: t.role, name: t.name ?? null })),
    users,
  };
}

/** The accepted tokens; `lookup` compares in constant time. */
export class TokenTable {
  #entries: { bytes: Uint8Array; principal: Principal }[];

  constructor(entries: readonly TokenEntry[]) {
    const encoder = new TextEncoder();
    this.#entries = entries.map((e) => ({
      bytes: encoder.encode(e.token),
      principal: { role: e.role, name: e.name },
    }));
  }

  /** True when any token is configured (auth on). */
  get enabled(): boolean {
    return this.#entries.length > 0;
  }

  /**
   * The principal of `token`, or null. Every entry is compared over its whole length whatever
   * matched, so the time taken does not tell how much of a token was right.
   */
  lookup(token: string): Principal | null {
    const given = new TextEncoder().encode(token);
    let found: Principal | null = null;
    for (const entry of this.#entries) {
      if (equalInConstantTime(given, entry.bytes) && found === null) found = entry.principal;
    }
    return found === null ? null : { ...found };
  }
}

function equalInConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) diff |= (a[i % (a.length || 1)] ?? 0) ^ (b[i % (b.length || 1)] ?? 0);
  return diff === 0;
}
