/** @module LSL's fixed numbers and the IPv4 discovery targets of each scope (docs/protocol/lsl-wire.md §0). */

/** UDP port every outlet's discovery responder listens on (liblsl `[ports] MulticastPort`). */
export const DISCOVERY_PORT = 16571;
/** First port of the range outlets bind their service (UDP) and data (TCP) sockets in. */
export const BASE_PORT = 16572;
/** Ports in that range: 16572 … 16603. */
export const PORT_RANGE = 32;
/** The stream-feed protocol this implementation speaks (liblsl 1.10+). */
export const PROTOCOL_VERSION = 110;
/** What `<version>` says in a stream's info: 1.10, so inlets pick protocol 110. */
export const INFO_VERSION = 1.1;
/** The timestamp both test-pattern samples carry. */
export const TEST_PATTERN_TIME = 123456.789;
/** `nominal_srate` of an irregular stream (markers). */
export const IRREGULAR_RATE = 0;
/** liblsl's default `[lab] SessionID`. */
export const DEFAULT_SESSION_ID = "default";

/** How far discovery reaches: liblsl's ResolveScope values this bridge supports. */
export type Scope = "machine" | "link" | "site";
export const SCOPES: readonly Scope[] = ["machine", "link", "site"];

const MACHINE = ["127.0.0.1"];
const LINK = [...MACHINE, "255.255.255.255", "224.0.0.1", "224.0.0.183"];
const SITE = [...LINK, "239.255.172.215"];

/** The addresses a resolver sends its query to at 16571 (liblsl's default lists, cumulative). */
export function scopeTargets(scope: Scope): readonly string[] {
  return scope === "machine" ? MACHINE : scope === "link" ? LINK : SITE;
}

/** The multicast groups a responder joins: the targets in 224.0.0.0/4 (224.0.0.1 every host is in already). */
export function scopeGroups(scope: Scope): readonly string[] {
  return scopeTargets(scope).filter((a) => isMulticast(a) && a !== "224.0.0.1");
}

/** Multicast TTL per scope: machine 0, link 1, site 24. */
export function scopeTtl(scope: Scope): number {
  return scope === "machine" ? 0 : scope === "link" ? 1 : 24;
}

/** True for an IPv4 address in 224.0.0.0/4. */
export function isMulticast(address: string): boolean {
  const first = Number(address.split(".")[0]);
  return first >= 224 && first <= 239;
}
