/** @module The feed's client side against the liblsl capture: request, response head, and the streaming sample decoder. */
import { describe, expect, test } from "bun:test";
import { feedRequest, headEnd, parseFeedHead } from "../../src/lsl/wire/feed-client.ts";
import {
  FeedDecoder,
  FeedError,
  type FeedSample,
  MAX_PENDING_BYTES,
  testPatternValues,
} from "../../src/lsl/wire/feed-decode.ts";
import { readStreamInfo } from "../../src/lsl/wire/info-read.ts";
import { capturedFeed, capturedShortinfoReply } from "../_support/lsl-captures-inlet.ts";
import { garbage, prng } from "../_support/streams.ts";

const eegInfo = readStreamInfo(
  capturedShortinfoReply().text.split("\r\n").slice(1).join("\r\n"),
  "127.0.0.1",
);
const markerInfo = {
  ...eegInfo,
  name: "Markers",
  channelCount: 1,
  channelFormat: "string" as const,
  nominalSrate: 0,
};

/** Decodes `bytes` split into two pieces at `cut`. */
function decodeSplit(decoder: FeedDecoder, bytes: Uint8Array, cut: number): FeedSample[] {
  return [...decoder.push(bytes.subarray(0, cut)), ...decoder.push(bytes.subarray(cut))];
}

describe("feed request and head", () => {
  test("the request carries liblsl's header lines, in its order, with the captured values for a 500 Hz float32 stream", () => {
    const captured = capturedFeed("mw75-sim-001").request.split("\r\n");
    const ours = feedRequest(eegInfo, "vm", "default").split("\r\n");
    expect(ours.map((l) => l.split(":")[0])).toEqual(captured.map((l) => l.split(":")[0]));
    for (
      const key of [
        "LSL",
        "Native-Byte-Order",
        "Value-Size",
        "Data-Protocol-Version",
        "Max-Buffer-Length",
        "Source-Id",
      ]
    ) {
      expect(ours.find((l) => l.startsWith(key))).toBe(captured.find((l) => l.startsWith(key)));
    }
    expect(ours.slice(-2)).toEqual(["", ""]);
  });

  test("a marker stream asks for 36000 samples with Value-Size 0", () => {
    const request = feedRequest(markerInfo, "vm", "default");
    expect(request).toContain("Max-Buffer-Length: 36000\r\n");
    expect(request).toContain("Value-Size: 0\r\n");
  });

  test("the captured head is accepted; the blank line is found", () => {
    const { head } = capturedFeed("mw75-markers-001");
    const bytes = new TextEncoder().encode(head);
    expect(headEnd(bytes)).toBe(bytes.length);
    expect(headEnd(bytes.subarray(0, bytes.length - 1))).toBe(-1);
    expect(parseFeedHead(head, "3e5e46ab-13a3-4437-9835-f9f51f9e30c0")).toEqual({
      kind: "ok",
      uid: "3e5e46ab-13a3-4437-9835-f9f51f9e30c0",
      byteOrder: 1234,
      protocol: 110,
    });
  });

  test("404 and a different uid mean gone, 3xx lost, other errors and odd headers error", () => {
    expect(parseFeedHead("LSL/110 404 Not found\r\n", "u").kind).toBe("gone");
    expect(parseFeedHead("LSL/110 200 OK\r\nUID: v\r\n", "u").kind).toBe("gone");
    expect(parseFeedHead("LSL/110 301 Moved\r\n", "u").kind).toBe("lost");
    expect(parseFeedHead("LSL/110 505 Version not supported\r\n", "u").kind).toBe("error");
    expect(parseFeedHead("HTTP/1.1 200 OK\r\n", "u").kind).toBe("error");
    expect(
      parseFeedHead(
        "LSL/110 200 OK\r\nUID: u\r\nByte-Order: 3412\r\nData-Protocol-Version: 110",
        "u",
      ).kind,
    )
      .toBe("error");
    expect(
      parseFeedHead(
        "LSL/110 200 OK\r\nuid:  u ; c\r\nByte-Order: 4321\r\nData-Protocol-Version: 110",
        "u",
      ),
    )
      .toMatchObject({ kind: "ok", byteOrder: 4321 });
  });
});

describe("sample decoder", () => {
  test("the captured string feed, split at every byte boundary, gives marker-10, -11, … with their timestamps", () => {
    const { body } = capturedFeed("mw75-markers-001");
    const whole = new FeedDecoder("string", 1, 0).push(body);
    expect(whole.length).toBeGreaterThan(5);
    whole.forEach((s, i) => expect(s.values).toEqual([`marker-${10 + i}`]));
    expect(whole[0]?.timestamp).toBeCloseTo(551.971175, 6);
    for (let cut = 0; cut <= body.length; cut++) {
      expect(decodeSplit(new FeedDecoder("string", 1, 0), body, cut)).toEqual(whole);
    }
  });

  test("the captured float32 ×14 feed, split at every byte boundary; deduced stamps advance by 1/500 s", () => {
    const { body } = capturedFeed("mw75-sim-001");
    const whole = new FeedDecoder("float32", 14, 500).push(body);
    // 400 dumped bytes: 2 × 65 test patterns, then one 65-byte sample and tag-1 57-byte ones
    expect(whole.length).toBe(1 + Math.floor((400 - 130 - 65) / 57));
    expect(whole[1]!.timestamp - whole[0]!.timestamp).toBeCloseTo(0.002, 9);
    expect(whole[0]?.values).toHaveLength(14);
    for (let cut = 0; cut <= body.length; cut++) {
      expect(decodeSplit(new FeedDecoder("float32", 14, 500), body, cut)).toEqual(whole);
    }
  });

  test("a wrong test pattern is refused with a clear error", () => {
    const body = capturedFeed("mw75-markers-001").body.slice();
    body[25] = 0x31; // the second test sample: "10" → "11"
    expect(() => new FeedDecoder("string", 1, 0).push(body)).toThrow(
      /test-pattern samples do not match \(sample 2\)/,
    );
    const eeg = capturedFeed("mw75-sim-001").body.slice();
    eeg[1]! ^= 1; // the first timestamp
    expect(() => new FeedDecoder("float32", 14, 500).push(eeg)).toThrow(FeedError);
  });

  test("an unknown tag and a string longer than 1 MB are errors, not allocations", () => {
    const patterns = capturedFeed("mw75-markers-001").body.subarray(0, 26);
    const decoder = () => {
      const d = new FeedDecoder("string", 1, 0);
      d.push(patterns);
      return d;
    };
    expect(() => decoder().push(Uint8Array.of(3))).toThrow(/unknown sample tag 3/);
    expect(() => decoder().push(Uint8Array.of(1, 4, 0, 0, 0, 0x10))).toThrow(/longer than/);
    expect(() => decoder().push(Uint8Array.of(1, 3))).toThrow(/length width/);
  });

  test("pending bytes are capped: a hostile channel count cannot make the decoder hold more than 2 MB", () => {
    const d = new FeedDecoder("float32", 2 ** 31 - 1, 0); // a sample "needs" 8 GB
    const piece = new Uint8Array(64 * 1024);
    piece[0] = 2; // tag of the first test-pattern sample
    let pushed = 0;
    const push = () => {
      for (; pushed <= MAX_PENDING_BYTES; pushed += piece.length) d.push(piece);
    };
    expect(push).toThrow(/more than 2097152 bytes/);
    expect(pushed).toBeLessThanOrEqual(MAX_PENDING_BYTES); // it refused as soon as the cap was passed
  });

  test("a 1 MB sample in 16-byte pieces is joined in linear time (no copy of everything per piece)", () => {
    const sample = new Uint8Array(1 + 8 + 4 * 262_144); // tag, timestamp, 262144 float32 zeros
    sample[0] = 2;
    const d = new FeedDecoder("float32", 262_144, 0);
    const started = performance.now();
    let error: unknown = null;
    try {
      for (let at = 0; at < sample.length; at += 16) d.push(sample.subarray(at, at + 16));
    } catch (e) {
      error = e;
    }
    // copying all pending bytes per piece moves ~32 GB here (8 s measured); linear joining takes a few ms,
    // so 1 s leaves a wide margin on both sides
    expect(performance.now() - started).toBeLessThan(1000);
    // the whole sample was assembled: only then can its (zero) test pattern be found wrong
    expect(String(error)).toMatch(/test-pattern samples do not match \(sample 1\)/);
  });

  test("fuzz: garbage after the test patterns gives samples or a FeedError, never another error", () => {
    const random = prng(7);
    const patterns = capturedFeed("mw75-markers-001").body.subarray(0, 26);
    for (let round = 0; round < 2000; round++) {
      const d = new FeedDecoder("string", 1 + (round % 3), 0);
      if (round % 3 === 0) d.push(patterns);
      try {
        const bytes = garbage(1 + Math.floor(random() * 64), random);
        bytes[0] = 1 + (round % 2); // a valid tag, so the length fields and values get decoded too
        d.push(bytes);
      } catch (e) {
        if (!(e instanceof FeedError)) throw e;
      }
    }
  });

  test("numeric formats and big-endian: built test patterns and a sample decode back", () => {
    const cases = [["double64", 8], ["int8", 1], ["int16", 2], ["int32", 4], ["int64", 8], [
      "float32",
      4,
    ]] as const;
    for (const [format, size] of cases) {
      for (const little of [true, false]) {
        const channels = 3;
        const sample = (tag: number, ts: number, values: number[]) => {
          const bytes = new Uint8Array(9 + channels * size);
          const view = new DataView(bytes.buffer);
          bytes[0] = tag;
          view.setFloat64(1, ts, little);
          values.forEach((v, k) => {
            const at = 9 + k * size;
            if (format === "double64") view.setFloat64(at, v, little);
            else if (format === "float32") view.setFloat32(at, v, little);
            else if (format === "int8") view.setInt8(at, v);
            else if (format === "int16") view.setInt16(at, v, little);
            else if (format === "int32") view.setInt32(at, v, little);
            else view.setBigInt64(at, BigInt(v), little);
          });
          return bytes;
        };
        const d = new FeedDecoder(format, channels, 0, little ? 1234 : 4321);
        const p1 = testPatternValues(format, channels, 4) as number[];
        const p2 = testPatternValues(format, channels, 2) as number[];
        const out = d.push(
          new Uint8Array([
            ...sample(2, 123456.789, p1),
            ...sample(2, 123456.789, p2),
            ...sample(2, 7.5, [1, -2, 3]),
          ]),
        );
        expect(out).toEqual([{ timestamp: 7.5, values: [1, -2, 3] }]);
      }
    }
    // a big-endian string feed: 2-byte length fields swapped, the text as is
    const be = new Uint8Array([
      ...[2, 0x40, 0xfe, 0x24, 0x0c, 0x9f, 0xbe, 0x76, 0xc9, 2, 0, 2, 0x31, 0x30],
      ...[2, 0x40, 0xfe, 0x24, 0x0c, 0x9f, 0xbe, 0x76, 0xc9, 1, 2, 0x31, 0x30],
      ...[1, 2, 0, 3, 0x61, 0x62, 0x63],
    ]);
    expect(new FeedDecoder("string", 1, 0, 4321).push(be)).toEqual([{
      timestamp: 123456.789,
      values: ["abc"],
    }]);
    expect(testPatternValues("int8", 2, 4)).toEqual([5, -6]);
    expect(testPatternValues("int32", 2, 2)).toEqual([65539, -65540]);
    expect(testPatternValues("string", 3, 4)).toEqual(["10", "-11", "12"]);
  });
});
