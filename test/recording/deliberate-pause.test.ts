/** @module A deliberate pause in a BDF+ (issue 18 item 2): zero-filled like a gap, annotated as the device being off, not as a gap. */
import { expect, test } from "bun:test";
import { createBdfWriter } from "../../src/recording/edf-writer.ts";
import { annotationsOf, makeBlock, parseEdf, range, runWriter, testInfo } from "./edf-reader.ts";

test("a jump marked deliberate is annotated 'device off N samples'; a lost span stays 'gap N samples'", () => {
  const { file } = runWriter(createBdfWriter(), testInfo(), (f) => {
    f.samples(makeBlock(range(0, 300), () => 1));
    const afterPause = makeBlock(range(800, 900), () => 2);
    f.samples({
      ...afterPause,
      gaps: [{
        index: 0,
        seq: 800,
        missing: 500,
        expectedCounter: 44,
        gotCounter: 32,
        estimated: true,
        deliberate: true,
      }],
    });
    const afterLoss = makeBlock(range(950, 1000), () => 3);
    f.samples({
      ...afterLoss,
      gaps: [{
        index: 0,
        seq: 950,
        missing: 50,
        expectedCounter: 132,
        gotCounter: 182,
        estimated: true,
      }],
    });
  });
  const p = parseEdf(file);
  expect(annotationsOf(p).map((a) => [a.onset, a.duration, a.text])).toEqual([
    [0.6, 1, "device off 500 samples"],
    [1.8, 0.1, "gap 50 samples"],
  ]);
  expect(p.digital[0]![799]).toBe(0); // the pause is still zero-filled: time stays aligned
});
