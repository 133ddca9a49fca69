/**
 * @module Carries out one validated command for one client: the pure decisions of
 * protocol/handler.ts and protocol/subscriptions.ts, then the effects (session, control,
 * subscriptions, replies). Every command answers: a reply, an ack or an error.
 */
import type { Clock } from "../core/clock.ts";
import type { Device } from "../core/device.ts";
import type { Logger } from "../ports/logger.ts";
import { envelope, errorMessage, freshId, replyId, toSeconds } from "../protocol/envelope.ts";
import type { ErrorCode } from "../protocol/errors.ts";
import { decideConnect, decideDisconnect } from "../protocol/handler.ts";
import type { ControlView } from "../protocol/handler.ts";
import type { Command } from "../protocol/inbound.ts";
import { readRequest } from "../protocol/requests.ts";
import type { Refused } from "../protocol/result.ts";
import { pickSettings } from "../protocol/settings.ts";
import type { Client, ClientRegistry } from "./client-registry.ts";
import type { LogForwarder } from "./log-forwarding.ts";
import { applySettings, readSettings } from "./settings.ts";
import { dispatchRecording } from "./recording-commands.ts";
import type { RecordingCommands } from "./recording-commands.ts";
import type { StoredLabels } from "./settings.ts";
import { dispatchDeviceCommand } from "./device-commands.ts";
import type { BridgeCommands, Reply } from "./device-commands.ts";
import type { StreamRouter } from "./streams/router.ts";

/** Who controls the device (docs/protocol/mw75.md §3.7); null = nobody. */
export interface Control {
  controller: Client | null;
}

/** Everything a command may touch. */
export interface DispatchContext {
  device: Device;
  clients: ClientRegistry;
  router: StreamRouter;
  control: Control;
  logs: LogForwarder;
  /** `subject` and `session_label` (settings stored for the recordings). */
  labels: StoredLabels;
  recordingCommands: RecordingCommands;
  /** The bridge's devices (list, scan, connect by address). */
  bridge: BridgeCommands;
  clock: Clock;
  log: Logger;
}

/** Executes `cmd` from `client`. May throw (the caller turns it into MESSAGE_PROCESSING_ERROR). */
export function dispatch(ctx: DispatchContext, client: Client, cmd: Command): void {
  const id = replyId(cmd.id);
  const reply: Reply = (type, data) => ctx.clients.send(client, envelope(id, type, data));
  // recording-commands.ts answers with untyped objects until recordings are typed: passed as built
  const recordingReply = (type: string, data: Record<string, unknown>) =>
    ctx.clients.send(client, JSON.stringify({ id, type, data }));
  const refuse = (code: ErrorCode, message: string) =>
    ctx.clients.send(client, errorMessage(id, code, message, ctx.clock.now()));
  // settings errors name the key (§5.1): `error {code, message, timestamp, key}`
  const refused = (p: Refused) =>
    ctx.clients.send(
      client,
      errorMessage(
        id,
        p.code,
        p.message,
        ctx.clock.now(),
        p.key === undefined ? undefined : { key: p.key },
      ),
    );
  const view: ControlView = {
    controlTakenByOther: ctx.control.controller !== null && ctx.control.controller !== client,
    deviceState: ctx.device.session.state,
  };
  const session = ctx.device.session;
  switch (cmd.type) {
    case "connect": {
      const decided = decideConnect(view, readRequest("connect", cmd.data));
      if (!decided.ok) return refused(decided);
      const d = decided.value;
      ctx.control.controller = client;
      ctx.logs.level = d.level;
      // `until` (docs/protocol/bridge-api.md §11) is in the ack, which goes before the connection's first status
      const untilMs = d.durationS === null ? null : ctx.clock.now() + d.durationS * 1000;
      reply("command_ack", untilMs === null ? d.ack : { ...d.ack, until: toSeconds(untilMs) });
      ctx.log.log(
        "INFO",
        `Client ${client.remote} took control (auto_reconnect=${d.autoReconnect}, log_level=${d.level}${
          d.durationS === null ? "" : `, duration_s=${d.durationS}`
        })`,
      );
      session.connect(d.autoReconnect, untilMs);
      return;
    }
    case "disconnect": {
      const d = decideDisconnect(view);
      if (!d.ok) return refused(d);
      reply("command_ack", d.value);
      session.disconnect().catch((e) => ctx.log.log("ERROR", `Disconnect failed: ${String(e)}`));
      return;
    }
    case "status": {
      const wait = session.reconnectWait;
      return reply("status", {
        // the base reply only knows the six stored states (docs/protocol/mw75.md §3.6): a wait is named beside it
        device_state: session.state,
        ...(wait === null ? {} : {
          reconnecting: {
            attempt: wait.attempt,
            of: wait.of,
            delay_ms: wait.delayMs,
            until: toSeconds(wait.untilMs),
          },
        }),
        auto_reconnect: session.autoReconnect,
        log_level: ctx.logs.level ?? "ERROR",
        battery_level: session.batteryLevel,
        has_control: ctx.control.controller === client,
        total_clients: ctx.clients.size,
        shed_messages: client.outbox.shed,
        subscriptions: ctx.router.list(client),
        // per-device sockets name their device (docs/protocol/bridge-api.md §6); `/` stays the base protocol
        ...(client.deviceId === null ? {} : { device_id: client.deviceId }),
      });
    }
    case "ping":
      return reply("pong", { timestamp: toSeconds(ctx.clock.now()) });
    case "broadcast": {
      const req = readRequest("broadcast", cmd.data);
      if (!req.ok) return refused(req);
      ctx.clients.broadcast(
        envelope(id, "broadcast", {
          from: client.remote,
          data: req.value.payload,
          timestamp: toSeconds(ctx.clock.now()),
        }),
        client,
      );
      const n = ctx.clients.size - 1;
      return reply("command_ack", {
        command: "broadcast",
        message: `Message broadcast to ${n} other client(s)`,
        recipients: n,
      });
    }
    case "subscribe": {
      const req = readRequest("subscribe", cmd.data);
      if (!req.ok) return refused(req);
      // the ack goes first: a resume's replayed batches follow it
      const options = ctx.router.subscribe(client, req.value);
      return reply("command_ack", { command: "subscribe", stream: req.value.stream, options });
    }
    case "unsubscribe": {
      const req = readRequest("unsubscribe", cmd.data);
      if (!req.ok) return refused(req);
      const { stream } = req.value;
      ctx.router.unsubscribe(client, stream);
      return reply("command_ack", { command: "unsubscribe", stream });
    }
    case "get": {
      const req = readRequest("get", cmd.data);
      if (!req.ok) return refused(req);
      return reply("settings", { values: pickSettings(readSettings(ctx), req.value.keys) });
    }
    case "set": {
      // who may write was decided by the access gate, before dispatch (PERMISSION_DENIED {key})
      const req = readRequest("set", cmd.data);
      if (!req.ok) return refused(req);
      const { keys } = req.value;
      applySettings(ctx, req.value);
      const data = { values: readSettings(ctx), changed: keys };
      reply("settings", data);
      ctx.clients.broadcast(envelope(freshId(), "settings", data), client);
      ctx.log.log("INFO", `Client ${client.remote} changed settings: ${keys.join(", ")}`);
      return;
    }
    case "marker": {
      // a marker may name another device of this bridge (one stimulus tool marking every headset)
      const named = namedDevice(cmd.data);
      if (named === undefined) {
        return dispatchRecording(ctx.recordingCommands, cmd.type, cmd.data, recordingReply, refuse);
      }
      const target = typeof named.id === "string"
        ? ctx.bridge.recordingCommandsOf(named.id)
        : undefined;
      if (target === undefined) {
        return refuse(
          "UNKNOWN_DEVICE",
          `No device ${JSON.stringify(named.id)}; list_devices lists them`,
        );
      }
      return dispatchRecording(target, cmd.type, named.rest, recordingReply, refuse);
    }
    case "start_recording":
    case "stop_recording":
    case "pause_recording":
    case "resume_recording":
    case "recording_status":
      return dispatchRecording(ctx.recordingCommands, cmd.type, cmd.data, recordingReply, refuse);
    case "list_devices":
    case "scan_devices":
    case "connect_device":
    case "remove_device":
      return dispatchDeviceCommand(ctx.bridge, cmd.type, cmd.data, reply, refuse);
  }
}

/** `data.device_id` split from the other fields, or undefined when the data names no device. */
function namedDevice(data: unknown): { id: unknown; rest: object } | undefined {
  if (typeof data !== "object" || data === null || Array.isArray(data) || !("device_id" in data)) {
    return undefined;
  }
  const sent: { device_id?: unknown } = data;
  const { device_id: id, ...rest } = sent;
  return { id, rest };
}
