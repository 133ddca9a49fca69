/**
 * @module The protocol brain: dispatches client commands (MW75.md §3.3) onto the device session,
 * applies the client/control policy (§3.7), forwards logs at the requested level (§3.10) and
 * builds the /health snapshot. `message()` never throws into the socket.
 */
import type { Clock } from "../core/clock.ts";
import type { ErrorCode } from "../core/errors.ts";
import { LEVEL_RANK, formatRecord } from "../core/log-hub.ts";
import type { LogHub, LogRecord } from "../core/log-hub.ts";
import type { LogLevel, Logger } from "../core/ports.ts";
import { DeviceSession } from "../core/session.ts";
import type { Decoder } from "../decoder/types.ts";
import type { DeviceSource } from "../core/ports.ts";
import { STATUS_TEXT, envelope, errorMessage, freshId, replyId, statusEvent, toSeconds } from "../protocol/envelope.ts";
import { autoReconnectProblem, frameText, isRejection, parseFrame, parseLogLevel, readConnect } from "../protocol/inbound.ts";
import type { Command } from "../protocol/inbound.ts";
import { VERSION } from "../protocol/version.ts";
import { CLOSE_TRY_AGAIN, Hub } from "./hub.ts";
import type { Client } from "./hub.ts";
import { DEFAULT_OUTBOX_LIMITS } from "./outbox.ts";
import type { ClientSocket, OutboxLimits } from "./outbox.ts";

/** Everything the bridge needs; timings are overridable for tests. */
export interface BridgeOptions {
  source: DeviceSource;
  decoder: Decoder;
  clock: Clock;
  logs: LogHub;
  /** "bun", "deno" or "node" (reported by /health). */
  runtime: string;
  maxClients?: number;
  heartbeatMs?: number;
  reconnectBaseMs?: number;
  noDataTimeoutMs?: number;
  limits?: OutboxLimits;
}

/** Raw frame payload as the WebSocket layer delivers it. */
export type Frame = string | ArrayBuffer | ArrayBufferView;

/** Composes the session and the client hub. */
export class Bridge {
  readonly session: DeviceSession;
  readonly hub: Hub;
  #o: BridgeOptions;
  #multi: boolean;
  #maxClients: number;
  #controller: Client | null = null;
  /** Level of log forwarding; null = not installed (no connect yet, or the last client left). */
  #forwardLevel: LogLevel | null = null;
  #log: Logger;
  #startedAt: number;

  constructor(options: BridgeOptions) {
    this.#o = options;
    this.#maxClients = Math.max(1, options.maxClients ?? 1);
    this.#multi = this.#maxClients > 1;
    this.#log = options.logs.logger("mw75.server");
    this.#startedAt = options.clock.now();
    const now = () => options.clock.now();
    this.hub = new Hub({
      clock: options.clock,
      maxClients: this.#maxClients,
      heartbeatMs: options.heartbeatMs ?? 30_000,
      limits: options.limits ?? DEFAULT_OUTBOX_LIMITS,
      heartbeat: () => envelope(freshId(), "heartbeat", { timestamp: toSeconds(now()), battery_level: this.session.batteryLevel }),
      onOverflow: (client) => {
        this.#log.log("WARNING", `Client ${client.remote} closed: too slow to receive control messages`);
        this.#left(client);
      },
    });
    this.session = new DeviceSession({
      source: options.source,
      decoder: options.decoder,
      clock: options.clock,
      log: options.logs.logger("mw75.session"),
      sourceLog: options.logs.logger(`mw75.source.${options.source.kind}`),
      ...(options.reconnectBaseMs !== undefined ? { reconnectBaseMs: options.reconnectBaseMs } : {}),
      ...(options.noDataTimeoutMs !== undefined ? { noDataTimeoutMs: options.noDataTimeoutMs } : {}),
      events: {
        onStatus: (state, message) => this.hub.broadcast(statusEvent(state, message, this.session.batteryLevel, now())),
        onError: (code, message) => this.hub.broadcast(errorMessage(freshId(), code, message, now())),
        onPackets: (jsons) => this.hub.broadcastData(jsons),
      },
    });
    options.logs.subscribe((record) => this.#forward(record));
  }

  /** A socket opened: admit it (welcome status) or reject it (CLIENT_ALREADY_CONNECTED, closed). */
  open(socket: ClientSocket, remote: string): Client | null {
    if (this.hub.isFull) {
      const message = this.#multi
        ? `Server already has the maximum of ${this.#maxClients} connected clients`
        : "Server already has a connected client";
      try {
        socket.send(errorMessage(freshId(), "CLIENT_ALREADY_CONNECTED", message, this.#o.clock.now()));
        socket.close(CLOSE_TRY_AGAIN, "server full");
      } catch {
        /* the peer is already gone */
      }
      this.#log.log("WARNING", `Rejected client ${remote}: ${message}`);
      return null;
    }
    const client = this.hub.add(socket, remote);
    this.#log.log("INFO", `Client ${remote} connected (${this.hub.size} total)`);
    this.hub.send(client, statusEvent(this.session.state, STATUS_TEXT.welcome, this.session.batteryLevel, this.#o.clock.now()));
    return client;
  }

  /** A socket closed (idempotent). */
  close(client: Client): void {
    if (!this.hub.remove(client)) return;
    this.#log.log("INFO", `Client ${client.remote} disconnected (${this.hub.size} left)`);
    this.#left(client);
  }

  /** Handles one inbound frame. Never throws. */
  message(client: Client, frame: Frame): void {
    let id: unknown; // the request's id once the frame parsed that far: a processing error echoes it
    try {
      const parsed = parseFrame(frameText(frame), this.#multi);
      if (isRejection(parsed)) {
        this.#error(client, parsed.echoId ? replyId(parsed.id) : freshId(), parsed.code, parsed.message);
        return;
      }
      id = parsed.id;
      this.#dispatch(client, parsed);
    } catch (e) {
      this.#error(client, replyId(id), "MESSAGE_PROCESSING_ERROR", e instanceof Error ? e.message : String(e));
    }
  }

  #dispatch(client: Client, cmd: Command): void {
    const id = replyId(cmd.id);
    const now = this.#o.clock.now();
    switch (cmd.type) {
      case "connect":
        return this.#connect(client, cmd);
      case "disconnect":
        if (this.#controlTaken(client, id)) return;
        this.hub.send(client, envelope(id, "command_ack", { command: "disconnect", message: "Disconnect requested" }));
        this.session.disconnect().catch((e) => this.#log.log("ERROR", `Disconnect failed: ${String(e)}`));
        return;
      case "status":
        this.hub.send(client, envelope(id, "status", {
          device_state: this.session.state,
          auto_reconnect: this.session.autoReconnect,
          log_level: this.#forwardLevel ?? "ERROR",
          battery_level: this.session.batteryLevel,
          has_control: this.#controller === client,
          total_clients: this.hub.size,
          shed_messages: client.outbox.shed,
        }));
        return;
      case "ping":
        this.hub.send(client, envelope(id, "pong", { timestamp: toSeconds(now) }));
        return;
      case "broadcast": {
        const data = cmd.data === undefined ? {} : cmd.data;
        this.hub.broadcast(envelope(id, "broadcast", { from: client.remote, data, timestamp: toSeconds(now) }), client);
        const n = this.hub.size - 1;
        this.hub.send(client, envelope(id, "command_ack", {
          command: "broadcast",
          message: `Message broadcast to ${n} other client(s)`,
          recipients: n,
        }));
        return;
      }
    }
  }

  /** §3.3 connect: control → already connected → data → level → take control, ack, start. */
  #connect(client: Client, cmd: Command): void {
    const id = replyId(cmd.id);
    if (this.#controlTaken(client, id)) return;
    if (this.session.busy) {
      const text = this.session.state === "connected" ? "Already connected" : "Already connecting";
      this.#error(client, id, "ALREADY_CONNECTED", text);
      return;
    }
    const request = readConnect(cmd.data); // throws on non-object data → MESSAGE_PROCESSING_ERROR
    if (request.autoReconnect === null) {
      this.#error(client, id, "INVALID_PARAMETERS", autoReconnectProblem(request.autoReconnectGiven));
      return;
    }
    const level = parseLogLevel(request.logLevelGiven);
    if (level === null) {
      this.#error(client, id, "INVALID_LOG_LEVEL", `Invalid log level: ${JSON.stringify(request.logLevelGiven)}. Must be one of DEBUG, INFO, WARNING, ERROR`);
      return;
    }
    this.#controller = client;
    this.#forwardLevel = level;
    this.hub.send(client, envelope(id, "command_ack", {
      command: "connect",
      auto_reconnect: request.autoReconnectGiven,
      log_level: level,
      message: "Connecting to MW75 device",
    }));
    this.#log.log("INFO", `Client ${client.remote} took control (auto_reconnect=${request.autoReconnect}, log_level=${level})`);
    this.session.connect(request.autoReconnect);
  }

  /** With several clients, only the controller may connect/disconnect while one exists. */
  #controlTaken(client: Client, id: unknown): boolean {
    if (this.#controller === null || this.#controller === client) return false;
    this.#error(client, id, "DEVICE_CONTROL_TAKEN", "Another client controls the device");
    return true;
  }

  #left(client: Client): void {
    if (this.hub.size === 0) {
      // last client gone: device torn down, forwarding removed, level reset (§3.7)
      this.#controller = null;
      this.#forwardLevel = null;
      void this.session.shutdown();
      return;
    }
    if (this.#controller === client) {
      this.#controller = null;
      this.hub.broadcast(statusEvent(this.session.state, STATUS_TEXT.controlReleased, this.session.batteryLevel, this.#o.clock.now()));
    }
  }

  #error(client: Client, id: unknown, code: ErrorCode, message: string): void {
    this.hub.send(client, errorMessage(id, code, message, this.#o.clock.now()));
  }

  #forward(record: LogRecord): void {
    const level = this.#forwardLevel;
    if (level === null || LEVEL_RANK[record.level] < LEVEL_RANK[level] || this.hub.size === 0) return;
    this.hub.broadcast(envelope(freshId(), "log", {
      level: record.level,
      message: formatRecord(record),
      logger: record.logger,
      timestamp: toSeconds(record.time),
    }));
  }

  /** The /health body. */
  health(): Record<string, unknown> {
    const now = this.#o.clock.now();
    const source = this.#o.source;
    return {
      status: "ok",
      version: VERSION,
      runtime: this.#o.runtime,
      uptime: Math.round((now - this.#startedAt) / 100) / 10,
      source: source.kind,
      source_description: source.description,
      synthetic: source.synthetic,
      device_state: this.session.state,
      auto_reconnect: this.session.autoReconnect,
      battery_level: this.session.batteryLevel,
      clients: this.hub.size,
      max_clients: this.#maxClients,
      packets: this.session.figures(),
      shed: this.hub.totalShed,
    };
  }

  /** Ctrl-C: tear the device down (announced), tell clients, close their sockets. */
  async shutdown(): Promise<void> {
    this.#log.log("INFO", "Shutting down");
    if (this.session.busy) await this.session.disconnect();
    await this.session.shutdown();
    this.hub.broadcast(statusEvent(this.session.state, STATUS_TEXT.shutdown, null, this.#o.clock.now()));
    for (const client of this.hub.clients) client.outbox.drain();
    for (const client of this.hub.clients.slice()) {
      this.hub.remove(client);
      try {
        client.socket.close(1001, "server shutting down");
      } catch {
        /* already closed */
      }
    }
    this.hub.stop();
  }
}
