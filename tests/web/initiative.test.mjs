// The initiative view: the person's limits read, changed and kept; the log shows
// what the OS thought of saying, as text whatever the message held.
import assert from "node:assert/strict";
import { test } from "node:test";
import { open, useBrowser } from "./browser.mjs";
import { say as sayTo } from "./server.mjs";

const openPort = process.env.OS1_OPEN_PORT;
const browser = useBrowser();

const say = (text) => sayTo(`http://127.0.0.1:${openPort}`, text);

test("limits are read, saved and still there after a reload", async () => {
  const { context, page, problems } = await open(browser(), openPort);
  await page.getByRole("link", { name: "Initiative" }).click();
  await page.getByRole("heading", { name: "Your limits" }).waitFor();
  assert.equal(await page.getByLabel("Quiet from").inputValue(), "22:00");
  assert.equal(await page.getByLabel("Messages it may start a day").inputValue(), "2");

  await page.getByLabel("Quiet from").fill("23:30");
  await page.getByLabel("Messages it may start a day").fill("5");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByText("Saved: quiet 23:30-08:00, at most 5 a day.").waitFor();

  await page.reload();
  await page.getByRole("heading", { name: "Your limits" }).waitFor();
  assert.equal(await page.getByLabel("Quiet from").inputValue(), "23:30");
  assert.equal(await page.getByLabel("Messages it may start a day").inputValue(), "5");
  const settings = await (await fetch(`http://127.0.0.1:${openPort}/api/v1/initiative/settings`)).json();
  assert.equal(settings.daily_cap, 5, "saved on the server, not only in the page");
  assert.deepEqual(problems, []);
  await context.close();
});

test("a reminder in the log is shown as text, never run as markup", async () => {
  await say('remind me to <img src=x onerror="window.__xss=1"> call Mum tomorrow at 6pm');
  const { context, page, problems } = await open(browser(), openPort);
  await page.goto(`http://127.0.0.1:${openPort}/#/initiative`);
  const item = page.locator(".log-item").first();
  await item.waitFor();
  const text = await item.locator(".log-text").textContent();
  assert.match(text, /You asked me to remind you: .*<img src=x onerror="window.__xss=1">/);
  assert.equal(await item.locator("img").count(), 0);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.match(await item.textContent(), /Reminder · pending/);
  assert.deepEqual(problems, []);
  await context.close();
});
