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
 * True when `text` nests `[`/`{` deeper than `limit`, brackets inside strings not counted. One
 * linear pass and no allocation, so it is far cheaper than the JSON.parse it protects (deeply
 * nested input makes some engines' parser take seconds). Unbalanced text is left to JSON.parse.
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
      depth--;
    }
  }
  return false;
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
