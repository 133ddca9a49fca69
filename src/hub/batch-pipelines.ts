/**
 * @module The shared `batches` pipelines of one device: subscribers with the same batch spec and
 * the same encoding key share one group, so one batcher (decimation filter and notch included) and
 * one encoding per batch serve them all. The last one leaving stops the group's batcher.
 */
import { createBatcher } from "../core/batcher.ts";
import type { Batcher } from "../core/batcher.ts";
import type { Clock } from "../core/clock.ts";
import type { NotchHz } from "../core/notch.ts";
import type { SampleBlock } from "../core/samples.ts";
import type { BatchesSubscriber, BatchSpec } from "./subscribers.ts";

/** Subscribers sharing a batcher and an encoding. */
class BatchGroup {
  readonly members = new Set<BatchesSubscriber<unknown>>();
  readonly batcher: Batcher;

  constructor(
    spec: BatchSpec,
    sub: BatchesSubscriber<unknown>,
    notchHz: NotchHz,
    clock: Clock,
    failed: (e: unknown) => void,
  ) {
    const encode = (b: Parameters<typeof sub.encoding.encode>[0]) => sub.encoding.encode(b);
    // a batch may come from the batcher's age timer: nothing thrown here may escape into it, and a
    // throwing member must not keep the batch from the others
    this.batcher = createBatcher({ ...spec, notchHz }, clock, (batch) => {
      let message: unknown;
      try {
        message = encode(batch);
      } catch (e) {
        return failed(e);
      }
      for (const member of this.members) {
        try {
          member.onBatch(message, batch);
        } catch (e) {
          failed(e);
        }
      }
    });
  }
}

/** The key two subscribers must share to share a group. */
export function pipelineKey(spec: BatchSpec, encodingKey: string): string {
  return JSON.stringify([spec.numSamples, spec.intervalMs, spec.decimate, encodingKey]);
}

/** All shared batch groups of one device. */
export class BatchPipelines {
  #clock: Clock;
  #groups = new Map<string, BatchGroup>();

  #failed: (e: unknown) => void;

  /** `failed` hears what a subscriber or an encoding threw (the others still get the batch). */
  constructor(clock: Clock, failed: (e: unknown) => void) {
    this.#clock = clock;
    this.#failed = failed;
  }

  /** How many pipelines run (one per distinct spec + encoding key). */
  get size(): number {
    return this.#groups.size;
  }

  /** Adds a live subscriber to its group (made on first use); returns its removal. */
  add<M>(sub: BatchesSubscriber<M>, notchHz: NotchHz): () => void {
    const member = sub as BatchesSubscriber<unknown>;
    const key = pipelineKey(sub.spec, sub.encoding.key);
    let group = this.#groups.get(key);
    if (group === undefined) {
      group = new BatchGroup(sub.spec, member, notchHz, this.#clock, this.#failed);
      this.#groups.set(key, group);
    }
    const g = group;
    g.members.add(member);
    return () => {
      g.members.delete(member);
      if (g.members.size > 0 || this.#groups.get(key) !== g) return;
      g.batcher.close();
      this.#groups.delete(key);
    };
  }

  push(block: SampleBlock): void {
    for (const group of this.#groups.values()) group.batcher.push(block);
  }

  setNotch(hz: NotchHz): void {
    for (const group of this.#groups.values()) group.batcher.setNotch(hz);
  }

  /** Stops every timer (shutdown). */
  close(): void {
    for (const group of this.#groups.values()) group.batcher.close();
    this.#groups.clear();
  }
}
