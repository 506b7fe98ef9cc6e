// The mood view: the chart draws the person's days, and a day's point (or its
// row, for the keyboard) opens the messages its feeling was read from.
import assert from "node:assert/strict";
import { test } from "node:test";
import { open, useBrowser } from "./browser.mjs";

const openPort = process.env.OS1_OPEN_PORT;
const base = `http://127.0.0.1:${openPort}`;
const browser = useBrowser();

async function say(text) {
  const res = await fetch(`${base}/v1/chat/completions`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-OS1-Conversation": "mood" },
    body: JSON.stringify({ messages: [{ role: "user", content: text }], max_tokens: 2 }),
  });
  assert.equal(res.status, 200, await res.text());
}

async function readings() {
  return (await (await fetch(`${base}/api/v1/mood?days=7`)).json()).readings;
}

test("the chart draws today's feelings and a point opens its messages", async () => {
  const before = (await readings()).length;
  await say("I feel awful and sad today, everything went wrong.");
  await say("Honestly I am miserable <b>and</b> lonely.");
  // Feelings are read in the background: wait until both are.
  for (let i = 0; i < 900 && (await readings()).length < before + 2; i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok((await readings()).length >= before + 2, "the feelings of both messages were read");

  const { context, page, problems } = await open(browser(), openPort);
  await page.getByRole("link", { name: "Mood" }).click();
  const canvas = page.locator(".chart canvas");
  await canvas.waitFor();
  const box = await canvas.boundingBox();
  assert.ok(box.width > 100 && box.height > 100, JSON.stringify(box));

  // Today is the last day: the right edge of the plot.
  const over = await page.locator(".chart .u-over").boundingBox();
  await page.mouse.move(over.x + over.width - 2, over.y + over.height / 2);
  await page.mouse.click(over.x + over.width - 2, over.y + over.height / 2);
  await page.locator(".mood-message", { hasText: "I feel awful and sad today" }).waitFor();
  await page.locator(".mood-message", { hasText: "Honestly I am miserable <b>and</b> lonely." }).waitFor();

  // The same through the table, by keyboard.
  await page.getByRole("button", { name: "7 days" }).click();
  const today = page.locator(".mood-table button").last();
  await today.focus();
  await page.keyboard.press("Enter");
  await page.locator(".mood-message", { hasText: "I feel awful and sad today" }).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});
