// Refusals in words: a message over the server's body limit (413) and a profile
// over its byte limit (400) name the problem; a saturated server (503) and a
// person over their rate (429) get a notice with the retry time; in each case
// what the person typed stays where they typed it and the page is never blank.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { open, useBrowser } from "./browser.mjs";
import { ownServer } from "./server.mjs";

const browser = useBrowser();
// 1 a minute: a refill every 60 s, so that the limit, once reached, still holds
// when the page sends; the first tests stay within the burst of 20.
let server;
before(async () => {
  server = await ownServer(["--no-auth", "--no-onboarding", "--max-body-kib", "4", "--rate-per-minute", "1"]);
});
after(async () => {
  await server?.close();
});

const notice = (page) => page.getByRole("alert");

async function sendInTalk(page, text) {
  await page.getByRole("link", { name: "Talk" }).click();
  await page.getByLabel("Your message").fill(text);
  await page.getByRole("button", { name: "Send", exact: true }).click();
}

test("a message over the body limit is a 413 that names it, and the message is kept", async () => {
  const { context, page, problems } = await open(browser(), server.port);
  const long = "a".repeat(6000);
  await sendInTalk(page, long);
  await notice(page).filter({ hasText: /That was too large: the request body is larger than 4096 bytes\. Your message is kept/ }).waitFor();
  assert.equal(await page.getByLabel("Your message").inputValue(), long);
  assert.equal(await page.locator(".msg").count(), 0, "nothing shown as sent");
  assert.deepEqual(problems.filter((p) => !p.includes("status of 413")), []);
  await context.close();
});

test("a profile over 2,048 bytes (fewer characters) is a 400 that names the limit", async () => {
  const { context, page, problems } = await open(browser(), server.port);
  await page.getByRole("link", { name: "Memory" }).click();
  const area = page.getByLabel("Your profile (every new conversation begins with it)");
  await area.fill("é".repeat(1500));  // 1,500 characters the textarea takes, 3,000 bytes the server does not
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByText("The server refused it: a core profile of 3000 bytes is over the limit of 2048.").waitFor();
  assert.equal(await area.inputValue(), "é".repeat(1500));
  assert.deepEqual(problems.filter((p) => !p.includes("status of 400")), []);
  await context.close();
});

test("a saturated server's 503 shows the retry time, at start and on a send", async () => {
  const { context, page, problems } = await open(browser(), server.port);
  // The server's own 503s (a full queue, a drain) are tested in tests/server;
  // here the page's answer to one, which no test input can call up on demand.
  const busy = (route) => route.fulfill({
    status: 503,
    headers: { "Retry-After": "7", "Content-Type": "application/json" },
    body: JSON.stringify({ error: { message: "the server is busy", type: "server_error" } }),
  });
  await page.route("**/api/v1/status", busy);
  await page.reload();
  await notice(page).filter({ hasText: "The server is busy or restarting. Try again in 7 s." }).waitFor();
  await page.unroute("**/api/v1/status");
  await page.getByRole("link", { name: "Talk" }).waitFor();  // the page tried again by itself

  await page.route("**/v1/chat/completions", busy);
  await sendInTalk(page, "are you there?");
  await notice(page).filter({ hasText: /The server is busy or restarting\. Try again in 7 s\. Your message is kept/ }).waitFor();
  assert.equal(await page.getByLabel("Your message").inputValue(), "are you there?");
  assert.deepEqual(problems.filter((p) => !p.includes("status of 503")), []);
  await context.close();
});

test("over the rate limit, a 429 says when to try again and the message is kept", async () => {
  const { context, page, problems } = await open(browser(), server.port);
  await page.getByRole("link", { name: "Talk" }).click();
  await page.getByLabel("Your message").waitFor();
  for (let i = 0; i < 100; i++) {
    if ((await fetch(`${server.url}/api/v1/memories?limit=1`)).status === 429) break;  // /api/v1/status is free
  }
  await page.getByLabel("Your message").fill("one more thing");
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await notice(page).filter({ hasText: /Too many requests for now\. Try again in \d+ s\. Your message is kept/ }).waitFor();
  assert.equal(await page.getByLabel("Your message").inputValue(), "one more thing");
  assert.deepEqual(problems.filter((p) => !p.includes("status of 429")), []);
  await context.close();
});
