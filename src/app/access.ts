/**
 * @module Builds the access gate and the Host/Origin policy from the command line: tokens from
 * `--token`/MW75_TOKEN and `--auth FILE`, the local names when listening on every interface.
 */
import { readFile } from "node:fs/promises";
import { localNames } from "../adapters/net.ts";
import type { ServeConfig } from "./config.ts";
import { AccessGate } from "../server/access/gate.ts";
import { createHostPolicy } from "../server/access/hosts.ts";
import type { HostPolicy } from "../server/access/hosts.ts";
import { parseAuthFile, TokenTable } from "../server/access/tokens.ts";
import type { TokenEntry } from "../server/access/tokens.ts";

/** What main wires into the bridge and the app. */
export interface AccessSetup {
  gate: AccessGate;
  hosts: HostPolicy;
}

/** Reads the auth file (if any); throws an Error that names the file and never shows a token. */
export async function buildAccess(config: ServeConfig): Promise<AccessSetup> {
  const a = config.access;
  const entries: TokenEntry[] = [];
  if (a.token !== null) entries.push({ token: a.token, role: "control", name: "--token" });
  if (a.authFile !== null) {
    let text: string;
    try {
      text = await readFile(a.authFile, "utf8");
    } catch (e) {
      throw new Error(
        `Cannot read auth file ${a.authFile}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    entries.push(...parseAuthFile(text, a.authFile));
  }
  return {
    gate: new AccessGate(new TokenTable(entries)),
    hosts: createHostPolicy({
      listenHost: config.host,
      localNames: localNames(),
      allowOrigins: a.allowOrigins,
    }),
  };
}
