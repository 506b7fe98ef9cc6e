// axe-core over every view, signed in, at desktop and phone width: no serious
// or critical violation. axe runs through the DevTools protocol (evaluate),
// not as an inline script, so the page's own CSP stays as served.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { test } from "node:test";
import { open, useBrowser } from "./browser.mjs";

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

async function scan(page, where, width) {
  if (shots) await page.screenshot({ path: new URL(`${where.toLowerCase()}-${width}.png`, shots).pathname, fullPage: true });
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(
    bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    [],
    `axe on ${where}`,
  );
}

for (const viewport of [{ width: 1280, height: 800 }, { width: 360, height: 740 }]) {
  test(`no serious accessibility violation on any view at ${viewport.width} px`, async () => {
    const { context, page, problems } = await open(browser(), port, viewport);
    await page.getByLabel("API token").waitFor();
    await scan(page, "sign-in", viewport.width);
    await page.getByLabel("API token").fill(token);
    await page.keyboard.press("Enter");
    for (const [link, heading] of views) {
      await page.getByRole("link", { name: link, exact: true }).click();
      await page.getByRole("heading", { name: heading, exact: true, level: 1 }).waitFor();
      await page.waitForLoadState("networkidle");
      await scan(page, link, viewport.width);
    }
    assert.deepEqual(problems, []);
    await context.close();
  });
}
