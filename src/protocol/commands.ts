/**
 * @module The one list of the protocol's commands (docs/protocol/mw75.md §3.3, docs/protocol/bridge-api.md §2, §4–§6): who
 * may send each and which exist only on a bridge that allows several clients. The inbound
 * checks, the access roles and the SDK's command typing all derive from it. Imports nothing, so
 * the browser SDK may load it.
 */

/** Who is sending (docs/protocol/bridge-api.md §5); with auth off every client is `control`. */
export type Role = "anonymous" | "observe" | "control";

/** What the table says about one command. */
export interface CommandSpec {
  /** The least role that may send it (roles are ordered anonymous < observe < control). */
  readonly role: Role;
  /** Known only when several clients are allowed (`broadcast`, docs/protocol/mw75.md §3.7). */
  readonly multiClientOnly?: true;
}

/** Every command, in the order `auth_result.permissions` lists them. */
export const COMMANDS = {
  connect: { role: "control" },
  disconnect: { role: "control" },
  status: { role: "anonymous" },
  ping: { role: "anonymous" },
  broadcast: { role: "observe", multiClientOnly: true },
  auth: { role: "anonymous" },
  subscribe: { role: "anonymous" },
  unsubscribe: { role: "anonymous" },
  get: { role: "anonymous" },
  set: { role: "control" },
  start_recording: { role: "control" },
  stop_recording: { role: "control" },
  pause_recording: { role: "control" },
  resume_recording: { role: "control" },
  recording_status: { role: "anonymous" },
  marker: { role: "observe" },
  list_devices: { role: "control" },
  scan_devices: { role: "control" },
  connect_device: { role: "control" },
  remove_device: { role: "control" },
} as const satisfies Record<string, CommandSpec>;

/** A command's name. */
export type CommandType = keyof typeof COMMANDS;

/** Every command name, in table order. */
export const COMMAND_TYPES = Object.keys(COMMANDS) as CommandType[];

/** True for a name in the table. */
export function isCommandType(type: unknown): type is CommandType {
  return typeof type === "string" && Object.hasOwn(COMMANDS, type);
}

/** True for a command only a bridge allowing several clients knows. */
export function isMultiClientOnly(type: CommandType): boolean {
  const spec: CommandSpec = COMMANDS[type];
  return spec.multiClientOnly === true;
}
