/**
 * @module Builds the access gate and the Host/Origin policy from the command line: tokens from
 * `--token`/MW75_TOKEN and `--auth FILE`, the file's users (scrypt hashes) with their logins and
 * sessions (`--session-ttl`), the local names when listening on every interface.
 */
import { readFile } from "node:fs/promises";
import { localNames } from "../adapters/net.ts";
import { scryptHasher } from "../adapters/password-hash.ts";
import type { Clock } from "../core/clock.ts";
import type { Logger } from "../ports/logger.ts";
import type { ServeConfig } from "./config.ts";
import { UsageError } from "./option-values.ts";
import { AccessGate } from "../server/access/gate.ts";
import { createHostPolicy } from "../server/access/hosts.ts";
import type { HostPolicy } from "../server/access/hosts.ts";
import { Logins } from "../server/access/logins.ts";
import { SessionStore } from "../server/access/sessions.ts";
import { readAuthFile, TokenTable } from "../server/access/tokens.ts";
import type { TokenEntry } from "../server/access/tokens.ts";
import { parseUsers, UserTable } from "../server/access/users.ts";

/** What main wires into the bridge and the app. */
export interface AccessSetup {
  gate: AccessGate;
  hosts: HostPolicy;
  /** Stops the session expiry timer (shutdown). */
  close(): void;
}

/** The tokens and users the command line and the auth file give. */
export interface AccessFile {
  tokens: TokenEntry[];
  users: UserTable;
}

/**
 * Reads the auth file (if any) before anything starts: a file that cannot be read or has a bad
 * entry is a bad command line (exit 2). The message names the file and the entry, never a token
 * or a hash.
 */
export async function readAccess(config: ServeConfig): Promise<AccessFile> {
  const a = config.access;
  const tokens: TokenEntry[] = [];
  if (a.token !== null) tokens.push({ token: a.token, role: "control", name: "--token" });
  if (a.authFile === null) return { tokens, users: new UserTable() };
  try {
    const file = readAuthFile(await readFile(a.authFile, "utf8"), a.authFile);
    tokens.push(...file.tokens);
    return { tokens, users: parseUsers(file.users, a.authFile, scryptHasher) };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new UsageError(
      message.startsWith("Cannot read auth file")
        ? message
        : `Cannot read auth file ${a.authFile}: ${message}`,
    );
  }
}

/** The gate (with password logins when the file lists users) and the Host/Origin policy. */
export function buildAccess(
  config: ServeConfig,
  file: AccessFile,
  clock: Clock,
  log: Logger,
): AccessSetup {
  let passwords = null;
  if (file.users.enabled) {
    const warning = file.users.costWarning;
    if (warning !== null) log.log("WARNING", warning);
    const sessions = new SessionStore({ clock, ttlMs: config.access.sessionTtlS * 1000 });
    sessions.onEnded((s, why) =>
      log.log("INFO", `Session ${s.id} of ${JSON.stringify(s.username)} ended: ${why}`)
    );
    const logins = new Logins({
      users: file.users,
      now: clock.now,
      log,
      perAddressPerMinute: config.access.loginRate,
    });
    passwords = { logins, sessions };
  }
  const sessions = passwords?.sessions;
  return {
    close: () => sessions?.close(),
    gate: new AccessGate(new TokenTable(file.tokens), passwords),
    hosts: createHostPolicy({
      listenHost: config.host,
      localNames: localNames(),
      allowOrigins: config.access.allowOrigins,
    }),
  };
}
