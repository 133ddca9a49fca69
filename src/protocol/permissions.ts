/**
 * @module Roles and what each may send (docs/protocol/bridge-api.md §5): anonymous clients are read-only,
 * `observe` adds markers and broadcasts, `control` may do everything. With auth off every client
 * is `control`, so the base protocol is unchanged. The roles come from the command table.
 */
import { COMMAND_TYPES, COMMANDS, isCommandType } from "./commands.ts";
import type { CommandType, Role } from "./commands.ts";

export type { Role } from "./commands.ts";

const RANK: Record<Role, number> = { anonymous: 0, observe: 1, control: 2 };

/** Every command of the contract (so the gate can name those a socket does not implement). */
export const CONTRACT_COMMANDS: readonly CommandType[] = COMMAND_TYPES;

/** True when `role` may send `command`. */
export function permits(role: Role, command: string): boolean {
  if (role === "control") return true;
  return isCommandType(command) && RANK[COMMANDS[command].role] <= RANK[role];
}

/** The commands of the contract `role` may send (`auth_result.permissions` keeps those this server implements). */
export function permissionsOf(role: Role): string[] {
  return CONTRACT_COMMANDS.filter((c) => permits(role, c));
}

/** True for a command name the contract defines (known to the gate even before this version implements it). */
export function isContractCommand(type: unknown): type is CommandType {
  return isCommandType(type);
}
