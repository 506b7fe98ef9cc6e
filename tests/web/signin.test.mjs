// Sign in with a token, stay signed in across a reload, sign out; no sign-in on
// a --no-auth server; the honest status always visible.
import assert from "node:assert/strict";
import { test } from "node:test";
import { open, settled, useBrowser } from "./browser.mjs";

const authPort = process.env.OS1_AUTH_PORT;
const openPort = process.env.OS1_OPEN_PORT;
const token = process.env.OS1_TOKEN;
const browser = useBrowser();

const statusPattern = /Talking with \d+ (person|people) now · holding \d+ conversations?/;

test("a wrong token is refused in words, the right one signs in and a reload keeps it", async () => {
  const { context, page, problems } = await open(browser(), authPort);
  const input = page.getByLabel("API token");
  await input.waitFor();
  assert.equal(await page.locator("#status").textContent(), "", "no figures before signing in");

  await input.fill("os1_0000_wrong");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByText("That token was refused").waitFor();

  await input.fill(token);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.locator("#status").filter({ hasText: statusPattern }).waitFor();
  await page.getByRole("heading", { name: "OS1 right now" }).waitFor();
  assert.equal(await page.evaluate(() => localStorage.getItem("os1.token")), token);

  await page.reload();
  await page.locator("#status").filter({ hasText: statusPattern }).waitFor();
  assert.equal(await page.getByLabel("API token").count(), 0, "still signed in after a reload");

  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByLabel("API token").waitFor();
  assert.equal(await page.evaluate(() => localStorage.getItem("os1.token")), null, "sign out forgets the token");
  assert.equal(await page.locator("#status").textContent(), "");
  assert.deepEqual(problems, []);
  await context.close();
});

test("a token that stops working returns the person to sign-in with a message", async () => {
  const { context, page, problems } = await open(browser(), authPort);
  await page.evaluate(() => localStorage.setItem("os1.token", "os1_0000_revoked"));
  await page.reload();
  await page.getByText("Your token is no longer accepted").waitFor();
  await page.getByLabel("API token").waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test("a --no-auth server on this machine needs no sign-in", async () => {
  const { context, page, problems } = await open(browser(), openPort);
  await page.locator("#status").filter({ hasText: statusPattern }).waitFor();
  assert.equal(await page.getByLabel("API token").count(), 0);
  assert.equal(await page.getByRole("button", { name: "Sign out" }).isVisible(), false);
  assert.deepEqual(problems, []);
  await context.close();
});

test("at phone width (360 px) no view scrolls sideways", async () => {
  const { context, page } = await open(browser(), authPort, { width: 360, height: 740 });
  await page.getByLabel("API token").waitFor();
  const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(wide, false);
  await page.getByLabel("API token").fill(token);
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "OS1 right now" }).waitFor();
  for (const [link, heading] of [["Talk", "Conversation"], ["Memory", "Memory"], ["Mood", "Mood"], ["Persona", "Persona"], ["Initiative", "Initiative"], ["Now", "OS1 right now"]]) {
    await page.getByRole("link", { name: link, exact: true }).click();
    await page.getByRole("heading", { name: heading, exact: true, level: 1 }).waitFor();
    await settled(page);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(wide, false, `${link} scrolls sideways at 360 px`);
  }
  await context.close();
});
