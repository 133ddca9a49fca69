/** @module An outlet's data port over real TCP (loopback-only namespace): info requests, feeds, refusals, slow consumers. */
import { expect, test } from "bun:test";
import { LslOutlets, type Outlet } from "../../src/lsl/outlet/outlets.ts";
import { testPatterns } from "../../src/lsl/wire/feed-encode.ts";
import { infoXml } from "../../src/lsl/wire/xml-write.ts";
import { requireLoopbackOnly } from "../_support/netns.ts";
import {
  connect,
  exchange,
  feedRequest,
  heldTimers,
  memoryLog,
  steppingTime,
  unique,
  until,
} from "./outlet-raw.ts";

const tag = unique();
const clock = heldTimers(10_000);
let outlets: LslOutlets;
let eeg: Outlet;
let markers: Outlet;
const CH = 14;
/** Loopback answers in under 50 ms; 2 s leaves a 40× margin for a loaded CI machine. */
const SOON_MS = 2000;

/** The head our outlet sends for `uid`. */
const head = (uid: string) =>
  `LSL/110 200 OK\r\nUID: ${uid}\r\nByte-Order: 1234\r\nSuppress-Subnormals: 0\r\nData-Protocol-Version: 110\r\n\r\n`;

/** `count` samples from sample `first` on: values first*CH+k, times 100 + i/500. */
function chunk(first: number, count: number): [Float32Array, Float64Array] {
  const values = new Float32Array(count * CH).map((_, k) => first * CH + k);
  const times = Float64Array.from({ length: count }, (_, i) => 100 + (first + i) / 500);
  return [values, times];
}

/** Decodes a float32 feed body: per sample its value 0 and its deduced-or-sent time. */
function decode(body: Uint8Array): { v0: number; t: number }[] {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const out: { v0: number; t: number }[] = [];
  let t = 0;
  for (let pos = 0; pos + 1 + CH * 4 <= body.length;) {
    if (body[pos] === 2) {
      t = view.getFloat64(pos + 1, true);
      pos += 9;
    } else {
      t += 1 / 500;
      pos += 1;
    }
    out.push({ v0: view.getFloat32(pos, true), t });
    pos += CH * 4;
  }
  return out;
}

test("start", async () => {
  requireLoopbackOnly();
  outlets = await LslOutlets.start({
    scope: "machine",
    sessionId: "default",
    hostname: "h",
    time: steppingTime(1),
    clock,
    log: memoryLog(),
    queueSeconds: 10,
  });
  const desc = [{
    name: "channels",
    text: "",
    children: [{ name: "channel", text: "x&y", children: [] }],
  }];
  eeg = await outlets.open({
    name: `E_${tag}`,
    type: "EEG",
    channelCount: CH,
    channelFormat: "float32",
    nominalSrate: 500,
    sourceId: `s/${tag}`,
    desc,
  });
  markers = await outlets.open({
    name: `M_${tag}`,
    type: "Markers",
    channelCount: 1,
    channelFormat: "string",
    nominalSrate: 0,
    sourceId: `s/${tag}/m`,
    desc: [],
  });
});

test("fullinfo is the full document, then EOF; shortinfo only when the query matches", async () => {
  expect(await exchange(eeg.info.v4dataPort, "LSL:fullinfo\r\n")).toBe(infoXml(eeg.info, true));
  expect(await exchange(eeg.info.v4dataPort, "LSL:shortinfo\r\ntype='EEG'\r\n")).toBe(
    infoXml(eeg.info, false),
  );
  expect(await exchange(eeg.info.v4dataPort, "LSL:shortinfo\r\ntype='Markers'\r\n")).toBe("");
});

test("a stream feed gets the head, the exact test patterns, then what is pushed after it", async () => {
  const c = await connect(eeg.info.v4dataPort, feedRequest(eeg.info.uid, 180000));
  const prefix = head(eeg.info.uid).length + 2 * 65;
  await until(
    () => eeg.figures().consumers === 1 && c.bytes().length >= prefix,
    SOON_MS,
    "feed head",
  );
  eeg.pushChunk(...chunk(0, 10));
  eeg.pushChunk(...chunk(10, 10));
  await until(() => c.bytes().length >= prefix + 2 * (65 + 9 * 57), SOON_MS, "two chunks");
  const bytes = c.bytes();
  expect(bytes.subarray(0, head(eeg.info.uid).length).toString()).toBe(head(eeg.info.uid));
  expect([...bytes.subarray(head(eeg.info.uid).length, prefix)]).toEqual([
    ...testPatterns("float32", CH),
  ]);
  const samples = decode(bytes.subarray(prefix));
  expect(samples.map((s) => s.v0)).toEqual(Array.from({ length: 20 }, (_, i) => i * CH));
  samples.forEach((s, i) => expect(Math.abs(s.t - (100 + i / 500))).toBeLessThan(1e-9));
  c.socket.destroy();
  await until(() => eeg.figures().consumers === 0, SOON_MS, "the consumer dropped");
  expect(eeg.figures().samples_pushed).toBe(20);
});

test("markers: test patterns for one string channel, then each label", async () => {
  const c = await connect(markers.info.v4dataPort, feedRequest(markers.info.uid, 36000, 32));
  await until(() => markers.figures().consumers === 1, SOON_MS, "marker consumer");
  markers.pushString("marker-10", 551.5);
  const size = head(markers.info.uid).length + 26 + 20;
  await until(() => c.bytes().length >= size, SOON_MS, "a marker");
  const body = c.bytes().subarray(head(markers.info.uid).length);
  expect([...body.subarray(0, 26)]).toEqual([...testPatterns("string", 1)]);
  expect(body.subarray(35).toString()).toBe("\u0001\u0009marker-10");
  c.socket.destroy();
});

test("refusals: another uid → 404, a newer major → 505, protocol 1.00 → 505 too; unknown methods are dropped", async () => {
  const port = eeg.info.v4dataPort;
  expect(await exchange(port, feedRequest(markers.info.uid, 1000))).toBe(
    "LSL/110 404 Not found\r\n",
  );
  expect(await exchange(port, feedRequest(eeg.info.uid, 1000).replace("/110", "/210")))
    .toBe("LSL/110 505 Version not supported\r\n");
  expect(await exchange(port, "LSL:streamfeed\r\n360 0\r\n")).toMatch(
    /^LSL\/110 505 Version not supported\r\n$/,
  );
  expect(await exchange(port, feedRequest(eeg.info.uid, 1000).replace("/110", "/100"))).toMatch(
    /^LSL\/110 505 Version not supported\r\n$/,
  );
  expect(await exchange(port, feedRequest(eeg.info.uid, 1000, 8))).toMatch(
    /^LSL\/110 505 Version not supported\r\n$/,
  );
  expect(await exchange(port, "GET / HTTP/1.0\r\n\r\n")).toBe("");
  expect(outlets.figures().sessions.refused).toBeGreaterThanOrEqual(6);
});

test("a request over 16 KB is cut off", async () => {
  const before = outlets.figures().sessions.oversize;
  const c = await connect(eeg.info.v4dataPort, `LSL:streamfeed/110 ${"x".repeat(20000)}`);
  await until(c.ended, SOON_MS, "the oversize request closed");
  expect(c.bytes().length).toBe(0);
  expect(outlets.figures().sessions.oversize).toBe(before + 1);
});

test("a request not complete within 10 s is cut off", async () => {
  const before = outlets.figures().sessions.timed_out;
  const c = await connect(
    eeg.info.v4dataPort,
    `LSL:streamfeed/110 ${eeg.info.uid}\r\nValue-Size: 4\r\n`,
  );
  // every earlier session finished its request, which cleared its timer: the one held is this session's
  await until(() => clock.held() === 1, SOON_MS, "the session's request timer");
  expect(clock.fire()).toBe(1);
  await until(c.ended, SOON_MS, "the slow request closed");
  expect(c.bytes().length).toBe(0);
  expect(outlets.figures().sessions.timed_out).toBe(before + 1);
});

test("Max-Buffer-Length 0: head and test patterns, but no consumer", async () => {
  const c = await connect(eeg.info.v4dataPort, feedRequest(eeg.info.uid, 0));
  await until(
    () => c.bytes().length === head(eeg.info.uid).length + 130,
    SOON_MS,
    "head and patterns",
  );
  expect(eeg.figures().consumers).toBe(0);
  c.socket.destroy();
});

test("a consumer that never reads loses its oldest chunks; the other still gets everything", async () => {
  // the stalled one asks for a 1000-sample bound (2 s), the reader for far more than the outlet's 10 s
  const stalled = await connect(eeg.info.v4dataPort, feedRequest(eeg.info.uid, 1000), false);
  const reader = await connect(eeg.info.v4dataPort, feedRequest(eeg.info.uid, 360000));
  await until(() => eeg.figures().consumers === 2, SOON_MS, "two consumers");
  const prefix = head(eeg.info.uid).length + 130;
  await until(() => reader.bytes().length === prefix, SOON_MS, "reader head");
  const batches = 40;
  const perBatch = 2000; // 40 × 2000 samples × ~57 B = 4.6 MB: more than loopback buffers hold
  let sent = 0;
  for (let b = 0; b < batches; b++) {
    for (let i = 0; i < perBatch; i += 20) eeg.pushChunk(...chunk(sent + i, 20));
    sent += perBatch;
    const expected = prefix + (sent / 20) * (65 + 19 * 57);
    // the reader keeps up batch by batch, so only the stalled consumer falls behind
    // one batch is ~115 KB, written in a few ms; 5 s is a wide margin even for Deno under load
    await until(() => reader.bytes().length >= expected, 5000, `reader at batch ${b}`);
  }
  const samples = decode(reader.bytes().subarray(prefix));
  expect(samples.length).toBe(sent);
  expect(samples.every((s, i) => s.v0 === i * CH)).toBe(true);
  const dropped = eeg.figures().dropped;
  expect(dropped).toBeGreaterThan(0);
  expect(dropped % 20).toBe(0); // whole chunks
  stalled.socket.destroy();
  reader.socket.destroy();
  await until(() => eeg.figures().consumers === 0, SOON_MS, "consumers dropped");
});

test("close() closes consumers and frees everything", async () => {
  const c = await connect(markers.info.v4dataPort, feedRequest(markers.info.uid, 100, 32));
  await until(() => markers.figures().consumers === 1, SOON_MS, "consumer");
  await markers.close();
  await until(c.ended, SOON_MS, "the consumer's socket closed");
  expect(outlets.figures().outlets.map((o) => o.name)).toEqual([`E_${tag}`]);
  await outlets.close();
  expect(outlets.uids().size).toBe(0);
});
