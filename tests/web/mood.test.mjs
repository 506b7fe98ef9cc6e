// The mood view: the chart draws the person's days, and a day's point (or its
// row, for the keyboard) opens the messages its feeling was read from.
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { test } from "node:test";
import { imageDifference, open, useBrowser } from "./browser.mjs";
import { ownServer, say as sayTo } from "./server.mjs";

const openPort = process.env.OS1_OPEN_PORT;
const base = `http://127.0.0.1:${openPort}`;
const browser = useBrowser();

const say = (text) => sayTo(base, text, { conversation: "mood", maxTokens: 2 });

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

test("the chart looks as approved: the same points and lines, within a tolerance", async () => {
  // A server of its own, with the word list reading feelings, so that the
  // readings (and so the picture) are the same on every run.
  const server = await ownServer(["--no-auth", "--no-onboarding", "--feelings", "lexicon"]);
  try {
    for (const text of ["I am so happy and excited today!", "Now I feel sad and tired.", "Calm again, quite content."]) {
      await sayTo(server.url, text, { conversation: "mood" });
    }
    const read = async () => (await (await fetch(`${server.url}/api/v1/mood?days=7`)).json()).readings.length;
    for (let i = 0; i < 900 && (await read()) < 3; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await read(), 3, "the three feelings were read");

    const { context, page, problems } = await open(browser(), server.port);
    await page.getByRole("link", { name: "Mood" }).click();
    await page.getByRole("button", { name: "7 days" }).click();
    await page.locator(".mood-table").waitFor();
    await page.mouse.move(0, 0);  // no cursor drawn over the plot
    // The plot area only: the axes' dates change with the day the test runs.
    const shot = await page.locator(".chart .u-over").screenshot();
    const approved = new URL("approved/mood-chart-7-days.png", import.meta.url);
    if (process.env.OS1_UPDATE_SCREENSHOTS === "1") await writeFile(approved, shot);
    const differ = await imageDifference(browser(), shot, await readFile(approved));
    assert.ok(differ < 0.01, `${(differ * 100).toFixed(2)}% of the plot's pixels differ from ${approved.pathname}`);
    assert.deepEqual(problems, []);
    await context.close();
  } finally {
    await server.close();
  }
});
