/** @module The pieces of a private D-Bus for the emulated BlueZ: the daemon's config, its printed address, whether org.bluez has an owner yet, and a hard kill. */
import { execFile } from "node:child_process";
import type { ChildProcess } from "node:child_process";

/** A session-style bus on `socket` that lets any local user own and call anything (the mock needs org.bluez). */
export const BUS_CONFIG = (socket: string) =>
  `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
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

/** Resolves after `ms`: the pause between bounded polls. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGKILLs `child` unless it is absent or already gone. */
export function killPid(child: ChildProcess | undefined): void {
  if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(child.pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** The first stdout line of `child` (dbus-daemon --print-address prints its address there), bounded. */
export function firstLine(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(
      () => reject(new Error(`dbus-daemon printed no address within ${timeoutMs} ms`)),
      timeoutMs,
    );
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

/** Whether org.bluez has an owner on the bus at `busAddress` (the mock is up). */
export function bluezOwned(busAddress: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(
      "dbus-send",
      [
        `--bus=${busAddress}`,
        "--print-reply",
        "--dest=org.freedesktop.DBus",
        "/org/freedesktop/DBus",
        "org.freedesktop.DBus.NameHasOwner",
        "string:org.bluez",
      ],
      { timeout: 2000 },
      (error, stdout) => resolve(!error && String(stdout).includes("boolean true")),
    );
  });
}
