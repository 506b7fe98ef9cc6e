// axe-core over every view, signed in, at desktop and phone width: no serious
// or critical violation. axe runs through the DevTools protocol (evaluate),
// not as an inline script, so the page's own CSP stays as served.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { before, test } from "node:test";
import { open, settled, useBrowser } from "./browser.mjs";
import { say } from "./server.mjs";

const port = process.env.OS1_AUTH_PORT;
const token = process.env.OS1_TOKEN;
// OS1_UPDATE_SCREENSHOTS=1 also writes each view to docs/screenshots/ (shown in the README).
const shots = process.env.OS1_UPDATE_SCREENSHOTS === "1" ? new URL("../../docs/screenshots/", import.meta.url) : null;
const axeSource = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const browser = useBrowser();

const views = [
  ["Now", "OS1 right now"],
  ["Talk", "Conversation"],
  ["Memory", "Memory"],
  ["Mood", "Mood"],
  ["Persona", "Persona"],
  ["Initiative", "Initiative"],
];

async function scan(page, where, name) {
  if (shots) await page.screenshot({ path: new URL(`${where.toLowerCase()}-${name}.png`, shots).pathname, fullPage: true });
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(
    bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    [],
    `axe on ${where}`,
  );
}

// Something on every view (and in the screenshots): a conversation, feelings,
// a reminder, a profile and a name.
before(async () => {
  const base = `http://127.0.0.1:${port}`;
  const put = (path, body) =>
    fetch(`${base}${path}`, { method: "PUT", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: JSON.stringify(body) });
  for (const text of ["I'm happy today: the garden is finally in bloom!", "My sister Zoe moved to Boston in May.",
    "Please remind me to call Zoe tomorrow at 6pm", "I feel a little tired and anxious about Friday's exam."]) {
    await say(base, text, { token, conversation: "garden", maxTokens: 24 });
  }
  assert.equal((await put("/api/v1/profile", { text: "I garden, read at night, and like short answers." })).status, 200);
  assert.equal((await put("/api/v1/persona", { name: "Samantha" })).status, 200);
});

const looks = [
  [{ width: 1280, height: 800 }, "light"],
  [{ width: 360, height: 740 }, "light"],
  [{ width: 1280, height: 800 }, "dark"],
];

for (const [viewport, scheme] of looks) {
  test(`no serious accessibility violation on any view at ${viewport.width} px, ${scheme}`, async () => {
    const { context, page, problems } = await open(browser(), port, viewport, scheme);
    const name = scheme === "light" ? String(viewport.width) : `${viewport.width}-${scheme}`;
    await page.getByLabel("API token").waitFor();
    // The page follows the system's scheme (axe's colour-contrast rule then checks that scheme's colours).
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const [r, g, b] = background.match(/\d+/g).map(Number);
    const light = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
    assert.ok(scheme === "dark" ? light < 0.2 : light > 0.8, `${scheme} background ${background}`);
    await scan(page, "sign-in", name);
    await page.getByLabel("API token").fill(token);
    await page.keyboard.press("Enter");
    for (const [link, heading] of views) {
      await page.getByRole("link", { name: link, exact: true }).click();
      await page.getByRole("heading", { name: heading, exact: true, level: 1 }).waitFor();
      if (link === "Talk") {  // the conversation itself, not only the list
        await page.getByRole("button", { name: /^garden/ }).click();
        await page.locator(".msg.theirs").first().waitFor();
      }
      await settled(page);
      await scan(page, link, name);
    }
    assert.deepEqual(problems, []);
    await context.close();
  });
}

// What Tab reaches next: the focused element's tag and name, as a person hears it.
const tabTo = async (page) => {
  await page.keyboard.press("Tab");
  return page.evaluate(() => {
    const e = document.activeElement;
    const label = e.id ? document.querySelector(`label[for="${e.id}"]`)?.textContent : "";
    return `${e.tagName.toLowerCase()}:${(label || e.textContent || "").trim()}`;
  });
};

async function tabUntil(page, target, most = 40) {
  const seen = [];
  for (let i = 0; i < most; i++) {
    seen.push(await tabTo(page));
    if (seen.at(-1) === target) return seen;
  }
  assert.fail(`Tab never reached ${target}: ${seen.join(", ")}`);
}

test("keyboard only: sign in, the views in reading order, a message sent and its reply in a live region", async () => {
  const { context, page, problems } = await open(browser(), port);
  await page.getByLabel("API token").waitFor();
  await tabUntil(page, "input:API token");
  await page.keyboard.type(token);
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "OS1 right now" }).waitFor();
  // The header first, in the order it reads: the brand is not a stop, the views are.
  await page.locator("body").focus();
  const order = await tabUntil(page, "a:Initiative");
  assert.deepEqual(order, ["a:Now", "a:Talk", "a:Memory", "a:Mood", "a:Persona", "a:Initiative"]);
  for (let i = 0; i < 4; i++) await page.keyboard.press("Shift+Tab");  // back to Talk
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "Conversation", level: 1 }).waitFor();
  await settled(page);
  await tabUntil(page, "button:New conversation");
  await page.keyboard.press("Enter");
  await tabUntil(page, "textarea:Your message");
  await page.keyboard.type("Hello from the keyboard");
  await page.keyboard.press("Enter");
  const reply = page.locator('[role=log][aria-live=polite] .msg.theirs:not([aria-busy])');
  await reply.waitFor();
  assert.ok((await reply.locator(".body").textContent()).trim().length > 0, "the reply, in the region a screen reader follows");
  assert.equal(await page.evaluate(() => document.activeElement.id), "message", "focus stays where the person types");
  assert.deepEqual(problems, []);
  await context.close();
});
