/** @module The outlets' discovery over real sockets (in the loopback-only namespace): responder, service port, time probes. */
import { expect, test } from "bun:test";
import dgram from "node:dgram";
import net from "node:net";
import { LslOutlets, type Outlet } from "../../src/lsl/outlet/outlets.ts";
import { infoXml } from "../../src/lsl/wire/xml-write.ts";
import { requireLoopbackOnly } from "../_support/netns.ts";
import {
  clock,
  exchange,
  type Listener,
  memoryLog,
  shortinfoQuery,
  steppingTime,
  udpListener,
  unique,
  until,
} from "./outlet-raw.ts";

const MULTICAST = "239.255.172.215";
const tag = unique();
const log = memoryLog();
const time = steppingTime(5000);
let a: LslOutlets;
let b: LslOutlets | null = null;
let eeg: Outlet;
let other: Outlet;
let inlet: Listener;
const opts = {
  scope: "site",
  sessionId: "default",
  hostname: "testhost",
  time,
  clock,
  log,
} as const;
const describeEeg = {
  name: `EEG_${tag}`,
  type: "EEG",
  channelCount: 2,
  channelFormat: "float32",
  nominalSrate: 500,
} as const;

/** Sends `query` and waits for the reply carrying `id` (1 s: replies take < 10 ms on loopback, a 100× margin). */
async function ask(
  query: string,
  id: string,
  port = 16571,
  address = MULTICAST,
): Promise<string[]> {
  await inlet.send(shortinfoQuery(query, inlet.port, id), port, address);
  await until(
    () => inlet.received.some((r) => r.text.startsWith(`${id}\r\n`)),
    1000,
    `reply ${id}`,
  );
  return inlet.received.filter((r) => r.text.startsWith(`${id}\r\n`)).map((r) => r.text);
}

test("start: the responder and an outlet open", async () => {
  requireLoopbackOnly();
  a = await LslOutlets.start(opts);
  eeg = await a.open({ ...describeEeg, sourceId: `src/${tag}`, desc: [] });
  inlet = await udpListener();
  expect(eeg.info.v4dataPort).toBeGreaterThanOrEqual(16572);
  expect(eeg.info.v4servicePort).toBeGreaterThanOrEqual(16572);
  expect(eeg.info.createdAt).toBe(5000);
  expect(a.uids()).toEqual(new Set([eeg.info.uid]));
});

test("a multicast query gets the shortinfo at its return port", async () => {
  const replies = await ask(`session_id='default' and name='EEG_${tag}'`, "101");
  expect(replies).toEqual([`101\r\n${infoXml(eeg.info, false)}`]);
});

// never a unicast to 127.0.0.1:16571 here: Linux gives it to the socket bound last on that port, which
// may be another test file's (files run in parallel in one namespace); the service port is ours alone
test("a unicast query to the outlet's service port is answered too", async () => {
  expect(await ask(`source_id='src/${tag}'`, "102", eeg.info.v4servicePort, "127.0.0.1"))
    .toHaveLength(1);
});

test("a query that does not match, an unsupported one and garbage get silence", async () => {
  // UDP on loopback keeps order, so once the later matching reply is here the earlier ones would be too
  await inlet.send(shortinfoQuery(`name='other_${tag}'`, inlet.port, "103"), 16571, MULTICAST);
  await inlet.send(shortinfoQuery("name[1]='x'", inlet.port, "104"), 16571, MULTICAST);
  await inlet.send(shortinfoQuery("name[1]='x'", inlet.port, "104"), 16571, MULTICAST);
  await inlet.send("LSL:shortinfo\r\n\r\nnotaport 105\r\n", 16571, MULTICAST);
  await ask(`name='EEG_${tag}'`, "106");
  expect(inlet.received.filter((r) => /^10[345]\r\n/.test(r.text))).toEqual([]);
  const f = a.figures().discovery;
  expect(f.unsupported).toBeGreaterThanOrEqual(2);
  expect(f.malformed).toBeGreaterThanOrEqual(1);
  // once per construct: another text with the same flaw adds no line
  await inlet.send(shortinfoQuery("type[2]='y'", inlet.port, "104"), 16571, MULTICAST);
  await ask(`name='EEG_${tag}'`, "106");
  expect(log.lines.filter((l) => l.includes("ignoring a resolve query with '['"))).toHaveLength(1);
});

test("hostile nesting (a stack overflow before) on the responder, service and data ports kills nothing", async () => {
  const deep = "(".repeat(2500) + "1" + ")".repeat(2500);
  const before = a.figures().discovery.unsupported;
  await inlet.send(`LSL:shortinfo\r\n${deep}\r\n${inlet.port} 130\r\n`, 16571, MULTICAST);
  await inlet.send(shortinfoQuery("b or ".repeat(8000), inlet.port, "131"), 16571, MULTICAST);
  const nested = "(".repeat(2000) + "1" + ")".repeat(2000); // under the 4 KB cap: the depth bound
  await inlet.send(shortinfoQuery(nested, inlet.port, "132"), eeg.info.v4servicePort, "127.0.0.1");
  expect(await exchange(eeg.info.v4dataPort, `LSL:shortinfo\r\n${nested}\r\n`)).toBe("");
  expect(await exchange(eeg.info.v4dataPort, `LSL:shortinfo\r\n${deep}\r\n`)).toBe("");
  await ask(`name='EEG_${tag}'`, "133"); // still answering, and the process is alive
  expect(inlet.received.some((r) => /^13[012]\r\n/.test(r.text))).toBe(false);
  expect(a.figures().discovery.unsupported).toBeGreaterThanOrEqual(before + 5);
  expect(a.figures().sessions.malformed).toBe(0); // refused as queries, not caught as crashes
});

test("the service port answers a unicast query and time probes (t1 on receipt, t2 before sending)", async () => {
  expect(await ask(`name='EEG_${tag}'`, "107", eeg.info.v4servicePort, "127.0.0.1")).toHaveLength(
    1,
  );
  const before = time.reads.length;
  await inlet.send(
    "LSL:timedata\r\n1804289383 551.080614446\r\n",
    eeg.info.v4servicePort,
    "127.0.0.1",
  );
  await until(
    () => inlet.received.some((r) => r.text.startsWith(" 1804289383")),
    1000,
    "time reply",
  );
  const reply = inlet.received.find((r) => r.text.startsWith(" 1804289383"))!;
  const [t1, t2] = time.reads.slice(before);
  expect(reply.text).toBe(` 1804289383 551.080614446 ${t1} ${t2}`);
  expect(t2! - t1!).toBe(0.25);
  // responders never answer time probes: a probe to 16571 (multicast: every responder) stays unanswered
  await inlet.send("LSL:timedata\r\n7 1.5\r\n", 16571, MULTICAST);
  await ask(`name='EEG_${tag}'`, "108");
  expect(inlet.received.some((r) => r.text.startsWith(" 7 "))).toBe(false);
});

test("two LslOutlets (two bridges) both answer one multicast query", async () => {
  b = await LslOutlets.start({ ...opts, time: steppingTime(0) });
  other = await b.open({
    ...describeEeg,
    name: `EEG_${tag}_b`,
    sourceId: `src/${tag}/b`,
    desc: [],
  });
  expect(other.info.v4servicePort).not.toBe(eeg.info.v4servicePort);
  expect(other.info.v4dataPort).not.toBe(eeg.info.v4dataPort);
  const query = `starts-with(name,'EEG_${tag}')`;
  await inlet.send(shortinfoQuery(query, inlet.port, "109"), 16571, MULTICAST);
  await until(
    () => inlet.received.filter((r) => r.text.startsWith("109\r\n")).length === 2,
    1000,
    "two replies",
  );
  const names = inlet.received.filter((r) => r.text.startsWith("109\r\n")).map((r) =>
    /<name>(.*)<\/name>/.exec(r.text)![1]
  );
  expect(names.sort()).toEqual([`EEG_${tag}`, `EEG_${tag}_b`]);
});

/**
 * Only Bun learns of the ICMP "port unreachable" (it sets IP_RECVERR): as ECONNREFUSED on the next send
 * (counted here) or as a socket 'error' event. Node and Deno never hear of it, so there the replies must
 * at least have left without a logged error.
 */
const reportsPortUnreachable = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";

test("a reply to an inlet that already left is counted, not logged (port unreachable is normal)", async () => {
  const gone = await udpListener();
  const returnPort = gone.port;
  await gone.close(); // like liblsl closing its wave socket as soon as a resolve returns
  const { send_failures: failures, replies } = a.figures().discovery;
  const lines = log.lines.length;
  // to the service port, which only this outlet holds, so the replies are surely ours; sent back to
  // back, so a reply goes out while the ICMP answer to the one before is pending
  const service = eeg.info.v4servicePort;
  const n = 5;
  for (let i = 0; i < n; i++) {
    await inlet.send(
      shortinfoQuery(`name='EEG_${tag}'`, returnPort, `12${i}`),
      service,
      "127.0.0.1",
    );
  }
  // 2 s: replies and ICMP answers take well under 10 ms on loopback
  const sent = () => a.figures().discovery.replies + a.figures().discovery.send_failures;
  await until(() => sent() >= replies + failures + n, 2000, `${n} replies sent or failed`);
  if (reportsPortUnreachable) {
    await until(() => a.figures().discovery.send_failures > failures, 2000, "a counted failure");
  }
  await ask(`name='EEG_${tag}'`, "129", service, "127.0.0.1"); // answered: the socket still works
  expect(log.lines.slice(lines).filter((l) => /ECONNREFUSED/.test(l))).toEqual([]);
});

test("close() withdraws the stream and frees its ports", async () => {
  expect(b!.uids()).toEqual(new Set([other.info.uid]));
  const { v4dataPort, v4servicePort } = other.info;
  await b!.close();
  b = null;
  await inlet.send(shortinfoQuery(`name='EEG_${tag}_b'`, inlet.port, "110"), 16571, MULTICAST);
  await ask(`name='EEG_${tag}'`, "111");
  expect(inlet.received.some((r) => r.text.startsWith("110\r\n"))).toBe(false);
  // the same ports bind again, exclusively
  const udp = dgram.createSocket({ type: "udp4" });
  await new Promise<void>((resolve, reject) => {
    udp.once("error", reject);
    udp.bind(v4servicePort, "0.0.0.0", () => resolve());
  });
  const tcp = net.createServer();
  await new Promise<void>((resolve, reject) => {
    tcp.once("error", reject);
    tcp.listen({ port: v4dataPort, host: "0.0.0.0", exclusive: true }, () => resolve());
  });
  await new Promise<void>((r) => udp.close(() => r()));
  await new Promise<void>((r) => tcp.close(() => r()));
});

test("finally: everything closes", async () => {
  await b?.close();
  await eeg.close();
  expect(a.figures().outlets).toEqual([]);
  await a.close();
  await inlet.close();
});
