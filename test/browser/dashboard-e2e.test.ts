/**
 * @module The dashboard against the real issue-23 server parts in Chromium: the login form with
 * users from an `--auth` file (real POST /login and /logout, scrypt hashes) on a Bun, a Deno and a
 * Node bridge, and the Recording section's Pause and Resume with the `paused` pill on a Bun bridge.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { haveChromium, until } from "../_support/browser.ts";
import { chromiumForSuite } from "../_support/browser-suite.ts";
import { text, withDashboard } from "../_support/dashboard-page.ts";
import { RUNTIMES } from "../_support/server-process.ts";
import { getWith, login, usersJson, withAuthFile } from "../_support/users-file.ts";
import type { TestUser } from "../_support/users-file.ts";

const TIMEOUT = 60_000;
const ADA: TestUser = { username: "ada", password: "ada's dashboard pass", role: "control" };
const EVE: TestUser = { username: "eve", password: "eve-never-guessed-1", role: "control" };
// hashed once (each a full scrypt); every bridge reads its own copy of the file
const AUTH = await usersJson([ADA, EVE]);
const dir = mkdtempSync(join(tmpdir(), "mw75-dashboard-e2e-"));

/** The ack line's text once it starts with `prefix` (the page shows one ack at a time). */
async function ackStarting(page: Page, prefix: string): Promise<string> {
  await until(
    page,
    `document.getElementById("ack").textContent.startsWith(${JSON.stringify(prefix)})`,
  );
  return text(page, "ack");
}

/** Whether an element is shown (has no `hidden` class). */
const shown = (id: string) => `!document.getElementById("${id}").classList.contains("hidden")`;

describe.skipIf(!haveChromium())("dashboard end to end in Chromium", () => {
  const browser = chromiumForSuite(() => console.log(`dashboard screenshots: ${dir}`));

  test.each([...RUNTIMES])(
    "%s bridge with users: the form shows, 401 and 429 as the bridge says them, the login grants control, Log out revokes",
    async (runtime) => {
      await withAuthFile(
        AUTH,
        (path) =>
          // --login-rate 600: this test locks a username with 6 failures in a row, which the default
          // per-address allowance (a burst of 5) would refuse first; that allowance has its own tests
          withDashboard(
            browser(),
            runtime,
            ["--auth", path, "--login-rate", "600"],
            "/",
            async (page, errors, server) => {
              // the real /health says password_login: the form replaces the token field
              await until(page, shown("login-form"));
              expect(await page.locator("#token-wrap").isVisible()).toBe(false);
              await until(page, `document.getElementById("conn").textContent === "open"`);
              // anonymous is read-only: what the login must change
              await page.click("#connect");
              expect(await ackStarting(page, "connect:")).toContain("PERMISSION_DENIED");

              await page.fill("#login-user", ADA.username);
              await page.fill("#login-pass", "not ada's password");
              await page.click("#login-submit");
              await until(
                page,
                `document.getElementById("login-message").textContent !== "Logging in…"`,
              );
              // the bridge's message repeats the sentence, so it is not added twice
              expect(await text(page, "login-message")).toBe("Wrong username or password.");
              expect(await page.locator("#login-message").getAttribute("class")).toBe("error");

              // five failures within a minute lock eve's username (sent from the test, not the page)
              for (let i = 0; i < 5; i++) {
                expect(
                  (await login(server.http, { username: EVE.username, password: `x${i}` })).status,
                )
                  .toBe(401);
              }
              await page.fill("#login-user", EVE.username);
              await page.fill("#login-pass", EVE.password);
              await page.click("#login-submit");
              await until(
                page,
                `document.getElementById("login-message").textContent.startsWith("Too many")`,
              );
              // Retry-After counts down from 60 s: between 1 and 60 s whatever the test's pace
              expect(await text(page, "login-message")).toMatch(
                /^Too many failed logins for this username: wait a minute \(retry in ([1-9]|[1-5]\d|60) s\)\.$/,
              );

              await page.fill("#login-user", ADA.username);
              await page.fill("#login-pass", ADA.password);
              await page.click("#login-submit");
              await until(page, shown("session-info"));
              expect(await text(page, "session-text")).toContain("ada · control · until");
              expect(await text(page, "login-message")).toBe("");
              // default --session-ttl 12 h; a minute of margin for the two clocks and the test's pace
              const expiresAt = Number(
                await page.locator("#session-text").getAttribute("data-expires-at"),
              );
              expect(Math.abs(expiresAt - (Date.now() / 1000 + 43_200))).toBeLessThan(60);
              const token = (await page.evaluate(`localStorage.getItem("mw75.token")`)) as string;
              expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
              // the page reconnected with the session token: now it may connect the headset
              await until(page, `document.getElementById("conn").textContent === "open"`);
              await page.click("#connect");
              await until(
                page,
                `document.getElementById("device-state").textContent === "connected"`,
              );
              // an ack, not ALREADY_CONNECTED: the refused anonymous Connect was not replayed at login
              expect(await ackStarting(page, "connect ack")).toBe(
                "connect ack: Connecting to MW75 device",
              );
              expect(await page.locator("#ack").getAttribute("class")).toBe("");
              await page.screenshot({ path: join(dir, `login-${runtime}.png`) });

              const logout = page.waitForResponse((r) => r.url().endsWith("/logout"));
              await page.click("#logout");
              expect((await logout).status()).toBe(204);
              await until(page, shown("login-form"));
              expect(await text(page, "login-message")).toBe("Logged out.");
              expect(await page.locator("#session-info").isVisible()).toBe(false);
              expect(await page.evaluate(`localStorage.getItem("mw75.token")`)).toBe("");
              expect(await page.evaluate(`localStorage.getItem("mw75.session")`)).toBeNull();
              // revoked on the bridge, not only forgotten by the page
              expect(await getWith(server.http, "/recordings", token)).toBe(401);
              await until(page, `document.getElementById("conn").textContent === "open"`);
              await page.click("#disconnect");
              expect(await ackStarting(page, "disconnect:")).toContain("PERMISSION_DENIED");
              // Chromium logs each refused fetch: the two the test provoked are the only errors
              expect(errors).toEqual([
                "console: Failed to load resource: the server responded with a status of 401 (Unauthorized)",
                "console: Failed to load resource: the server responded with a status of 429 (Too Many Requests)",
              ]);
            },
          ),
      );
    },
    TIMEOUT,
  );

  test("Bun bridge: Start, Pause (a warn pill `paused <name>`), Resume, Stop", async () => {
    const recordings = mkdtempSync(join(tmpdir(), "mw75-dashboard-pause-"));
    await withDashboard(
      browser(),
      "bun",
      ["--recordings-dir", recordings],
      "/",
      async (page, errors) => {
        await until(page, `document.getElementById("conn").textContent === "open"`);
        await page.click("#connect");
        await until(page, `document.getElementById("device-state").textContent === "connected"`);
        await page.click("#rec-start");
        await ackStarting(page, "start_recording ack");
        await until(
          page,
          `document.getElementById("rec-state").textContent.startsWith("recording ")`,
        );
        const name = (await text(page, "rec-state")).slice("recording ".length);
        expect(name).not.toBe("");
        expect(await page.locator("#rec-state").getAttribute("class")).toBe("pill bad");

        await page.click("#rec-pause");
        await ackStarting(page, "pause_recording ack");
        await until(page, `document.getElementById("rec-state").textContent.startsWith("paused")`);
        expect(await text(page, "rec-state")).toBe(`paused ${name}`);
        expect(await page.locator("#rec-state").getAttribute("class")).toBe("pill warn");
        // page.html's .pill.warn colour
        expect(
          await page.locator("#rec-state").evaluate((e) => getComputedStyle(e).backgroundColor),
        )
          .toBe("rgb(179, 107, 0)");
        await page.screenshot({ path: join(dir, "paused.png") });
        // a second pause is acknowledged, with the bridge's message, and changes nothing
        // cleared so the next wait sees the new ack, not the first pause's
        await page.evaluate(`document.getElementById("ack").textContent = ""`);
        await page.click("#rec-pause");
        expect(await ackStarting(page, "pause_recording ack")).toBe(
          `pause_recording ack: ${name} is already paused`,
        );
        expect(await text(page, "rec-state")).toBe(`paused ${name}`);

        await page.click("#rec-resume");
        await ackStarting(page, "resume_recording ack");
        await until(
          page,
          `document.getElementById("rec-state").textContent.startsWith("recording ")`,
        );
        expect(await text(page, "rec-state")).toBe(`recording ${name}`);
        await page.click("#rec-resume"); // not paused any more: the bridge says so
        expect(await ackStarting(page, "resume_recording:")).toContain("RECORDING_NOT_PAUSED");
        expect(await page.locator("#ack").getAttribute("class")).toBe("error");

        await page.click("#rec-stop");
        await ackStarting(page, "stop_recording ack");
        await until(page, `document.getElementById("rec-state").textContent === "stopped"`);
        const acks = (await page.evaluate("window.__mw75.acks")) as Array<
          { command: string; recording?: { state: string } }
        >;
        expect(acks.map((a) => [a.command, a.recording?.state])).toEqual([
          ["connect", undefined],
          ["start_recording", "recording"],
          ["pause_recording", "paused"],
          ["pause_recording", "paused"],
          ["resume_recording", "recording"],
          ["stop_recording", "stopped"],
        ]);
        expect(errors).toEqual([]);
      },
    );
  }, TIMEOUT);
});
