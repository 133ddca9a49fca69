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

/** Frames kept while a password check runs (the rate limit already bounds how fast they come). */
const MAX_HELD = 256;

/** The inbound pipeline of one socket. */
export class SocketSession {
  readonly client: Client;
  #s: SessionShared;
  /** Frames that arrived during a password check, handled after it in order; null when none runs. */
  #held: Frame[] | null = null;

  constructor(client: Client, shared: SessionShared) {
    this.client = client;
    this.#s = shared;
  }

  /** Handles one inbound frame. Never throws. */
  message(frame: Frame): void {
    const { client } = this;
    const s = this.#s;
    if (!client.open || !s.access.withinRate(client)) return;
    // a command after `auth {username, password}` is judged with the role that auth gives
    if (this.#held !== null) {
      if (this.#held.length < MAX_HELD) this.#held.push(frame);
      else {
        const text = `Dropped: over ${MAX_HELD} messages arrived during a password check`;
        s.clients.send(client, errorMessage(freshId(), "RATE_LIMITED", text, s.clock.now()));
      }
      return;
    }
    this.#handle(frame);
  }

  #handle(frame: Frame): void {
    const { client } = this;
    const s = this.#s;
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
      if (parsed.type === "auth") {
        const checking = s.access.auth(client, replyId(id), parsed.data);
        if (checking !== undefined) {
          this.#held = [];
          const release = () => this.#release();
          checking.then(release, release);
        }
        return;
      }
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

  /** The password check is done: the held frames go through, until one starts another check. */
  #release(): void {
    const held = this.#held ?? [];
    this.#held = null;
    while (held.length > 0 && this.client.open) {
      const again = this.#held as Frame[] | null; // #handle may have started another check
      if (again !== null) {
        again.push(...held);
        return;
      }
      this.#handle(held.shift()!);
    }
  }
}
