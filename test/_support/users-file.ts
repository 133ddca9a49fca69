/** @module An `--auth` file with users (docs/security.md "Users, passwords and sessions") for the login tests, plus small HTTP helpers. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hashPassword } from "../../src/adapters/password-hash.ts";

/** One user of the file; the password is kept for the test, the file holds its hash. */
export interface TestUser {
  username: string;
  password: string;
  role: "control" | "observe";
}

/** A static token every users file of these tests also lists (to show it is no session). */
export const STATIC_TOKEN = "static-token-7c2e91d4";

/** The JSON of an auth file listing STATIC_TOKEN and `users` (real scrypt hashes of the default cost). */
export async function usersJson(users: TestUser[]): Promise<unknown> {
  const entries = await Promise.all(users.map(async (u) => ({
    username: u.username,
    password_hash: await hashPassword(u.password),
    role: u.role,
  })));
  return { tokens: [{ token: STATIC_TOKEN, role: "control" }], users: entries };
}

/** Runs `body` with `json` written to a fresh auth file, removed after. */
export async function withAuthFile(json: unknown, body: (path: string) => Promise<void>) {
  const file = rawAuthFile(json);
  try {
    await body(file.path);
  } finally {
    file.cleanup();
  }
}

/** Writes an auth file with exactly `json` (for the start-up errors). */
export function rawAuthFile(json: unknown): { path: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "mw75-users-"));
  const path = join(dir, "auth.json");
  writeFileSync(path, JSON.stringify(json));
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `POST /login` with `body` (a string is sent as is); status, parsed body, headers and the time it took. */
export async function login(
  base: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers; ms: number }> {
  const t = performance.now();
  const res = await fetch(`${base}/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  const ms = performance.now() - t;
  return {
    status: res.status,
    body: text === "" ? {} : JSON.parse(text),
    headers: res.headers,
    ms,
  };
}

/** `POST /logout` with `Authorization: Bearer token`: the status. */
export async function logout(base: string, token: string): Promise<number> {
  const res = await fetch(`${base}/logout`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}` },
  });
  await res.body?.cancel();
  return res.status;
}

/** The status of `GET path` with `token` as bearer. */
export async function getWith(base: string, path: string, token: string): Promise<number> {
  const res = await fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  await res.body?.cancel();
  return res.status;
}

/** The median of `values`. */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
