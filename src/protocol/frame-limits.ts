/**
 * @module Cheap guards that run on an inbound frame before (and right after) JSON.parse: nesting
 * depth and the size of the `id` a reply would echo. Both keep one client's frame from costing
 * every other client time or memory.
 */

/** Deepest nesting of arrays/objects a frame may have (the protocol needs 3: envelope, data, values). */
export const MAX_NESTING = 32;
/** Longest `id` (its JSON text, in UTF-8 bytes) a reply may echo. */
export const MAX_ID_BYTES = 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;

/**
 * True when `text` nests `[`/`{` deeper than `limit`, brackets inside strings not counted. Far
 * cheaper than the JSON.parse it protects (deeply nested input makes some engines' parser take
 * seconds): a text with at most `limit` openers is cleared by native `indexOf` scans; otherwise
 * one pass over the characters, which skips string contents with `indexOf`. Unbalanced text is
 * left to JSON.parse.
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  if (countUpTo(text, "[", limit + 1) + countUpTo(text, "{", limit + 1) <= limit) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) i = afterString(text, i + 1) - 1;
    else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) depth--;
  }
  return false;
}

/** Occurrences of `char` in `text`, counting stops at `max`. */
function countUpTo(text: string, char: string, max: number): number {
  let n = 0;
  for (let i = text.indexOf(char); i >= 0 && n < max; i = text.indexOf(char, i + 1)) n++;
  return n;
}

/** Index just past the quote that closes a string starting at `from` (a quote after an even run of backslashes). */
function afterString(text: string, from: number): number {
  for (let i = text.indexOf('"', from); i >= 0; i = text.indexOf('"', i + 1)) {
    let slashes = 0;
    while (i - 1 - slashes >= from && text.charCodeAt(i - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return i + 1;
  }
  return text.length;
}

/** UTF-8 length of the JSON text of `value` (0 for undefined), counted without encoding it. */
export function jsonByteLength(value: unknown): number {
  if (value === undefined) return 0;
  const text = JSON.stringify(value) ?? "";
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // 2 bytes up to U+07FF, 3 above; a surrogate pair is 4 bytes, i.e. 2 extra per half
    if (c >= 0x80) bytes += c >= 0x800 && (c < 0xd800 || c > 0xdfff) ? 2 : 1;
  }
  return bytes;
}
