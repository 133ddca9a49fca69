/**
 * @module The bridge's commands as named methods (docs/client-sdk.md): each one a typed
 * `request`. BridgeClient supplies `request` and the reply timeout; this keeps the list of
 * commands apart from the connection's workings.
 */
import type {
  CommandData,
  CommandName,
  CommandReply,
  MarkerData,
  StartRecordingData,
} from "./commands.ts";

export abstract class CommandMethods {
  /** Sends one command; resolves with its reply's data, rejects with a BridgeClientError. */
  abstract request<K extends CommandName>(
    type: K,
    data?: CommandData<K>,
    options?: { timeoutMs?: number },
  ): Promise<CommandReply<K>>;

  /** The reply timeout of commands sent without their own. */
  protected abstract replyTimeoutMs(): number;

  /** `connect` (the base protocol's): starts the socket's headset and takes control of it; connected again after a reconnect that finds it released. */
  connectHeadset(data: CommandData<"connect"> = {}): Promise<CommandReply<"connect">> {
    return this.request("connect", data);
  }
  disconnectHeadset(): Promise<CommandReply<"disconnect">> {
    return this.request("disconnect", {});
  }
  status(): Promise<CommandReply<"status">> {
    return this.request("status", {});
  }
  ping(): Promise<CommandReply<"ping">> {
    return this.request("ping", {});
  }
  broadcast(data: unknown): Promise<CommandReply<"broadcast">> {
    return this.request("broadcast", data);
  }
  /** First-message authentication (§5): a token, or `{username, password}` (§5.2), for this socket only. */
  auth(with_: string | { username: string; password: string }): Promise<CommandReply<"auth">> {
    return this.request("auth", typeof with_ === "string" ? { token: with_ } : with_);
  }
  getSettings(keys?: string[]): Promise<CommandReply<"get">> {
    return this.request("get", keys === undefined ? {} : { keys });
  }
  setSettings(values: CommandData<"set">["values"]): Promise<CommandReply<"set">> {
    return this.request("set", { values });
  }
  startRecording(data: StartRecordingData = {}): Promise<CommandReply<"start_recording">> {
    return this.request("start_recording", data);
  }
  stopRecording(): Promise<CommandReply<"stop_recording">> {
    return this.request("stop_recording", {});
  }
  pauseRecording(): Promise<CommandReply<"pause_recording">> {
    return this.request("pause_recording", {});
  }
  resumeRecording(): Promise<CommandReply<"resume_recording">> {
    return this.request("resume_recording", {});
  }
  recordingStatus(): Promise<CommandReply<"recording_status">> {
    return this.request("recording_status", {});
  }
  marker(label: string, data: Omit<MarkerData, "label"> = {}): Promise<CommandReply<"marker">> {
    return this.request("marker", { ...data, label });
  }
  listDevices(): Promise<CommandReply<"list_devices">> {
    return this.request("list_devices", {});
  }
  /** `scan_devices`: waits for the scan itself plus the usual reply timeout. */
  scanDevices(durationS?: number): Promise<CommandReply<"scan_devices">> {
    const timeoutMs = this.replyTimeoutMs() + (durationS ?? 4) * 1000;
    return this.request("scan_devices", durationS === undefined ? {} : { duration_s: durationS }, {
      timeoutMs,
    });
  }
  /** `remove_device`: disconnects and removes a device of the bridge (not the default one). */
  removeDevice(deviceId: string): Promise<CommandReply<"remove_device">> {
    return this.request("remove_device", { device_id: deviceId }, {
      timeoutMs: this.replyTimeoutMs() + 10_000,
    });
  }
  /** `connect_device`: adds the headset found by a scan as a device of the bridge. */
  connectDevice(address: string, rfcommTty?: string): Promise<CommandReply<"connect_device">> {
    return this.request(
      "connect_device",
      rfcommTty === undefined ? { address } : { address, rfcomm_tty: rfcommTty },
      { timeoutMs: this.replyTimeoutMs() + 20_000 },
    );
  }
}
