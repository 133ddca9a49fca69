/** @module Inbound validation order and error codes (docs/protocol/mw75.md §3.3/§3.5), and the id rules. */
import { describe, expect, test } from "bun:test";
import { isTruthy, replyId } from "../../src/protocol/envelope.ts";
import {
  jsonByteLength,
  MAX_ID_BYTES,
  MAX_NESTING,
  nestsDeeperThan,
} from "../../src/protocol/frame-limits.ts";
import {
  autoReconnectProblem,
  frameText,
  isRejection,
  parseFrame,
  parseLogLevel,
  readConnect,
} from "../../src/protocol/inbound.ts";
import type { ConnectRequest } from "../../src/protocol/inbound.ts";

const code = (text: string, multi = false): string => {
  const r = parseFrame(text, multi);
  return isRejection(r) ? r.code : r.type;
};

describe("parseFrame", () => {
  test("checks JSON, then object, then type, then known command", () => {
    expect(code("{oops")).toBe("INVALID_JSON");
    expect(code("")).toBe("INVALID_JSON");
    for (const t of ["[]", "[1]", "3", '"s"', "null", "true"]) {
      expect(code(t)).toBe("INVALID_MESSAGE");
    }
    expect(code("{}")).toBe("MISSING_TYPE");
    expect(code('{"type":""}')).toBe("MISSING_TYPE");
    expect(code('{"type":null}')).toBe("MISSING_TYPE");
    expect(code('{"type":"nope"}')).toBe("UNKNOWN_COMMAND");
    expect(code('{"type":5}')).toBe("UNKNOWN_COMMAND");
    for (const t of ["connect", "disconnect", "status", "ping"]) {
      expect(code(JSON.stringify({ type: t }))).toBe(t);
    }
  });

  test("broadcast is a command only when several clients are allowed", () => {
    expect(code('{"type":"broadcast"}', false)).toBe("UNKNOWN_COMMAND");
    expect(code('{"type":"broadcast"}', true)).toBe("broadcast");
  });

  test("frame-level errors use fresh ids; type errors echo the id; message names the type", () => {
    const bad = parseFrame('{"id":"a"', false);
    expect(isRejection(bad) && bad.echoId).toBe(false);
    const unknown = parseFrame('{"id":"a","type":"dance"}', false);
    expect(unknown).toMatchObject({
      code: "UNKNOWN_COMMAND",
      id: "a",
      echoId: true,
      message: "Unknown command type: dance",
    });
  });

  test("nesting deeper than the limit is INVALID_MESSAGE before parsing; at the limit it parses", () => {
    const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
    const ping = (depth: number) => `{"id":${nested(depth - 1)},"type":"ping"}`;
    expect(code(ping(MAX_NESTING))).toBe("ping");
    const deep = parseFrame(ping(MAX_NESTING + 1), false);
    expect(deep).toMatchObject({ code: "INVALID_MESSAGE", echoId: false });
    expect(code(ping(50_000))).toBe("INVALID_MESSAGE");
    // even when the deep part is not valid JSON: nothing deep ever reaches JSON.parse
    expect(code("[".repeat(100))).toBe("INVALID_MESSAGE");
  });

  test("an id longer than 1 KiB (as JSON) is INVALID_MESSAGE with a fresh id; at the limit it is echoed", () => {
    const withId = (id: unknown) => JSON.stringify({ id, type: "ping" });
    const fits = "a".repeat(MAX_ID_BYTES - 2); // the JSON text adds the two quotes
    expect(code(withId(fits))).toBe("ping");
    expect(parseFrame(withId(`${fits}b`), false)).toMatchObject({
      code: "INVALID_MESSAGE",
      echoId: false,
    });
    expect(code(withId(Array.from({ length: 400 }, (_, i) => i)))).toBe("INVALID_MESSAGE");
    // checked before MISSING_TYPE, which would echo it
    expect(parseFrame(JSON.stringify({ id: "x".repeat(5000) }), false)).toMatchObject({
      code: "INVALID_MESSAGE",
      echoId: false,
    });
  });

  test("binary frames decode as UTF-8 and bad bytes throw", () => {
    expect(frameText(new TextEncoder().encode('{"type":"ping"}'))).toBe('{"type":"ping"}');
    expect(() => frameText(new Uint8Array([0xff, 0xfe]))).toThrow();
  });
});

/** The read request of connect data that must be an object. */
function connect(data: unknown): ConnectRequest {
  const r = readConnect(data);
  if (!r.ok) throw new Error(`refused ${JSON.stringify(data)}: ${r.message}`);
  return r.value;
}

describe("connect data", () => {
  test("defaults, booleans, 0/1 and null for auto_reconnect; the given value is kept for the ack", () => {
    expect(readConnect(undefined)).toEqual({
      ok: true,
      value: { autoReconnectGiven: false, autoReconnect: false, logLevelGiven: "ERROR" },
    });
    expect(connect(null).autoReconnect).toBe(false);
    expect(connect({ auto_reconnect: 1 })).toMatchObject({
      autoReconnectGiven: 1,
      autoReconnect: true,
    });
    expect(connect({ auto_reconnect: true }).autoReconnect).toBe(true);
    for (const off of [0, null, false]) {
      expect(connect({ auto_reconnect: off }).autoReconnect).toBe(false);
    }
  });

  test('any other auto_reconnect is refused (null), so the string "false" never turns it on', () => {
    for (const bad of ["false", "true", "yes", "", 2, -1, 0.5, [], [1], {}, { on: true }]) {
      expect(connect({ auto_reconnect: bad })).toMatchObject({
        autoReconnectGiven: bad,
        autoReconnect: null,
      });
    }
    expect(autoReconnectProblem("false")).toBe(
      'Invalid auto_reconnect: expected true, false, 0 or 1, got "false" (string)',
    );
  });

  test("non-object data is a MESSAGE_PROCESSING_ERROR naming what came", () => {
    for (const [bad, kind] of [["x", "string"], [3, "number"], [[1], "array"], [true, "boolean"]]) {
      expect(readConnect(bad)).toEqual({
        ok: false,
        code: "MESSAGE_PROCESSING_ERROR",
        message: `'data' must be an object, got ${kind}`,
      });
    }
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
      expect(String(replyId(falsy))).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
    }
  });
});

describe("frame limits", () => {
  test("nestsDeeperThan ignores brackets inside strings, escaped quotes included", () => {
    expect(nestsDeeperThan('{"a":"[[[[[[[[[["}', 2)).toBe(false);
    expect(nestsDeeperThan('{"a":"\\"[[[[[["}', 2)).toBe(false);
    expect(nestsDeeperThan('{"a":[[{"b":1}]]}', 3)).toBe(true);
    expect(nestsDeeperThan('{"a":[[{"b":1}]]}', 4)).toBe(false);
    expect(nestsDeeperThan("[][][][][][]", 1)).toBe(false);
    // a string ending in an escaped backslash closes at the next quote: what follows counts
    expect(nestsDeeperThan('["a\\\\", [[[]]]]', 3)).toBe(true);
    expect(nestsDeeperThan('["a\\\\", [[[]]]]', 4)).toBe(false);
    // many openers in sequence but shallow: not deep
    expect(nestsDeeperThan(`[${Array.from({ length: 100 }, () => '{"a":[1]}').join(",")}]`, 3))
      .toBe(false);
    expect(nestsDeeperThan(`[${Array.from({ length: 100 }, () => '{"a":[1]}').join(",")}]`, 2))
      .toBe(true);
  });

  test("jsonByteLength counts UTF-8 bytes of the JSON text", () => {
    expect(jsonByteLength(undefined)).toBe(0);
    expect(jsonByteLength("ab")).toBe(4);
    expect(jsonByteLength(7)).toBe(1);
    for (const s of ["é", "€", "😀", "a\u0000b", 'q"uote']) {
      expect(jsonByteLength(s)).toBe(new TextEncoder().encode(JSON.stringify(s)).length);
    }
  });
});
