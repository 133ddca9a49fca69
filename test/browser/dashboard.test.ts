/** @module The dashboard in real Chromium against a live simulator bridge under each runtime: banner, moving traces, spectrum, quality view, markers, recording, console; lead-off and restart. */
import { describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { haveChromium, openPage, until } from "../_support/browser.ts";
import { chromiumForSuite } from "../_support/browser-suite.ts";
import {
  expectRowsMatch,
  qualityView,
  recordBriefly,
  tracesMove as movingTraces,
  withDashboard,
} from "../_support/dashboard-page.ts";
import { RUNTIMES, startServer } from "../_support/server-process.ts";
import type { ServerProcess } from "../_support/server-process.ts";

const TIMEOUT = 90_000;
const dir = mkdtempSync(join(tmpdir(), "mw75-dashboard-"));

async function tracesMove(page: Page, name: string): Promise<void> {
  await movingTraces(page, dir, name);
}

describe.skipIf(!haveChromium())("dashboard in Chromium", () => {
  const browser = chromiumForSuite(() => console.log(`dashboard screenshots: ${dir}`));

  test.each([...RUNTIMES])(
    "%s bridge: banner, traces, spectrum, quality view, marker (button and key m), recording list, no console errors",
    async (runtime) => {
      const recordings = join(dir, `recordings-${runtime}`);
      await withDashboard(
        browser(),
        runtime,
        ["--recordings-dir", recordings],
        "/",
        async (page, errors, server) => {
          await until(page, `document.getElementById("synthetic").classList.contains("on")`);
          expect(await page.locator("#synthetic").isVisible()).toBe(true);
          await until(page, `document.getElementById("conn").textContent === "open"`);
          await page.click("#connect");
          await until(page, `document.getElementById("device-state").textContent === "connected"`);
          await tracesMove(page, `traces-${runtime}`);

          // Spectrum (the page's own FFT, drawn only): alpha power finite and > 0 on the simulator's signal.
          await until(page, `window.__mw75.spectrumUpdates() > 0`);
          const alpha = (await page.evaluate("window.__mw75.power(8, 13)")) as number;
          expect(Number.isFinite(alpha) && alpha > 0).toBe(true);

          // Quality view and band table from the server's metrics: all 12 channels with a level and
          // an RMS (dashboard-quality.test.ts covers off, flat and railed channels)
          await until(page, `window.__mw75.metricsReceived() > 0`);
          const view = await qualityView(page);
          expectRowsMatch(view);
          for (const r of view.rows) {
            expect(["good", "fair", "poor"]).toContain(r.quality);
            expect(Number(r.rms)).toBeGreaterThan(0);
          }

          await page.click("#marker");
          await until(page, `window.__mw75.acks.some((a) => a.command === "marker")`);
          const id = (await page.evaluate(
            `window.__mw75.acks.filter((a) => a.command === "marker").at(-1).marker.id`,
          )) as string;
          expect(await page.locator("#ack").textContent()).toContain(id);
          await until(
            page,
            `document.querySelector('#events li[data-marker-id="${id}"]') !== null`,
          );
          await page.locator("body").press("m");
          await until(
            page,
            `window.__mw75.acks.filter((a) => a.command === "marker").length === 2`,
          );

          await recordBriefly(page);
          const listed = (await (await fetch(`${server.http}/recordings`)).json()) as {
            recordings: Array<{ session_name: string; files: Array<{ name: string }> }>;
          };
          expect(listed.recordings.length).toBe(1);
          const rec = listed.recordings[0]!;
          expect(await page.locator(`#recordings li[data-session="${rec.session_name}"]`).count())
            .toBe(1);
          const href = await page.locator("#recordings a.file").first().getAttribute("href");
          expect(rec.files.map((f) => `/recordings/${encodeURIComponent(f.name)}`)).toContain(
            href!,
          );
          expect((await fetch(`${server.http}${href}`)).status).toBe(200);
          await page.screenshot({ path: join(dir, `dashboard-${runtime}.png`) });
          expect(errors).toEqual([]);
        },
      );
    },
    TIMEOUT,
  );

  test("a lead-off channel is highlighted, the others are not", async () => {
    await withDashboard(
      browser(),
      "bun",
      ["--autoconnect", "--sim-lead-off", "3"],
      "/",
      async (page, errors) => {
        await until(
          page,
          `document.querySelector('#labels div[data-ch="3"]').classList.contains("lead-off")`,
        );
        await tracesMove(page, "lead-off");
        const off = await page.locator("#labels div.lead-off").evaluateAll((els) =>
          els.map((e) => (e as HTMLElement).dataset["ch"])
        );
        expect(off).toEqual(["3"]);
        await page.screenshot({ path: join(dir, "lead-off.png") });
        expect(errors).toEqual([]);
      },
    );
  }, TIMEOUT);

  test("the page recovers after the bridge restarts on the same port", async () => {
    let server: ServerProcess = await startServer("bun", []);
    let page: Page | null = null;
    try {
      const opened = await openPage(browser(), `${server.http}/`);
      page = opened.page;
      await until(page, `document.getElementById("conn").textContent === "open"`);
      await page.click("#connect");
      await tracesMove(page, "before-restart");
      const port = server.port;
      server.kill();
      await server.exited;
      await until(page, `document.getElementById("conn").textContent.startsWith("lost")`);
      // the scenario: the bridge stays down 1.5 s, so the page's reconnects are refused a few times
      await page.waitForTimeout(1500);
      server = await startServer("bun", ["--port", String(port)]);
      expect(server.port).toBe(port);
      // the SDK reconnects (backoff ≤ 10 s) and the page connects the headset again; 30 s leaves
      // 20 s past the longest backoff for the bridge's start and a slow machine
      await until(page, `document.getElementById("conn").textContent === "open"`, 30_000);
      await until(page, `document.getElementById("device-state").textContent === "connected"`);
      await tracesMove(page, "after-restart");
      // while the bridge was down Chromium logs the refused WebSocket attempts; nothing else may appear
      expect(opened.errors.filter((e) => !/WebSocket connection to .* failed/.test(e))).toEqual([]);
    } finally {
      await page?.close();
      server.kill();
    }
  }, TIMEOUT);
});
