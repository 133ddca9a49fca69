/**
 * @module Watches the BlueZ adapter (present, powered, discovering) on the system D-Bus over
 * node-ble's bus connection: BlueZ's signals about adapters (and its name coming or going) trigger a
 * fresh read of its objects; while the adapter is absent, or the bus is lost, a timer retries.
 */
import type { AdapterStatus, AdapterWatch, AdapterWatcher } from "../../ports/bluez.ts";
import type { Logger } from "../../ports/logger.ts";
import { bounded } from "../../mw75/bounded.ts";
import { openBluez } from "./bluez.ts";
import type { BluezSession } from "./bluez.ts";

/** Bounds of the watch, in ms; the defaults suit a real adapter. */
export interface AdapterWatchOptions {
  /** While the adapter is absent (or the bus lost): how often to look again (default 5000). */
  retryMs?: number;
  /** Bound on each D-Bus call (default 3000). */
  callMs?: number;
  /** Opens the bus (default node-ble's system bus); tests give a slow one. */
  open?: () => Promise<BluezSession>;
}

export const ABSENT: AdapterStatus = { present: false, powered: false, discovering: false };
const ADAPTER = "org.bluez.Adapter1";
const SIGNAL = 4; // dbus-next's MessageType.SIGNAL
/** An adapter's object path (/org/bluez/hci0); devices and GATT objects lie deeper. */
const ADAPTER_PATH = /^\/org\/bluez\/[^/]+$/;

// given XML, dbus-next skips introspection: the proxies work before BlueZ exists, and cost one call less
const DAEMON_XML =
  `<node><interface name="org.freedesktop.DBus"><method name="AddMatch"><arg type="s" direction="in"/></method></interface></node>`;
const MANAGER_XML =
  `<node><interface name="org.freedesktop.DBus.ObjectManager"><method name="GetManagedObjects"><arg type="a{oa{sa{sv}}}" direction="out"/></method></interface></node>`;

/** BlueZ's name changing owner, its adapters added or removed, an adapter's properties changing. */
const RULES = [
  "type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',member='NameOwnerChanged',arg0='org.bluez'",
  "type='signal',sender='org.bluez',interface='org.freedesktop.DBus.ObjectManager'",
  `type='signal',sender='org.bluez',interface='org.freedesktop.DBus.Properties',member='PropertiesChanged',arg0='${ADAPTER}'`,
];

interface RawMessage {
  type: number;
  interface?: string;
  member?: string;
  body?: unknown[];
}
interface Bus {
  _connection?: { on(event: "end", listener: () => void): void };
  on(event: "message", listener: (m: RawMessage) => void): void;
  removeListener(event: "message", listener: (m: RawMessage) => void): void;
  getProxyObject(name: string, path: string, xml: string): Promise<{
    getInterface(name: string): Record<string, (...args: unknown[]) => Promise<unknown>>;
  }>;
}
type Objects = Record<string, Record<string, Record<string, { value: unknown }>>>;

/** The status of the first adapter (by object path: hci0 on most machines, the one connects and scans use). */
export function statusOf(objects: Objects): AdapterStatus {
  const path = Object.keys(objects).filter((p) => objects[p]?.[ADAPTER] !== undefined).sort()[0];
  if (path === undefined) return ABSENT;
  const props = objects[path]![ADAPTER]!;
  return {
    present: true,
    powered: props["Powered"]?.value === true,
    discovering: props["Discovering"]?.value === true,
  };
}

/** Whether a signal may change the adapter's status (device objects come and go during every scan). */
function concernsAdapter(m: RawMessage): boolean {
  if (m.type !== SIGNAL) return false;
  if (m.member === "InterfacesAdded" || m.member === "InterfacesRemoved") {
    return typeof m.body?.[0] === "string" && ADAPTER_PATH.test(m.body[0]);
  }
  if (m.member === "PropertiesChanged") return m.body?.[0] === ADAPTER;
  return m.member === "NameOwnerChanged" && m.body?.[0] === "org.bluez";
}

/** The watcher on node-ble's system-bus connection (DBUS_SYSTEM_BUS_ADDRESS, else the default socket). */
export function nodeBleAdapterWatcher(options: AdapterWatchOptions = {}): AdapterWatcher {
  return { watch: (onStatus, log) => watchAdapter(onStatus, log, options) };
}

function watchAdapter(
  onStatus: (status: AdapterStatus) => void,
  log: Logger,
  options: AdapterWatchOptions,
): AdapterWatch {
  const retryMs = options.retryMs ?? 5000;
  const callMs = options.callMs ?? 3000;
  let closed = false;
  let last: AdapterStatus | null = null;
  let session: BluezSession | null = null;
  let connecting = false;
  let read: (() => Promise<unknown>) | null = null;
  let reading = false;
  let again = false;

  // each retry meets the same failure: it is logged once, until something else happens
  let lastProblem = "";
  const problem = (text: string) => {
    if (text !== lastProblem) log.log("DEBUG", text);
    lastProblem = text;
  };

  const report = (status: AdapterStatus) => {
    if (closed) return;
    if (status.present) lastProblem = "";
    if (
      last !== null && last.present === status.present && last.powered === status.powered &&
      last.discovering === status.discovering
    ) return;
    const changedPower = last === null || last.present !== status.present ||
      last.powered !== status.powered;
    last = status;
    log.log(
      changedPower ? "INFO" : "DEBUG",
      `Bluetooth adapter: ${
        status.present
          ? `${status.powered ? "powered" : "powered off"}${
            status.discovering ? ", discovering" : ""
          }`
          : "absent"
      }`,
    );
    try {
      onStatus(status);
    } catch (error) {
      log.log("ERROR", `Bluetooth status listener failed: ${String(error)}`);
    }
  };

  // one read at a time; a signal during a read asks for one more, so the last change is never missed
  const refresh = async () => {
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    try {
      do {
        again = false;
        const current = read;
        if (current === null || closed) break;
        let status: AdapterStatus;
        try {
          status = statusOf(await current() as Objects);
        } catch (error) {
          // BlueZ not running (ServiceUnknown), gone mid-call, or hung past the bound
          problem(`Bluetooth adapter unreadable: ${String(error)}`);
          status = ABSENT;
        }
        // a read of a bus since lost says nothing about the adapter now
        if (read === current) report(status);
      } while (again);
    } finally {
      reading = false;
    }
  };

  const onMessage = (m: RawMessage) => {
    if (concernsAdapter(m)) void refresh();
  };

  const drop = (lost: BluezSession, error: unknown) => {
    if (session !== lost) return;
    session = null;
    read = null;
    (lost.bluetooth as unknown as { dbus: Bus }).dbus.removeListener("message", onMessage);
    lost.destroy();
    if (closed) return;
    problem(`Bluetooth adapter watch: system bus lost: ${String(error)}`);
    report(ABSENT);
  };

  const connect = async () => {
    if (closed || session !== null || connecting) return;
    connecting = true;
    let opened: BluezSession | null = null;
    try {
      opened = await (options.open ?? openBluez)();
      // closed while the bus was opening: nobody would ever destroy this connection
      if (closed) return void opened.destroy();
      session = opened;
      const own = opened;
      own.busDown.catch((error: unknown) => drop(own, error));
      const call = <T>(work: Promise<T>, what: string) =>
        bounded(Promise.race([work, own.busDown]), callMs, what);
      const bus = (own.bluetooth as unknown as { dbus: Bus }).dbus;
      bus.on("message", onMessage);
      // dbus-next reports a closed socket (the bus daemon gone) only on its connection, and as an
      // error only at the next write: without this a quiet watch would never notice
      bus._connection?.on(
        "end",
        () => drop(own, new Error("the system bus closed the connection")),
      );
      const daemon = (await call(
        bus.getProxyObject("org.freedesktop.DBus", "/org/freedesktop/DBus", DAEMON_XML),
        "opening the bus daemon",
      )).getInterface("org.freedesktop.DBus");
      // subscribed before the first read, so a change between the two is not missed
      for (const rule of RULES) await call(daemon["AddMatch"]!(rule), "subscribing to BlueZ");
      const manager = (await call(
        bus.getProxyObject("org.bluez", "/", MANAGER_XML),
        "opening BlueZ's object manager",
      )).getInterface("org.freedesktop.DBus.ObjectManager");
      if (session !== own) return;
      read = () => call(manager["GetManagedObjects"]!(), "reading BlueZ's objects");
      await refresh();
    } catch (error) {
      if (opened !== null) drop(opened, error);
      else if (!closed) {
        problem(`Bluetooth adapter watch: no system bus: ${String(error)}`);
        report(ABSENT);
      }
    } finally {
      connecting = false;
    }
  };

  // bounded retry: reconnect a lost bus, re-read an absent adapter (signals cover the rest)
  const timer = setInterval(() => {
    if (session === null) void connect();
    else if (last !== null && !last.present) void refresh();
  }, retryMs);
  void connect();
  return {
    close: () => {
      if (closed) return Promise.resolve();
      closed = true;
      clearInterval(timer);
      if (session !== null) drop(session, "closed");
      return Promise.resolve();
    },
  };
}
