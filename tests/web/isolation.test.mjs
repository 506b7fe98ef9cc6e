// Two people on one server: signed in as one, no view of the page shows
// anything of the other's (conversations, memories, search, facts, profile,
// mood, persona, initiative), each view checked after it has shown the
// person's own data, so that an absence is never just a view not yet loaded.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { open, useBrowser } from "./browser.mjs";
import { ownServer, say } from "./server.mjs";

const browser = useBrowser();
let server;
const SECRET = "zebralantern";
before(async () => {
  server = await ownServer(["--no-onboarding", "--initiative-tick-s", "1"], ["ada", "cy"]);
});
after(async () => {
  await server?.close();
});

async function call(token, method, path, body) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(res.ok, `${method} ${path}: ${res.status}`);
  return res.status === 204 ? null : res.json();
}

async function feelingsRead(token) {
  for (let i = 0; i < 900; i++) {
    if ((await call(token, "GET", "/api/v1/mood?days=7")).readings.length) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail("no feeling was read");
}

test("signed in as cy, nothing of ada's shows on any view", async () => {
  const { ada, cy } = server.tokens;
  // ada: a conversation, a reminder, a profile, a persona name, a feeling, all marked.
  await say(server.url, `I feel awful today, the ${SECRET} broke`, { token: ada, conversation: `${SECRET}-talk` });
  await say(server.url, `remind me to fix the ${SECRET} tomorrow at 6pm`, { token: ada, conversation: `${SECRET}-talk` });
  await call(ada, "PUT", "/api/v1/profile", { text: `I keep a ${SECRET}` });
  await call(ada, "PUT", "/api/v1/persona", { name: "Zebrina" });
  // cy: the same kinds of thing, so that each view has something of cy's to show.
  await say(server.url, "I feel wonderful today, my kite flew", { token: cy, conversation: "kite-talk" });
  await say(server.url, "remind me to fold the kite tomorrow at 6pm", { token: cy, conversation: "kite-talk" });
  await call(cy, "PUT", "/api/v1/persona", { name: "Kitara" });
  await feelingsRead(ada);
  await feelingsRead(cy);

  const { context, page, problems } = await open(browser(), server.port);
  await page.getByLabel("API token").fill(cy);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  const clean = async (where) => {
    const text = await page.locator("body").innerText();
    assert.ok(!text.includes(SECRET) && !text.includes("Zebrina"), `${where} shows ada's: ${text}`);
  };

  await page.getByRole("heading", { name: "OS1 right now" }).waitFor();
  await clean("the overview");

  await page.getByRole("link", { name: "Talk" }).click();
  await page.getByRole("button", { name: /kite-talk/ }).waitFor();
  await clean("the conversation list");
  await page.goto(`${server.url}/#/chat`);
  await page.evaluate((id) => sessionStorage.setItem("os1.conversation", id), `${SECRET}-talk`);
  await page.reload();
  await page.getByRole("button", { name: /kite-talk/ }).waitFor();
  assert.equal(await page.locator(".msg").count(), 0, "ada's conversation, asked for by name, shows nothing");
  await clean("ada's conversation by name");

  await page.getByRole("link", { name: "Memory" }).click();
  await page.locator(".memory", { hasText: "my kite flew" }).waitFor();
  await page.getByLabel("Search your memories").fill(SECRET);
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await page.getByText("Nothing recalled for that.").waitFor();
  assert.equal(await page.getByLabel("Your profile (every new conversation begins with it)").inputValue(), "");
  await clean("the memory view");

  await page.getByRole("link", { name: "Mood" }).click();
  await page.locator(".mood-table button").last().click();
  await page.locator(".mood-message", { hasText: "my kite flew" }).waitFor();
  await clean("the mood view");

  await page.getByRole("link", { name: "Persona" }).click();
  await page.getByRole("heading", { name: "Kitara", exact: true }).waitFor();
  await clean("the persona view");

  await page.getByRole("link", { name: "Initiative" }).click();
  await page.locator(".log-item", { hasText: "fold the kite" }).waitFor();
  await clean("the initiative view");
  assert.deepEqual(problems.filter((p) => !p.includes("status of 404")), []);
  await context.close();
});
