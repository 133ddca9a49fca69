/**
 * @module The bridge, the program's composition of its devices (docs/protocol/bridge-api.md §6): one ServedDevice
 * per device in the core's registry, the default one first; discovery (BlueZ, or the simulated headsets), headsets added at run time by
 * address, devices removed (`remove_device`, §11), `--autoconnect`, shutdown of all. Each device stays isolated: its own session,
 * decoder, clients, control, streams, ring and recording.
 */
import type { DeviceEntry } from "../protocol/messages.ts";
import { deviceIdFor, DeviceRegistry } from "../core/device-registry.ts";
import type { DeviceIdentity } from "../core/device-registry.ts";
import { BridgeError } from "../core/errors.ts";
import type {
  BluetoothStatus,
  LslHealth,
  MqttHealth as MqttHealthFigures,
  WsPushHealth,
} from "../protocol/health.ts";
import type { AdapterWatcher } from "../ports/bluez.ts";
import { envelope, freshId } from "../protocol/envelope.ts";
import type { DeviceDiscovery, DevicePort, DiscoveredDevice } from "../ports/discovery.ts";
import type { DeviceSource } from "../ports/device-source.ts";
import type { Logger } from "../ports/logger.ts";
import type { ServedDevice } from "./served-device.ts";
import { defaultNotRemovable, Removals, tearDownRemoved, unknownDevice } from "./device-removal.ts";
import type { BridgeCommands } from "./device-commands.ts";
import type { RecordingCommands } from "./recording-commands.ts";
import { AdapterStatusFeed } from "./adapter-status.ts";
import { ScannedNames } from "./scanned-names.ts";

const SHUTTING_DOWN = () => new BridgeError("CONNECTION_FAILED", "The bridge is shutting down");

/** What the bridge needs from the program that builds devices. */
export interface BridgeOptions {
  /** BlueZ discovery, the simulated one, or null (scan_devices answers SCAN_FAILED). */
  discovery: DeviceDiscovery | null;
  /** The tty `--rfcomm-tty ADDR=PATH` gave a headset, or the single-headset default; null when none. */
  headsetTty(address: string): string | null;
  /** Opens headsets by address for `connect_device` (null: this bridge cannot add headsets). */
  headsets: DevicePort | null;
  /** Builds the bridge of a device from its identity and source. */
  makeDevice(identity: DeviceIdentity, source: DeviceSource): Promise<ServedDevice>;
  /** The name the Bluetooth stack knows for `address` when no scan found it (null: unknown). */
  headsetName?(address: string): Promise<string | null>;
  log: Logger;
  /** `/health` `mqtt`, asked at each request: the publisher's figures, or null when it publishes to no broker. */
  mqttHealth?: (() => MqttHealthFigures | null) | undefined;
  /** `/health` `lsl`, asked at each request: outlets and inlets, or null without LSL. */
  lslHealth?: (() => LslHealth | null) | undefined;
  /** The Bluetooth adapter to watch on a bridge that reaches real headsets (absent: `bluetooth` null). */
  adapter?: AdapterWatcher | null;
  /** `/health` `ws_push`: one entry per `--ws-push` target, or null without push mode. */
  wsPushHealth?: (() => WsPushHealth[] | null) | undefined;
}

export class Bridge implements BridgeCommands {
  readonly registry: DeviceRegistry<ServedDevice> = new DeviceRegistry<ServedDevice>();
  #o: BridgeOptions;
  /** RFCOMM tty per headset device id (two devices never read one tty). */
  #ttys = new Map<string, string>();
  #adding = new Map<string, Promise<{ deviceId: string; added: boolean }>>();
  #scan: { durationS: number; result: Promise<DiscoveredDevice[]> } | null = null;
  /** The name each address had in the latest scan that found it (a device added later keeps it). */
  #scannedNames = new ScannedNames();
  /** `/health` `mqtt`: the publisher's figures, or null when the bridge publishes to no broker. */
  mqttHealth(): MqttHealthFigures | null {
    return this.#o.mqttHealth?.() ?? null;
  }
  /** `/health` `lsl`: the outlets and marker inlets, or null when the bridge serves no LSL. */
  lslHealth(): LslHealth | null {
    return this.#o.lslHealth?.() ?? null;
  }
  /** `/health` `ws_push`: the push targets, or null when the bridge pushes nowhere. */
  wsPushHealth(): WsPushHealth[] | null {
    return this.#o.wsPushHealth?.() ?? null;
  }
  #added: Array<(device: ServedDevice) => void> = [];
  /** The watched adapter (`bluetooth_status`, `/health` `bluetooth`); null without one. */
  readonly adapterStatus: AdapterStatusFeed | null;
  #removed: Array<(device: ServedDevice) => Promise<void> | void> = [];
  #removals = new Removals();
  /** Set by shutdown(): a connect_device still under way must not add a device nothing shuts down. */
  #closing = false;

  constructor(options: BridgeOptions) {
    this.#o = options;
    this.adapterStatus = options.adapter
      ? new AdapterStatusFeed(options.adapter, options.log)
      : null;
  }

  /** `/health` `bluetooth`: the adapter's status, or null on a bridge that watches none. */
  bluetoothHealth(): BluetoothStatus | null {
    return this.adapterStatus?.current ?? null;
  }

  /** Replaces the discovery (the simulated one needs the bridge whose devices it lists). */
  useDiscovery(discovery: DeviceDiscovery): void {
    this.#o = { ...this.#o, discovery };
  }

  /** Registers a device (at start-up, or a headset added by `connect_device`; `rfcommTty` for headsets). */
  add(device: ServedDevice, rfcommTty?: string): void {
    // its removal's listeners would act on this one (#addHeadset waits for the removal's end)
    if (this.#removals.underWay({ id: device.identity.id })) throw new Error("Still being removed");
    this.registry.add(device);
    if (rfcommTty !== undefined) this.#ttys.set(device.identity.id, rfcommTty);
    for (const listener of this.#added) listener(device);
  }

  /** Calls `listener` for every device added from now on (the MQTT publisher attaches each). */
  onAdded(listener: (device: ServedDevice) => void): void {
    this.#added.push(listener);
  }

  /** Calls `listener` with each device removed from now on, after its teardown (MQTT, LSL withdraw it); no device of its id is added before. */
  onRemoved(listener: (device: ServedDevice) => Promise<void> | void): void {
    this.#removed.push(listener);
  }

  /**
   * `remove_device` (docs/protocol/bridge-api.md §11): the device leaves the list at once (a second
   * remove is UNKNOWN_DEVICE), is torn down (its recording finalised, its sockets closed 1001), its
   * MQTT state and LSL outlets withdrawn; then the clients hear the new `devices`. Resolves after all that
   * (rejects when the teardown failed, the rest done all the same).
   */
  async removeDevice(id: string): Promise<void> {
    const device = this.registry.get(id);
    if (device === undefined) throw unknownDevice(id);
    if (device === this.default) throw defaultNotRemovable(id);
    this.registry.remove(id);
    this.#o.log.log("INFO", `Removing device ${id}`);
    await this.#removals.track(id, device.identity.address, () =>
      tearDownRemoved(device, {
        // only once torn down has the headset let go of its tty: it may carry it again when added back
        release: () => this.#ttys.delete(id),
        listeners: this.#removed,
        announce: () => this.#announceDevices(),
        log: this.#o.log,
      }));
    this.#o.log.log("INFO", `Device ${id} removed`);
  }

  /** The new `devices` list (a device added or removed) to the clients that may read `GET /devices`: any token's (with auth off: all). */
  #announceDevices(): void {
    const devices = envelope(freshId(), "devices", { devices: this.describe() });
    for (const device of this.list()) {
      device.broadcast(devices, (principal) => principal.role !== "anonymous");
    }
  }

  /** The device of `/` and `/ws`. */
  get default(): ServedDevice {
    return this.registry.default;
  }

  get(id: string): ServedDevice | undefined {
    return this.registry.get(id);
  }

  list(): ServedDevice[] {
    return this.registry.list();
  }

  recordingCommandsOf(id: string): RecordingCommands | undefined {
    return this.get(id)?.recordingCommands;
  }

  describe(): DeviceEntry[] {
    return this.list().map((b) => b.describe());
  }

  /** One discovery at a time: a second request while one runs shares it (BlueZ allows one per adapter). */
  scan(durationS: number): Promise<DiscoveredDevice[]> {
    const discovery = this.#o.discovery;
    if (discovery === null) {
      return Promise.reject(
        new BridgeError(
          "SCAN_FAILED",
          "This bridge has no device discovery (no Bluetooth backend and no simulated headsets)",
        ),
      );
    }
    if (this.#scan !== null && this.#scan.durationS >= durationS) return this.#scan.result;
    const result = discovery.list({ durationMs: durationS * 1000, log: this.#o.log });
    const scan = (this.#scan = { durationS, result });
    const clear = () => {
      if (this.#scan === scan) this.#scan = null;
    };
    result.then((devices) => {
      clear();
      for (const d of devices) this.#scannedNames.remember(d.address, d.name);
    }, clear);
    return result;
  }

  /** Adds the headset at `address` as a new device, connecting it (auto-reconnect on); finds it when it is one already. */
  connectDevice(
    address: string,
    rfcommTty: string | null,
  ): Promise<{ deviceId: string; added: boolean }> {
    if (this.#closing) return Promise.reject(SHUTTING_DOWN());
    if (this.#removals.underWay({ address })) {
      // its removal still holds the headset and its tty: it is added back once that is over
      return this.#removals.settled({ address }).then(() => this.connectDevice(address, rfcommTty));
    }
    const known = this.registry.find((b) => b.identity.address === address);
    if (known !== undefined) {
      // "connect" means connect: an idle device of that address is started (and kept connected)
      if (!known.busy) known.keepConnected();
      return Promise.resolve({ deviceId: known.identity.id, added: false });
    }
    const pending = this.#adding.get(address);
    if (pending !== undefined) return pending.then((r) => ({ ...r, added: false }));
    const adding = this.#addHeadset(address, rfcommTty).finally(() => this.#adding.delete(address));
    this.#adding.set(address, adding);
    return adding;
  }

  async #addHeadset(
    address: string,
    given: string | null,
  ): Promise<{ deviceId: string; added: boolean }> {
    const port = this.#o.headsets;
    if (port === null) {
      throw new BridgeError("CONNECTION_FAILED", "This bridge cannot add headsets at run time");
    }
    const tty = given ?? this.#o.headsetTty(address);
    if (tty === null) {
      throw new BridgeError(
        "INVALID_PARAMETERS",
        `No RFCOMM tty is known for ${address}: bind one (sudo rfcomm bind /dev/rfcommN ${address} 25), then pass it as rfcomm_tty or start the bridge with --rfcomm-tty ${address}=/dev/rfcommN`,
      );
    }
    for (const [id, used] of this.#ttys) {
      if (used === tty) {
        throw new BridgeError(
          "INVALID_PARAMETERS",
          `Invalid rfcomm_tty: ${tty} already carries ${id}; bind the new headset to its own tty`,
        );
      }
    }
    const n = this.registry.count("mw75") + 1;
    const name = await this.#nameOf(address);
    const identity: DeviceIdentity = {
      id: deviceIdFor("mw75", address, n),
      kind: "mw75",
      name,
      address,
    };
    const device = await this.#o.makeDevice(identity, port.open(address, { rfcommTty: tty }));
    // it joins the bridge once it streams: an address that is no MW75 (or is out of reach) is an
    // error for the requester, not a device retrying in the list
    this.#o.log.log(
      "INFO",
      `Connecting to the headset ${address} (RFCOMM ${tty}) as ${identity.id}`,
    );
    try {
      await device.connectOnce();
    } catch (error) {
      await device.shutdown().catch(() => {});
      throw error;
    }
    await this.#removals.settled({ id: identity.id });
    if (this.#closing) throw await device.shutdown().then(SHUTTING_DOWN, SHUTTING_DOWN);
    this.add(device, tty);
    this.#announceDevices();
    this.#o.log.log("INFO", `Device ${identity.id} added for the headset ${address}`);
    return { deviceId: identity.id, added: true };
  }

  /** What a scan called the headset, else what the Bluetooth stack calls it, else "MW75 Neuro <address>". */
  async #nameOf(address: string): Promise<string> {
    const scanned = this.#scannedNames.get(address);
    if (scanned !== undefined) return scanned;
    const known = await this.#o.headsetName?.(address).catch(() => null);
    return known ?? `MW75 Neuro ${address}`;
  }

  /** `--autoconnect`: every device connected now and kept connected. */
  autoconnect(): void {
    for (const device of this.list()) device.keepConnected();
  }

  /** Ctrl-C: every device torn down at once (one slow headset does not hold up the others), removals under way finished. */
  async shutdown(): Promise<void> {
    this.#closing = true;
    await Promise.all([
      ...this.list().map((b) => b.shutdown()),
      this.#removals.all(),
      this.adapterStatus?.close(),
    ]);
  }
}
