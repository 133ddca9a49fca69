/**
 * @module The data of `auth` (docs/protocol/bridge-api.md §5, §5.2): a token, or a username and password; the
 * same credential check reads the body of `POST /login`.
 */
import { accept, invalid } from "./result.ts";
import type { Checked } from "./result.ts";
import { MAX_PASSWORD_LENGTH } from "../ports/password-hasher.ts";

/** Longest username and password accepted (longer: INVALID_PARAMETERS, or 400 on HTTP). */
export const MAX_USERNAME_LENGTH = 128;
// the password limit lives with the hasher port: hash-password refuses the same lengths
export { MAX_PASSWORD_LENGTH };

/** A username and password as sent. */
export interface Credentials {
  username: string;
  password: string;
}

/** `auth`: the token as sent (the access gate judges it), or credentials. */
export type AuthRequest = { token: unknown } | Credentials;

/** Reads `auth` data; both a token and a username is INVALID_PARAMETERS. */
export function parseAuth(data: unknown): Checked<AuthRequest> {
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    return accept({ token: undefined });
  }
  const fields: { token?: unknown; username?: unknown; password?: unknown } = data;
  if (fields.username === undefined && fields.password === undefined) {
    return accept({ token: fields.token });
  }
  if (fields.token !== undefined) {
    return invalid("auth takes either {token} or {username, password}, not both");
  }
  return parseCredentials(data);
}

/** Reads `{username, password}`: non-empty strings within their length limits. */
export function parseCredentials(data: unknown): Checked<Credentials> {
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    return invalid("Expected a JSON object {username, password}");
  }
  const { username, password }: { username?: unknown; password?: unknown } = data;
  if (typeof username !== "string" || username.length === 0) {
    return invalid("Invalid username: expected a non-empty string");
  }
  if (username.length > MAX_USERNAME_LENGTH) {
    return invalid(`Invalid username: longer than ${MAX_USERNAME_LENGTH} characters`);
  }
  if (typeof password !== "string" || password.length === 0) {
    return invalid("Invalid password: expected a non-empty string");
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    return invalid(`Invalid password: longer than ${MAX_PASSWORD_LENGTH} characters`);
  }
  return accept({ username, password });
}
