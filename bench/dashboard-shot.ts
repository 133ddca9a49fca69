/**
 * @module Takes docs/dashboard-quality.png: the dashboard's quality view on a simulator bridge with ch3 on
 * the lead-off sentinel (`bun bench/dashboard-shot.ts`, run by hand when the view changes).
 */
import { statSync } from "node:fs";
import { launchChromium, openPage, until } from "../test/_support/browser.ts";
import { startServer } from "../test/_support/server-process.ts";

const OUT = new URL("../docs/dashboard-quality.png", import.meta.url).pathname;

const server = await startServer("bun", ["--autoconnect", "--sim-lead-off", "3"]);
const browser = await launchChromium();
try {
  const { page, errors } = await openPage(browser, `${server.http}/`);
  // a few messages in, so the REF/DRL readouts and the status line have settled
  await until(page, "window.__mw75.metricsReceived() >= 4", 30_000);
  await page.locator("#quality-view").screenshot({ path: OUT });
  if (errors.length > 0) throw new Error(`page errors: ${errors.join("; ")}`);
  console.log(`wrote ${OUT} (${statSync(OUT).size} bytes)`);
} finally {
  await browser.close();
  server.kill();
}
