/** @module Batches from a live bridge: binary frames decode to the values and timestamps of the JSON eeg_batch of the same seq. */
import { describe, expect, test } from "bun:test";
import { connect } from "../../src/client/mod.ts";
import type { EegBatch } from "../../src/client/mod.ts";
import {
  batchSeqs,
  seqProblems,
  until,
  webSocketClass,
  withBridge,
} from "../_support/client/live-server.ts";

const WebSocket = await webSocketClass();

/** seq → [timestamp, ch → value, ref, drl] over every batch. */
function bySeq(
  batches: EegBatch[],
): Map<number, { t: number; values: Map<number, number>; ref?: number; drl?: number }> {
  const out = new Map<
    number,
    { t: number; values: Map<number, number>; ref?: number; drl?: number }
  >();
  for (const b of batches) {
    for (const [i, seq] of batchSeqs(b).entries()) {
      const values = new Map([...b.channels].map(([ch, plane]) => [ch, plane[i]!]));
      out.set(seq, {
        t: b.timestamps[i]!,
        values,
        ...(b.ref ? { ref: b.ref[i]!, drl: b.drl![i]! } : {}),
      });
    }
  }
  return out;
}

describe("subscribe eeg_batch", () => {
  test("binary frames carry the values of the JSON batches, seq by seq", async () => {
    await withBridge(["--autoconnect", "--max-clients", "4"], async (srv) => {
      const options = { num_samples: 20, channels: [1, 4, 12], ref_drl: true } as const;
      const bin = connect(`${srv.ws}/`, { WebSocket, eeg: false });
      const json = connect(`${srv.ws}/`, { WebSocket, eeg: false });
      const got = { binary: [] as EegBatch[], json: [] as EegBatch[] };
      try {
        const subs = [
          bin.subscribe("eeg_batch", { ...options, format: "binary" }),
          json.subscribe("eeg_batch", { ...options, format: "json" }),
        ];
        expect((await subs[0]!.ready)["format"]).toBe("binary");
        const readers = subs.map(async (sub, k) => {
          for await (const b of sub) (k === 0 ? got.binary : got.json).push(b);
        });
        await until(
          () => got.binary.length >= 40 && got.json.length >= 40,
          10_000,
          "40 batches of each format",
        );
        for (const s of subs) await s.close();
        await Promise.all(readers);
      } finally {
        bin.close();
        json.close();
      }
      for (const b of got.binary) {
        expect(b.format).toBe("binary");
        expect([...b.channels.keys()]).toEqual([1, 4, 12]);
        expect(b.channels.get(4)).toBeInstanceOf(Float32Array);
        expect(b.leadOffMask).toHaveLength(b.count);
      }
      expect(seqProblems(got.binary.flatMap(batchSeqs))).toBe("");
      expect(seqProblems(got.json.flatMap(batchSeqs))).toBe("");
      const fromJson = bySeq(got.json);
      let compared = 0;
      for (const [seq, fromBinary] of bySeq(got.binary)) {
        const j = fromJson.get(seq);
        if (j === undefined) continue;
        compared++;
        expect({ seq, values: [...fromBinary.values], ref: fromBinary.ref, drl: fromBinary.drl })
          .toEqual({ seq, values: [...j.values], ref: j.ref, drl: j.drl });
        // a frame holds t0 and the rate only; the JSON batch each sample's own clock time (docs/binary-frames.md),
        // with the clock's re-fits between chunks: early in a stream they follow the chunks' delivery
        // delays (6 ms seen on a loaded machine); 30 ms still fails a wrong rate or unit
        expect(Math.abs(fromBinary.t - j.t)).toBeLessThan(0.03);
      }
      expect(compared).toBeGreaterThan(400);
      // the values are EEG-like numbers, not zeros or NaN from a misread plane
      const sample = got.binary[5]!.channels.get(1)!;
      expect(sample.some((v) => v !== 0 && Number.isFinite(v))).toBe(true);
    });
  }, 30_000);

  test("decimated batches step their seq by the factor", async () => {
    await withBridge(["--autoconnect", "--max-clients", "4"], async (srv) => {
      const client = connect(`${srv.ws}/`, { WebSocket, eeg: false });
      try {
        const sub = client.subscribe("eeg_batch", {
          format: "binary",
          num_samples: 10,
          decimate: 5,
        });
        const batches: EegBatch[] = [];
        for await (const b of sub) {
          batches.push(b);
          if (batches.length === 6) break; // break unsubscribes
        }
        expect(
          batches.every((b) => b.decimate === 5 && b.sampleRate === 100 && b.firstSeq % 5 === 0),
        ).toBe(true);
        expect(seqProblems(batches.flatMap(batchSeqs), 5)).toBe("");
        expect((await client.status()).subscriptions).toEqual([]);
      } finally {
        client.close();
      }
    });
  }, 30_000);
});
