/** @module Starts a private dbus-daemon with python-dbusmock's BlueZ template extended by an emulated MW75 (bluez-mw75.py). */
import { execFile, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const TEMPLATE = fileURLToPath(new URL("./bluez-mw75.py", import.meta.url));
/** Only Debian's python sees python3-dbusmock and python3-gi. */
const PYTHON = "/usr/bin/python3";

/** How the emulated headset behaves (see bluez-mw75.py). */
export interface FakeBluezOptions {
  advertise?: boolean;
  confirmRaw?: boolean;
  battery?: number;
  powered?: boolean;
  adapter?: boolean;
  address?: string;
}

/** A running private bus with the mock on it. */
export interface FakeBluez {
  /** Value for DBUS_SYSTEM_BUS_ADDRESS. */
  readonly busAddress: string;
  /** The emulated headset's address. */
  readonly address: string;
  /** Events the mock recorded: "connect", "disconnect", "notify-on", "write 099a036001", … */
  events(): string[];
  /** Resolves once `pred(events())` holds; rejects after `timeoutMs`. */
  waitFor(pred: (events: string[]) => boolean, timeoutMs: number, what: string): Promise<string[]>;
  /** Changes the running mock: advertise / confirmRaw / battery. */
  configure(options: Pick<FakeBluezOptions, "advertise" | "confirmRaw" | "battery">): Promise<void>;
  /** Kills the mock and the bus by PID and removes the temp dir; idempotent. */
  stop(): void;
}

const BUS_CONFIG = (socket: string) => `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_type="method_return"/>
    <allow send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="signal"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
  </policy>
</busconfig>
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function killPid(child: ChildProcess | undefined): void {
  if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(child.pid, "SIGKILL");
  } catch {
    // already gone
  }
}

function firstLine(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`dbus-daemon printed no address within ${timeoutMs} ms`)), timeoutMs);
    child.stdout!.on("data", (d: Uint8Array) => {
      out += new TextDecoder().decode(d);
      const nl = out.indexOf("\n");
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, nl).trim());
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`dbus-daemon exited (${code}) before printing its address`));
    });
  });
}

function bluezOwned(busAddress: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(
      "dbus-send",
      [`--bus=${busAddress}`, "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
        "org.freedesktop.DBus.NameHasOwner", "string:org.bluez"],
      { timeout: 2000 },
      (error, stdout) => resolve(!error && String(stdout).includes("boolean true")),
    );
  });
}

/** Starts bus + mock and waits (bounded) until org.bluez is on the bus. */
export async function startFakeBluez(options: FakeBluezOptions = {}): Promise<FakeBluez> {
  const dir = mkdtempSync(join(tmpdir(), "mw75-bluez-"));
  const record = join(dir, "events.log");
  const address = options.address ?? "A0:B1:C2:D3:E4:75";
  writeFileSync(join(dir, "bus.conf"), BUS_CONFIG(join(dir, "bus.sock")));
  let daemon: ChildProcess | undefined;
  let mock: ChildProcess | undefined;
  let mockLog = "";
  const stop = () => {
    killPid(mock);
    killPid(daemon);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    daemon = spawn("dbus-daemon", [`--config-file=${join(dir, "bus.conf")}`, "--nofork", "--print-address"], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    const busAddress = await firstLine(daemon, 5000);
    const params = {
      record,
      address,
      advertise: options.advertise ?? true,
      confirm_raw: options.confirmRaw ?? true,
      battery: options.battery ?? 85,
      powered: options.powered ?? true,
      adapter: options.adapter ?? true,
    };
    mock = spawn(PYTHON, ["-m", "dbusmock", "--system", "-t", TEMPLATE, "-p", JSON.stringify(params)], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: busAddress },
    });
    const keep = (d: Uint8Array) => void (mockLog = (mockLog + new TextDecoder().decode(d)).slice(-4000));
    mock.stdout!.on("data", keep);
    mock.stderr!.on("data", keep);
    const deadline = Date.now() + 10_000;
    while (!(await bluezOwned(busAddress))) {
      if (mock.exitCode !== null || Date.now() > deadline) throw new Error(`dbusmock did not come up:\n${mockLog}`);
      await sleep(100);
    }
    const events = () => (existsSync(record) ? readFileSync(record, "utf8").split("\n").filter((l) => l !== "") : []);
    return {
      busAddress,
      address,
      events,
      async waitFor(pred, timeoutMs, what) {
        const end = Date.now() + timeoutMs;
        for (;;) {
          const now = events();
          if (pred(now)) return now;
          if (Date.now() > end) throw new Error(`mock never saw ${what}; events: ${now.join(", ")}`);
          await sleep(50);
        }
      },
      configure: (o) =>
        new Promise<void>((resolve, reject) => {
          const params = JSON.stringify({ advertise: o.advertise, confirm_raw: o.confirmRaw, battery: o.battery });
          execFile(
            "dbus-send",
            [`--bus=${busAddress}`, "--print-reply", "--dest=org.bluez", "/", "org.bluez.Mock.ConfigureMw75", `string:${params}`],
            { timeout: 3000 },
            (error, _out, stderr) => (error ? reject(new Error(`ConfigureMw75 failed: ${String(stderr)}`)) : resolve()),
          );
        }),
      stop,
    };
  } catch (error) {
    stop();
    throw error;
  }
}
