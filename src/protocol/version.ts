/** @module The bridge version reported by /health and the banner (kept equal to package.json by a test). */

/** Semantic version of this bridge. */
export const VERSION = "0.1.0";
