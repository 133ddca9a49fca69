/** @module The decoder.wasm export table as TypeScript, and the status codes `feed` may return. */

/** The ABI version this binding speaks (decoder-rs/src/ffi.rs `ABI_VERSION`). */
export const ABI_VERSION = 1;

/** Order of the f64 values behind `stats_ptr()`. */
export const STATS_FIELDS = [
  "eegPackets",
  "eventPackets",
  "checksumFailures",
  "bytesSkipped",
  "lostPackets",
  "duplicatePackets",
  "nonFiniteValues",
  "bytesIn",
] as const;

/** The exports of wasm/decoder.wasm (documented in wasm/ABI.md). */
export interface DecoderExports {
  readonly memory: WebAssembly.Memory;
  abi_version(): number;
  input_capacity(): number;
  input_ptr(): number;
  input_ptr_cell(): number;
  feed(len: number): number;
  reset(): void;
  discard_tail(): number;
  residual_ptr(): number;
  residual_len(): number;
  stats_ptr(): number;
  stats_len(): number;
  output_capacity(): number;
  channel_count(): number;
  packet_len(): number;
  out_event_id_ptr(): number;
  out_counter_ptr(): number;
  out_feature_status_ptr(): number;
  out_lead_off_ptr(): number;
  out_non_finite_ptr(): number;
  out_ref_ptr(): number;
  out_drl_ptr(): number;
  out_channels_ptr(): number;
  out_offset_ptr(): number;
  out_raw_ptr(): number;
}

/** Throws for a negative `feed` result; the only place status codes are interpreted. */
export function checkFeedStatus(status: number, len: number): number {
  if (status >= 0) return status;
  switch (status) {
    case -1:
      throw new RangeError(`Cannot feed ${len} bytes at once: more than the input capacity`);
    default:
      throw new Error(`Decoder returned unknown status ${status}`);
  }
}

/** Checks that `exports` is a decoder of the ABI this binding speaks. */
export function asDecoderExports(exports: WebAssembly.Exports): DecoderExports {
  const candidate = exports as Partial<DecoderExports>;
  if (
    typeof candidate.abi_version !== "function" || !(candidate.memory instanceof WebAssembly.Memory)
  ) {
    throw new TypeError("Cannot use the module: it is not an MW75 decoder (no abi_version export)");
  }
  const version = candidate.abi_version();
  if (version !== ABI_VERSION) {
    throw new TypeError(
      `Cannot use the module: decoder ABI ${version}, this binding needs ${ABI_VERSION}`,
    );
  }
  // added within ABI 1 (wasm/ABI.md): an older module of the same version lacks it
  if (typeof candidate.discard_tail !== "function") {
    throw new TypeError(
      "Cannot use the module: it has no discard_tail export (built before it was added); rebuild it with: npm run wasm:build",
    );
  }
  return candidate as DecoderExports;
}
