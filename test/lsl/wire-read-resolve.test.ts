/** @module The resolver's datagrams against the liblsl capture: the query text and the captured shortinfo reply. */
import { CAPTURED_INFO } from "../_support/lsl-captures.ts";
import { describe, expect, test } from "bun:test";
import {
  parseShortinfoReply,
  queryIdOf,
  sessionQuery,
  shortinfoQuery,
} from "../../src/lsl/wire/resolve-datagrams.ts";
import { capturedDatagrams, capturedShortinfoReply } from "../_support/lsl-captures-inlet.ts";

const encode = (s: string) => new TextEncoder().encode(s);

describe("shortinfo query", () => {
  test("has the captured layout: method, query, return port and id, each CRLF-ended", () => {
    const captured = capturedDatagrams("liblsl-outlet-inlet.udp.txt")[0]!.text;
    expect(shortinfoQuery("session_id='default' and type='EEG'", 16574, "9950725279836683897"))
      .toBe(captured);
  });

  test("a session-scoped query wraps the user's predicate; an empty one asks for the session only", () => {
    expect(sessionQuery("lab1", "type='Markers'")).toBe("session_id='lab1' and (type='Markers')");
    expect(sessionQuery("default", " ")).toBe("session_id='default'");
  });

  test("query ids are stable decimal tokens that differ between queries", () => {
    expect(queryIdOf("a")).toMatch(/^\d+$/);
    expect(queryIdOf("a")).toBe(queryIdOf("a"));
    expect(queryIdOf("a")).not.toBe(queryIdOf("b"));
  });
});

describe("shortinfo reply", () => {
  const reply = capturedShortinfoReply();

  test("the captured reply (653 bytes) parses, v4address taken from the datagram's source", () => {
    expect(reply.bytes.length).toBe(653);
    const result = parseShortinfoReply(reply.bytes, reply.queryId, "10.1.2.3");
    if (!result.ok) throw new Error(result.detail);
    // every field of the captured outlet (the same values the outlet side writes), v4address the source
    expect(result.info).toEqual({ ...CAPTURED_INFO, v4address: "10.1.2.3" });
  });

  test("a multicast reply seen from 0.0.0.0 (loopback) is taken as 127.0.0.1", () => {
    const result = parseShortinfoReply(reply.bytes, reply.queryId, "0.0.0.0");
    expect(result.ok && result.info.v4address).toBe("127.0.0.1");
  });

  test("a reply to another query id is dropped", () => {
    expect(parseShortinfoReply(reply.bytes, "42", "127.0.0.1")).toMatchObject({
      ok: false,
      problem: "other-query",
    });
  });

  test("a reply without a line end or with an invalid info is malformed, naming the field", () => {
    expect(parseShortinfoReply(encode("garbage"), "1", "127.0.0.1")).toMatchObject({
      problem: "malformed",
    });
    const broken = reply.text.replace(
      "<v4data_port>16572</v4data_port>",
      "<v4data_port></v4data_port>",
    );
    const result = parseShortinfoReply(encode(broken), reply.queryId, "127.0.0.1");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.detail).toContain("v4data_port");
  });
});
