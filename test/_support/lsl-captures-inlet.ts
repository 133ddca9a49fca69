/** @module Reads the liblsl capture dumps (../shared/protocol/lsl-captures/*.txt) into datagrams and TCP flows for the inlet's tests. */
import { readFileSync } from "node:fs";

const CAPTURES = new URL("../../../shared/protocol/lsl-captures/", import.meta.url);

/** One captured UDP datagram or one direction of a TCP connection. */
export interface CapturedFlow {
  readonly from: string;
  readonly to: string;
  /** The readable part (escapes `\r\n`, `\n` turned back into bytes). */
  readonly text: string;
  /** The hex-dumped part after `[binary part …]` (empty if none). */
  readonly binary: Uint8Array;
}

function unescape(line: string): string {
  return line.replace(/\\r/g, "\r").replace(/\\n/g, "\n");
}

function flows(file: string, header: RegExp): CapturedFlow[] {
  const lines = readFileSync(new URL(file, CAPTURES), "utf8").split("\n");
  const out: CapturedFlow[] = [];
  let current: { from: string; to: string; text: string; hex: string } | null = null;
  const finish = () => {
    if (current === null) return;
    const hex = current.hex.trim();
    const binary = hex === ""
      ? new Uint8Array(0)
      : Uint8Array.from(hex.split(/\s+/), (b) => parseInt(b, 16));
    out.push({ from: current.from, to: current.to, text: current.text, binary });
  };
  for (const line of lines) {
    const head = header.exec(line);
    if (head !== null) {
      finish();
      current = { from: head[1] ?? "", to: head[2] ?? "", text: "", hex: "" };
      continue;
    }
    if (current === null || !line.startsWith("      ")) continue;
    const body = line.slice(6);
    const binary = /^\[binary part[^\]]*\] (.*)$/.exec(body);
    if (binary !== null) current.hex += ` ${binary[1]}`;
    else current.text += unescape(body.replace(/^\[text part\] /, ""));
  }
  finish();
  return out;
}

/** The UDP datagrams of `file` (e.g. liblsl-outlet-inlet.udp.txt), in capture order. */
export function capturedDatagrams(file: string): CapturedFlow[] {
  return flows(file, /^\[\s*[\d.]+\] UDP (\S+) -> (\S+) len=/);
}

/** The TCP flows (one per direction) of `file` (e.g. liblsl-outlet-inlet.tcp.txt), in capture order. */
export function capturedTcp(file: string): CapturedFlow[] {
  return flows(file, /^=== TCP (\S+) -> (\S+) first@/);
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
