/**
 * @module The bridge's MQTT publisher (docs/protocol/bridge-api.md §7): one broker link, one feed per device, and the
 * pump that empties the feeds' queues into the link while it is up — a few messages in flight at a
 * time, so a slow broker fills the bounded queues (and drops, counted) instead of memory, and never
 * holds up the WebSocket side.
 */
import type { Clock } from "../core/clock.ts";
import type { Logger } from "../ports/logger.ts";
import type { BrokerLink } from "./connection.ts";
import { DeviceFeed } from "./device-feed.ts";
import { offlineStatus, onlineStatus, statusDevice } from "./online-status.ts";
import type { PublisherInfo, StatusDevice } from "./online-status.ts";
import type { MqttCounts, MqttDevice } from "./ports.ts";
import type { Outgoing } from "./queue.ts";
import type { BridgeTopics } from "./topics.ts";

/** Messages handed to mqtt.js and not yet acknowledged (QoS 1) or written (QoS 0). */
const MAX_IN_FLIGHT = 64;

/** The counts of feeds stopped since (removed devices), so the totals never go down. */
type Retired = Pick<MqttCounts, "dropped" | "dropped_samples" | "confirmed_samples">;

/** What the publisher is built from; the link is opened by the caller with `onConnect` wired to `connected()`. */
export interface PublisherOptions {
  bridgeId: string;
  topics: BridgeTopics;
  clock: Clock;
  log: Logger;
  /** The retained online status, besides `online` and `devices`: version, runtime, start time… */
  info: PublisherInfo;
}

export class MqttPublisher {
  #o: PublisherOptions;
  #link: BrokerLink | null = null;
  #feeds: DeviceFeed[] = [];
  #devices: StatusDevice[] = [];
  /** Retained topics of removed devices still to empty (a zero-length retained payload makes the broker forget them). */
  #clears = new Set<string>();
  #retired: Retired = { dropped: 0, dropped_samples: 0, confirmed_samples: 0 };
  #next = 0;
  #inFlight = 0;
  #published = 0;
  #statusPending = true;
  #scheduled = false;
  #closed = false;
  #confirming = false;
  /** Bumped at every disconnection: a PINGRESP of an older connection confirms nothing. */
  #generation = 0;

  constructor(options: PublisherOptions) {
    this.#o = options;
  }

  /** The link to publish into (set once, right after it was opened). */
  use(link: BrokerLink): void {
    this.#link = link;
  }

  /** Publishes this device from now on. */
  add(device: MqttDevice): void {
    if (this.#closed) return;
    this.#clears.delete(this.#o.topics.state(device.identity.id)); // back before its state was cleared
    this.#feeds.push(
      new DeviceFeed(device, this.#o.topics, () => this.#o.clock.now(), () => this.#wake()),
    );
    this.#devices.push(statusDevice(device.identity));
    this.#statusPending = true;
    this.#wake();
  }

  /**
   * Stops publishing the device `id`: its feed stops, the online status no longer lists it and its
   * retained state is emptied (docs/protocol/bridge-api.md §11), once the broker is reachable.
   * What it still had queued or unconfirmed is given up, counted as dropped (the broker may have
   * had the unconfirmed frames: they count as dropped all the same, as nothing confirms them now).
   */
  remove(id: string): void {
    const i = this.#feeds.findIndex((f) => f.id === id);
    if (i < 0) return;
    const [feed] = this.#feeds.splice(i, 1);
    feed!.close();
    this.#retired.dropped += feed!.queue.dropped + feed!.queue.size + feed!.unconfirmed;
    this.#retired.dropped_samples += feed!.queue.droppedSamples + feed!.pendingSamples;
    this.#retired.confirmed_samples += feed!.confirmedSamples;
    this.#devices = this.#devices.filter((d) => d.device_id !== id);
    this.#clears.add(this.#o.topics.state(id));
    this.#statusPending = true;
    this.#wake();
  }

  /** The link is (again) up: the broker gets the online status and every state first, then the queues. */
  connected(): void {
    this.#statusPending = true;
    for (const feed of this.#feeds) feed.republishState();
    this.#wake();
  }

  /**
   * The connection dropped: QoS 0 frames the broker had not confirmed may be lost with it (a broker
   * that is shutting down stops reading), so they are queued again, ahead of what came since. A
   * broker may have routed a frame and not answered the PING after it (mosquitto does so when it
   * stops): then a consumer gets that frame twice, byte for byte. At least once, never lost.
   */
  disconnected(): void {
    this.#generation++;
    this.#confirming = false;
    // a QoS 0 publish stuck behind a full socket waits for a 'drain' the closed socket never emits:
    // its slot would stay taken for ever, and 64 of them would stop publishing for good
    this.#inFlight = 0;
    for (const feed of this.#feeds) feed.resendUnconfirmed();
  }

  /** The retained status payload: online (with the devices listed now) or offline. */
  statusPayload(online: boolean): string {
    const id = this.#o.bridgeId;
    return online ? onlineStatus(id, this.#o.info, this.#devices) : offlineStatus(id);
  }

  /**
   * `/health` `mqtt`: counts of messages (frames, events, states), and of the EEG samples in frames:
   * each sample is in exactly one of `confirmed_samples`, `pending_samples` and `dropped_samples`.
   */
  health(): MqttCounts {
    let dropped = this.#retired.dropped;
    let droppedSamples = this.#retired.dropped_samples;
    let queued = 0;
    let confirmedSamples = this.#retired.confirmed_samples;
    let pendingSamples = 0;
    for (const feed of this.#feeds) {
      dropped += feed.queue.dropped;
      droppedSamples += feed.queue.droppedSamples;
      queued += feed.queue.size;
      confirmedSamples += feed.confirmedSamples;
      pendingSamples += feed.pendingSamples;
    }
    return {
      connected: this.#link?.connected ?? false,
      published: this.#published,
      dropped,
      dropped_samples: droppedSamples,
      queued,
      confirmed_samples: confirmedSamples,
      pending_samples: pendingSamples,
    };
  }

  /** Stops every feed; what is still queued is dropped with the process. */
  close(): void {
    this.#closed = true;
    for (const feed of this.#feeds) feed.close();
  }

  // --- pump ---

  /** Coalesces wake-ups into one pump per turn of the event loop. */
  #wake(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#pump();
    });
  }

  #pump(): void {
    const link = this.#link;
    if (link === null || !link.connected || this.#closed) return;
    if (this.#statusPending) {
      this.#statusPending = false;
      this.#send({
        topic: this.#o.topics.status,
        payload: this.statusPayload(true),
        qos: 1,
        retain: true,
        samples: 0,
        n: -1,
      }, null);
    }
    // after any state of the device sent before: QoS 1 keeps one connection's order
    for (const topic of this.#clears) this.#clearRetained(topic);
    this.#clears.clear();
    for (const feed of this.#feeds) {
      if (feed.pendingState === null) continue;
      this.#send({
        topic: this.#o.topics.state(feed.id),
        payload: feed.pendingState,
        qos: 1,
        retain: true,
        samples: 0,
        n: -1,
      }, null);
      feed.pendingState = null;
    }
    for (const feed of this.#feeds) {
      if (feed.pendingMetrics === null) continue;
      // QoS 0 and not kept for a resend: the next reading supersedes it within a second
      this.#send({
        topic: feed.metricsTopic,
        payload: feed.pendingMetrics,
        qos: 0,
        retain: false,
        samples: 0,
        n: -1,
      }, null);
      feed.pendingMetrics = null;
    }
    // round robin over the devices, so one device's backlog does not starve the others
    let idle = 0;
    while (this.#inFlight < MAX_IN_FLIGHT && idle < this.#feeds.length) {
      const feed = this.#feeds[this.#next++ % this.#feeds.length]!;
      const message = feed.queue.shift();
      if (message === undefined) {
        idle++;
      } else {
        idle = 0;
        this.#send(message, feed);
      }
    }
    this.#confirm(link);
  }

  /**
   * Asks the broker to confirm the frames sent so far: one PINGREQ in flight at a time, the next
   * as soon as its answer came if more frames went out meanwhile. So a frame stays unconfirmed
   * for about one round trip (a resend after a disconnection can repeat only those), and the
   * pings cost 2 bytes each way per pump at most.
   */
  #confirm(link: BrokerLink): void {
    if (this.#confirming || !this.#feeds.some((f) => f.unconfirmed > 0)) return;
    // by feed, not by index: a device removed meanwhile shifts the list
    const marks = this.#feeds.map((f) => [f, f.sentMark] as const);
    const generation = this.#generation;
    this.#confirming = true;
    link.confirm(() => {
      if (generation !== this.#generation) return;
      this.#confirming = false;
      for (const [feed, mark] of marks) feed.confirmed(mark);
      this.#wake();
    });
  }

  /** Empties one retained topic; a failure leaves it to the next pump (unless its device came back). */
  #clearRetained(topic: string): void {
    this.#inFlight++;
    const generation = this.#generation;
    this.#link!.publish(topic, "", 1, true, (error) => {
      if (generation === this.#generation) this.#inFlight--;
      if (error === undefined) this.#published++;
      else if (!this.#closed && !this.#feeds.some((f) => this.#o.topics.state(f.id) === topic)) {
        this.#clears.add(topic);
      }
      this.#wake();
    });
  }

  /** Hands one message to mqtt.js; a failed event goes back into its queue (a state is re-sent on reconnect). */
  #send(message: Outgoing, feed: DeviceFeed | null): void {
    this.#inFlight++;
    const generation = this.#generation;
    // a frame is kept until confirmed (see disconnected); an event is QoS 1, mqtt.js reports its fate
    if (feed !== null && message.qos === 0) feed.sent(message);
    this.#link!.publish(message.topic, message.payload, message.qos, message.retain, (error) => {
      // a slot of an older connection was freed when it closed
      if (generation === this.#generation) this.#inFlight--;
      if (error === undefined) this.#published++;
      else if (feed !== null && message.qos === 1 && !this.#closed) feed.queue.putBack(message);
      this.#wake();
    });
  }
}
