// The OS speaking first while the page is open (GET /api/v1/events): its
// message appears marked as such, in the conversation on screen or in a box on
// any other view; when the server goes away the page says so, keeps what the
// person typed, and picks the stream up again when it comes back.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { open, useBrowser } from "./browser.mjs";
import { ownServer, say } from "./server.mjs";

const browser = useBrowser();
let server;
before(async () => {
  server = await ownServer(["--no-auth", "--no-onboarding", "--initiative-tick-s", "1"]);
});
after(async () => {
  await server?.close();
});

test("a reminder arrives on another view, marked as the OS speaking first", async () => {
  const { context, page, problems } = await open(browser(), server.port);
  await page.getByRole("link", { name: "Mood" }).click();
  await page.getByRole("heading", { name: "Mood" }).first().waitFor();
  await say(server.url, "Please remind me to stretch my legs in 2 seconds");
  const box = page.getByRole("complementary", { name: "The OS spoke first" });
  await box.getByText("You asked me to remind you: stretch my legs in 2 seconds.").waitFor();
  assert.match(await box.textContent(), /OS1 spoke first · Reminder/);
  // Answering opens the conversation view, which takes the message in.
  await box.getByRole("link", { name: "Answer in Talk" }).click();
  const first = page.locator(".msg.first");
  await first.getByText("You asked me to remind you: stretch my legs").waitFor();
  assert.equal(await box.isHidden(), true);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a dropped connection is announced, the draft stays, and what came due meanwhile arrives", async () => {
  const { context, page, problems } = await open(browser(), server.port);
  await page.getByRole("link", { name: "Talk" }).click();
  await page.getByLabel("Your message").fill("half a thought I have not sent");
  await say(server.url, "remind me to water the basil in 5 seconds");
  await server.stop();
  await page.getByText(/The connection to OS1 dropped/).waitFor();
  await server.start();
  const first = page.locator(".msg.first", { hasText: "water the basil" });
  await first.waitFor();
  assert.match(await first.textContent(), /spoke first · Reminder/);
  await page.getByText(/The connection to OS1 dropped/).waitFor({ state: "hidden" });
  assert.equal(await page.getByLabel("Your message").inputValue(), "half a thought I have not sent");
  // The one console error allowed: the browser's own report of the refused connection.
  assert.deepEqual(problems.filter((p) => !/ERR_CONNECTION_REFUSED|Failed to load resource|net::ERR/.test(p)), []);
  await context.close();
});
