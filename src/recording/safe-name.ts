/**
 * @module The one rule for names inside the recordings directory: session names, the files made
 * from them, and the names the download route accepts. Pure, so the route and the store share it.
 */

/** Longest accepted name (the session name of §4.1 is at most 64; extensions and suffixes fit). */
export const MAX_NAME_LENGTH = 128;

const ALLOWED = /^[A-Za-z0-9_.-]+$/;

/** The rule in words, for error messages. */
export const SAFE_NAME_RULE =
  `1–${MAX_NAME_LENGTH} characters of [A-Za-z0-9_.-], not starting with "." and without ".."`;

/**
 * True when `name` is a plain file name that cannot leave the directory: only `[A-Za-z0-9_.-]`,
 * 1–128 characters, no leading `.` (hidden files, and the store's temporary files) and no `..`.
 * Slashes, backslashes, `%` (so no percent-encoded `%2e%2e` either), NUL and spaces never pass.
 */
export function isSafeName(name: unknown): name is string {
  return (
    typeof name === "string" &&
    name.length >= 1 &&
    name.length <= MAX_NAME_LENGTH &&
    ALLOWED.test(name) &&
    !name.startsWith(".") &&
    !name.includes("..")
  );
}
