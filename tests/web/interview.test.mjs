// The first-run interview and the naming happen in the page's conversation
// exactly as in the API: three questions, the answers kept as the profile,
// then the OS chooses its name and the persona view shows it.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { open, useBrowser } from "./browser.mjs";
import { ownServer } from "./server.mjs";

const browser = useBrowser();
let server;
before(async () => {
  server = await ownServer(["--no-auth"]);  // the interview on, as by default
});
after(async () => {
  await server?.close();
});

async function send(page, text) {
  await page.getByLabel("Your message").fill(text);
  await page.getByRole("button", { name: "Send", exact: true }).click();
  // The reply is whole when the composer can send again.
  await page.getByRole("button", { name: "Send", exact: true }).and(page.locator(":enabled")).waitFor();
}

test("the interview's three questions, then the OS names itself, as the API does", async () => {
  const { context, page, problems } = await open(browser(), server.port);
  await page.getByRole("link", { name: "Talk" }).click();
  const replies = page.locator(".msg.theirs .body");

  await send(page, "hello");
  await replies.nth(0).getByText("First: how would you describe yourself?").waitFor();
  await send(page, "A gardener who reads at night");
  await replies.nth(1).getByText("What do you hope for from me?").waitFor();
  await send(page, "Company on long evenings");
  await replies.nth(2).getByText("how do you like to be spoken to").waitFor();
  await send(page, "Gently, please");
  const naming = await replies.nth(3).textContent();
  const named = naming.match(/Thank you for telling me about yourself\. I'd like to be called ([A-Z][a-z]+(?: [A-Z][a-z]+)?|OS1)\./);
  assert.ok(named, `the introduction: ${naming}`);

  // The same name in the persona view, chosen in the interview; the answers are the profile.
  await page.getByRole("link", { name: "Persona" }).click();
  await page.getByRole("heading", { name: named[1], exact: true }).waitFor();
  // OS1 only when the model gave no valid name (then the persona says it is the default).
  await page.getByText(named[1] === "OS1" ? "the default" : "named itself in the interview").first().waitFor();
  const persona = await (await fetch(`${server.url}/api/v1/persona`)).json();
  assert.equal(persona.name, named[1]);
  assert.equal(persona.onboarding, "done");
  const profile = await (await fetch(`${server.url}/api/v1/profile`)).json();
  assert.match(profile.text, /A gardener who reads at night/);
  assert.match(profile.text, /Gently, please/);
  assert.deepEqual(problems, []);
  await context.close();
});
