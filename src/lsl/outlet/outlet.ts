/** @module One LSL outlet: its info, its service (UDP) socket, its data (TCP) server and the feed consumers. */
import { isPortUnreachable } from "../port-unreachable.ts";
import { randomUUID } from "node:crypto";
import type dgram from "node:dgram";
import type net from "node:net";
import type { Clock } from "../../core/clock.ts";
import type { DirectWriteOf } from "../../ports/direct-write.ts";
import type { LslTime } from "../clock.ts";
import { INFO_VERSION } from "../wire/constants.ts";
import { timeReply } from "../wire/discovery-server.ts";
import {
  encodeFloat32Chunk,
  encodeStringSample,
  Float32ChunkEncoder,
  testPatterns,
} from "../wire/feed-encode.ts";
import type { StreamInfo, XmlElement } from "../wire/stream-info.ts";
import { infoTree, infoXml } from "../wire/xml-write.ts";
import { bindServiceSocket, listenDataServer, portOf } from "./bind.ts";
import { FeedConsumer } from "./consumer.ts";
import type { Discovery } from "./discovery.ts";
import type { OnceLog } from "./once-log.ts";
import { serveSession, type SessionFigures, type SessionHost } from "./session.ts";

/** What the bridge says about a stream; the rest of its info is made when it opens. */
export interface OutletDescription {
  readonly name: string;
  readonly type: string;
  readonly channelCount: number;
  readonly channelFormat: "float32" | "string";
  /** Hz; 0 = irregular. */
  readonly nominalSrate: number;
  readonly sourceId: string;
  readonly desc: readonly XmlElement[];
}

/** An outlet's figures as `/health` shows them. */
export interface OutletFigures {
  readonly name: string;
  readonly type: string;
  readonly source_id: string;
  readonly uid: string;
  readonly consumers: number;
  readonly samples_pushed: number;
  readonly dropped: number;
}

/** What the outlets of one process share. */
export interface OutletContext {
  readonly sessionId: string;
  readonly hostname: string;
  readonly time: LslTime;
  readonly clock: Clock;
  readonly log: OnceLog;
  readonly queueSeconds: number;
  readonly discovery: Discovery;
  readonly sessions: SessionFigures;
  readonly forget: (outlet: Outlet) => void;
  /** The runtime's cheaper socket write for the feed (Bun); none: `socket.write`. */
  readonly directWrite: DirectWriteOf | null;
}

export class Outlet {
  readonly tree: XmlElement;
  readonly shortinfo: string;
  private readonly consumers = new Set<FeedConsumer>();
  private readonly sockets = new Set<net.Socket>();
  private pushed = 0;
  private droppedTotal = 0;
  private closing: Promise<void> | null = null;
  private readonly encoder = new Float32ChunkEncoder();

  private constructor(
    readonly info: StreamInfo,
    private readonly service: dgram.Socket,
    private readonly server: net.Server,
    private readonly ctx: OutletContext,
  ) {
    this.tree = infoTree(info, true);
    this.shortinfo = infoXml(info, false);
    const host: SessionHost = {
      uid: info.uid,
      format: info.channelFormat,
      fullinfo: infoXml(info, true),
      shortinfo: this.shortinfo,
      testPatterns: testPatterns(info.channelFormat, info.channelCount),
      clock: ctx.clock,
      log: ctx.log,
      figures: ctx.sessions,
      matches: (query) => ctx.discovery.matches(query, this),
      addConsumer: (socket, max) => this.addConsumer(socket, max),
    };
    server.on("connection", (socket: net.Socket) => {
      this.sockets.add(socket);
      socket.on("error", () => {}); // resets by departing inlets are normal; 'close' follows
      socket.on("close", () => this.sockets.delete(socket));
      if (this.closing) socket.destroy();
      else serveSession(socket, host);
    });
    server.on(
      "error",
      (e) =>
        ctx.log.once(
          `server:${e.message}`,
          "WARNING",
          `LSL: data server of ${info.name}: ${e.message}`,
        ),
    );
    service.on("error", (e) => {
      if (isPortUnreachable(e)) return; // a prober or resolver that left: normal
      ctx.log.once(
        `service:${e.message}`,
        "WARNING",
        `LSL: service socket of ${info.name}: ${e.message}`,
      );
    });
    service.on("message", (msg, rinfo) => {
      // t1 is the time of receipt, read before any parsing
      const t1 = ctx.time.now();
      if (this.closing) return;
      ctx.discovery.handle(service, msg, rinfo, [this], (wave, t0, from) => {
        // t2 as late as possible: the probe's rtt subtracts the outlet's own time (§7)
        ctx.discovery.send(
          service,
          timeReply(wave, t0, t1, ctx.time.now()),
          from.port,
          from.address,
        );
      });
    });
  }

  /** Binds the sockets and makes the info (new uid, created_at now); the caller registers it for discovery. */
  static async open(d: OutletDescription, ctx: OutletContext): Promise<Outlet> {
    const service = await bindServiceSocket();
    let server: net.Server;
    try {
      server = await listenDataServer();
    } catch (e) {
      service.close();
      throw e;
    }
    const info: StreamInfo = {
      name: d.name,
      type: d.type,
      channelCount: d.channelCount,
      channelFormat: d.channelFormat,
      sourceId: d.sourceId,
      nominalSrate: d.nominalSrate,
      version: INFO_VERSION,
      createdAt: ctx.time.now(),
      uid: randomUUID(),
      sessionId: ctx.sessionId,
      hostname: ctx.hostname,
      v4address: "",
      v4dataPort: portOf(server),
      v4servicePort: portOf(service),
      v6address: "",
      v6dataPort: 0,
      v6servicePort: 0,
      desc: d.desc,
    };
    return new Outlet(info, service, server, ctx);
  }

  /** `values` sample-major (timestamps.length × channelCount), timestamps in LSL seconds; encoded once for all consumers. */
  pushChunk(values: Float32Array, timestamps: Float64Array): void {
    if (this.info.channelFormat !== "float32") {
      throw new TypeError(`${this.info.name} is not a float32 stream`);
    }
    const count = timestamps.length;
    if (values.length !== count * this.info.channelCount) {
      throw new RangeError(
        `${values.length} values for ${count} samples of ${this.info.channelCount} channels`,
      );
    }
    this.pushed += count;
    if (this.consumers.size === 0 || count === 0) return; // liblsl too drops what nobody reads (§5)
    const { channelCount, nominalSrate } = this.info;
    if (this.ctx.directWrite === null) {
      // node:net keeps what it is given: one fresh buffer shared by every consumer
      const bytes = encodeFloat32Chunk(values, timestamps, channelCount, nominalSrate);
      for (const c of this.consumers) c.push(bytes, count);
      return;
    }
    // the direct write copies into the kernel at once: no buffer per chunk (the larger CPU cost on Bun)
    const bytes = this.encoder.encode(values, timestamps, channelCount, nominalSrate);
    for (const c of this.consumers) c.push(bytes, count, true);
  }

  /** One marker: the label in the first channel (others empty), at LSL time `timestamp`. */
  pushString(label: string, timestamp: number): void {
    if (this.info.channelFormat !== "string") {
      throw new TypeError(`${this.info.name} is not a string stream`);
    }
    this.pushed++;
    if (this.consumers.size === 0) return;
    const values = [label];
    for (let k = 1; k < this.info.channelCount; k++) values.push("");
    const bytes = encodeStringSample(values, timestamp);
    for (const c of this.consumers) c.push(bytes, 1);
  }

  figures(): OutletFigures {
    return {
      name: this.info.name,
      type: this.info.type,
      source_id: this.info.sourceId,
      uid: this.info.uid,
      consumers: this.consumers.size,
      samples_pushed: this.pushed,
      dropped: this.droppedTotal,
    };
  }

  /** Withdraws the stream: no more discovery answers, consumers and sockets closed. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.ctx.forget(this);
    this.consumers.clear();
    for (const socket of this.sockets) socket.destroy();
    await Promise.all([
      new Promise<void>((resolve) => this.server.close(() => resolve())),
      new Promise<void>((resolve) => {
        try {
          this.service.close(() => resolve());
        } catch {
          resolve();
        }
      }),
    ]);
  }

  private addConsumer(socket: net.Socket, maxBufferLength: number | null): void {
    if (this.closing || socket.destroyed) return;
    // liblsl's outlet buffer, in samples: seconds × rate, × 100 for irregular streams
    const rate = this.info.nominalSrate > 0 ? this.info.nominalSrate : 100;
    const own = Math.ceil(this.ctx.queueSeconds * rate);
    const bound = maxBufferLength === null ? own : Math.min(own, maxBufferLength);
    const consumer = new FeedConsumer(socket, bound, (n) => {
      this.droppedTotal += n;
    }, this.ctx.directWrite?.(socket) ?? null);
    this.consumers.add(consumer);
    socket.on("close", () => this.consumers.delete(consumer));
  }
}
