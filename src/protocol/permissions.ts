/**
 * @module Roles and what each may send (BRIDGE-API §5): anonymous clients are read-only,
 * `observe` adds markers and broadcasts, `control` may do everything. With auth off every client
 * is `control`, so the base protocol is unchanged.
 */

export type Role = "anonymous" | "observe" | "control";

/** Every command of the contract, including those later versions add (so the gate can name them). */
export const CONTRACT_COMMANDS = [
  "connect",
  "disconnect",
  "status",
  "ping",
  "broadcast",
  "auth",
  "subscribe",
  "unsubscribe",
  "get",
  "set",
  "start_recording",
  "stop_recording",
  "recording_status",
  "marker",
  "list_devices",
  "scan_devices",
  "connect_device",
] as const;

const ANONYMOUS: ReadonlySet<string> = new Set([
  "status",
  "ping",
  "subscribe",
  "unsubscribe",
  "recording_status",
  "get",
  "auth",
]);
const OBSERVE: ReadonlySet<string> = new Set([...ANONYMOUS, "marker", "broadcast"]);

/** True when `role` may send `command`. */
export function permits(role: Role, command: string): boolean {
  if (role === "control") return true;
  return (role === "observe" ? OBSERVE : ANONYMOUS).has(command);
}

/** The commands of the contract `role` may send (`auth_result.permissions` keeps those this server implements). */
export function permissionsOf(role: Role): string[] {
  return CONTRACT_COMMANDS.filter((c) => permits(role, c));
}

/** True for a command name the contract defines (known to the gate even before this version implements it). */
export function isContractCommand(type: unknown): type is string {
  return typeof type === "string" && (CONTRACT_COMMANDS as readonly string[]).includes(type);
}
