/**
 * @module How a device's recordings reach its stream: through an attach function the composition
 * injects (the hub's lossless `blocks` subscription), so recording/ never holds the device itself.
 */
import type { DeviceEvent } from "../core/device-events.ts";
import type { SampleBlock } from "../core/samples.ts";

/** What the recordings take from the stream: every block, every raw chunk, every event, in order. */
export interface StreamConsumer {
  onBlock(block: SampleBlock): void;
  /** The link's raw bytes as they arrived (the raw format). */
  onBytes(bytes: Uint8Array): void;
  /** Markers, and `state_change` to `connected` (the raw file's connection boundaries, `--record`). */
  onEvent(event: DeviceEvent): void;
  /** A promise for the link reader to wait on while the disk is behind, else null. */
  pressure(): Promise<void> | null;
}

/** Attaches `consumer` to the device's stream; returns its removal. */
export type AttachConsumer = (consumer: StreamConsumer) => () => void;
