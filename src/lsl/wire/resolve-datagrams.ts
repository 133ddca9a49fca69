/** @module The resolver's datagrams (docs/protocol/lsl-wire.md §2): the shortinfo query and parsing a reply. */
import { InfoError, readStreamInfo, XmlError } from "./info-read.ts";
import type { StreamInfo } from "./stream-info.ts";

/** The query text a resolver sends to 16571 and to known peers' ports. */
export function shortinfoQuery(query: string, returnPort: number, queryId: string): string {
  return `LSL:shortinfo\r\n${query}\r\n${returnPort} ${queryId}\r\n`;
}

/** The predicate a session-scoped resolver asks with (liblsl prefixes the session the same way). */
export function sessionQuery(sessionId: string, userQuery: string): string {
  const session = `session_id='${sessionId}'`;
  return userQuery.trim() === "" ? session : `${session} and (${userQuery})`;
}

/**
 * A query id: the decimal 64-bit FNV-1a of the query. liblsl uses its own string hash; the id is
 * opaque to the outlet (it only echoes it), so any stable token does.
 */
export function queryIdOf(query: string): string {
  let h = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(query)) {
    h = ((h ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString();
}

/** Why a reply datagram was dropped. */
export type ReplyProblem = "other-query" | "malformed";

/** A reply parsed: the stream, or why it was dropped (with liblsl's message for invalid infos). */
export type ReplyResult =
  | { readonly ok: true; readonly info: StreamInfo }
  | { readonly ok: false; readonly problem: ReplyProblem; readonly detail: string };

/** Parses a reply datagram; `sourceAddress` (the datagram's sender) becomes `v4address`. */
export function parseShortinfoReply(
  datagram: Uint8Array,
  queryId: string,
  sourceAddress: string,
): ReplyResult {
  const text = new TextDecoder().decode(datagram);
  const eol = text.indexOf("\r\n");
  if (eol < 0) return { ok: false, problem: "malformed", detail: "no line end after the query id" };
  if (text.slice(0, eol).trim() !== queryId) {
    return { ok: false, problem: "other-query", detail: "query id differs" };
  }
  const address = sourceAddress === "0.0.0.0" ? "127.0.0.1" : sourceAddress;
  try {
    return { ok: true, info: readStreamInfo(text.slice(eol + 2), address) };
  } catch (e) {
    if (e instanceof InfoError || e instanceof XmlError) {
      return { ok: false, problem: "malformed", detail: e.message };
    }
    throw e;
  }
}
