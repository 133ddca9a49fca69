/** @module The `_events.csv` sidecar encoder: header, number formats, RFC 4180 escaping, gap and lead-off rows. */
import { describe, expect, test } from "bun:test";
import {
  csvField,
  eventsCsvHeader,
  eventsCsvRow,
  gapEventRow,
  leadOffEventRow,
} from "../../src/recording/events-csv.ts";

/** A strict RFC 4180 reader (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"' && field === "") {
      for (i++;; i++) {
        if (i >= text.length) throw new Error("unterminated quoted field");
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i++;
          } else break;
        } else field += text[i];
      }
      i++;
      if (i < text.length && text[i] !== "," && text[i] !== "\n") {
        throw new Error(`junk after a quoted field at ${i}`);
      }
      continue;
    }
    const ch = text[i]!;
    if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else if (ch === '"') {
      throw new Error(`quote inside an unquoted field at ${i}`);
    } else field += ch;
    i++;
  }
  if (field !== "" || row.length > 0) throw new Error("last line has no newline");
  return rows;
}

describe("eventsCsvHeader", () => {
  test("is the documented column list when a sidecar starts", () => {
    expect(eventsCsvHeader()).toBe("onset,duration,label,value,seq\n");
  });
});

describe("eventsCsvRow", () => {
  test("writes a marker row with 3 decimals when times are whole milliseconds", () => {
    expect(eventsCsvRow({ onsetS: 1.5, durationS: 0, label: "stim", value: 3, seq: 750 })).toBe(
      "1.500,0.000,stim,3,750\n",
    );
    expect(eventsCsvRow({ onsetS: 12, durationS: 0.25, label: "rest", seq: 6000 })).toBe(
      "12.000,0.250,rest,,6000\n",
    );
  });

  test("keeps up to 6 decimals when a marker time is finer than a millisecond", () => {
    expect(eventsCsvRow({ onsetS: 0.0004, durationS: 1 / 3, label: "a", value: null, seq: 0 }))
      .toBe("0.0004,0.333333,a,,0\n");
    expect(eventsCsvRow({ onsetS: -0.0000001, durationS: 0, label: "a", seq: 0 })).toBe(
      "0.000,0.000,a,,0\n",
    );
    expect(eventsCsvRow({ onsetS: -2.5, durationS: 0, label: "early", value: -0.125, seq: 0 }))
      .toBe("-2.500,0.000,early,-0.125,0\n");
  });

  test("leaves value empty when it is absent, null or not finite", () => {
    for (const value of [undefined, null, Number.NaN, Number.POSITIVE_INFINITY]) {
      const row = value === undefined
        ? { onsetS: 0, durationS: 0, label: "x", seq: 1 }
        : { onsetS: 0, durationS: 0, label: "x", value, seq: 1 };
      expect(eventsCsvRow(row)).toBe("0.000,0.000,x,,1\n");
    }
    expect(eventsCsvRow({ onsetS: 0, durationS: 0, label: "x", value: 0.1 + 0.2, seq: 1 })).toBe(
      "0.000,0.000,x,0.30000000000000004,1\n",
    );
  });

  test("quotes and escapes labels per RFC 4180 when they hold commas, quotes or line breaks", () => {
    const labels = [
      "a,b",
      'say "hi"',
      "line1\nline2",
      "cr\r\nlf",
      '"',
      ",",
      " padded ",
      "plain_label",
      "ünïcødé 👍",
      "",
    ];
    const text = eventsCsvHeader() +
      labels.map((label, k) => eventsCsvRow({ onsetS: k, durationS: 0, label, value: k, seq: k }))
        .join("");
    const rows = parseCsv(text);
    expect(rows[0]).toEqual(["onset", "duration", "label", "value", "seq"]);
    expect(rows.slice(1).map((r) => r[2])).toEqual(labels);
    expect(rows.slice(1).every((r) => r.length === 5)).toBe(true);
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField("plain")).toBe("plain");
  });

  test("refuses rows a reader could not place when onset, duration or seq are invalid", () => {
    expect(() => eventsCsvRow({ onsetS: Number.NaN, durationS: 0, label: "x", seq: 1 })).toThrow(
      RangeError,
    );
    expect(() =>
      eventsCsvRow({ onsetS: 0, durationS: Number.POSITIVE_INFINITY, label: "x", seq: 1 })
    ).toThrow(RangeError);
    expect(() => eventsCsvRow({ onsetS: 0, durationS: 0, label: "x", seq: 1.5 })).toThrow(
      RangeError,
    );
  });
});

describe("gapEventRow", () => {
  test("places the gap at its first missing sample when the next sample's onset is known", () => {
    const row = gapEventRow({ seq: 1010, missing: 10 }, 2.02);
    expect(row).toEqual({ onsetS: 2.0, durationS: 0.02, label: "gap", value: 10, seq: 1000 });
    expect(eventsCsvRow(row)).toBe("2.000,0.020,gap,10,1000\n");
  });
});

describe("leadOffEventRow", () => {
  test("names the channel in value when an electrode goes onto the sentinel", () => {
    expect(eventsCsvRow(leadOffEventRow(7, 3.5, 1750))).toBe("3.500,0.000,lead_off,7,1750\n");
  });
});
