/** @module Inbound validation order and error codes (MW75.md §3.3/§3.5), and the id rules. */
import { describe, expect, test } from "bun:test";
import { isTruthy, replyId } from "../../src/protocol/envelope.ts";
import { frameText, isRejection, parseFrame, parseLogLevel, readConnect } from "../../src/protocol/inbound.ts";

const code = (text: string, multi = false): string => {
  const r = parseFrame(text, multi);
  return isRejection(r) ? r.code : r.type;
};

describe("parseFrame", () => {
  test("checks JSON, then object, then type, then known command", () => {
    expect(code("{oops")).toBe("INVALID_JSON");
    expect(code("")).toBe("INVALID_JSON");
    for (const t of ["[]", "[1]", "3", '"s"', "null", "true"]) expect(code(t)).toBe("INVALID_MESSAGE");
    expect(code("{}")).toBe("MISSING_TYPE");
    expect(code('{"type":""}')).toBe("MISSING_TYPE");
    expect(code('{"type":null}')).toBe("MISSING_TYPE");
    expect(code('{"type":"nope"}')).toBe("UNKNOWN_COMMAND");
    expect(code('{"type":5}')).toBe("UNKNOWN_COMMAND");
    for (const t of ["connect", "disconnect", "status", "ping"]) expect(code(JSON.stringify({ type: t }))).toBe(t);
  });

  test("broadcast is a command only when several clients are allowed", () => {
    expect(code('{"type":"broadcast"}', false)).toBe("UNKNOWN_COMMAND");
    expect(code('{"type":"broadcast"}', true)).toBe("broadcast");
  });

  test("frame-level errors use fresh ids; type errors echo the id; message names the type", () => {
    const bad = parseFrame('{"id":"a"', false);
    expect(isRejection(bad) && bad.echoId).toBe(false);
    const unknown = parseFrame('{"id":"a","type":"dance"}', false);
    expect(unknown).toMatchObject({ code: "UNKNOWN_COMMAND", id: "a", echoId: true, message: "Unknown command type: dance" });
  });

  test("binary frames decode as UTF-8 and bad bytes throw", () => {
    expect(frameText(new TextEncoder().encode('{"type":"ping"}'))).toBe('{"type":"ping"}');
    expect(() => frameText(new Uint8Array([0xff, 0xfe]))).toThrow();
  });
});

describe("connect data", () => {
  test("defaults, truthiness and the as-given auto_reconnect", () => {
    expect(readConnect(undefined)).toEqual({ autoReconnectGiven: false, autoReconnect: false, logLevelGiven: "ERROR" });
    expect(readConnect(null).autoReconnect).toBe(false);
    expect(readConnect({ auto_reconnect: "yes" })).toMatchObject({ autoReconnectGiven: "yes", autoReconnect: true });
    for (const falsy of [0, "", [], {}, null, false]) expect(readConnect({ auto_reconnect: falsy }).autoReconnect).toBe(false);
  });

  test("non-object data throws (reported as MESSAGE_PROCESSING_ERROR)", () => {
    for (const bad of ["x", 3, [1], true]) expect(() => readConnect(bad)).toThrow(TypeError);
  });

  test("log levels are case-insensitive, CRITICAL and non-strings are invalid", () => {
    expect(parseLogLevel("debug")).toBe("DEBUG");
    expect(parseLogLevel("Warning")).toBe("WARNING");
    expect(parseLogLevel("CRITICAL")).toBeNull();
    expect(parseLogLevel(10)).toBeNull();
  });
});

describe("ids", () => {
  test("truthy ids are echoed, falsy ones replaced by a UUID4", () => {
    expect(replyId("x")).toBe("x");
    expect(replyId(7)).toBe(7);
    expect(replyId([1])).toEqual([1]);
    for (const falsy of [0, "", null, undefined, [], {}, false]) {
      expect(isTruthy(falsy)).toBe(false);
      expect(String(replyId(falsy))).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });
});
