/** @module TCP requests to the data port (the captured float32 and string feeds, info requests, garbage) and negotiation. */
import { describe, expect, test } from "bun:test";
import { type FeedRequest, negotiate, parseFeedRequest } from "../../src/lsl/wire/feed-request.ts";
import { readCapture, tcpStreams } from "../_support/lsl-captures.ts";

const streams = tcpStreams(readCapture("liblsl-outlet-inlet.tcp.txt"));
const requests = streams.filter((s) => s.text.startsWith("LSL:streamfeed/"));
const responses = streams.filter((s) => s.text.startsWith("LSL/110 200 OK"));
const feed = (r: FeedRequest | null) => {
  if (r?.kind !== "streamfeed") throw new Error(`not a feed: ${JSON.stringify(r)}`);
  return r;
};

describe("parseFeedRequest", () => {
  test("reads the captured float32 request", () => {
    expect(requests).toHaveLength(2);
    const r = feed(parseFeedRequest(requests[0]!.text));
    expect(r.version).toBe(110);
    expect(r.uid).toBe("bec0f3e9-ee17-4d8e-8896-02eb69103fcc");
    expect(r.headers).toEqual({
      byteOrder: 1234,
      hasIeee754Floats: true,
      supportsSubnormals: true,
      valueSize: 4,
      protocolVersion: 110,
      maxBufferLength: 180000,
      maxChunkLength: 0,
    });
  });

  test("is incomplete until the empty line, and for info requests until their last line", () => {
    const text = requests[0]!.text;
    expect(parseFeedRequest(text.slice(0, text.length - 2))).toBeNull();
    expect(parseFeedRequest("LSL:fullinfo")).toBeNull();
    expect(parseFeedRequest("LSL:fullinfo\r\n")).toEqual({ kind: "fullinfo" });
    expect(parseFeedRequest("LSL:shortinfo\r\nname='x'")).toBeNull();
    expect(parseFeedRequest("LSL:shortinfo\r\n name='x' \r\n")).toEqual({
      kind: "shortinfo",
      query: "name='x'",
    });
    expect(parseFeedRequest("LSL:streamfeed\r\n360 0\r\n")).toEqual({ kind: "legacy-feed" });
    expect(parseFeedRequest("GET / HTTP/1.1\r\n")).toEqual({ kind: "unknown" });
    expect(parseFeedRequest("\u0000\u0001\n")).toEqual({ kind: "unknown" });
  });

  test("headers: lower-cased keys and values, comments cut, booleans only '1', unknown keys ignored", () => {
    const r = feed(parseFeedRequest(
      "LSL:streamfeed/110\r\nHAS-IEEE754-FLOATS: true\r\nSupports-Subnormals: 1 ; yes\r\nX-Other: 5\r\nmax-buffer-length:  0\r\n\r\n",
    ));
    expect(r.uid).toBe("");
    expect(r.headers.hasIeee754Floats).toBe(false);
    expect(r.headers.supportsSubnormals).toBe(true);
    expect(r.headers.maxBufferLength).toBe(0);
    expect(r.headers.valueSize).toBeNull();
  });
});

describe("negotiate", () => {
  const eeg = { format: "float32", uid: "bec0f3e9-ee17-4d8e-8896-02eb69103fcc" } as const;
  const markers = { format: "string", uid: "3e5e46ab-13a3-4437-9835-f9f51f9e30c0" } as const;

  test("answers both captured requests with liblsl's exact head", () => {
    const a = negotiate(feed(parseFeedRequest(requests[0]!.text)), eeg);
    const b = negotiate(feed(parseFeedRequest(requests[1]!.text)), markers);
    expect(a).toEqual({ ok: true, head: responses[0]!.text, maxBufferLength: 180000 });
    expect(b).toEqual({ ok: true, head: responses[1]!.text, maxBufferLength: 36000 });
  });

  const request = (first: string, headers = "Value-Size: 4\r\n") =>
    feed(parseFeedRequest(`${first}\r\n${headers}\r\n`));
  const status = (first: string, headers?: string) => {
    const n = negotiate(request(first, headers), eeg);
    return n.ok ? n.head.split("\r\n")[0] : n.status;
  };

  test("refusals: 404 for another uid, 505 for a newer major version, protocol 1.00 refused", () => {
    expect(status(`LSL:streamfeed/110 ${markers.uid}`)).toBe("LSL/110 404 Not found\r\n");
    expect(status(`LSL:streamfeed/210 ${eeg.uid}`)).toBe("LSL/110 505 Version not supported\r\n");
    expect(status("LSL:streamfeed/100")).toBe("LSL/110 505 Version not supported\r\n");
    expect(status("LSL:streamfeed/110", "Data-Protocol-Version: 100\r\n")).toMatch(
      /^LSL\/110 505 Version not supported\r\n$/,
    );
    expect(status("LSL:streamfeed/110", "Has-IEEE754-Floats: 0\r\n")).toMatch(
      /^LSL\/110 505 Version not supported\r\n$/,
    );
    expect(status("LSL:streamfeed/110", "Value-Size: 8\r\n")).toMatch(
      /^LSL\/110 505 Version not supported\r\n$/,
    );
    expect(status("LSL:streamfeed/110", "")).toBe("LSL/110 200 OK");
    // the status line is liblsl's; the why goes to the log
    const legacy = negotiate(request("LSL:streamfeed/100"), eeg);
    expect(!legacy.ok && legacy.reason).toContain("only data protocol 110");
  });

  test("Suppress-Subnormals is 1 only for a float stream whose client lacks them", () => {
    const n = negotiate(request("LSL:streamfeed/110", "Supports-Subnormals: 0\r\n"), eeg);
    expect(n.ok && n.head).toContain("Suppress-Subnormals: 1\r\n");
    const m = negotiate(
      request("LSL:streamfeed/110", "Supports-Subnormals: 0\r\nValue-Size: 32\r\n"),
      markers,
    );
    expect(m.ok && m.head).toContain("Suppress-Subnormals: 0\r\n");
  });
});
