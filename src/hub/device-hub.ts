/**
 * @module The per-device subscription hub: the one place consumers of a device attach, and the
 * device's only listener. Consumers declare a kind (blocks, batches, windows, events, state,
 * ticks) and a delivery; `subscribers()` answers who receives this device's samples.
 *
 * Back-pressure policy (here and nowhere else): a `lossless` subscriber (only the recorder) may
 * slow the source — the link reader waits on the first pressure promise one of them returns; a
 * `shed` subscriber (sockets, MQTT, later LSL) is never asked and never holds the source: its own
 * bounded queue drops what it cannot take, and counts it. Each block reaches the shed subscribers
 * (and the batch pipelines) before the lossless ones, so live latency never waits on a recorder.
 */
import type { Clock, TimerHandle } from "../core/clock.ts";
import type { Device } from "../core/device.ts";
import type { DeviceEvent } from "../core/device-events.ts";
import type { NotchHz } from "../core/notch.ts";
import type { Logger } from "../ports/logger.ts";
import type { SampleBlock } from "../core/samples.ts";
import { BatchPipelines } from "./batch-pipelines.ts";
import { ResumePipeline, resumeStart } from "./resume.ts";
import { WindowGroups } from "./windows.ts";
import { deviceFigures, EncodingMemo } from "./shared-output.ts";
import { Subscribers } from "./subscriber-list.ts";
import type {
  BatchesSubscriber,
  BatchSubscription,
  BlocksSubscriber,
  DeviceFigures,
  EventsSubscriber,
  ResumeSpec,
  StateSubscriber,
  SubscriberInfo,
  Subscription,
  TicksSubscriber,
  WindowsSubscriber,
} from "./subscribers.ts";

type AnyBlocks = BlocksSubscriber<unknown>;
type AnyEvents = EventsSubscriber<unknown>;

/** The subscription hub of one device. */
export class DeviceHub {
  #device: Device;
  #clock: Clock;
  #log: Logger;
  #blocks = new Subscribers<AnyBlocks>();
  #events = new Subscribers<AnyEvents>();
  #state = new Subscribers<StateSubscriber>();
  #listed = new Map<object, SubscriberInfo>();
  #pipelines: BatchPipelines;
  #resumes = new Set<ResumePipeline<unknown>>();
  #windows: WindowGroups;
  #notch: NotchHz = null;
  #timers = new Set<TimerHandle>();

  constructor(device: Device, clock: Clock, log: Logger) {
    this.#device = device;
    this.#clock = clock;
    this.#log = log;
    this.#pipelines = new BatchPipelines(clock, (e) => this.#failed(e));
    this.#windows = new WindowGroups(device.ring);
    // the hub is the device's only listener: every consumer attaches through it
    device.listen({
      onStatus: (state, cause) => this.#each(this.#state, (s) => s.onStatus?.(state, cause)),
      onError: (code, message) => this.#each(this.#state, (s) => s.onError?.(code, message)),
      onSamples: (block) => this.#samples(block),
      onEvent: (event) => this.#event(event),
      onBytes: (bytes) => this.#each(this.#blocks, (s) => s.onBytes?.(bytes)),
      pressure: () => this.#pressure(),
    });
  }

  /** Every sample block at full rate (and raw bytes when `onBytes` is given). */
  blocks<M = undefined>(sub: BlocksSubscriber<M>): Subscription {
    const options = sub.encoding === undefined ? {} : { encoding: sub.encoding.key };
    return this.#add(this.#blocks, sub as AnyBlocks, "blocks", sub.delivery.mode, options);
  }

  /** Discrete device events, each encoded once per encoding key. */
  events<M = undefined>(sub: EventsSubscriber<M>): Subscription {
    const options = sub.encoding === undefined ? {} : { encoding: sub.encoding.key };
    return this.#add(this.#events, sub as AnyEvents, "events", "shed", options);
  }

  /** Status changes and errors. */
  state(sub: StateSubscriber): Subscription {
    return this.#add(this.#state, sub, "state", "shed", {});
  }

  /** A tick with the device's figures every `intervalMs` (diagnostics). */
  ticks(sub: TicksSubscriber): Subscription {
    const timer = this.#clock.setInterval(() => {
      try {
        sub.onTick(this.figures());
      } catch (e) {
        this.#failed(e);
      }
    }, sub.intervalMs);
    this.#timers.add(timer);
    const key = {};
    this.#listed.set(key, {
      kind: "ticks",
      name: sub.name,
      delivery: "shed",
      options: { intervalMs: sub.intervalMs },
    });
    return {
      close: () => {
        if (!this.#timers.delete(timer)) return;
        this.#clock.clearInterval(timer);
        this.#listed.delete(key);
      },
    };
  }

  /**
   * Batches: live subscribers share the pipeline of their spec + encoding key; a resume gets its
   * own (subscribe it after anything it must follow is sent: its replay starts a macrotask later).
   */
  batches<M>(sub: BatchesSubscriber<M>): BatchSubscription {
    const key = {};
    const base = { ...sub.spec, encoding: sub.encoding.key };
    if (sub.resume === undefined) {
      const remove = this.#pipelines.add(sub, this.#notch);
      this.#listed.set(key, this.#info(sub, base));
      return {
        close: () => {
          if (this.#listed.delete(key)) remove();
        },
      };
    }
    const start = resumeStart(this.#device.ring, sub.resume.sinceSeq);
    const resumed = sub as BatchesSubscriber<unknown> & { resume: ResumeSpec<unknown> };
    const pipeline = new ResumePipeline(
      resumed,
      start.from,
      this.#notch,
      this.#clock,
      this.#device.ring,
    );
    this.#resumes.add(pipeline);
    this.#listed.set(key, this.#info(sub, { ...base, sinceSeq: sub.resume.sinceSeq }));
    return {
      ...(start.moved ? { resumedFrom: start.from } : {}),
      close: () => {
        if (!this.#listed.delete(key)) return;
        pipeline.close();
        this.#resumes.delete(pipeline);
      },
    };
  }

  /** Windows of `size` samples every `hop` samples, shared per (size, hop). */
  windows(sub: WindowsSubscriber): Subscription {
    const remove = this.#windows.add(sub);
    const key = {};
    const options = { size: sub.size, hop: sub.hop };
    this.#listed.set(key, { kind: "windows", name: sub.name, delivery: "shed", options });
    return {
      close: () => {
        if (this.#listed.delete(key)) remove();
      },
    };
  }

  /** Who receives this device's output, in subscription order per kind. */
  subscribers(): SubscriberInfo[] {
    return [...this.#listed.values()];
  }

  /** Distinct shared batch pipelines running now (resumes not counted). */
  get sharedPipelines(): number {
    return this.#pipelines.size;
  }

  /** The mains notch of every batch pipeline (the device's `notch_hz` setting; off = null). */
  get notchHz(): NotchHz {
    return this.#notch;
  }

  /** Switches every pipeline, present and future, from its next sample on. */
  setNotch(hz: NotchHz): void {
    this.#notch = hz;
    this.#pipelines.setNotch(hz);
    for (const resume of this.#resumes) resume.setNotch(hz);
  }

  /** The device's figures now. */
  figures(): DeviceFigures {
    return deviceFigures(this.#device, this.#clock.now());
  }

  /** Stops every pipeline and timer (shutdown); subscriptions stay listed until closed. */
  close(): void {
    this.#pipelines.close();
    for (const resume of this.#resumes) resume.close();
    this.#resumes.clear();
    for (const timer of this.#timers) this.#clock.clearInterval(timer);
    this.#timers.clear();
  }

  #info(
    sub: { name: string; delivery: { mode: "shed" | "lossless" } },
    options: Record<string, unknown>,
  ): SubscriberInfo {
    return { kind: "batches", name: sub.name, delivery: sub.delivery.mode, options };
  }

  #add<S extends object>(
    list: Subscribers<S>,
    sub: S,
    kind: SubscriberInfo["kind"],
    delivery: SubscriberInfo["delivery"],
    options: Record<string, unknown>,
  ): Subscription {
    list.add(sub);
    this.#listed.set(sub, { kind, name: (sub as { name: string }).name, delivery, options });
    return {
      close: () => {
        list.remove(sub);
        this.#listed.delete(sub);
      },
    };
  }

  /** Only lossless subscribers are asked; the first that is behind makes the reader wait. */
  #pressure(): Promise<void> | null {
    for (const sub of this.#blocks.items) {
      if (sub.delivery.mode !== "lossless") continue;
      const wait = sub.delivery.pressure();
      if (wait !== null) return wait;
    }
    return null;
  }

  /** The hot path (every block, hundreds a second): plain loops, no closure made per block. */
  #samples(block: SampleBlock): void {
    const blocks = this.#blocks.items;
    // no memo for a device whose consumers all take batches (the common binary client)
    const memo = blocks.length === 0 ? null : new EncodingMemo(block);
    // live (shed) consumers first, as they only queue; the lossless ones after (they may do more)
    for (const sub of blocks) if (sub.delivery.mode === "shed") this.#deliver(sub, block, memo!);
    // a throwing pipeline or resume must not keep the block from the others and the recorder
    try {
      this.#pipelines.push(block);
    } catch (e) {
      this.#failed(e);
    }
    for (const resume of this.#resumes) {
      try {
        resume.push(block);
      } catch (e) {
        this.#failed(e);
      }
    }
    this.#windows.push(block, this.#window);
    for (const sub of blocks) {
      if (sub.delivery.mode === "lossless") this.#deliver(sub, block, memo!);
    }
  }

  #deliver(sub: AnyBlocks, block: SampleBlock, memo: EncodingMemo<SampleBlock>): void {
    try {
      sub.onBlock(block, memo.get(sub.encoding));
    } catch (e) {
      this.#failed(e);
    }
  }

  #window = (sub: WindowsSubscriber, window: SampleBlock): void =>
    this.#call(sub, (s) => s.onWindow(window));

  #event(event: DeviceEvent): void {
    const memo = new EncodingMemo(event);
    this.#each(this.#events, (s) => s.onEvent(event, memo.get(s.encoding)));
  }

  /** Calls each subscriber of `list` as it was at the start; a throwing one is isolated from the others. */
  #each<S>(list: Subscribers<S>, call: (s: S) => void): void {
    for (const sub of list.items) this.#call(sub, call);
  }

  #call<S>(sub: S, call: (s: S) => void): void {
    try {
      call(sub);
    } catch (e) {
      this.#failed(e);
    }
  }

  #failed(e: unknown): void {
    this.#log.log(
      "ERROR",
      `A device consumer failed: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}
