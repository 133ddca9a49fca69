/** @module Reads the readable dumps of the liblsl captures (../shared/protocol/lsl-captures/*.txt) into payloads. */
import { readFileSync } from "node:fs";
import type { StreamInfo } from "../../src/lsl/wire/stream-info.ts";

/** The field values of the captured liblsl EEG outlet (its shortinfo is in the UDP dump). */
export const CAPTURED_INFO: StreamInfo = {
  name: "MW75_EEG",
  type: "EEG",
  channelCount: 14,
  channelFormat: "float32",
  sourceId: "mw75-sim-001",
  nominalSrate: 500,
  version: 1.1,
  createdAt: 546.460481537,
  uid: "bec0f3e9-ee17-4d8e-8896-02eb69103fcc",
  sessionId: "default",
  hostname: "vm",
  v4address: "",
  v4dataPort: 16572,
  v4servicePort: 16572,
  v6address: "",
  v6dataPort: 0,
  v6servicePort: 0,
  desc: [],
};

const DIR = new URL("../../../shared/protocol/lsl-captures/", import.meta.url);

/** One direction of a TCP connection, or one UDP datagram, as the dump shows it. */
export interface CapturedPayload {
  readonly src: string;
  readonly dst: string;
  /** The text shown (escapes `\r\n`, `\n` turned back into line ends); for a feed, its `[text part]`. */
  readonly text: string;
  /** The hex bytes of a `[binary part …]` line (the first bytes of the feed), else empty. */
  readonly binary: Uint8Array;
}

/** The dump's text. */
export function readCapture(name: string): string {
  return readFileSync(new URL(name, DIR), "utf8");
}

function unescapeLine(line: string): string {
  return line.replaceAll("\\r\\n", "\r\n").replaceAll("\\n", "\n");
}

function hex(text: string): Uint8Array {
  const bytes = text.trim().split(/\s+/).filter((b) => b !== "").map((b) => parseInt(b, 16));
  return Uint8Array.from(bytes);
}

function blocks(dump: string, header: RegExp): CapturedPayload[] {
  const out: CapturedPayload[] = [];
  let current: { src: string; dst: string; text: string; binary: Uint8Array } | null = null;
  for (const line of dump.split("\n")) {
    const m = header.exec(line);
    if (m) {
      if (current) out.push(current);
      current = { src: m[1]!, dst: m[2]!, text: "", binary: new Uint8Array(0) };
      continue;
    }
    if (current === null) continue;
    // payload lines are indented by six spaces; a timedata reply's own leading space stays
    const body = line.startsWith("      ") ? line.slice(6) : line;
    const bin = /^\[binary part[^\]]*\]\s*(.*)$/.exec(body);
    if (bin) current.binary = hex(bin[1]!);
    else current.text += unescapeLine(body.replace(/^\[text part\] /, ""));
  }
  if (current) out.push(current);
  return out;
}

/** The UDP datagrams of a `*.udp.txt` dump, in order. */
export function udpDatagrams(dump: string): CapturedPayload[] {
  return blocks(dump, /^\[\s*[\d.]+\] UDP (\S+) -> (\S+) len=\d+/);
}

/** The TCP directions of a `*.tcp.txt` dump, in order. */
export function tcpStreams(dump: string): CapturedPayload[] {
  return blocks(dump, /^=== TCP (\S+) -> (\S+) /);
}
