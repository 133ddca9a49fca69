/** @module The request a TCP client sends to an outlet's data port, and the stream-feed negotiation (docs/protocol/lsl-wire.md §4). */
import { PROTOCOL_VERSION } from "./constants.ts";
import { type ChannelFormat, valueSize } from "./stream-info.ts";

/** The feed parameters of a `LSL:streamfeed/<ver>` request, defaulted as liblsl defaults them. */
export interface FeedHeaders {
  readonly byteOrder: number;
  readonly hasIeee754Floats: boolean;
  readonly supportsSubnormals: boolean;
  /** null: the client did not say (then it is taken to match). */
  readonly valueSize: number | null;
  readonly protocolVersion: number;
  /** Samples; null when not sent (liblsl then keeps its own bound). */
  readonly maxBufferLength: number | null;
  readonly maxChunkLength: number;
}

export type FeedRequest =
  | { readonly kind: "fullinfo" }
  | { readonly kind: "shortinfo"; readonly query: string }
  | {
    readonly kind: "streamfeed";
    readonly version: number;
    readonly uid: string;
    readonly headers: FeedHeaders;
  }
  | { readonly kind: "legacy-feed" }
  | { readonly kind: "unknown" };

/** Integers as C++ `>>` reads them: leading digits (and sign), else the default. */
function int(text: string, fallback: number): number {
  const m = /^[+-]?\d+/.exec(text);
  return m ? Number(m[0]) : fallback;
}

/** `Key: value ; comment` lines: key and value trimmed and lower-cased; the first line is skipped. */
export function parseHeaders(lines: readonly string[]): FeedHeaders {
  const h = {
    byteOrder: 1234,
    hasIeee754Floats: true,
    supportsSubnormals: true,
    valueSize: null as number | null,
    protocolVersion: 0,
    maxBufferLength: null as number | null,
    maxChunkLength: 0,
  };
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).split(";")[0]!.trim().toLowerCase();
    if (key === "native-byte-order") h.byteOrder = int(value, 1234);
    else if (key === "has-ieee754-floats") h.hasIeee754Floats = value === "1";
    else if (key === "supports-subnormals") h.supportsSubnormals = value === "1";
    else if (key === "value-size") h.valueSize = int(value, -1);
    else if (key === "data-protocol-version" || key === "protocol-version") {
      h.protocolVersion = int(value, 0);
    } else if (key === "max-buffer-length") h.maxBufferLength = Math.max(0, int(value, 0));
    else if (key === "max-chunk-length") h.maxChunkLength = Math.max(0, int(value, 0));
  }
  return h;
}

/**
 * The request in `text` (the bytes received so far), or null while it is incomplete. A streamfeed/<ver>
 * request ends at the first empty line; the others at the end of their last line.
 */
export function parseFeedRequest(text: string): FeedRequest | null {
  const firstEnd = text.indexOf("\n");
  if (firstEnd < 0) return null;
  const method = text.slice(0, firstEnd).trim();
  if (method === "LSL:fullinfo") return { kind: "fullinfo" };
  if (method === "LSL:shortinfo" || method === "LSL:streamfeed") {
    const secondEnd = text.indexOf("\n", firstEnd + 1);
    if (secondEnd < 0) return null;
    if (method === "LSL:streamfeed") return { kind: "legacy-feed" };
    return { kind: "shortinfo", query: text.slice(firstEnd + 1, secondEnd).trim() };
  }
  if (method.startsWith("LSL:streamfeed/")) {
    const end = text.indexOf("\r\n\r\n");
    if (end < 0) return null;
    const [verb = "", uid = ""] = method.split(/[ \t]+/);
    const version = int(verb.slice("LSL:streamfeed/".length), 0);
    const lines = text.slice(firstEnd + 1, end).split("\n");
    const headers = parseHeaders(lines);
    return {
      kind: "streamfeed",
      version,
      uid,
      headers: { ...headers, protocolVersion: headers.protocolVersion || version },
    };
  }
  return { kind: "unknown" };
}

/** The outcome of a feed request: the response head to send before the test patterns, or a refusal. */
export type Negotiation =
  | { readonly ok: true; readonly head: string; readonly maxBufferLength: number | null }
  | Refusal;

/** A refused feed: the status line to send (then close) and a short reason for the log. */
export type Refusal = { readonly ok: false; readonly status: string; readonly reason: string };

/** What negotiation needs to know about the stream. */
export interface FeedStream {
  readonly format: ChannelFormat;
  readonly uid: string;
}

const refuse = (status: string, reason: string): Refusal => ({
  ok: false,
  status: `${status}\r\n`,
  reason,
});

/** The protocol 1.00 portable archive is not implemented; liblsl inlets never need it for a 1.10 stream. */
const ONLY_110 = `LSL/${PROTOCOL_VERSION} 505 Version not supported`;
/** Said in the log only: the status line stays liblsl's exact wording (lsl-wire.md §4). */
const WHY = `this outlet serves only data protocol ${PROTOCOL_VERSION}`;

/** liblsl's checks, in its order: major version, then uid, then what would force protocol 1.00. */
export function negotiate(
  request: { readonly version: number; readonly uid: string; readonly headers: FeedHeaders },
  stream: FeedStream,
): Negotiation {
  if (Math.trunc(request.version / 100) > Math.trunc(PROTOCOL_VERSION / 100)) {
    return refuse(
      `LSL/${PROTOCOL_VERSION} 505 Version not supported`,
      `protocol ${request.version}`,
    );
  }
  if (request.uid !== "" && request.uid !== stream.uid) {
    return refuse(`LSL/${PROTOCOL_VERSION} 404 Not found`, "another uid");
  }
  const h = request.headers;
  if (request.version < PROTOCOL_VERSION || h.protocolVersion < PROTOCOL_VERSION) {
    return refuse(ONLY_110, `protocol ${Math.min(request.version, h.protocolVersion)}; ${WHY}`);
  }
  if (!h.hasIeee754Floats) return refuse(ONLY_110, `a client without IEEE 754 floats; ${WHY}`);
  // liblsl ignores Value-Size for strings (it is the client's sizeof(std::string))
  const size = valueSize(stream.format);
  if (stream.format !== "string" && h.valueSize !== null && h.valueSize !== size) {
    return refuse(ONLY_110, `value size ${h.valueSize} for ${stream.format}; ${WHY}`);
  }
  const floats = stream.format === "float32" || stream.format === "double64";
  const suppress = floats && !h.supportsSubnormals ? 1 : 0;
  const head = `LSL/${PROTOCOL_VERSION} 200 OK\r\n` +
    `UID: ${stream.uid}\r\n` +
    // always little-endian: a big-endian liblsl inlet swaps the bytes itself (§4)
    "Byte-Order: 1234\r\n" +
    `Suppress-Subnormals: ${suppress}\r\n` +
    `Data-Protocol-Version: ${PROTOCOL_VERSION}\r\n\r\n`;
  return { ok: true, head, maxBufferLength: h.maxBufferLength };
}

/** The legacy feed and numeric mismatches all end in the same refusal. */
export function refuseLegacy(): Refusal {
  return refuse(ONLY_110, `legacy protocol 1.00 feed; ${WHY}`);
}
