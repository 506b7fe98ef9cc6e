// The memory view's facts, portrait and summaries. The tiny random model never
// distills a valid fact (its facts cite turns that do not exist, and are
// refused), so the first test shows the real server's empty answers, and the
// second gives the page recorded answers of docs/api.md's shape for those
// three routes (the server side of them is tested in tests/server) while the
// messages a fact came from are the real server's.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { open, useBrowser } from "./browser.mjs";
import { ownServer, say } from "./server.mjs";

const browser = useBrowser();
let server;
before(async () => {
  server = await ownServer(["--no-auth", "--no-onboarding"]);
  await say(server.url, "My sister Zoe moved to Boston in May.", { conversation: "family" });
  await say(server.url, "Zoe says Boston is cold.", { conversation: "family" });
});
after(async () => {
  await server?.close();
});

test("with nothing learned yet, the view says so", async () => {
  const { context, page, problems } = await open(browser(), server.port);
  await page.getByRole("link", { name: "Memory" }).click();
  await page.getByText("Nothing learned yet: facts are drawn every few messages.").waitFor();
  await page.getByText("No portrait yet: it is written from the summaries.").waitFor();
  await page.getByText("No conversation summed up yet.").waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test("a fact shows as text, opens the messages it came from, and is corrected and forgotten", async () => {
  const memories = (await (await fetch(`${server.url}/api/v1/memories?limit=10`)).json()).items.filter((m) => m.role === "user");
  assert.equal(memories.length, 2);
  const hostile = '<img src=x onerror="window.__xss=1"> Zoe lives in Boston';
  const fact = { id: 7, kind: "fact", text: hostile, ts: memories[0].ts, confidence: 0.9, reinforced: 1,
    sources: memories.map((m) => m.id), superseded_by: null };
  const sent = [];
  const { context, page, problems } = await open(browser(), server.port);
  const json = (route, body, status = 200) => route.fulfill({ status, contentType: "application/json", body: JSON.stringify(body) });
  await page.route((url) => url.pathname === "/api/v1/facts", (route) => json(route, { items: [fact] }));
  await page.route((url) => url.pathname === "/api/v1/facts/7", (route) => {
    const r = route.request();
    sent.push([r.method(), r.postData()]);
    if (r.method() === "DELETE") return route.fulfill({ status: 204 });
    return json(route, { ...fact, text: JSON.parse(r.postData()).text });
  });
  await page.route((url) => url.pathname === "/api/v1/summaries", (route) => json(route, {
    person: "A <b>gardener</b> whose sister moved away.",
    items: [{ id: 1, conversation: "family", text: "Zoe's move to Boston.", upto_memory: memories[1].id, updated_at: memories[1].ts }],
  }));
  await page.getByRole("link", { name: "Memory" }).click();

  const item = page.locator(".fact");
  await item.getByText(hostile).waitFor();
  assert.match(await item.textContent(), /sure 90%, said 2 times/);
  assert.equal(await page.locator("main img").count(), 0);
  await page.getByText("A <b>gardener</b> whose sister moved away.").waitFor();
  await page.locator(".summary", { hasText: "Zoe's move to Boston." }).waitFor();

  // Its sources, from the real server.
  await item.getByText("From 2 messages").click();
  await item.getByText("My sister Zoe moved to Boston in May.").waitFor();
  await item.getByText("Zoe says Boston is cold.").waitFor();

  await item.getByRole("button", { name: "Correct" }).click();
  await item.getByLabel("Corrected text").fill("Zoe lives in Boston since May");
  await item.getByRole("button", { name: "Save" }).click();
  await page.locator(".fact", { hasText: "Zoe lives in Boston since May" }).waitFor();
  await page.locator(".fact").getByRole("button", { name: "Forget" }).click();
  await page.locator(".fact").getByText("Forgotten.").waitFor();
  assert.deepEqual(sent, [["PATCH", JSON.stringify({ text: "Zoe lives in Boston since May" })], ["DELETE", null]]);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.deepEqual(problems, []);
  await context.close();
});
