/** @module The outlet's side of LSL's UDP datagrams: shortinfo queries and time probes in, replies out (docs/protocol/lsl-wire.md §2, §7). */

/** What one datagram on the responder or a service port asks for. */
export type DiscoveryRequest =
  | {
    readonly kind: "shortinfo";
    readonly query: string;
    readonly returnPort: number;
    readonly queryId: string;
  }
  | { readonly kind: "timedata"; readonly waveId: number; readonly t0Text: string }
  | { readonly kind: "malformed"; readonly reason: string };

/** Larger datagrams are refused unread; a real query is under 1 KB. */
export const MAX_DATAGRAM = 65536;

const decoder = new TextDecoder("utf-8", { fatal: true });

const malformed = (reason: string): DiscoveryRequest => ({ kind: "malformed", reason });

/** Parses a datagram: the method line, then the method's lines, each trimmed (liblsl reads them so). */
export function parseDiscoveryDatagram(bytes: Uint8Array): DiscoveryRequest {
  if (bytes.length > MAX_DATAGRAM) return malformed("datagram over 64 KB");
  if (bytes.includes(0)) return malformed("binary datagram");
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return malformed("datagram is not UTF-8 text");
  }
  const lines = text.split("\n").map((l) => l.trim());
  const method = lines[0] ?? "";
  if (method === "LSL:shortinfo") {
    if (lines.length < 3) {
      return malformed("shortinfo query without its query and return-port lines");
    }
    const tokens = lines[2]!.split(/\s+/).filter((t) => t !== "");
    const [portText, queryId] = tokens;
    if (portText === undefined || queryId === undefined) {
      return malformed("shortinfo query without return port and query id");
    }
    if (!/^\d{1,5}$/.test(portText)) return malformed("shortinfo query with a bad return port");
    const returnPort = Number(portText);
    if (returnPort < 1 || returnPort > 65535) {
      return malformed("shortinfo query with a bad return port");
    }
    return { kind: "shortinfo", query: lines[1]!, returnPort, queryId };
  }
  if (method === "LSL:timedata") {
    const [waveText, t0Text] = (lines[1] ?? "").split(/\s+/).filter((t) => t !== "");
    if (waveText === undefined || t0Text === undefined) {
      return malformed("timedata probe without wave id and t0");
    }
    if (!/^-?\d{1,10}$/.test(waveText)) return malformed("timedata probe with a bad wave id");
    if (!Number.isFinite(Number(t0Text))) return malformed("timedata probe with a bad t0");
    return { kind: "timedata", waveId: Number(waveText), t0Text };
  }
  // a fixed reason (never the sender's text), so logging once per reason stays bounded
  return malformed("unknown method");
}

/** The reply to a matching query: the query id line, then the shortinfo document. */
export function shortinfoReply(queryId: string, shortinfoXml: string): string {
  return `${queryId}\r\n${shortinfoXml}`;
}

/** The time reply: a leading space, no line end; t0 goes back exactly as it came (§7). */
export function timeReply(waveId: number, t0Text: string, t1: number, t2: number): string {
  return ` ${waveId} ${t0Text} ${t1} ${t2}`;
}
