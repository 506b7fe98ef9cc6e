// The memory view, as bob on a server with tokens: his memories listed and
// found, corrected and forgotten on the server, exported as a tar, and erased
// behind a confirmation, which signs him out; alice keeps everything of hers.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { open, useBrowser } from "./browser.mjs";
import { say as sayTo } from "./server.mjs";

const port = process.env.OS1_AUTH_PORT;
const bob = process.env.OS1_TOKEN_BOB;
const alice = process.env.OS1_TOKEN;
const base = `http://127.0.0.1:${port}`;
const browser = useBrowser();

async function call(tokenValue, method, path, body) {
  return fetch(`${base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${tokenValue}`, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
}

const say = (tokenValue, text) => sayTo(base, text, { token: tokenValue, maxTokens: 2 });

test("search, correct, forget, export, then erase behind a confirmation", async () => {
  await say(alice, "Alice keeps bees on the roof.");
  await say(bob, "My sister Zoe moved to Boston in May.");
  await say(bob, '<img src=x onerror="window.__xss=1"> is what I typed');

  const { context, page, problems } = await open(browser(), port);
  await page.getByLabel("API token").fill(bob);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByRole("link", { name: "Memory" }).click();
  const zoe = page.locator("li.memory", { hasText: "My sister Zoe moved to Boston in May." });
  await zoe.waitFor();
  await page.locator("li.memory", { hasText: '<img src=x onerror="window.__xss=1"> is what I typed' }).waitFor();
  assert.equal(await page.locator("main img").count(), 0);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.equal(await page.getByText("Alice keeps bees").count(), 0, "nothing of alice's");

  await page.getByLabel("Search your memories").fill("Zoe Boston");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await page.locator("li.found", { hasText: "Zoe moved to Boston" }).first().waitFor();

  await zoe.getByRole("button", { name: "Correct" }).click();
  await page.getByLabel("Corrected text").fill("My sister Zoe moved to Denver in May.");
  await page.getByRole("button", { name: "Save", exact: true }).first().click();
  await page.locator("li.memory", { hasText: "Zoe moved to Denver" }).waitFor();
  await page.reload();
  const denver = page.locator("li.memory", { hasText: "My sister Zoe moved to Denver in May." });
  await denver.waitFor();
  assert.equal(await page.getByText("Zoe moved to Boston").count(), 0, "the correction is on the server");

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Export all my data" }).click(),
  ]);
  const tar = await readFile(await download.path(), "latin1");
  assert.ok(tar.includes("os1-export/memories.json"));
  assert.ok(tar.includes("Zoe moved to Denver"));
  assert.ok(!tar.includes("Alice keeps bees"));

  await denver.getByRole("button", { name: "Forget" }).click();
  await page.getByText("Forgotten.").waitFor();
  await page.reload();
  await page.locator("li.memory").first().waitFor();
  assert.equal(await page.getByText("Zoe moved to Denver").count(), 0, "forgotten on the server");

  await page.getByRole("button", { name: "Erase all my data…" }).click();
  const dialog = page.getByRole("dialog", { name: "Erase everything of yours?" });
  await dialog.waitFor();
  assert.match(await dialog.textContent(), /every memory.*your account: your token stops working/s);
  await dialog.getByRole("button", { name: "Erase everything" }).click();
  await page.getByText("Everything of yours is erased, and your token with it.").waitFor();
  await page.getByLabel("API token").waitFor();
  assert.equal(await page.evaluate(() => localStorage.getItem("os1.token")), null);
  assert.equal((await call(bob, "GET", "/api/v1/status")).status, 401, "bob's token is gone");
  const hers = await (await call(alice, "GET", "/api/v1/memories")).json();
  assert.ok(hers.items.some((m) => m.text === "Alice keeps bees on the roof."), "alice keeps hers");
  assert.deepEqual(problems, []);
  await context.close();
});
