/** @module A view of part of a SampleBlock (by seq), sharing its arrays: for resume starting mid-block and recordings ending mid-block. */
import { CHANNELS } from "./samples.ts";
import type { SampleBlock } from "./samples.ts";

/**
 * The samples of `block` with `fromSeq ≤ seq ≤ toSeq`: the block itself when all are, null when
 * none are. Gaps keep their place (those before the first kept sample are dropped).
 */
export function sliceBySeq(
  block: SampleBlock,
  fromSeq: number,
  toSeq = Number.POSITIVE_INFINITY,
): SampleBlock | null {
  let i = 0;
  while (i < block.count && block.seq[i]! < fromSeq) i++;
  let j = block.count;
  while (j > i && block.seq[j - 1]! > toSeq) j--;
  if (i === 0 && j === block.count) return block;
  if (j <= i) return null;
  const cut = <T extends { subarray(begin: number, end?: number): T }>(a: T, per = 1): T =>
    a.subarray(i * per, j * per);
  return {
    ...block,
    count: j - i,
    seq: cut(block.seq),
    counter: cut(block.counter),
    time: cut(block.time),
    ref: cut(block.ref),
    drl: cut(block.drl),
    channels: cut(block.channels, CHANNELS),
    leadOff: cut(block.leadOff),
    nonFinite: cut(block.nonFinite),
    featureStatus: cut(block.featureStatus),
    gaps: block.gaps.filter((g) => g.index >= i && g.index < j).map((g) => ({
      ...g,
      index: g.index - i,
    })),
  };
}
