/**
 * @module The protocol session of one socket: each inbound frame is parsed, checked against the
 * rate limit and the client's permissions, then dispatched; `message()` never throws into the socket.
 */
import type { Clock } from "../core/clock.ts";
import { errorMessage, freshId, replyId } from "../protocol/envelope.ts";
import { frameText, isRejection, parseFrame } from "../protocol/inbound.ts";
import type { ClientAccess } from "./access/client-access.ts";
import type { AccessGate } from "./access/gate.ts";
import type { Frame } from "./served-device-options.ts";
import { dispatch } from "./dispatch.ts";
import type { DispatchContext } from "./dispatch.ts";
import type { Client, ClientRegistry } from "./client-registry.ts";

/** What every socket session of a device shares. */
export interface SessionShared {
  /** More than one client allowed: the multi-client commands exist. */
  multi: boolean;
  gate: AccessGate;
  access: ClientAccess;
  clients: ClientRegistry;
  ctx: DispatchContext;
  clock: Clock;
}

/** The inbound pipeline of one socket. */
export class SocketSession {
  readonly client: Client;
  #s: SessionShared;

  constructor(client: Client, shared: SessionShared) {
    this.client = client;
    this.#s = shared;
  }

  /** Handles one inbound frame. Never throws. */
  message(frame: Frame): void {
    const { client } = this;
    const s = this.#s;
    if (!client.open || !s.access.withinRate(client)) return;
    let id: unknown; // the request's id once the frame parsed that far: a processing error echoes it
    try {
      const parsed = parseFrame(frameText(frame), s.multi);
      if (isRejection(parsed)) {
        // a contract command this client may not send is refused as such, implemented or not
        if (
          parsed.code === "UNKNOWN_COMMAND" &&
          s.gate.deniesUnknown(client.principal, parsed.type)
        ) {
          return s.access.deny(client, replyId(parsed.id), String(parsed.type));
        }
        const replyTo = parsed.echoId ? replyId(parsed.id) : freshId();
        s.clients.send(
          client,
          errorMessage(replyTo, parsed.code, parsed.message, s.clock.now()),
        );
        return;
      }
      id = parsed.id;
      if (parsed.type === "auth") return s.access.auth(client, replyId(id), parsed.data);
      if (!s.gate.allows(client.principal, parsed.type)) {
        return s.access.deny(client, replyId(id), parsed.type, parsed.data);
      }
      dispatch(s.ctx, client, parsed);
    } catch (e) {
      const text = e instanceof Error ? e.message : String(e);
      s.clients.send(
        client,
        errorMessage(replyId(id), "MESSAGE_PROCESSING_ERROR", text, s.clock.now()),
      );
    }
  }
}
