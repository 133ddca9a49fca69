/** @module Every command of the protocol with the `data` it takes and the reply it resolves to (docs/protocol/mw75.md §3.3, docs/protocol/bridge-api.md §2, §4–§6). */
import type { CommandType } from "../protocol/commands.ts";
import type {
  ConnectData,
  ConnectDeviceData,
  MarkerData,
  RemoveDeviceData,
  ScanData,
  StartRecordingData,
} from "../protocol/request-data.ts";
import type {
  CommandAckData,
  ConnectAck,
  MarkerObject,
  RecordingObject,
  ServerMessages,
  SettingsValues,
  StatusReplyData,
  SubscriptionOptionsData,
} from "../protocol/messages.ts";

export type { ConnectData, MarkerData, StartRecordingData } from "../protocol/request-data.ts";

/**
 * Command name → its `data` and the `data` of its reply. Its names are the protocol's command
 * table: one missing is an error here, one extra an error below.
 */
export interface Commands extends Record<CommandType, { data: unknown; reply: unknown }> {
  connect: { data: ConnectData; reply: ConnectAck };
  disconnect: { data: Record<string, never>; reply: CommandAckData };
  status: { data: Record<string, never>; reply: StatusReplyData };
  ping: { data: Record<string, never>; reply: ServerMessages["pong"] };
  broadcast: { data: unknown; reply: CommandAckData & { recipients: number } };
  subscribe: {
    data: { stream: string; [option: string]: unknown };
    reply: CommandAckData & { stream: string; options: SubscriptionOptionsData };
  };
  unsubscribe: { data: { stream: string }; reply: CommandAckData & { stream: string } };
  auth: {
    data: { token: string } | { username: string; password: string };
    reply: ServerMessages["auth_result"];
  };
  get: { data: { keys?: string[] }; reply: ServerMessages["settings"] };
  set: { data: { values: Partial<SettingsValues> }; reply: ServerMessages["settings"] };
  start_recording: {
    data: StartRecordingData;
    reply: CommandAckData & { recording: RecordingObject };
  };
  stop_recording: {
    data: Record<string, never>;
    reply: CommandAckData & { recording: RecordingObject };
  };
  pause_recording: {
    data: Record<string, never>;
    reply: CommandAckData & { recording: RecordingObject };
  };
  resume_recording: {
    data: Record<string, never>;
    reply: CommandAckData & { recording: RecordingObject };
  };
  recording_status: { data: Record<string, never>; reply: ServerMessages["recording"] };
  marker: { data: MarkerData; reply: CommandAckData & { marker: MarkerObject } };
  list_devices: { data: Record<string, never>; reply: ServerMessages["devices"] };
  scan_devices: { data: ScanData; reply: ServerMessages["scan_result"] };
  connect_device: {
    data: ConnectDeviceData;
    reply: CommandAckData & { device_id: string; address: string };
  };
  remove_device: { data: RemoveDeviceData; reply: CommandAckData & { device_id: string } };
}

export type CommandName = CommandType;
/** Fails to compile when Commands names a command the table does not have. */
type NoExtraCommand<T extends never> = T;
export type CommandsMatchTable = NoExtraCommand<Exclude<keyof Commands, CommandType>>;
export type CommandData<K extends CommandName> = Commands[K]["data"];
export type CommandReply<K extends CommandName> = Commands[K]["reply"];
