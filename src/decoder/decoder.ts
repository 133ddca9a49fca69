/** @module createDecoder: the TypeScript face of wasm/decoder.wasm (no file I/O, no clock). */
import { asDecoderExports, checkFeedStatus, type DecoderExports, STATS_FIELDS } from "./abi.ts";
import { CHANNEL_COUNT, EEG_EVENT_ID, PACKET_LEN } from "./types.ts";
import type { DecodedPacket, Decoder, DecodeStats, PacketBatch } from "./types.ts";
import { decodeStream } from "./stream.ts";

const NON_FINITE_ANY = (1 << 14) - 1;

/**
 * Instantiates a decoder from the bytes of decoder.wasm or a compiled module. Each decoder owns
 * its own instance (and memory), so decoders never share state.
 */
export async function createDecoder(
  bytesOrModule: BufferSource | WebAssembly.Module,
): Promise<Decoder> {
  const module = bytesOrModule instanceof WebAssembly.Module
    ? bytesOrModule
    : await WebAssembly.compile(bytesOrModule);
  const instance = await WebAssembly.instantiate(module, {});
  return decoderOver(asDecoderExports(instance.exports));
}

/** Typed-array views over the output area; rebuilt only when memory grows. */
function batchViews(wasm: DecoderExports): Omit<PacketBatch, "count"> & { count: number } {
  const buffer = wasm.memory.buffer;
  const cap = wasm.output_capacity();
  const rawBase = wasm.out_raw_ptr();
  const rawAll = new Uint8Array(buffer, rawBase, cap * PACKET_LEN);
  return {
    count: 0,
    eventId: new Uint8Array(buffer, wasm.out_event_id_ptr(), cap),
    counter: new Uint8Array(buffer, wasm.out_counter_ptr(), cap),
    featureStatus: new Uint8Array(buffer, wasm.out_feature_status_ptr(), cap),
    leadOffMask: new Uint16Array(buffer, wasm.out_lead_off_ptr(), cap),
    nonFiniteMask: new Uint16Array(buffer, wasm.out_non_finite_ptr(), cap),
    ref: new Float64Array(buffer, wasm.out_ref_ptr(), cap),
    drl: new Float64Array(buffer, wasm.out_drl_ptr(), cap),
    channels: new Float64Array(buffer, wasm.out_channels_ptr(), cap * CHANNEL_COUNT),
    offset: new Float64Array(buffer, wasm.out_offset_ptr(), cap),
    raw: (i: number) => rawAll.subarray(i * PACKET_LEN, (i + 1) * PACKET_LEN),
  };
}

function decoderOver(wasm: DecoderExports): Decoder {
  const capacity = wasm.input_capacity();
  const inputCell = wasm.input_ptr_cell() >>> 2;
  let heap = new Uint8Array(wasm.memory.buffer);
  let heap32 = new Uint32Array(wasm.memory.buffer);
  let batch = batchViews(wasm);

  /** Views are made once and re-made only if memory grew (growth detaches the old views). */
  function refreshViews(): void {
    heap = new Uint8Array(wasm.memory.buffer);
    heap32 = new Uint32Array(wasm.memory.buffer);
    batch = batchViews(wasm);
  }

  /** Copies one block (≤ capacity) straight into the decoder's input area and decodes it. */
  function feedBlock(block: Uint8Array): number {
    // the module keeps the next input address in memory: no call needed to ask for it; a
    // detached view (memory grew) reads undefined, which costs nothing to test, unlike byteLength
    let at = heap32[inputCell];
    if (at === undefined) {
      refreshViews();
      at = heap32[inputCell]!;
    }
    heap.set(block, at);
    const count = wasm.feed(block.length);
    batch.count = count < 0 ? checkFeedStatus(count, block.length) : count;
    return count;
  }

  function pushBatch(chunk: Uint8Array, onBatch: (batch: PacketBatch) => void): number {
    if (chunk.length <= capacity) {
      const count = feedBlock(chunk);
      onBatch(batch);
      return count;
    }
    let total = 0;
    for (let at = 0; at < chunk.length; at += capacity) {
      total += feedBlock(chunk.subarray(at, at + capacity));
      onBatch(batch);
    }
    return total;
  }

  function push(chunk: Uint8Array): DecodedPacket[] {
    const packets: DecodedPacket[] = [];
    pushBatch(chunk, (b) => {
      for (let i = 0; i < b.count; i++) packets.push(toPacket(b, i));
    });
    return packets;
  }

  function stats(): DecodeStats {
    const values = new Float64Array(wasm.memory.buffer, wasm.stats_ptr(), wasm.stats_len());
    const out: Record<string, number> = {};
    STATS_FIELDS.forEach((name, i) => (out[name] = values[i] ?? 0));
    return out as unknown as DecodeStats;
  }

  function residual(): Uint8Array {
    return new Uint8Array(wasm.memory.buffer, wasm.residual_ptr(), wasm.residual_len()).slice();
  }

  const decoder: Decoder = {
    push,
    pushBatch,
    stats,
    residual,
    discardTail: () => wasm.discard_tail(),
    reset: () => wasm.reset(),
    transform: () => decodeStream(decoder),
  };
  return decoder;
}

/** Copies packet `i` of a batch into a plain object. */
function toPacket(b: PacketBatch, i: number): DecodedPacket {
  const eventId = b.eventId[i]!;
  const counter = b.counter[i]!;
  const offset = b.offset[i]!;
  if (eventId !== EEG_EVENT_ID) {
    return { type: "event", eventId, counter, raw: b.raw(i).slice(), offset };
  }
  const leadOffMask = b.leadOffMask[i]!;
  const leadOff: number[] = [];
  for (let k = 0; leadOffMask !== 0 && k < CHANNEL_COUNT; k++) {
    if (leadOffMask & (1 << k)) leadOff.push(k + 1);
  }
  const base = i * CHANNEL_COUNT;
  return {
    type: "eeg",
    eventId,
    counter,
    ref: b.ref[i]!,
    drl: b.drl[i]!,
    channels: Array.from(b.channels.subarray(base, base + CHANNEL_COUNT)),
    featureStatus: b.featureStatus[i]!,
    leadOff,
    nonFinite: (b.nonFiniteMask[i]! & NON_FINITE_ANY) !== 0,
    offset,
  };
}
