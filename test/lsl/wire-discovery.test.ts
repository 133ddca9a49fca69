/** @module Discovery datagrams as the outlet reads them (captured queries, time probes, garbage) and its replies. */
import { describe, expect, test } from "bun:test";
import {
  parseDiscoveryDatagram,
  shortinfoReply,
  timeReply,
} from "../../src/lsl/wire/discovery-server.ts";
import { readCapture, udpDatagrams } from "../_support/lsl-captures.ts";

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const datagrams = udpDatagrams(readCapture("liblsl-outlet-inlet.udp.txt"));

describe("parseDiscoveryDatagram", () => {
  test("reads the captured shortinfo query", () => {
    const query = datagrams.find((d) => d.text.startsWith("LSL:shortinfo"))!;
    expect(parseDiscoveryDatagram(bytes(query.text))).toEqual({
      kind: "shortinfo",
      query: "session_id='default' and type='EEG'",
      returnPort: 16574,
      queryId: "9950725279836683897",
    });
  });

  test("reads the captured time probe, keeping t0's text", () => {
    const probe = datagrams.find((d) => d.text.startsWith("LSL:timedata"))!;
    expect(parseDiscoveryDatagram(bytes(probe.text))).toEqual({
      kind: "timedata",
      waveId: 1804289383,
      t0Text: "551.080614446",
    });
  });

  test("trims lines and accepts an empty query and LF-only line ends", () => {
    expect(parseDiscoveryDatagram(bytes("  LSL:shortinfo \n\n 16572   42 \n"))).toEqual({
      kind: "shortinfo",
      query: "",
      returnPort: 16572,
      queryId: "42",
    });
  });

  const bad: [string, Uint8Array][] = [
    ["no return-port line", bytes("LSL:shortinfo\r\nname='x'\r\n")],
    ["no query id", bytes("LSL:shortinfo\r\nname='x'\r\n16572\r\n")],
    ["port 0", bytes("LSL:shortinfo\r\n\r\n0 1\r\n")],
    ["port 70000", bytes("LSL:shortinfo\r\n\r\n70000 1\r\n")],
    ["port not a number", bytes("LSL:shortinfo\r\n\r\nabc 1\r\n")],
    ["timedata without t0", bytes("LSL:timedata\r\n1804289383\r\n")],
    ["timedata with a bad t0", bytes("LSL:timedata\r\n1 x1.5\r\n")],
    ["unknown method", bytes("LSL:fullinfo\r\n")],
    ["empty", new Uint8Array(0)],
    ["binary", Uint8Array.from([0x4c, 0x53, 0x4c, 0, 0xff, 0xfe])],
    ["not UTF-8", Uint8Array.from([0xc3, 0x28, 0x0a])],
    ["over 64 KB", new Uint8Array(65537).fill(0x41)],
  ];
  for (const [name, datagram] of bad) {
    test(`${name} is malformed`, () =>
      expect(parseDiscoveryDatagram(datagram).kind).toBe("malformed"));
  }
});

describe("replies", () => {
  test("the shortinfo reply is the query id line then the document", () => {
    expect(shortinfoReply("99", "<?xml?>\n")).toBe("99\r\n<?xml?>\n");
  });
  test("the time reply has the captured shape: leading space, t0 echoed, no line end", () => {
    const captured = datagrams.find((d) => d.text.startsWith(" 1804289383"))!;
    const [, wave, t0, t1, t2] = captured.text.split(" ");
    const reply = timeReply(Number(wave), t0!, Number(t1), Number(t2));
    // liblsl printed 17 digits (…0830299999), JS the shortest form that reads back as the same double
    expect(reply).toBe(" 1804289383 551.080614446 551.080916273 551.08108303");
    expect(reply.split(" ").map(Number)).toEqual(captured.text.split(" ").map(Number));
  });
});
