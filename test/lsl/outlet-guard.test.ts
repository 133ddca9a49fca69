/** @module Hostile input against the outlet's handlers without sockets: bounded logs and cache, nothing thrown. */
import { expect, test } from "bun:test";
import type dgram from "node:dgram";
import type net from "node:net";
import { type Discoverable, Discovery } from "../../src/lsl/outlet/discovery.ts";
import { OnceLog } from "../../src/lsl/outlet/once-log.ts";
import { serveSession, type SessionHost } from "../../src/lsl/outlet/session.ts";
import { clock, memoryLog, shortinfoQuery } from "./outlet-raw.ts";

const encoder = new TextEncoder();
const rinfo = { address: "127.0.0.1", port: 1, family: "IPv4", size: 0 } as dgram.RemoteInfo;
/** Never used: every test here ends before a reply would be sent. */
const noSocket = {} as dgram.Socket;
const setup = () => {
  const memory = memoryLog();
  const log = new OnceLog(memory);
  return { memory, log, discovery: new Discovery(log) };
};

test("unsupported queries are logged once per construct, not once per text", () => {
  const { memory, discovery } = setup();
  for (let i = 0; i < 300; i++) expect(discovery.compiled(`name[${i}]='x'`)).toBeNull();
  expect(memory.lines.filter((l) => l.includes("ignoring a resolve query"))).toHaveLength(1);
});

test("protocol noise has its own budget: floods of distinct bad input never silence real warnings", () => {
  const { memory, log, discovery } = setup();
  for (let i = 0; i < 300; i++) discovery.compiled(`f${i}()`); // 300 distinct constructs
  const noise = memory.lines.length;
  expect(noise).toBeLessThanOrEqual(40);
  log.once("send:EPERM", "WARNING", "LSL: a discovery reply could not be sent (EPERM)");
  expect(memory.lines.slice(noise)).toEqual([
    "WARNING LSL: a discovery reply could not be sent (EPERM)",
  ]);
});

test("queries over the size cap are refused and never cached", () => {
  const { discovery } = setup();
  for (let i = 0; i < 50; i++) {
    expect(discovery.compiled(`name='${i}${"x".repeat(60_000)}'`)).toBeNull();
  }
  expect(discovery.cacheSize).toBe(0);
  expect(discovery.compiled("name='x'")).not.toBeNull();
  expect(discovery.cacheSize).toBe(1);
});

test("handle() never throws: deep nesting is unsupported, a failure inside counts as malformed", () => {
  const { memory, discovery } = setup();
  const deep = "(".repeat(2000) + "1" + ")".repeat(2000);
  const datagram = (q: string) => encoder.encode(shortinfoQuery(q, 16600, "1"));
  discovery.handle(noSocket, datagram(deep), rinfo, [], null);
  discovery.handle(noSocket, datagram("b or ".repeat(800) + "b"), rinfo, [], null);
  expect(discovery.figures.unsupported).toBe(2);
  const broken: Iterable<Discoverable> = {
    [Symbol.iterator]: () => {
      throw new RangeError("Maximum call stack size exceeded");
    },
  };
  for (let i = 0; i < 3; i++) {
    expect(() => discovery.handle(noSocket, datagram("name"), rinfo, broken, null)).not.toThrow();
  }
  expect(discovery.figures.malformed).toBe(3);
  expect(memory.lines.filter((l) => l.includes("Maximum call stack"))).toHaveLength(1);
});

/** The parts of net.Socket a session touches. */
function fakeSocket() {
  const handlers = new Map<string, (data?: Uint8Array) => void>();
  const fake = {
    destroyed: false,
    ended: null as string | null,
    on(event: string, fn: (data?: Uint8Array) => void) {
      handlers.set(event, fn);
      return fake;
    },
    end(text = "") {
      fake.ended = text;
    },
    write: () => true,
    destroy() {
      fake.destroyed = true;
      handlers.get("close")?.();
    },
    emit: (event: string, data?: Uint8Array) => handlers.get(event)!(data),
  };
  return fake;
}

test("a session whose request handling throws drops the connection, counts it and logs once", () => {
  const memory = memoryLog();
  const host: SessionHost = {
    uid: "u",
    format: "float32",
    fullinfo: "",
    shortinfo: "",
    testPatterns: new Uint8Array(),
    clock,
    log: new OnceLog(memory),
    figures: { sessions: 0, refused: 0, oversize: 0, timed_out: 0, malformed: 0 },
    matches: () => {
      throw new RangeError("Maximum call stack size exceeded");
    },
    addConsumer: () => {},
  };
  for (let i = 0; i < 2; i++) {
    const socket = fakeSocket();
    serveSession(socket as unknown as net.Socket, host);
    expect(() => socket.emit("data", encoder.encode("LSL:shortinfo\r\nname\r\n"))).not.toThrow();
    expect(socket.destroyed).toBe(true);
    expect(socket.ended).toBeNull();
  }
  expect(host.figures.malformed).toBe(2);
  expect(memory.lines.filter((l) => l.includes("Maximum call stack"))).toHaveLength(1);
});
