/** @module One headless Chromium per test suite (the dashboard tests), launched and closed by the suite's hooks; apart from browser.ts so the bench's pictures need no test runner. */
import { afterAll, beforeAll } from "bun:test";
import type { Browser } from "playwright-core";
import { launchChromium } from "./browser.ts";

/**
 * One Chromium for the enclosing `describe` (call it there): launched in a beforeAll, after
 * `before` (e.g. writing a fixture), closed in an afterAll. Returns the getter of the browser.
 */
export function chromiumForSuite(before?: () => void): () => Browser {
  let browser: Browser | null = null;
  // Chromium can take more than bun's 5-s hook default to start on a loaded 2-core machine
  beforeAll(async () => {
    before?.();
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (browser === null) {
      throw new Error("Chromium is not running: chromiumForSuite() outside a describe?");
    }
    return browser;
  };
}
