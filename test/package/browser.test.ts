/** @module The installed tarball in Chromium: a page served from the project imports the package's browser entry, decodes a fetched capture with createDecoder() and through the Web Serial example's transform, and matches Node. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join, normalize } from "node:path";
import type { Browser } from "playwright-core";
import { haveChromium, launchChromium, openPage, until } from "../_support/browser.ts";
import { copyInto, PACKAGE_NAME, packedProject, runIn } from "../_support/packed.ts";
import { hexToBytes, loadVectorFiles, type VectorCase } from "../_support/vectors.ts";
import { type ExampleLine, exampleMismatches, parseExample } from "./expected.ts";

const TIMEOUT = 120_000;
const STREAM_CASE: VectorCase = loadVectorFiles().flatMap((f) => f.cases).find((v) =>
  v.name === "soak_seed_1202"
)!;
let project = "";
let browserEntry = "";
let server: ReturnType<typeof Bun.serve> | null = null;
let browser: Browser | null = null;
const requested: string[] = [];

/** The test page: the same summary of each packet as the examples print, from push() and from the example's readHeadset(). */
function probePage(entry: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="importmap">${
    JSON.stringify({ imports: { [`${PACKAGE_NAME}/decoder`]: entry } })
  }</script></head><body>
<script type="module">
import { createDecoder } from "${PACKAGE_NAME}/decoder";
import { readHeadset } from "./web-serial.js";
const line = (p) => p.type === "eeg"
  ? { type: p.type, counter: p.counter, offset: p.offset, channels: p.channels, leadOff: p.leadOff }
  : { type: p.type, eventId: p.eventId, counter: p.counter, offset: p.offset };
try {
  const bytes = new Uint8Array(await (await fetch("./stream.bin")).arrayBuffer());
  const pushed = (await createDecoder()).push(bytes).map(line);
  const streamed = [];
  const stats = await readHeadset((await fetch("./stream.bin")).body, (p) => streamed.push(line(p)));
  window.__result = JSON.stringify({ pushed, streamed, stats });
} catch (error) {
  // report at once rather than let the test wait out its timeout
  window.__result = JSON.stringify({ error: String(error) });
}
</script></body></html>`;
}

describe.skipIf(!haveChromium())("installed tarball in Chromium", () => {
  beforeAll(async () => {
    ({ project } = await packedProject());
    copyInto(project, [
      "docs/examples/embedding/web-serial.html",
      "docs/examples/embedding/web-serial.js",
      "docs/examples/embedding/node.mjs",
    ]);
    writeFileSync(join(project, "stream.bin"), hexToBytes(STREAM_CASE.input_hex));
    // the page follows the installed package's exports map to its browser build
    const manifest = JSON.parse(
      readFileSync(join(project, "node_modules", PACKAGE_NAME, "package.json"), "utf8"),
    ) as { exports: Record<string, Record<string, string>> };
    browserEntry = `/node_modules/${PACKAGE_NAME}/${
      manifest.exports["./decoder"]!["browser"]!.replace(/^\.\//, "")
    }`;
    writeFileSync(join(project, "probe.html"), probePage(browserEntry));
    server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(request) {
        const path = normalize(decodeURIComponent(new URL(request.url).pathname));
        requested.push(path);
        const file = Bun.file(join(project, path));
        // Bun.file picks the content type from the extension: application/wasm for the module
        return path.includes("..") || !(await file.exists())
          ? new Response("not found", { status: 404 })
          : new Response(file);
      },
    });
    browser = await launchChromium();
  }, TIMEOUT);

  afterAll(async () => {
    await browser?.close();
    server?.stop(true);
  });

  test(
    "the browser entry decodes a fetched capture like Node does, by push() and through the transform, without console errors",
    async () => {
      const { page, errors } = await openPage(
        browser!,
        `http://127.0.0.1:${server!.port}/probe.html`,
      );
      await until(page, "typeof window.__result === 'string'", 30_000);
      const result = JSON.parse(await page.evaluate("window.__result") as string) as {
        error?: string;
        pushed: ExampleLine[];
        streamed: ExampleLine[];
        stats: Record<string, number>;
      };
      await page.close();
      expect(result.error).toBeUndefined();
      const node = parseExample(await runIn(project, "node", "node.mjs", ["stream.bin"]));
      expect(result.pushed.length).toBeGreaterThan(250);
      expect(exampleMismatches(STREAM_CASE, result.pushed).slice(0, 5)).toEqual([]);
      expect(result.pushed).toEqual(node.packets);
      expect(result.streamed).toEqual(node.packets);
      expect(result.stats).toEqual(node.stats);
      expect(errors).toEqual([]);
      // the browser build fetched the shipped module and never touched the file-reading build
      expect(requested).toContain(`/node_modules/${PACKAGE_NAME}/wasm/decoder.wasm`);
      expect(requested).toContain(browserEntry);
      expect(
        requested.filter((p) => p.endsWith("/wasm-bundled.js") || p.endsWith("/decoder/mod.js")),
      ).toEqual([]);
    },
    TIMEOUT,
  );

  test(
    "the Web Serial example page loads its module graph through its import map, without console errors",
    async () => {
      const html = readFileSync(join(project, "web-serial.html"), "utf8");
      expect(html).toContain(`"./${browserEntry.slice(1)}"`); // the documented import map names the real browser build
      const { page, errors } = await openPage(
        browser!,
        `http://127.0.0.1:${server!.port}/web-serial.html`,
      );
      await until(page, `document.getElementById("status").textContent !== "loading"`);
      const status = await page.locator("#status").textContent();
      await page.close();
      expect(["ready", "this browser has no Web Serial"]).toContain(status ?? "");
      console.log(`web-serial.html status in headless Chromium: ${status}`);
      expect(errors).toEqual([]);
    },
    TIMEOUT,
  );
});
