// The persona view: the OS's name and versions; rename (a name holding markup
// stays text) and roll back, each a new version.
import assert from "node:assert/strict";
import { test } from "node:test";
import { open, useBrowser } from "./browser.mjs";

const openPort = process.env.OS1_OPEN_PORT;
const base = `http://127.0.0.1:${openPort}`;
const browser = useBrowser();

test("rename, see the versions, roll back", async () => {
  const { context, page, problems } = await open(browser(), openPort);
  await page.getByRole("link", { name: "Persona" }).click();
  await page.getByRole("heading", { name: "No persona yet" }).waitFor();  // no interview on this server

  const hostile = '<img src=x onerror="window.__xss=1">';
  await page.getByLabel("New name").fill(hostile);
  await page.getByRole("button", { name: "Rename", exact: true }).click();
  await page.getByRole("heading", { name: hostile, exact: true }).waitFor();
  assert.equal(await page.locator("main img").count(), 0);
  assert.equal(await page.evaluate(() => window.__xss), undefined);

  await page.getByLabel("New name").fill("Samantha");
  await page.getByRole("button", { name: "Rename", exact: true }).click();
  await page.getByRole("heading", { name: "Samantha", exact: true }).waitFor();
  assert.equal(await page.locator("#persona-history ~ ol > li").count(), 2);
  assert.match(await page.locator(".diff").first().textContent(), /Samantha/);

  await page.getByRole("button", { name: "Roll back to version 1", exact: true }).click();
  await page.getByRole("heading", { name: hostile, exact: true }).waitFor();
  const now = await (await fetch(`${base}/api/v1/persona`)).json();
  assert.equal(now.name, hostile);
  assert.equal(now.source, "rollback");
  assert.equal(now.version, 3);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.deepEqual(problems, []);
  await context.close();
});
