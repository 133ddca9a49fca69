/** @module The inlet's side of the stream-feed handshake (docs/protocol/lsl-wire.md §4): request and response head. */
import { IRREGULAR_RATE, PROTOCOL_VERSION } from "./constants.ts";
import { type StreamInfo, valueSize } from "./stream-info.ts";

/** Seconds of data an inlet asks the outlet to buffer for it (liblsl's default max_buflen). */
export const BUFFER_SECONDS = 360;
/** Longest response head accepted before the blank line; a real one is about 130 bytes. */
export const MAX_HEAD_BYTES = 16 * 1024;

/** The `LSL:streamfeed/110` request for `info`, with the headers liblsl sends (CRLF, blank line last). */
export function feedRequest(info: StreamInfo, hostname: string, sessionId: string): string {
  const rate = info.nominalSrate === IRREGULAR_RATE ? 100 : info.nominalSrate;
  const isFloat = info.channelFormat === "float32" || info.channelFormat === "double64";
  const lines = [
    `LSL:streamfeed/${PROTOCOL_VERSION} ${info.uid}`,
    "Native-Byte-Order: 1234",
    // the lowest figure: an outlet of the other byte order is always "faster" and converts for us
    "Endian-Performance: 0",
    "Has-IEEE754-Floats: 1",
    `Supports-Subnormals: ${isFloat ? 1 : 0}`,
    `Value-Size: ${valueSize(info.channelFormat)}`,
    `Data-Protocol-Version: ${PROTOCOL_VERSION}`,
    `Max-Buffer-Length: ${Math.ceil(BUFFER_SECONDS * rate)}`,
    "Max-Chunk-Length: 0",
    `Hostname: ${hostname}`,
    `Source-Id: ${info.sourceId}`,
    `Session-Id: ${sessionId}`,
  ];
  return lines.map((l) => `${l}\r\n`).join("") + "\r\n";
}

/** What the response head says: feed accepted, stream gone (404), lost (3xx) or another error. */
export type FeedHead =
  | {
    readonly kind: "ok";
    readonly uid: string;
    readonly byteOrder: 1234 | 4321;
    readonly protocol: number;
  }
  | { readonly kind: "gone"; readonly status: string }
  | { readonly kind: "lost"; readonly status: string }
  | { readonly kind: "error"; readonly status: string };

/** Index just past the head's blank line in `bytes`, or -1 while it has not arrived. */
export function headEnd(bytes: Uint8Array): number {
  for (let i = 3; i < bytes.length; i++) {
    if (bytes[i] === 10 && bytes[i - 1] === 13 && bytes[i - 2] === 10 && bytes[i - 3] === 13) {
      return i + 1;
    }
  }
  return -1;
}

/** Parses the response head (status line + headers, without the blank line) for the uid asked for. */
export function parseFeedHead(head: string, expectedUid: string): FeedHead {
  const lines = head.split("\r\n");
  const status = (lines[0] ?? "").trim();
  const match = /^LSL\/\d+ (\d{3})\b/.exec(status);
  if (match === null) {
    return { kind: "error", status: `malformed status line "${status.slice(0, 60)}"` };
  }
  const code = Number(match[1]);
  if (code === 404) return { kind: "gone", status };
  if (code >= 300 && code < 400) return { kind: "lost", status };
  if (code !== 200) return { kind: "error", status };
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const value = line.slice(colon + 1).split(";")[0] ?? "";
    headers.set(line.slice(0, colon).trim().toLowerCase(), value.trim());
  }
  const uid = headers.get("uid") ?? "";
  if (uid !== expectedUid) return { kind: "gone", status: `uid "${uid}" is not "${expectedUid}"` };
  const order = Number(headers.get("byte-order") ?? "0");
  if (order !== 0 && order !== 1234 && order !== 4321) {
    return { kind: "error", status: `unknown Byte-Order ${headers.get("byte-order")}` };
  }
  const protocol = Number(headers.get("data-protocol-version") ?? "100");
  if (!(protocol >= 110 && protocol <= PROTOCOL_VERSION)) {
    return { kind: "error", status: `unsupported Data-Protocol-Version ${protocol}` };
  }
  return { kind: "ok", uid, byteOrder: order === 4321 ? 4321 : 1234, protocol };
}
