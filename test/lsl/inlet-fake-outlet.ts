/** @module A fake liblsl-shaped string-marker outlet for the inlet's network tests, speaking the captured bytes. */
import dgram from "node:dgram";
import net from "node:net";
import { bindUdp, closeUdp } from "../../src/lsl/inlet/udp.ts";
import { BASE_PORT, DISCOVERY_PORT, PORT_RANGE } from "../../src/lsl/wire/constants.ts";
import { systemClock } from "../../src/core/clock.ts";
import { lslTime } from "../../src/lsl/clock.ts";
import {
  MarkerInlet,
  type MarkerInletOptions,
  type ReceivedMarker,
} from "../../src/lsl/inlet/marker-inlet.ts";
import { capturedFeed, capturedShortinfoReply } from "../_support/lsl-captures-inlet.ts";

/** The tests' LSL clock. */
export const time = lslTime(() => performance.now() / 1000, () => systemClock.now());

/** Polls `probe` every 10 ms until true; fails naming `what` after `ms`. */
export async function until(what: string, probe: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A marker inlet in site scope on the system clock, keeping what it hands on and logs. */
export function startInlet(over: Partial<MarkerInletOptions>) {
  const markers: ReceivedMarker[] = [];
  const logs: string[] = [];
  const it = MarkerInlet.start({
    query: "",
    scope: "site",
    sessionId: "default",
    knownPeers: [],
    time,
    clock: systemClock,
    log: { log: (level, message) => logs.push(`${level} ${message}`) },
    ownUids: () => new Set(),
    onMarker: (m) => void markers.push(m),
    ...over,
  });
  return { it, markers, logs };
}

export interface FakeOutletOptions {
  readonly name: string;
  readonly sourceId: string;
  /** Queries containing this text are answered (default: the name). */
  readonly family?: string;
  /** Seconds the fake's clock is ahead of ours. */
  readonly offsetS: number;
  /** Listen on 16571 (joined to the site group) too; else only the service port answers. */
  readonly responder: boolean;
  /** Send "11" instead of "10" in the second test pattern. */
  readonly badPattern?: boolean;
  /** A one-channel double64 stream instead of string markers. */
  readonly numeric?: boolean;
  /** Never answer timedata (an outlet whose time service is unreachable). */
  readonly noTime?: boolean;
  /** The channel_count announced (default 1; the feed still sends one channel). */
  readonly channels?: number;
  /** A new uid after every reply, so each feed request gets 404: a flood of "restarts". */
  readonly uidPerReply?: boolean;
  /** Close each feed right after its test patterns: a flapping outlet. */
  readonly dropAfterPatterns?: boolean;
  /** Our LSL clock (s). */
  readonly now: () => number;
}

const SITE_GROUP = "239.255.172.215";
const enc = new TextEncoder();

function listenTcp(server: net.Server, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const failed = () => resolve(false);
    server.once("error", failed);
    server.listen(port, "0.0.0.0", () => {
      server.removeListener("error", failed);
      resolve(true);
    });
  });
}

/** One sample with a transmitted timestamp: a string channel, or a double64 one for a number. */
function sampleBytes(ts: number, value: string | number): Uint8Array {
  const text = enc.encode(String(value));
  const sample = new Uint8Array(typeof value === "number" ? 17 : 11 + text.length);
  const view = new DataView(sample.buffer);
  sample[0] = 2;
  view.setFloat64(1, ts, true);
  if (typeof value === "number") {
    view.setFloat64(9, value, true);
  } else {
    sample[9] = 1;
    sample[10] = text.length;
    sample.set(text, 11);
  }
  return sample;
}

/** A running fake; `close()` kills it like a SIGKILL would (every socket dropped). */
export class FakeOutlet {
  uid: string = crypto.randomUUID();
  feedConnections = 0;
  shortinfoQueries = 0;
  readonly #consumers = new Set<net.Socket>();
  readonly #server = net.createServer((s) => this.#session(s));
  #service!: dgram.Socket;
  #responder: dgram.Socket | null = null;
  #dataPort = 0;

  private constructor(readonly o: FakeOutletOptions) {}

  static async start(o: FakeOutletOptions): Promise<FakeOutlet> {
    const fake = new FakeOutlet(o);
    fake.#service = await bindUdp(true);
    fake.#service.on("message", (d, r) => fake.#datagram(fake.#service, d, r));
    fake.#service.on("error", () => {});
    fake.#server.on("error", () => {});
    for (let port = BASE_PORT; port < BASE_PORT + PORT_RANGE && fake.#dataPort === 0; port++) {
      if (await listenTcp(fake.#server, port)) fake.#dataPort = port;
    }
    if (o.responder) {
      const r = dgram.createSocket({ type: "udp4", reuseAddr: true });
      r.on("error", () => {});
      r.on("message", (d, ri) => fake.#datagram(r, d, ri));
      await new Promise<void>((resolve) => r.bind(DISCOVERY_PORT, "0.0.0.0", () => resolve()));
      r.addMembership(SITE_GROUP);
      fake.#responder = r;
    }
    return fake;
  }

  /** The fake's clock. */
  clock(): number {
    return this.o.now() + this.o.offsetS;
  }

  /** The shortinfo, shaped like the captured one. */
  xml(): string {
    const set = (xml: string, field: string, value: string | number) =>
      xml.replace(new RegExp(`<${field}>[^<]*</${field}>`), `<${field}>${value}</${field}>`);
    let xml = capturedShortinfoReply().text.split("\r\n").slice(1).join("\r\n");
    const fields: [string, string | number][] = [
      ["name", this.o.name],
      ["type", "Markers"],
      ["channel_count", this.o.channels ?? 1],
      ["channel_format", this.o.numeric ? "double64" : "string"],
      ["source_id", this.o.sourceId],
      ["nominal_srate", "0.000000000000000"],
      ["uid", this.uid],
      ["v4data_port", this.#dataPort],
      ["v4service_port", this.#service.address().port],
    ];
    for (const [field, value] of fields) xml = set(xml, field, value);
    return xml;
  }

  /** Sends `label` (a number for a numeric fake) to every consumer, stamped now on the fake's clock. */
  push(label: string | number): number {
    const ts = this.clock();
    for (const c of this.#consumers) c.write(sampleBytes(ts, label));
    return ts;
  }

  consumers(): number {
    return this.#consumers.size;
  }

  async close(): Promise<void> {
    for (const c of this.#consumers) c.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    await closeUdp(this.#service);
    if (this.#responder !== null) await closeUdp(this.#responder);
  }

  #datagram(socket: dgram.Socket, data: Uint8Array, from: dgram.RemoteInfo): void {
    const t1 = this.clock();
    const lines = new TextDecoder().decode(data).split("\r\n");
    const address = from.address === "0.0.0.0" ? "127.0.0.1" : from.address;
    if (lines[0] === "LSL:shortinfo" && (lines[1] ?? "").includes(this.o.family ?? this.o.name)) {
      this.shortinfoQueries++;
      const [port, id] = (lines[2] ?? "").split(" ");
      socket.send(`${id}\r\n${this.xml()}`, Number(port), address, () => {});
      // the uid just sent is never served: every reply names a stream that is already gone
      if (this.o.uidPerReply) this.uid = crypto.randomUUID();
    } else if (lines[0] === "LSL:timedata" && socket === this.#service && !this.o.noTime) {
      const [wave, t0] = (lines[1] ?? "").split(" ");
      socket.send(` ${wave} ${t0} ${t1} ${this.clock()}`, from.port, address, () => {});
    }
  }

  #session(socket: net.Socket): void {
    let request = "";
    socket.on("error", () => {});
    socket.on("close", () => this.#consumers.delete(socket));
    socket.on("data", (chunk) => {
      if (this.#consumers.has(socket)) return;
      request += chunk.toString("latin1");
      if (!request.includes("\r\n\r\n")) return;
      this.feedConnections++;
      if (request.split("\r\n")[0] !== `LSL:streamfeed/110 ${this.uid}`) {
        socket.end("LSL/110 404 Not found\r\n\r\n");
        return;
      }
      const { head, body } = capturedFeed("mw75-markers-001");
      // the double64 patterns: 16777217 + 4, then + 2 (docs/protocol/lsl-wire.md §4)
      const patterns = this.o.numeric
        ? Uint8Array.from([
          ...sampleBytes(123456.789, 16777221),
          ...sampleBytes(123456.789, 16777219),
        ])
        : body.slice(0, 26);
      if (this.o.badPattern) patterns[patterns.length - 1]! ^= 1;
      socket.write(head.replace(/UID: \S+/, `UID: ${this.uid}`));
      socket.write(patterns);
      if (this.o.dropAfterPatterns) return void socket.end();
      this.#consumers.add(socket);
    });
  }
}
