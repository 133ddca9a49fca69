/**
 * @module A device as the server serves it: composes the device, its subscription hub, the client
 * registry, the streams, recordings and access; admits and forgets clients (docs/protocol/mw75.md §3.7), turns
 * the device's status and errors into broadcasts, hands each frame to its socket's session, and
 * shuts down.
 */
import type { DeviceEntry } from "../protocol/messages.ts";
import type { Device } from "../core/device.ts";
import type { DeviceSource } from "../ports/device-source.ts";
import type { Logger } from "../ports/logger.ts";
import { statusEvent } from "../protocol/envelope.ts";
import { isKnown } from "../protocol/inbound.ts";
import { STATUS_TEXT } from "../protocol/status-text.ts";
import type { Control, DispatchContext } from "./dispatch.ts";
import { healthBody } from "./health.ts";
import type { Client, ClientRegistry } from "./client-registry.ts";
import { LogForwarder } from "./log-forwarding.ts";
import type { ClientSocket, OutMessage } from "../ports/client-socket.ts";
import { StreamRouter } from "./streams/router.ts";
import { tapBatches } from "./streams/batch-stream.ts";
import { DeviceHub } from "../hub/device-hub.ts";
import type { Subscription } from "../hub/subscribers.ts";
import type { SampleBatch } from "../core/samples.ts";
import type { BatchOptions } from "../protocol/subscriptions.ts";
import { recordingsFor } from "./recordings-wiring.ts";
import type { Recordings } from "../recording/recordings.ts";
import { placeMarker } from "./recording-commands.ts";
import type { RecordingCommands } from "./recording-commands.ts";
import { ClientAccess } from "./access/client-access.ts";
import { type AdmissionRules, admits } from "./admission.ts";
import { type SessionShared, SocketSession } from "./socket-session.ts";
import { AccessGate, type Admission } from "./access/gate.ts";
import { TokenTable } from "./access/tokens.ts";
import type { DeviceIdentity } from "../core/device-registry.ts";
import { clientsFor, DEVICE_LOGGER, deviceFor, identityOf } from "./served-device-options.ts";
import type { Frame, ServedDeviceOptions } from "./served-device-options.ts";
export type { Frame, ServedDeviceOptions } from "./served-device-options.ts";
import { describeDevice, soloBridge } from "./device-info.ts";
import { closeSockets, endUnattended } from "./device-teardown.ts";
import { broadcastDeviceState, broadcastStatus, currentState } from "./status-broadcast.ts";

/** One device as the server serves it: its hub, clients, streams, recordings and access. */
export class ServedDevice {
  #device: Device;
  #clients: ClientRegistry;
  /** Where every consumer of the device attaches (sockets, the recorder, MQTT). */
  readonly deviceHub: DeviceHub;
  #o: ServedDeviceOptions;
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
  #admission: AdmissionRules;
  #shared: SessionShared;
  #sessions = new Map<Client, SocketSession>();
  /** Connected independently of clients (`--autoconnect`, `connect_device`): the last one leaving does not tear it down. */
  #kept = false;

  constructor(options: ServedDeviceOptions) {
    this.#o = options;
    const clock = options.clock;
    this.gate = options.gate ?? new AccessGate(new TokenTable([]));
    this.#maxClients = Math.max(1, options.maxClients ?? 1);
    const multi = this.#maxClients > 1;
    this.identity = identityOf(options);
    const scope = options.scoped === true ? `[${this.identity.id}]` : "";
    const logger = (name: string) => options.logs.logger(`${name}${scope}`);
    this.#log = logger("mw75.server");
    this.#startedAt = clock.now();
    this.#clients = clientsFor(options, () => this.#device.session.batteryLevel, (client) => {
      this.#log.log(
        "WARNING",
        `Client ${client.remote} closed: too slow to receive control messages`,
      );
      this.#left(client);
    });
    this.#device = deviceFor(options, logger);
    this.deviceHub = new DeviceHub(this.#device, clock, logger("mw75.session"));
    this.#router = new StreamRouter(this.deviceHub, this.#clients, clock);
    // a device's socket gets the server-wide records and its own device's, never another device's
    this.#logs = new LogForwarder(
      options.logs,
      this.#clients,
      scope === "" ? undefined : (name) => name.endsWith(scope) || !DEVICE_LOGGER.test(name),
    );
    broadcastDeviceState(
      this.deviceHub,
      this.#clients,
      () => this.#device.session.batteryLevel,
      clock,
    );
    this.#access = new ClientAccess({
      gate: this.gate,
      hub: this.#clients,
      clock,
      log: this.#log,
      drop: (client) => this.close(client),
      available: (command) => isKnown(command, multi),
      ...(options.rateLimit !== undefined ? { rateLimit: options.rateLimit } : {}),
    });
    const labels = { subject: "", session_label: "" };
    this.recordings = options.recordingStore === undefined ? null : recordingsFor({
      device: this.#device,
      deviceHub: this.deviceHub,
      hub: this.#clients,
      store: options.recordingStore,
      clock,
      logs: options.logs,
      source: options.source,
      labels: () => labels,
      recordOnConnect: options.recordOnConnect,
      identity: this.identity,
      scoped: options.scoped === true,
    });
    this.#admission = {
      gate: this.gate,
      hub: this.#clients,
      clock,
      log: this.#log,
      maxClients: this.#maxClients,
      close: (client) => this.close(client),
    };
    this.#ctx = {
      device: this.#device,
      hub: this.#clients,
      router: this.#router,
      control: this.#control,
      logs: this.#logs,
      labels,
      recordingCommands: { device: this.#device, recordings: this.recordings },
      clock,
      log: this.#log,
      fleet: options.fleet ?? soloBridge(this),
    };
    this.#shared = {
      multi,
      gate: this.gate,
      access: this.#access,
      hub: this.#clients,
      ctx: this.#ctx,
      clock,
    };
  }

  /** What the recording commands of this device act on. */
  get recordingCommands(): RecordingCommands {
    return this.#ctx.recordingCommands;
  }

  /** A subscriber of `eeg_batch` that is no socket (the MQTT publisher): batch-stream.ts `tapBatches`. */
  tapBatches(
    name: string,
    options: BatchOptions,
    onBatch: (message: OutMessage, batch: SampleBatch) => void,
  ): Subscription {
    return tapBatches(this.deviceHub, name, options, onBatch);
  }

  /** Clients connected to this device now. */
  get clientCount(): number {
    return this.#clients.size;
  }

  /** Where the device's bytes come from. */
  get source(): DeviceSource {
    return this.#o.source;
  }

  /** The device session (state, battery, connect/disconnect). */
  get session(): Device["session"] {
    return this.#device.session;
  }

  /**
   * A socket opened: admit it (welcome status) or reject it (admission.ts: a bad token or a full
   * server; closed either way).
   */
  open(
    socket: ClientSocket,
    remote: string,
    admission: Admission = this.gate.admit({ authorization: undefined, protocols: undefined }),
    perDevice = false,
  ): Client | null {
    if (!admits(this.#admission, socket, remote, admission)) return null;
    const client = this.#clients.add(
      socket,
      remote,
      admission.principal,
      perDevice ? this.identity.id : null,
    );
    this.#access.admitted(client, admission);
    this.#router.addClient(client);
    this.#sessions.set(client, new SocketSession(client, this.#shared));
    this.#log.log("INFO", `Client ${remote} connected (${this.#clients.size} total)`);
    const session = this.#device.session;
    this.#clients.send(
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

  /**
   * Connects the device now, auto-reconnecting, and keeps it connected when clients come and go
   * (`--autoconnect`, `connect_device`). A client's `disconnect` still stops it.
   */
  keepConnected(): void {
    this.#kept = true;
    const session = this.#device.session;
    if (!session.busy) session.connect(true);
    else session.setAutoReconnect(true);
  }

  /** The `devices` entry of this device (docs/protocol/bridge-api.md §6). */
  describe(): DeviceEntry {
    return describeDevice(this.identity, this.#device.session, this.#clients.size, this.recordings);
  }

  /** A socket closed (idempotent). */
  close(client: Client): void {
    if (!this.#clients.remove(client)) return;
    this.#log.log("INFO", `Client ${client.remote} disconnected (${this.#clients.size} left)`);
    this.#left(client);
  }

  /** Handles one inbound frame (its socket's session). Never throws. */
  message(client: Client, frame: Frame): void {
    this.#sessions.get(client)?.message(frame);
  }

  #left(client: Client): void {
    this.#sessions.delete(client);
    this.#access.left(client);
    this.#router.removeClient(client);
    if (this.#clients.size === 0) {
      // last client gone: device torn down, forwarding removed, level reset (§3.7)
      this.#control.controller = null;
      this.#logs.level = null;
      // a headless device keeps streaming (and recording)
      if (!this.#kept) endUnattended(this.#device.session, this.recordings, this.#clients);
      return;
    }
    if (this.#control.controller === client) {
      this.#control.controller = null;
      const session = this.#device.session;
      const now = this.#o.clock.now();
      const text = STATUS_TEXT.controlReleased;
      broadcastStatus(this.#clients, currentState(session), text, session.batteryLevel, now);
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
      device: this.#device,
      hub: this.#clients,
      maxClients: this.#maxClients,
    });
  }

  /** Ctrl-C: tear the device down (announced), tell clients, close their sockets. */
  async shutdown(): Promise<void> {
    this.#log.log("INFO", "Shutting down");
    const session = this.#device.session;
    if (session.busy) await session.disconnect();
    await this.recordings?.close().catch((e: unknown) =>
      this.#log.log("ERROR", `Closing the recording: ${String(e)}`)
    );
    await session.shutdown();
    const now = this.#o.clock.now();
    broadcastStatus(this.#clients, () => session.state, STATUS_TEXT.shutdown, null, now);
    for (const client of this.#clients.clients) client.outbox.drain();
    this.#router.close();
    this.deviceHub.close();
    closeSockets(this.#clients);
  }
}
