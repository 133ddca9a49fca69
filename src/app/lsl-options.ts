/** @module The Lab Streaming Layer options of `serve` (docs/protocol/bridge-api.md §10): their rows of the option table and their checks. */
import type { Scope } from "../lsl/wire/constants.ts";
import { SCOPES } from "../lsl/wire/constants.ts";
import { nonEmpty, UsageError } from "./option-values.ts";
import type { ServeOption } from "./options.ts";

/** What the LSL flags resolve to; outlets only with `enabled`, the inlet only with `markersQuery`. */
export interface LslFlags {
  /** `--lsl`: an EEG and a marker outlet for every device. */
  enabled: boolean;
  /** The default device's EEG outlet name; another device's is `NAME_<device_id>`. */
  name: string;
  /** `--lsl-markers QUERY`: the predicate of the marker streams to read, or null. */
  markersQuery: string | null;
  scope: Scope;
  sessionId: string;
  knownPeers: string[];
}

export const LSL_OPTIONS: readonly ServeOption[] = [
  {
    flag: "--lsl",
    help: "an LSL EEG outlet and marker outlet for every device (LabRecorder, MNE-LSL, pylsl)",
    set: (c) => void (c.lsl.enabled = true),
  },
  {
    flag: "--lsl-name",
    value: "NAME",
    default: "MW75_EEG",
    help: "the default device's EEG outlet name; another device's is NAME_<device_id>",
    set: (c, v, name) => void (c.lsl.name = printable(name, v)),
  },
  {
    flag: "--lsl-markers",
    value: "QUERY",
    help: "read the LSL marker streams matching QUERY (e.g. \"type='Markers'\") onto every device",
    set: (c, v, name) => void (c.lsl.markersQuery = printable(name, v)),
  },
  {
    flag: "--lsl-scope",
    value: "SCOPE",
    default: "site",
    help: "LSL discovery scope: machine (this computer only), link or site",
    set: (c, v, name) => void (c.lsl.scope = scope(name, v)),
  },
  {
    flag: "--lsl-session-id",
    value: "ID",
    default: "default",
    help: "the LSL session id: only streams of the same session see each other",
    set: (c, v, name) => void (c.lsl.sessionId = printable(name, v)),
  },
  {
    flag: "--lsl-known-peers",
    value: "HOSTS",
    help: "comma-separated hosts to ask by unicast besides multicast (liblsl's KnownPeers)",
    set: (c, v, name) => void (c.lsl.knownPeers = peers(name, v)),
  },
];

/** The flags before any option: LSL off. */
export function unsetLsl(): LslFlags {
  return {
    enabled: false,
    name: "",
    markersQuery: null,
    scope: "site",
    sessionId: "",
    knownPeers: [],
  };
}

/**
 * Refuses LSL options that would do nothing (a typo would otherwise silently serve no LSL):
 * the outlet name needs `--lsl`; scope, session and peers need `--lsl` or `--lsl-markers`.
 */
export function checkLslFlags(l: LslFlags, given: ReadonlySet<string>): void {
  if (!l.enabled && given.has("--lsl-name")) {
    throw new UsageError("--lsl-name only applies with --lsl");
  }
  if (l.enabled || l.markersQuery !== null) return;
  const stray = ["--lsl-scope", "--lsl-session-id", "--lsl-known-peers"].filter((f) =>
    given.has(f)
  );
  if (stray.length > 0) {
    throw new UsageError(`${stray.join(" and ")} only apply with --lsl or --lsl-markers`);
  }
}

function scope(name: string, value: string): Scope {
  const s = SCOPES.find((x) => x === value);
  if (s === undefined) {
    throw new UsageError(`${name} is one of ${SCOPES.join(", ")}, got "${value}"`);
  }
  return s;
}

// a control character would break the XML an outlet sends and the lines of a query datagram
// deno-lint-ignore no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

function printable(name: string, value: string): string {
  nonEmpty(name, value);
  if (CONTROL.test(value)) throw new UsageError(`${name} must not contain control characters`);
  if (value.length > 256) throw new UsageError(`${name} is at most 256 characters`);
  return value;
}

function peers(name: string, value: string): string[] {
  const hosts = value.split(",").map((h) => h.trim());
  if (hosts.some((h) => h === "" || /\s/.test(h))) {
    throw new UsageError(
      `${name} is a comma-separated list of host names or addresses, got "${value}"`,
    );
  }
  return hosts;
}
