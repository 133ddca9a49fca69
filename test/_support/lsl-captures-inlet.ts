/** @module The liblsl captures (../shared/protocol/lsl-captures/*.txt) as the inlet's tests use them: datagrams, TCP flows, the shortinfo reply, a feed. */
import { readCapture, tcpStreams, udpDatagrams } from "./lsl-captures.ts";
import type { CapturedPayload } from "./lsl-captures.ts";

/** One captured UDP datagram or one direction of a TCP connection (lsl-captures.ts parses the dumps). */
export interface CapturedFlow {
  readonly from: string;
  readonly to: string;
  /** The readable part (escapes `\r\n`, `\n` turned back into bytes). */
  readonly text: string;
  /** The hex-dumped part after `[binary part …]` (empty if none). */
  readonly binary: Uint8Array;
}

const flow = (p: CapturedPayload): CapturedFlow => ({
  from: p.src,
  to: p.dst,
  text: p.text,
  binary: p.binary,
});

/** The UDP datagrams of `file` (e.g. liblsl-outlet-inlet.udp.txt), in capture order. */
export function capturedDatagrams(file: string): CapturedFlow[] {
  return udpDatagrams(readCapture(file)).map(flow);
}

/** The TCP flows (one per direction) of `file` (e.g. liblsl-outlet-inlet.tcp.txt), in capture order. */
export function capturedTcp(file: string): CapturedFlow[] {
  return tcpStreams(readCapture(file)).map(flow);
}

/** The captured shortinfo reply datagram (query id line + XML) as bytes, and its query id. */
export function capturedShortinfoReply(): { bytes: Uint8Array; queryId: string; text: string } {
  const reply = capturedDatagrams("liblsl-outlet-inlet.udp.txt").find((d) =>
    d.text.includes("<info>")
  );
  if (reply === undefined) throw new Error("no shortinfo reply in the capture");
  return {
    bytes: new TextEncoder().encode(reply.text),
    queryId: reply.text.split("\r\n")[0] ?? "",
    text: reply.text,
  };
}

/** The response of the feed whose request names `sourceId`: its head text and the dumped binary part. */
export function capturedFeed(
  sourceId: string,
): { request: string; head: string; body: Uint8Array } {
  const tcp = capturedTcp("liblsl-outlet-inlet.tcp.txt");
  const at = tcp.findIndex((f) =>
    f.text.startsWith("LSL:streamfeed/") && f.text.includes(`Source-Id: ${sourceId}\r\n`)
  );
  if (at < 0) throw new Error(`no feed of ${sourceId} in the capture`);
  const request = tcp[at]!;
  const response = tcp.slice(at + 1).find((f) => f.from === request.to && f.to === request.from);
  if (response === undefined) throw new Error(`no response to the feed of ${sourceId}`);
  return { request: request.text, head: response.text, body: response.binary };
}
