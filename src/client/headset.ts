/**
 * @module The headset this client holds (its `connect` was acknowledged, no `disconnect` since) and
 * getting it back after a reconnect: a default bridge releases the headset when its last client's
 * socket goes, so a socket whose welcome says `idle` sends the same `connect` again, once.
 */
import type { ConnectData } from "./commands.ts";
import { BridgeClientError } from "./errors.ts";

/** The `headset_reconnect` event: the options sent again and the outcome (`error` null: acknowledged). */
export interface HeadsetReconnect {
  options: ConnectData;
  error: BridgeClientError | null;
}

/**
 * Why the headset stopped streaming, as far as this client can tell (the streams label the seq jump
 * by it). `lost`: the link was lost, which no later stop makes deliberate (the bridge reports that
 * jump as a gap too).
 */
export type HeadsetOff = "released" | "deliberate" | "lost";

/** What the hold needs of the client. */
export interface HeadsetHost {
  /** Sends `connect` on the open socket (never queued: a later socket decides afresh). */
  connect(options: ConnectData): Promise<unknown>;
  /** The headset stopped: the next seq jump in the streams spans that time. */
  off(why: HeadsetOff): void;
  reconnected(info: HeadsetReconnect): void;
}

export class HeadsetHold {
  #host: HeadsetHost;
  /** The options of the acknowledged `connect`; null while the client holds no headset. */
  #options: ConnectData | null = null;
  /** Bumped by every `disconnect`: a `connect` acknowledged after it no longer counts. */
  #gen = 0;
  #awaitingWelcome = false;
  /** The last state reported, to tell a connect attempt that failed from a link that failed. */
  #state = "";

  constructor(host: HeadsetHost) {
    this.#host = host;
  }

  /** The options the headset would be connected again with; null when the client holds none. */
  get held(): Readonly<ConnectData> | null {
    return this.#options;
  }

  /** A command is on its way; `reply` settles with its answer. */
  sent(type: string, data: unknown, reply: Promise<unknown>): void {
    if (type === "disconnect") {
      // the app let the headset go, whatever the answer: never take it back on its behalf
      this.#gen++;
      this.#options = null;
      return;
    }
    if (type !== "connect") return;
    const gen = this.#gen;
    const options = { ...(data ?? {}) as ConnectData };
    reply.then(() => {
      if (gen === this.#gen) this.#options = options;
    }, () => {});
  }

  /** A socket opened: the first status event on it is the bridge's welcome. */
  opened(): void {
    this.#awaitingWelcome = true;
  }

  /** A status event (welcome or broadcast) with the device's `state`. */
  status(state: string): void {
    const welcome = this.#awaitingWelcome;
    const before = this.#state;
    this.#awaitingWelcome = false;
    this.#state = state;
    // only an `error` while streaming broke a link; after `connecting` it is an attempt that failed,
    // with nothing to lose (a welcome cannot tell which: counted as lost, a loss too many rather than one hidden)
    if (state === "disconnected" || (state === "error" && (welcome || before === "connected"))) {
      return this.#host.off("lost");
    }
    if (!welcome) {
      // someone's `disconnect` (this client's or, with several clients, another's): a deliberate stop
      if (state === "idle" || state === "disconnecting") this.#host.off("deliberate");
      return;
    }
    if (state !== "idle") return; // streaming, or held by another client: nothing to do
    const options = this.#options;
    if (options === null) return this.#host.off("deliberate");
    this.#host.off("released");
    this.#rejoin(options);
  }

  #rejoin(options: ConnectData): void {
    const gen = this.#gen;
    const reply = this.#host.connect(options);
    this.sent("connect", options, reply);
    reply.then(
      () => this.#host.reconnected({ options, error: null }),
      (e: unknown) => {
        if (!(e instanceof BridgeClientError) || e.code === "CLIENT_CLOSED") return;
        // the app's own connect (e.g. in an `open` handler) got there first: the headset is back
        if (e.code === "ALREADY_CONNECTED") return this.#host.reconnected({ options, error: null });
        // a refusal by the bridge would only repeat on every reconnect: the hold ends here;
        // a lost socket or a timeout keeps it, and the next welcome tries again (paced by the backoff)
        if (e.data !== undefined && gen === this.#gen) this.#options = null;
        this.#host.reconnected({ options, error: e });
      },
    );
  }
}
