/** @module Crash recovery and deliberate pauses: a `device_off` row of `_events.csv` is no marker, and its zero-filled span holds no samples. */
import { describe, expect, test } from "bun:test";
import { SAMPLES_PER_RECORD } from "../../src/recording/edf-header.ts";
import { DEVICE_OFF_LABEL } from "../../src/recording/events-csv.ts";
import { recoveredFigures } from "../../src/recording/recovered-figures.ts";

const FIRST = 1000;

describe("recoveredFigures with device_off rows", () => {
  test("a pause inside the EDF/BDF span is taken out of samples, and is neither a marker, a gap nor lost", () => {
    const events = [
      "onset,duration,label,value,seq",
      "0.500,0.000,stim,1,1250",
      // a 10 s pause (5000 samples) from 2 s on, then a real gap of 30 samples
      `2.000,10.000,${DEVICE_OFF_LABEL},5000,2000`,
      "13.000,0.060,gap,30,7500",
      "",
    ].join("\n");
    const records = 20; // 10 000 samples spanned
    const got = recoveredFigures({ firstSeq: FIRST, records, csv: null, events });
    expect(got).toEqual({
      duration_s: records * SAMPLES_PER_RECORD / 500,
      samples: records * SAMPLES_PER_RECORD - 5000 - 30,
      markers: 1,
      gaps: 1,
      lost: 30,
    });
  });

  test("a pause the crash cut short counts only up to the end of the span", () => {
    const events = `onset,duration,label,value,seq\n1.000,10.000,${DEVICE_OFF_LABEL},5000,1500\n`;
    // 4 records = 2000 samples: 1000–1499 recorded, 1500–2999 of the pause kept, the rest cut off
    const got = recoveredFigures({ firstSeq: FIRST, records: 4, csv: null, events });
    expect(got).toMatchObject({ samples: 500, markers: 0, gaps: 0, lost: 0 });
  });

  test("without EDF/BDF the CSV rows stay the samples (a pause has no rows) and the pause is no marker", () => {
    const events = `onset,duration,label,value,seq\n1.000,1.000,${DEVICE_OFF_LABEL},500,1500\n`;
    const got = recoveredFigures({
      firstSeq: FIRST,
      records: null,
      csv: { rows: 1000, lastSeq: 2499 },
      events,
    });
    expect(got).toEqual({ duration_s: 3, samples: 1000, markers: 0, gaps: 0, lost: 0 });
  });
});
