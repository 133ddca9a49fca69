/**
 * @module A device as the server serves it: composes the device, its subscription hub, the client registry,
 * the streams, recordings and access; admits and forgets clients (docs/protocol/mw75.md §3.7), turns the device's
 * status and errors into broadcasts, hands each frame to its socket's session, and ends (shutdown, removal).
 */
import type { DeviceEntry } from "../protocol/messages.ts";
import type { Device } from "../core/device.ts";
import type { DeviceSource } from "../ports/device-source.ts";
import type { Logger } from "../ports/logger.ts";
import { isKnown } from "../protocol/inbound.ts";
import type { Control, DispatchContext } from "./dispatch.ts";
import { healthBody } from "./health.ts";
import type { Client, ClientRegistry } from "./client-registry.ts";
import { LogForwarder } from "./log-forwarding.ts";
import type { ClientSocket } from "../ports/client-socket.ts";
import { StreamRouter } from "./streams/router.ts";
import { DeviceTaps } from "./device-taps.ts";
import { type MetricsFeedHealth, MetricsFeeds } from "./streams/metrics-feeds.ts";
import { DeviceHub } from "../hub/device-hub.ts";
import type { StatusState } from "../core/session-events.ts";
import type { RecordingObject } from "../recording/recording-object.ts";
import { connectOnce } from "./connect-once.ts";
import type { MarkerRequest } from "../core/markers.ts";
import { recordingsOf } from "./recordings-wiring.ts";
import type { Recordings } from "../recording/recordings.ts";
import { placeRequest, type RecordingCommands } from "./recording-commands.ts";
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
import { closeSockets, endUnattended, shutDown } from "./device-teardown.ts";
import { closeSocket, type Ending, SERVER_SHUTDOWN } from "./device-teardown.ts";
import { announceControlReleased, broadcastDeviceState, sendWelcome } from "./status-broadcast.ts";

/** One device as the server serves it: its hub, clients, streams, recordings and access. */
export class ServedDevice {
  #device: Device;
  #clients: ClientRegistry;
  /** Where every consumer of the device attaches (sockets, the recorder, MQTT). */
  #hub: DeviceHub;
  #o: ServedDeviceOptions;
  #maxClients: number;
  #control: Control = { controller: null };
  #logs: LogForwarder;
  #router: StreamRouter;
  #metrics: MetricsFeeds;
  #ctx: DispatchContext;
  #log: Logger;
  #startedAt: number;
  readonly gate: AccessGate;
  /** The device's recordings (null without a recordings directory). */
  #recordings: Recordings | null;
  readonly identity: DeviceIdentity;
  /** Where consumers that are no socket attach (MQTT, LSL): shed hub subscriptions. */
  readonly taps: DeviceTaps;
  #access: ClientAccess;
  #admission: AdmissionRules;
  #shared: SessionShared;
  #sessions = new Map<Client, SocketSession>();
  /** Connected independently of clients (`--autoconnect`, `connect_device`): the last one leaving does not tear it down. */
  #kept = false;
  /** Set once the device's service ended (shutdown, removal): a socket opening later is closed at once. */
  #ended: Ending | null = null;

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
    this.#hub = new DeviceHub(this.#device, clock, logger("mw75.session"));
    this.#metrics = new MetricsFeeds(this.#hub, this.identity.id);
    this.taps = new DeviceTaps(this.#hub, this.#metrics);
    const adapter = options.adapterStatus ?? null; // the bridge's adapter changes, for `events`
    this.#router = new StreamRouter(this.#hub, this.#clients, clock, this.#metrics, adapter);
    // a device's socket gets the server-wide records and its own device's, never another device's
    this.#logs = new LogForwarder(
      options.logs,
      this.#clients,
      scope === "" ? undefined : (name) => name.endsWith(scope) || !DEVICE_LOGGER.test(name),
    );
    broadcastDeviceState(
      this.#hub,
      this.#clients,
      () => this.#device.session.batteryLevel,
      clock,
    );
    this.#access = new ClientAccess({
      gate: this.gate,
      clients: this.#clients,
      clock,
      log: this.#log,
      drop: (client) => this.close(client),
      available: (command) => isKnown(command, multi),
      ...(options.rateLimit !== undefined ? { rateLimit: options.rateLimit } : {}),
    });
    const labels = { subject: "", session_label: "" };
    this.#recordings = recordingsOf(options, {
      device: this.#device,
      deviceHub: this.#hub,
      clients: this.#clients,
      identity: this.identity,
      labels: () => labels,
    });
    this.#admission = {
      gate: this.gate,
      clients: this.#clients,
      clock,
      log: this.#log,
      maxClients: this.#maxClients,
      close: (client) => this.close(client),
    };
    this.#ctx = {
      device: this.#device,
      clients: this.#clients,
      router: this.#router,
      control: this.#control,
      logs: this.#logs,
      labels,
      recordingCommands: { device: this.#device, recordings: this.#recordings },
      clock,
      log: this.#log,
      bridge: options.bridge ?? soloBridge(this),
    };
    this.#shared = {
      multi,
      gate: this.gate,
      access: this.#access,
      clients: this.#clients,
      ctx: this.#ctx,
      clock,
    };
  }

  /** What the recording commands of this device act on. */
  get recordingCommands(): RecordingCommands {
    return this.#ctx.recordingCommands;
  }

  /** Places a validated marker on this device as `marker` does (into its recording, on `events`). */
  mark(request: MarkerRequest): ReturnType<typeof placeRequest> {
    return placeRequest(this.#ctx.recordingCommands, request);
  }

  /** Clients connected to this device now. */
  get clientCount(): number {
    return this.#clients.size;
  }

  /** Where the device's bytes come from. */
  get source(): DeviceSource {
    return this.#o.source;
  }

  /** The device's state and battery now. */
  snapshot(): { state: StatusState; batteryLevel: number | null } {
    return { state: this.#device.session.state, batteryLevel: this.#device.session.batteryLevel };
  }

  /** Connected or connecting (a `connect` would be refused). */
  get busy(): boolean {
    return this.#device.session.busy;
  }

  /** One connection attempt; kept connected once it streams (connect-once.ts). */
  connectOnce(): Promise<void> {
    return connectOnce(this.#hub, this.#device.session, () => this.keepConnected());
  }

  /** The recordings on disk of this device's recordings directory (none without one). */
  listRecordings(): Promise<RecordingObject[]> {
    return this.#recordings?.list() ?? Promise.resolve([]);
  }

  /** A socket opened: admit it (welcome status) or reject it (admission.ts: a bad token or a full server; closed either way). */
  open(
    socket: ClientSocket,
    remote: string,
    admission: Admission = this.gate.admit({ authorization: undefined, protocols: undefined }),
    perDevice = false,
  ): Client | null {
    if (this.#ended !== null) return closeSocket(socket, this.#ended); // never admitted
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
    sendWelcome(this.#clients, client, this.#device.session, this.#o.clock.now());
    return client;
  }

  /** Connects the device now, auto-reconnecting, and keeps it connected when clients come and go (`--autoconnect`, `connect_device`); a client's `disconnect` still stops it. */
  keepConnected(): void {
    this.#kept = true;
    const session = this.#device.session;
    if (!session.busy) session.connect(true);
    else session.setAutoReconnect(true);
  }

  /** The `devices` entry of this device (docs/protocol/bridge-api.md §6). */
  describe(): DeviceEntry {
    return describeDevice(
      this.identity,
      this.#device.session,
      this.#clients.size,
      this.#recordings,
    );
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
      if (!this.#kept) endUnattended(this.#device.session, this.#recordings, this.#clients);
      return;
    }
    if (this.#control.controller === client) {
      this.#control.controller = null;
      announceControlReleased(this.#clients, this.#device.session, this.#o.clock.now());
    }
  }

  /** The /health body. */
  health(): Record<string, unknown> {
    return healthBody({
      runtime: this.#o.runtime,
      startedAtMs: this.#startedAt,
      nowMs: this.#o.clock.now(),
      source: this.#o.source,
      device: this.#device,
      clients: this.#clients,
      maxClients: this.#maxClients,
    });
  }

  /** `/health` `devices[].metrics`: the metrics computations running for this device. */
  metricsHealth(): MetricsFeedHealth[] {
    return this.#metrics.health();
  }

  /** Sends `text` to the clients of this device whose principal `to` accepts (the bridge's `devices` announcement). */
  broadcast(text: string, to: (principal: Client["principal"]) => boolean = () => true): void {
    this.#clients.broadcastTo(text, (client) => to(client.principal));
  }

  /** Ctrl-C, or `remove_device` (DEVICE_REMOVED): tear the device down (announced), tell clients, close their sockets. */
  async shutdown(ending: Ending = SERVER_SHUTDOWN): Promise<void> {
    this.#ended = ending;
    this.#access.close();
    this.#log.log("INFO", ending === SERVER_SHUTDOWN ? "Shutting down" : "Removing the device");
    const [session, clock] = [this.#device.session, this.#o.clock];
    await shutDown(session, this.#recordings, this.#clients, clock, this.#log, ending);
    this.#router.close();
    this.#hub.close();
    this.#logs.close();
    closeSockets(this.#clients, ending);
  }
}
