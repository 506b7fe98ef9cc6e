// The conversation view: a reply streamed piece by piece, markup in a message
// shown as text, the conversation listed and resumed after a reload, and a
// message that could not be sent kept where it was typed.
import assert from "node:assert/strict";
import { test } from "node:test";
import { open, useBrowser } from "./browser.mjs";

const port = process.env.OS1_AUTH_PORT;
const token = process.env.OS1_TOKEN;
const browser = useBrowser();

async function signIn(page) {
  await page.getByLabel("API token").fill(token);
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "OS1 right now" }).waitFor();
  await page.getByRole("link", { name: "Talk" }).click();
  await page.getByRole("heading", { name: "Conversation", level: 1 }).waitFor();
}

test("a reply streams in pieces, markup stays text, and the conversation resumes after a reload", async () => {
  const { context, page, problems } = await open(browser(), port);
  await signIn(page);
  await page.getByRole("button", { name: "New conversation" }).click();
  // Every text the reply shows while it is written.
  await page.evaluate(() => {
    window.__seen = [];
    new MutationObserver(() => {
      const r = document.querySelector(".msg.theirs[aria-busy] .body");
      if (r && r.textContent && window.__seen.at(-1) !== r.textContent) window.__seen.push(r.textContent);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  const said = 'Hello <script>window.__xss=1</script><img src=x onerror="window.__xss=2"> **there**';
  await page.getByLabel("Your message").fill(said);
  await page.keyboard.press("Enter");
  await page.locator(".msg.mine", { hasText: said }).waitFor();
  await page.locator(".msg.theirs:not([aria-busy])").last().waitFor();
  const seen = await page.evaluate(() => window.__seen);
  assert.ok(seen.length >= 2, `the reply grew in pieces: ${JSON.stringify(seen)}`);
  assert.ok(seen.every((s, i) => i === 0 || s.startsWith(seen[i - 1])), "each piece adds to the one before");
  assert.equal(await page.locator("main img, main script").count(), 0);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  const reply = (await page.locator(".msg.theirs .body").last().textContent()).trim();

  await page.reload();
  await page.getByRole("link", { name: "Talk" }).click();
  await page.locator(".msg.mine", { hasText: said }).waitFor();
  assert.equal((await page.locator(".msg.theirs .body").last().textContent()).trim(), reply, "the same reply, from the server");
  const listed = page.locator(".conversations button[aria-current=true]");
  assert.match(await listed.textContent(), /^web-/);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a message that cannot be sent stays where it was typed, with a notice", async () => {
  const { context, page } = await open(browser(), port);
  await signIn(page);
  await page.route("**/v1/chat/completions", (route) => route.abort("connectionreset"));
  await page.getByLabel("Your message").fill("Do not lose this.");
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await page.getByText("Your message is kept: send it again.").waitFor();
  assert.equal(await page.getByLabel("Your message").inputValue(), "Do not lose this.");
  assert.equal(await page.locator(".msg.mine", { hasText: "Do not lose this." }).count(), 0);
  await context.close();
});

test("stop ends the reply where it is, and the conversation goes on", async () => {
  const { context, page, problems } = await open(browser(), port);
  await signIn(page);
  await page.getByRole("button", { name: "New conversation" }).click();
  await page.getByLabel("Your message").fill("Tell me a long story.");
  await page.keyboard.press("Enter");
  // As soon as the reply has begun (a reply of up to 512 tokens), stop it.
  const stopped = page.locator(".msg.theirs[aria-busy] .body");
  await stopped.filter({ hasText: /\S/ }).waitFor();
  await page.getByRole("button", { name: "Stop", exact: true }).click();
  const reply = page.locator(".msg.theirs").last();
  await reply.getByText("(stopped)").waitFor();
  const kept = await reply.locator(".body").textContent();
  assert.ok(kept.trim().length > 0);
  assert.equal(await page.getByRole("button", { name: "Stop", exact: true }).isHidden(), true);

  // The next message is answered, and the stopped reply did not grow meanwhile.
  await page.getByLabel("Your message").fill("Go on.");
  await page.keyboard.press("Enter");
  await page.locator(".msg.mine", { hasText: "Go on." }).waitFor();
  await page.locator(".msg.theirs:not([aria-busy])").nth(1).waitFor();
  await page.getByRole("button", { name: "Send", exact: true }).and(page.locator(":enabled")).waitFor();
  assert.equal(await page.locator(".msg.theirs").nth(0).locator(".body").textContent(), kept);
  assert.deepEqual(problems, []);
  await context.close();
});
