/**
 * @module The bridge for one device: admits and forgets clients (MW75.md §3.7), turns the device's
 * status and errors into broadcasts, routes its samples and events to the subscribed streams,
 * hands each frame to the dispatcher, and shuts down. `message()` never throws into the socket.
 */
import { Device } from "../core/device.ts";
import type { DeviceSource, Logger } from "../core/ports.ts";
import {
  envelope,
  errorMessage,
  freshId,
  replyId,
  statusEvent,
  toSeconds,
} from "../protocol/envelope.ts";
import { frameText, isKnown, isRejection, parseFrame } from "../protocol/inbound.ts";
import { STATUS_TEXT, statusText } from "../protocol/status-text.ts";
import { dispatch } from "./dispatch.ts";
import type { Control, DispatchContext } from "./dispatch.ts";
import { healthBody } from "./health.ts";
import { CLOSE_TRY_AGAIN, Hub } from "./hub.ts";
import type { Client } from "./hub.ts";
import { LogForwarder } from "./log-forwarding.ts";
import { DEFAULT_OUTBOX_LIMITS } from "./outbox.ts";
import type { ClientSocket } from "./outbox.ts";
import { StreamRouter } from "./streams/router.ts";
import { batchEncoding } from "./streams/batch-stream.ts";
import { DeviceHub } from "../hub/device-hub.ts";
import { SHED } from "../hub/subscribers.ts";
import type { Subscription } from "../hub/subscribers.ts";
import type { SampleBatch } from "../core/samples.ts";
import type { BatchOptions } from "../protocol/subscriptions.ts";
import { recordingsFor } from "./recordings-wiring.ts";
import type { Recordings } from "./recordings.ts";
import { placeMarker } from "./recording-commands.ts";
import type { RecordingCommands } from "./recording-commands.ts";
import { ClientAccess, CLOSE_POLICY, refuse } from "./access/client-access.ts";
import { AccessGate } from "./access/gate.ts";
import type { Admission } from "./access/gate.ts";
import { TokenTable } from "./access/tokens.ts";
import type { DeviceIdentity } from "../core/device-registry.ts";
import { DEVICE_LOGGER, kindOf } from "./bridge-options.ts";
import type { BridgeOptions, Frame } from "./bridge-options.ts";
export type { BridgeOptions, Frame } from "./bridge-options.ts";
import { describeDevice, soloFleet } from "./device-info.ts";
import { announced, broadcastStatus, currentState, type StateFor } from "./status-broadcast.ts";

/** Composes the device, the client hub, the streams and the dispatcher. */
export class Bridge {
  readonly device: Device;
  readonly hub: Hub;
  /** Where every consumer of the device attaches (sockets, the recorder, MQTT). */
  readonly deviceHub: DeviceHub;
  #o: BridgeOptions;
  #multi: boolean;
  #maxClients: number;
  #control: Control = { controller: null };
  #logs: LogForwarder;
  #router: StreamRouter;
  #ctx: DispatchContext;
  #log: Logger;
  #startedAt: number;
  readonly gate: AccessGate;
  /** The device's recordings (null without a recordings directory). */
  readonly recordings: Recordings | null;
  readonly identity: DeviceIdentity;
  #access: ClientAccess;
  /** Connected independently of clients (`--autoconnect`, `connect_device`): the last one leaving does not tear it down. */
  #kept = false;

  constructor(options: BridgeOptions) {
    this.#o = options;
    const clock = options.clock;
    this.gate = options.gate ?? new AccessGate(new TokenTable([]));
    this.#maxClients = Math.max(1, options.maxClients ?? 1);
    this.#multi = this.#maxClients > 1;
    this.identity = options.identity ??
      {
        id: `${options.source.kind}-1`,
        kind: kindOf(options.source.kind),
        name: options.source.description,
        address: null,
      };
    const scope = options.scoped === true ? `[${this.identity.id}]` : "";
    const logger = (name: string) => options.logs.logger(`${name}${scope}`);
    this.#log = logger("mw75.server");
    this.#startedAt = clock.now();
    this.hub = new Hub({
      clock,
      maxClients: this.#maxClients,
      heartbeatMs: options.heartbeatMs ?? 30_000,
      limits: options.limits ?? DEFAULT_OUTBOX_LIMITS,
      heartbeat: () =>
        envelope(freshId(), "heartbeat", {
          timestamp: toSeconds(clock.now()),
          battery_level: this.device.session.batteryLevel,
        }),
      onOverflow: (client) => {
        this.#log.log(
          "WARNING",
          `Client ${client.remote} closed: too slow to receive control messages`,
        );
        this.#left(client);
      },
    });
    this.device = new Device({
      source: options.source,
      decoder: options.decoder,
      clock,
      log: logger("mw75.session"),
      sourceLog: logger(`mw75.source.${options.source.kind}`),
      ...(options.reconnectBaseMs !== undefined
        ? { reconnectBaseMs: options.reconnectBaseMs }
        : {}),
      ...(options.noDataTimeoutMs !== undefined
        ? { noDataTimeoutMs: options.noDataTimeoutMs }
        : {}),
      ...(options.ringSamples !== undefined ? { ringSamples: options.ringSamples } : {}),
    });
    this.deviceHub = new DeviceHub(this.device, clock, logger("mw75.session"));
    this.#router = new StreamRouter(this.deviceHub, this.hub, clock);
    // a device's socket gets the server-wide records and its own device's, never another device's
    this.#logs = new LogForwarder(
      options.logs,
      this.hub,
      scope === "" ? undefined : (name) => name.endsWith(scope) || !DEVICE_LOGGER.test(name),
    );
    // before the recordings' own: the status broadcast goes out before anything they announce
    this.deviceHub.state({
      name: "status broadcasts",
      onStatus: (state, cause) =>
        this.#broadcastStatus(
          announced(state, cause),
          statusText(cause),
          this.device.session.batteryLevel,
        ),
      onError: (code, message) =>
        this.hub.broadcast(errorMessage(freshId(), code, message, clock.now())),
    });
    this.#access = new ClientAccess({
      gate: this.gate,
      hub: this.hub,
      clock,
      log: this.#log,
      drop: (client) => this.close(client),
      available: (command) => isKnown(command, this.#multi),
      ...(options.rateLimit !== undefined ? { rateLimit: options.rateLimit } : {}),
    });
    const labels = { subject: "", session_label: "" };
    this.recordings = options.recordingStore === undefined ? null : recordingsFor({
      device: this.device,
      deviceHub: this.deviceHub,
      hub: this.hub,
      store: options.recordingStore,
      clock,
      logs: options.logs,
      source: options.source,
      labels: () => labels,
      recordOnConnect: options.recordOnConnect,
      ...(options.scoped === true ? { deviceId: this.identity.id } : {}),
      address: this.identity.address,
      identityId: this.identity.id,
    });
    this.#ctx = {
      device: this.device,
      hub: this.hub,
      router: this.#router,
      control: this.#control,
      logs: this.#logs,
      labels,
      recordingCommands: { device: this.device, recordings: this.recordings },
      clock,
      log: this.#log,
      fleet: options.fleet ?? soloFleet(this),
    };
  }

  /** What the recording commands of this device act on. */
  get recordingCommands(): RecordingCommands {
    return this.#ctx.recordingCommands;
  }

  /**
   * A subscriber of `eeg_batch` that is no socket (the MQTT publisher, shed): it shares the
   * pipeline and the encoded batches of sockets subscribed with the same options (JSON batches
   * name no device, as on `/`).
   */
  tapBatches(
    name: string,
    options: BatchOptions,
    onBatch: (message: string | Uint8Array, batch: SampleBatch) => void,
  ): Subscription {
    return this.deviceHub.batches({
      name,
      delivery: SHED,
      spec: {
        numSamples: options.num_samples,
        intervalMs: options.interval_ms,
        decimate: options.decimate,
      },
      encoding: batchEncoding(options, null),
      onBatch,
    });
  }

  /** Where the device's bytes come from. */
  get source(): DeviceSource {
    return this.#o.source;
  }

  /** The device session (state, battery, connect/disconnect). */
  get session(): Device["session"] {
    return this.device.session;
  }

  /**
   * A socket opened: admit it (welcome status) or reject it (a bad token: AUTH_FAILED; server
   * full: CLIENT_ALREADY_CONNECTED; closed either way).
   */
  open(
    socket: ClientSocket,
    remote: string,
    admission: Admission = this.gate.admit({ authorization: undefined, protocols: undefined }),
    perDevice = false,
  ): Client | null {
    if (admission.failed) {
      refuse(
        socket,
        "AUTH_FAILED",
        "Authentication failed: the token is not valid",
        this.#o.clock.now(),
        CLOSE_POLICY,
        "authentication failed",
      );
      this.#log.log("WARNING", `Rejected client ${remote}: invalid token`);
      return null;
    }
    if (this.hub.isFull && !this.#makeRoomFor(admission)) {
      const message = this.#multi
        ? `Server already has the maximum of ${this.#maxClients} connected clients`
        : "Server already has a connected client";
      refuse(
        socket,
        "CLIENT_ALREADY_CONNECTED",
        message,
        this.#o.clock.now(),
        CLOSE_TRY_AGAIN,
        "server full",
      );
      this.#log.log("WARNING", `Rejected client ${remote}: ${message}`);
      return null;
    }
    const client = this.hub.add(
      socket,
      remote,
      admission.principal,
      perDevice ? this.identity.id : null,
    );
    this.#access.admitted(client, admission);
    this.#router.addClient(client);
    this.#log.log("INFO", `Client ${remote} connected (${this.hub.size} total)`);
    const session = this.device.session;
    this.hub.send(
      client,
      statusEvent(
        currentState(session)(client.deviceId),
        STATUS_TEXT.welcome,
        session.batteryLevel,
        this.#o.clock.now(),
        client.deviceId,
      ),
    );
    return client;
  }

  /** `status` to every client it is for (status-broadcast.ts), naming the device on per-device sockets. */
  #broadcastStatus(stateFor: StateFor, message: string, battery: number | null): void {
    broadcastStatus(this.hub, stateFor, message, battery, this.#o.clock.now());
  }

  /**
   * Connects the device now, auto-reconnecting, and keeps it connected when clients come and go
   * (`--autoconnect`, `connect_device`). A client's `disconnect` still stops it.
   */
  keepConnected(): void {
    this.#kept = true;
    const session = this.device.session;
    if (!session.busy) session.connect(true);
    else session.setAutoReconnect(true);
  }

  /** The `devices` entry of this device (BRIDGE-API §6). */
  describe(): Record<string, unknown> {
    return describeDevice(this.identity, this.device.session, this.hub.size, this.recordings);
  }

  /**
   * With tokens required, anonymous clients must not be able to lock out the token holders: a
   * client with a token takes the place of the longest-connected anonymous one when the server is
   * full. True when a place was freed.
   */
  #makeRoomFor(admission: Admission): boolean {
    if (!this.gate.authEnabled || admission.principal.role === "anonymous") return false;
    const victim = this.hub.clients.find((c) => c.principal.role === "anonymous");
    if (victim === undefined) return false;
    const text = "Server full: this anonymous connection gave its place to a client with a token";
    refuse(
      victim.socket,
      "CLIENT_ALREADY_CONNECTED",
      text,
      this.#o.clock.now(),
      CLOSE_TRY_AGAIN,
      "server full",
    );
    this.#log.log(
      "INFO",
      `Client ${victim.remote} (anonymous) closed to admit a client with a token`,
    );
    this.close(victim);
    return true;
  }

  /** A socket closed (idempotent). */
  close(client: Client): void {
    if (!this.hub.remove(client)) return;
    this.#log.log("INFO", `Client ${client.remote} disconnected (${this.hub.size} left)`);
    this.#left(client);
  }

  /** Handles one inbound frame. Never throws. */
  message(client: Client, frame: Frame): void {
    if (!client.open || !this.#access.withinRate(client)) return;
    let id: unknown; // the request's id once the frame parsed that far: a processing error echoes it
    try {
      const parsed = parseFrame(frameText(frame), this.#multi);
      if (isRejection(parsed)) {
        // a contract command this client may not send is refused as such, implemented or not
        if (
          parsed.code === "UNKNOWN_COMMAND" &&
          this.gate.deniesUnknown(client.principal, parsed.type)
        ) {
          return this.#access.deny(client, replyId(parsed.id), String(parsed.type));
        }
        this.hub.send(
          client,
          errorMessage(
            parsed.echoId ? replyId(parsed.id) : freshId(),
            parsed.code,
            parsed.message,
            this.#o.clock.now(),
          ),
        );
        return;
      }
      id = parsed.id;
      if (parsed.type === "auth") return this.#access.auth(client, replyId(id), parsed.data);
      if (!this.gate.allows(client.principal, parsed.type)) {
        return this.#access.deny(client, replyId(id), parsed.type, parsed.data);
      }
      dispatch(this.#ctx, client, parsed);
    } catch (e) {
      const text = e instanceof Error ? e.message : String(e);
      this.hub.send(
        client,
        errorMessage(replyId(id), "MESSAGE_PROCESSING_ERROR", text, this.#o.clock.now()),
      );
    }
  }

  #left(client: Client): void {
    this.#access.left(client);
    this.#router.removeClient(client);
    if (this.hub.size === 0) {
      // last client gone: device torn down, forwarding removed, level reset (§3.7)
      this.#control.controller = null;
      this.#logs.level = null;
      if (this.#kept) return; // a headless device keeps streaming (and recording)
      // a recording ends with the session it records (finishing its last data record first)
      const recordings = this.recordings;
      if (!recordings?.active) {
        void this.device.session.shutdown();
        return;
      }
      // …unless a new client came meanwhile and uses the device
      void recordings.close().catch(() => {}).then(async () => {
        if (this.hub.size === 0) await this.device.session.shutdown();
      });
      return;
    }
    if (this.#control.controller === client) {
      this.#control.controller = null;
      const session = this.device.session;
      this.#broadcastStatus(
        currentState(session),
        STATUS_TEXT.controlReleased,
        session.batteryLevel,
      );
    }
  }

  /** A marker from outside the WebSocket (POST /markers): the same validation and effects as the command. */
  marker(data: unknown): ReturnType<typeof placeMarker> {
    return placeMarker(this.#ctx.recordingCommands, data);
  }

  /** The /health body. */
  health(): Record<string, unknown> {
    return healthBody({
      runtime: this.#o.runtime,
      startedAtMs: this.#startedAt,
      nowMs: this.#o.clock.now(),
      source: this.#o.source,
      device: this.device,
      hub: this.hub,
      maxClients: this.#maxClients,
    });
  }

  /** Ctrl-C: tear the device down (announced), tell clients, close their sockets. */
  async shutdown(): Promise<void> {
    this.#log.log("INFO", "Shutting down");
    const session = this.device.session;
    if (session.busy) await session.disconnect();
    await this.recordings?.close().catch((e: unknown) =>
      this.#log.log("ERROR", `Closing the recording: ${String(e)}`)
    );
    await session.shutdown();
    this.#broadcastStatus(() => session.state, STATUS_TEXT.shutdown, null);
    for (const client of this.hub.clients) client.outbox.drain();
    this.#router.close();
    this.deviceHub.close();
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
